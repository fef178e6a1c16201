import OnionMap
import Testing

@Suite("onions_map parser")
struct OnionsMapParserTests {
    let v3a = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd"
    let v3b = "sp3k262uwy4r2k3ycr5awluarykdpag6a7y33jxop4cs2lu5uz5sseqd"

    private func parse(_ text: String) throws -> OnionsMap {
        try OnionsMap.parse(text, source: "test.lua")
    }

    @Test("qbi's v3 map: tabs, table values, no .onion suffix, no final newline")
    func qbiV3() throws {
        let map = try parse(Vectors.qbiV3File)
        #expect(map.entries.count == 24)
        #expect(map.entries.map(\.domain) == Vectors.qbiV3.map(\.domain))
        #expect(map.entries.map(\.host) == Vectors.qbiV3.map(\.value))
        #expect(map.warnings.isEmpty)
        let cock = try #require(map.entries.first { $0.domain == "cock.li" })
        #expect(cock.port == 5222)
        #expect(cock.rawValue == "{ host = \"xdkriz6cn2avvcr2vks5lvvtmfojz2ohjzj4fhyuka55mvljeso2ztqd.onion\", port = \"5222\" }")
        #expect(cock.line == 4)
        #expect(cock.column == 2)
    }

    @Test("string values, with and without .onion, with a label in front")
    func stringValues() throws {
        let map = try parse("""
            onions_map = {
            \t["a.example"] = "\(v3a).onion";
            \t["b.example"] = "\(v3b)";
            \t["conference.b.example"] = "conference.\(v3b).onion";
            };
            """)
        #expect(map.entries.map(\.host) == ["\(v3a).onion", v3b, "conference.\(v3b).onion"])
        #expect(map.entries.allSatisfy { $0.port == nil && $0.valueProblem == nil })
        #expect(map.entries[1].rawValue == "\"\(v3b)\"")
        #expect(map.entries.map(\.line) == [2, 3, 4])
    }

    @Test("table values: port as a string or a number, ',' or ';' inside, trailing separator")
    func tableValues() throws {
        let map = try parse("""
            onions_map = {
              ["s.example"] = { host = "\(v3a).onion", port = "5222" };
              ["n.example"] = { host = "\(v3b).onion"; port = 5269, };
              ["h.example"] = {host="\(v3b).onion"},
              ["p.example"] = { port = 5269, host = '\(v3a).onion' }
            }
            """)
        #expect(map.entries.map(\.port) == [5222, 5269, nil, 5269])
        #expect(map.entries.map(\.host) == ["\(v3a).onion", "\(v3b).onion", "\(v3b).onion", "\(v3a).onion"])
        #expect(map.entries.allSatisfy { $0.valueProblem == nil })
    }

    @Test("tables that parse but are not usable values say why")
    func tableProblems() throws {
        let map = try parse("""
            onions_map = {
              ["nohost.example"] = { port = 5269 };
              ["badport.example"] = { host = "\(v3a).onion", port = "xmpp" };
              ["bigport.example"] = { host = "\(v3a).onion", port = 70000 };
              ["extra.example"] = { host = "\(v3a).onion", proto = "tcp" };
              ["numhost.example"] = { host = 12 };
            }
            """)
        let problems = map.entries.map { $0.valueProblem ?? "" }
        #expect(problems[0].contains("no host"))
        #expect(problems[1].contains("port \"xmpp\" is not a port number"))
        #expect(problems[2].contains("port \"70000\""))
        #expect(problems[3].contains("unknown field 'proto'"))
        #expect(problems[4].contains("host must be a quoted string"))
    }

    @Test("separators: ';', ',', mixed, and missing (accepted with a warning)")
    func separators() throws {
        let map = try parse("""
            onions_map = {
            \t["a.example"] = "\(v3a).onion";
            \t["b.example"] = "\(v3b).onion",
            \t["c.example"] = "\(v3a).onion"
            \t["d.example"] = "\(v3b).onion"
            \t["e.example"] = { host = "\(v3a).onion" port = 5269 }
            \t["f.example"] = "\(v3b).onion"
            }
            """)
        #expect(map.entries.map(\.domain) == ["a.example", "b.example", "c.example", "d.example", "e.example", "f.example"])
        #expect(map.entries[4].port == 5269)
        // c, d, e lack a separator after the entry; e also lacks one between its fields.
        #expect(map.warnings.map(\.line).sorted() == [4, 5, 6, 6])
        #expect(map.warnings.first?.message.contains("\"c.example\"") == true)
    }

    @Test("comments, mixed tabs and spaces, trailing whitespace, CRLF, no final newline")
    func commentsAndWhitespace() throws {
        let text = "-- header comment\r\n"
            + "--[[ a block\r\ncomment ]]\r\n"
            + "onions_map = { -- trailing comment after the brace\r\n"
            + "\t[\"a.example\"] = \"\(v3a).onion\";\t  \r\n"
            + "        -- [\"commented.example\"] = \"\(v3b).onion\";\r\n"
            + "        [\"b.example\"]\t=\t\"\(v3b).onion\"; -- trailing comment\r\n"
            + "  \t}"
        let map = try parse(text)
        #expect(map.entries.map(\.domain) == ["a.example", "b.example"])
        #expect(map.entries.map(\.line) == [5, 7])
        #expect(map.entries[1].column == 9)
    }

    @Test("the closing brace with and without ';', and an empty map")
    func closingBrace() throws {
        #expect(try parse("onions_map = {}").entries.isEmpty)
        #expect(try parse("onions_map = {};\n").entries.isEmpty)
        #expect(try parse("\u{FEFF}onions_map={[\"a.example\"]=\"\(v3a)\"}").entries.count == 1)
    }

    @Test("escapes in strings")
    func escapes() throws {
        let map = try parse(#"onions_map = { ["a\"b"] = "x\ty" }"#)
        #expect(map.entries.first?.domain == "a\"b")
        #expect(map.entries.first?.host == "x\ty")
    }

    @Test("duplicates are kept in order and reported")
    func duplicates() throws {
        let map = try parse("""
            onions_map = {
              ["tchncs.de"] = "\(v3a).onion";
              ["other.example"] = "\(v3b).onion";
              ["TCHNCS.DE"] = "\(v3b).onion";
              ["tchncs.de"] = "\(v3a).onion";
            }
            """)
        #expect(map.entries.count == 4)
        #expect(map.duplicates.map(\.domain) == ["tchncs.de"])
        #expect(map.duplicates.map(\.lines) == [[2, 4, 5]])
    }

    struct SyntaxCase: CustomTestStringConvertible, Sendable {
        let text: String
        let line: Int
        let column: Int
        let expected: String
        var testDescription: String { expected }
    }

    static let syntaxCases: [SyntaxCase] = [
        SyntaxCase(text: "onions_map = {\n\t[\"a.example\"] = \"x.onion\"\n\t\"b.example\" = \"y.onion\"\n}",
                   line: 3, column: 2, expected: "expected ';', ',' or '}' after the entry for \"a.example\", found the string \"b.example\""),
        SyntaxCase(text: "onions_map = {\n\t[\"a.example\"] = \"x.onion\";\n",
                   line: 3, column: 1, expected: "expected '}' to close the '{' at line 1, found the end of the file"),
        SyntaxCase(text: "onions_map = {\n  [\"a.example\"] = \"x.onion;\n}",
                   line: 2, column: 19, expected: "unfinished string"),
        SyntaxCase(text: "onions_map = {\n  [\"a.example\"] = nil;\n}",
                   line: 2, column: 19, expected: "expected a string \"….onion\" or a table"),
        SyntaxCase(text: "onions = {}", line: 1, column: 1, expected: "expected 'onions_map = {' at the start of the file, found 'onions'"),
        SyntaxCase(text: "onions_map {}", line: 1, column: 12, expected: "expected '=' after 'onions_map', found '{'"),
        SyntaxCase(text: "onions_map = {}\nother = 1", line: 2, column: 1, expected: "expected the end of the file after the map's closing '}', found 'other'"),
        SyntaxCase(text: "onions_map = {\n  [\"a\" = \"x\"]\n}", line: 2, column: 8, expected: "expected ']' after the domain \"a\", found '='"),
        SyntaxCase(text: "onions_map = {\n  [a] = \"x\"\n}", line: 2, column: 4, expected: "expected a quoted domain after '['"),
        SyntaxCase(text: "onions_map = {\n  [\"a\"] = { host = \"x\", port = 52.69 }\n}", line: 2, column: 32, expected: "malformed number '52.69'"),
        SyntaxCase(text: "onions_map = {\n  [\"a\"] = { \"host\" = \"x\" }\n}", line: 2, column: 13, expected: "expected a field name (host or port) or '}' in the value of \"a\""),
        SyntaxCase(text: "onions_map = {\n  @\n}", line: 2, column: 3, expected: "unexpected character '@'"),
        SyntaxCase(text: "onions_map = {\n  [\"a\"] = \"x\\q\"\n}", line: 2, column: 13, expected: "unsupported escape sequence '\\q'"),
        SyntaxCase(text: "--[[ never closed\nonions_map = {}", line: 1, column: 1, expected: "unfinished --[[ comment"),
        SyntaxCase(text: "", line: 1, column: 1, expected: "expected 'onions_map = {' at the start of the file, found the end of the file"),
    ]

    @Test("real syntax errors give line, column and what was expected", arguments: syntaxCases)
    func syntaxErrors(_ testCase: SyntaxCase) throws {
        do {
            _ = try OnionsMap.parse(testCase.text, source: "broken.lua")
            Issue.record("parsed without error")
        } catch {
            #expect(error.line == testCase.line)
            #expect(error.column == testCase.column)
            #expect(error.message.contains(testCase.expected), "\(error.message)")
            #expect(error.description.hasPrefix("broken.lua:\(testCase.line):\(testCase.column): syntax error: "))
            #expect(error.category == .invalidData)
        }
    }
}
