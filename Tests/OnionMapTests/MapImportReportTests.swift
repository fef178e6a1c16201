import OnionMap
import Testing

@Suite("map import report")
struct MapImportReportTests {
    @Test("entries are classified v3 / v2 / invalid with reasons, and counted")
    func classification() throws {
        let text = """
            onions_map = {
            \t["v3.example"] = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd";
            \t["alias.example"] = { host = "PG6MMJIYJMCRSSLVYKFWNNTLARU7P5SVN6Y2YMMJU6NUBXNDF4PSCRYD.onion", port = "5222" };
            \t["old.example"] = "ijeeynrc6x2uy5ob.onion"
            \t["old2.example"] = "ijeeynrc6x2uy5ob.onion";
            \t["short.example"] = "2epd2e4g2hx3tdf.onion";
            \t["flip.example"] = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscrad.onion";
            \t["port.example"] = { host = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd", port = "x" };
            \t["v3.example"] = "sp3k262uwy4r2k3ycr5awluarykdpag6a7y33jxop4cs2lu5uz5sseqd.onion";
            }
            """
        let report = MapImportReport(map: try OnionsMap.parse(text, source: "f.lua"), source: "f.lua")
        #expect(report.entries.map(\.status) == [.v3, .v3, .v2, .v2, .invalid, .invalid, .invalid, .v3])
        let counts = report.counts
        #expect([counts.entries, counts.v3, counts.v2, counts.invalid] == [8, 3, 2, 3])
        #expect([counts.distinctDomains, counts.distinctOnions] == [7, 5])
        #expect(report.entries[1].onion == "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion")
        #expect(report.entries[1].port == 5222)
        #expect(report.entries[2].reason?.contains("October 2021") == true)
        #expect(report.entries[4].reason?.contains("15 characters") == true)
        #expect(report.entries[5].reason?.contains("checksum") == true)
        #expect(report.entries[6].reason?.contains("port \"x\"") == true)
        #expect(report.duplicates.map(\.domain) == ["v3.example"])
        #expect(report.sharedOnions.map(\.domains) == [["v3.example", "alias.example"], ["old.example", "old2.example"]])
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.hasPrefix("line 4, column 2: no ';' or ','") == true)
    }
}
