import Foundation
import Testing
import TestSupport
import Wizard
import WizardAdapters

/// `onionboard providers ...`, run as the built binary.
@Suite("providers CLI")
struct ProvidersCLITests {
    struct ListedProvider: Decodable {
        let domain: String
        let onion: String
        let clientPort: Int
        let registration: String
        let captcha: Bool?
        let origin: String
    }

    struct ListReport: Decodable {
        let filter: String
        let providers: [ListedProvider]
        let warnings: [String]
    }

    struct ErrorReport: Decodable {
        struct Body: Decodable {
            let category: String
            let exitCode: Int32
            let message: String
        }
        let ok: Bool
        let error: Body
    }

    static let v3 = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"

    @Test("providers list --json: exactly the providers the wizard offers, in its order (open without CAPTCHA, with, unknown)")
    func listJSON() throws {
        let run = try BinaryRun.run(["providers", "list", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(ListReport.self, from: run.stdoutData)
        #expect(report.filter == "in-band-registration")
        let engine = WizardEngine(template: try TemplateLibrary.loadBundled("tails-support"), providers: try WizardLayers.providers(extraMaps: []))
        #expect(report.providers.map(\.domain) == engine.offeredProviders.map(\.domain))
        let ranks = report.providers.map { provider in
            provider.registration == "yes" ? (provider.captcha == false ? 0 : provider.captcha == nil ? 1 : 2) : 3
        }
        #expect(ranks == ranks.sorted(), "\(report.providers.map(\.domain))")
        #expect(report.providers.contains { $0.domain == "jabjab.de" && $0.captcha == true })
        #expect(report.providers.allSatisfy { ($0.registration == "yes" || $0.registration == "unknown") && $0.onion.hasSuffix(".onion") })
        #expect(report.warnings.isEmpty)
    }

    @Test("providers list (text) shows domain, onion and registration in the wizard's words")
    func listText() throws {
        let run = try BinaryRun.run(["providers", "list"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("jabjab.de"))
        #expect(run.stdout.contains("jabjabdea2eewo3gzfurscj2sjqgddptwumlxi3wur57rzf5itje2rid.onion"))
        #expect(run.stdout.contains("open registration with a CAPTCHA"))
        #expect(run.stdout.contains("registration status unknown"))
        #expect(!run.stdout.contains("xmpp.is "), "xmpp.is registers on the web only")
        #expect(run.stdout.contains("providers may allow in-band registration over a v3 onion (the ones the wizard offers)"))
        #expect(run.stdout.contains("Nothing here was checked live yet"))
    }

    @Test("providers list --all includes providers without registration")
    func listAll() throws {
        let run = try BinaryRun.run(["providers", "list", "--all", "--json"])
        #expect(run.status == 0)
        let report = try JSONDecoder().decode(ListReport.self, from: run.stdoutData)
        #expect(report.filter == "all")
        #expect(report.providers.count >= 20)
        #expect(report.providers.contains { $0.domain == "xmpp.is" && $0.registration == "no" })
    }

    @Test("--providers adds a local provider; one without a CAPTCHA is listed first")
    func extraProviders() throws {
        let directory = try TestSupport.makeTemporaryDirectory("providers-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("local.json")
        try #"{"onionboard.test": {"onion": "\#(Self.v3)", "clientPort": 15222, "registration": "yes", "captcha": false}}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let run = try BinaryRun.run(["providers", "list", "--providers", file.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(ListReport.self, from: run.stdoutData)
        let local = try #require(report.providers.first { $0.domain == "onionboard.test" })
        #expect(local.clientPort == 15222)
        #expect(local.origin == file.path)
        // Among those known to need no CAPTCHA, before every one that needs one.
        let index = try #require(report.providers.firstIndex { $0.domain == "onionboard.test" })
        #expect(report.providers[..<index].allSatisfy { $0.captcha == false })

        let show = try BinaryRun.run(["providers", "show", "onionboard.test", "--providers", file.path])
        #expect(show.status == 0)
        #expect(show.stdout.contains("15222"))
    }

    @Test("--providers with invalid metadata: exit 65 naming file, provider and key")
    func invalidExtraProviders() throws {
        let directory = try TestSupport.makeTemporaryDirectory("providers-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.json")
        try #"{"a.test": {"onion": "ijeeynrc6x2uy5ob.onion"}}"#.write(to: file, atomically: true, encoding: .utf8)
        let run = try BinaryRun.run(["providers", "list", "--providers", file.path])
        #expect(run.status == 65)
        #expect(run.stderr.contains("\(file.path): provider \"a.test\": key \"onion\""))
        #expect(run.stderr.contains("v2 onion services stopped working in Tor 0.4.6, October 2021"))
    }

    @Test("providers show DOMAIN prints every field; --json decodes")
    func show() throws {
        let text = try BinaryRun.run(["providers", "show", "JabJab.de"])
        #expect(text.status == 0)
        for label in ["onion:", "client port:", "registration:", "CAPTCHA:", "last verified:", "sources:", "never probed live"] {
            #expect(text.stdout.contains(label), "\(label)")
        }
        let json = try BinaryRun.run(["providers", "show", "magicbroccoli.de", "--json"])
        #expect(json.status == 0)
        let provider = try JSONDecoder().decode(ListedProvider.self, from: json.stdoutData)
        #expect(provider.onion == "gois4b6fahhrlsieupl56xd6ya226m33abzuv26vgfpuvv44wf6vbdad.onion")
    }

    @Test("providers show of an unknown domain: exit 66 with a clear message")
    func showUnknown() throws {
        let run = try BinaryRun.run(["providers", "show", "nowhere.example"])
        #expect(run.status == 66)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("no provider \"nowhere.example\""))
        let json = try BinaryRun.run(["providers", "show", "nowhere.example", "--json"])
        #expect(json.status == 66)
        let report = try JSONDecoder().decode(ErrorReport.self, from: json.stdoutData)
        #expect(!report.ok && report.error.exitCode == 66 && report.error.category == "missing-input")
    }

    static let fixtureMap = """
        -- a fixture in the style of the upstream maps
        onions_map = {
        \t["v3.example"] = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd";
        \t["table.example"] = { host = "sp3k262uwy4r2k3ycr5awluarykdpag6a7y33jxop4cs2lu5uz5sseqd.onion", port = "5222" };
        \t["old.example"] = "ijeeynrc6x2uy5ob.onion"
        \t["short.example"] = "2epd2e4g2hx3tdf.onion";
        }
        """

    @Test("providers import FILE: per-entry status and counts; exit 0")
    func importFile() throws {
        let directory = try TestSupport.makeTemporaryDirectory("providers-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("map.lua")
        try Self.fixtureMap.write(to: file, atomically: true, encoding: .utf8)

        struct ImportReport: Decodable {
            struct Entry: Decodable { let line: Int; let domain: String; let status: String; let reason: String? }
            struct Counts: Decodable { let entries, v3, v2, invalid: Int }
            let entries: [Entry]
            let counts: Counts
            let warnings: [String]
        }
        let json = try BinaryRun.run(["providers", "import", file.path, "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try JSONDecoder().decode(ImportReport.self, from: json.stdoutData)
        #expect([report.counts.entries, report.counts.v3, report.counts.v2, report.counts.invalid] == [4, 2, 1, 1] as [Int])
        #expect(report.entries.map(\.status) == ["v3", "v3", "v2", "invalid"])
        #expect(report.entries.map(\.line) == [3, 4, 5, 6])
        #expect(report.entries[3].reason?.contains("15 characters") == true)
        #expect(report.warnings.count == 1)

        let text = try BinaryRun.run(["providers", "import", file.path])
        #expect(text.status == 0)
        #expect(text.stdout.contains("4 entries: 2 usable v3, 1 v2 (dead), 1 invalid"))
        #expect(text.stdout.contains("October 2021"))
    }

    @Test("providers import of a broken file: line:column and exit 65; a missing file: exit 66")
    func importErrors() throws {
        let directory = try TestSupport.makeTemporaryDirectory("providers-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("broken.lua")
        try "onions_map = {\n\t[\"a.example\"] = \"x.onion\"\n\t\"b.example\" = \"y.onion\"\n}".write(to: file, atomically: true, encoding: .utf8)
        let run = try BinaryRun.run(["providers", "import", file.path])
        #expect(run.status == 65)
        #expect(run.stderr.contains("\(file.path):3:2: syntax error: expected ';', ',' or '}'"))
        let jsonRun = try BinaryRun.run(["providers", "import", "--json", file.path])
        #expect(jsonRun.status == 65)
        #expect(try JSONDecoder().decode(ErrorReport.self, from: jsonRun.stdoutData).error.category == "invalid-data")

        let json = directory.appendingPathComponent("meta.json")
        try "{}".write(to: json, atomically: true, encoding: .utf8)
        let wrongKind = try BinaryRun.run(["providers", "import", json.path])
        #expect(wrongKind.status == 65)
        #expect(wrongKind.stderr.contains("is a metadata JSON file, not a Lua onions_map"))

        let missing = try BinaryRun.run(["providers", "import", directory.appendingPathComponent("none.lua").path])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("none.lua: no such file"))
    }

    /// Issue 17 item 4: every line was padded to the longest key; one 450 KB key in a 0.9 MB
    /// map gave 1.0 GB of output. Here a 60,000-character key among 300 entries (18 MB before).
    @Test("providers import and list --all: one huge key does not widen every line")
    func hugeKeyDoesNotWidenTheTable() throws {
        let directory = try TestSupport.makeTemporaryDirectory("providers-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("wide.lua")
        let huge = String(repeating: "a", count: 60_000) + ".example"
        var map = "onions_map = {\n\t[\"\(huge)\"] = \"\(Self.v3)\";\n"
        for index in 0..<300 { map += "\t[\"host\(index).example\"] = \"\(Self.v3)\";\n" }
        map += "}\n"
        try map.write(to: file, atomically: true, encoding: .utf8)

        let imported = try BinaryRun.run(["providers", "import", file.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.utf8.count < 60_000, "\(imported.stdout.utf8.count) bytes of output")
        let lines = imported.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("line 3   host0.example ") && $0.contains("v3") })
        #expect(lines.contains { $0.contains("(59888 more characters)") })

        let listed = try BinaryRun.run(["providers", "list", "--all", "--providers", file.path])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.utf8.count < 60_000, "\(listed.stdout.utf8.count) bytes of output")
        #expect(listed.stdout.contains("host299.example"))
        #expect(listed.stderr.contains("longer than 253 characters"))
        #expect(listed.stderr.utf8.count < 1_000)
    }

    @Test("a provider file over 1 MiB is refused with the limit in the message (exit 65), at once")
    func oversizedFile() throws {
        let directory = try TestSupport.makeTemporaryDirectory("providers-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("big.lua")
        let entry = "\t[\"host.example\"] = \"\(Self.v3)\";\n"
        let body = String(repeating: entry, count: (1 << 20) / entry.utf8.count + 1)
        try ("onions_map = {\n" + body + "}\n").write(to: file, atomically: true, encoding: .utf8)
        for arguments in [["providers", "import", file.path], ["providers", "list", "--all", "--providers", file.path]] {
            let run = try BinaryRun.run(arguments)
            #expect(run.status == 65, "\(arguments)")
            #expect(run.stdout.isEmpty)
            let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? 0
            #expect(run.stderr.contains("big.lua: is \(size) bytes; onionboard reads provider files up to 1 MiB (1048576 bytes)"),
                    "\(run.stderr)")
        }
        // Just under the limit still works.
        try ("onions_map = {\n" + String(repeating: entry, count: (1 << 20) / entry.utf8.count - 1) + "}\n")
            .write(to: file, atomically: true, encoding: .utf8)
        #expect(try BinaryRun.run(["providers", "import", "--json", file.path]).status == 0)
    }

    @Test("the test bed's PROVIDERS_JSON works with --providers; its real Tor onion passes the checksum",
          .enabled(if: World.isAvailable || TestSupport.isCI))
    func worldProviders() throws {
        let world = try #require(World.current, "local world not running")
        let run = try BinaryRun.run(["providers", "show", world.xmppDomain, "--providers", world.providersJSON.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        struct Shown: Decodable {
            let onion: String
            let directTLSPort: Int?
            let registration: String
            let certificateSHA256: String?
        }
        let shown = try JSONDecoder().decode(Shown.self, from: run.stdoutData)
        #expect(shown.onion == world.onion)
        #expect(shown.directTLSPort == world.onionTLSPort)
        #expect(shown.registration == "yes")
        #expect(shown.certificateSHA256 == world.certificateSHA256)
    }

    @Test("the bundled data is compiled in: a copy of the binary outside the build tree works")
    func embeddedData() throws {
        let directory = try TestSupport.makeTemporaryDirectory("providers-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("onionboard")
        try TestSupport.copyExecutable(TestSupport.onionboardBinary, to: copy)
        let run = try BinaryRun.run(["providers", "list", "--json"], binary: copy)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(ListReport.self, from: run.stdoutData)
        #expect(report.providers.count >= 8)
        #expect(report.providers.contains { $0.domain == "jabjab.de" })
    }
}
