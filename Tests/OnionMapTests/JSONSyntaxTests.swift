import Foundation
import Testing
@testable import OnionMap

/// The JSON syntax scan that names where metadata stops being JSON (FoundationEssentials'
/// JSONDecoder does not say): it accepts exactly what that JSONDecoder accepts.
@Suite("JSON syntax")
struct JSONSyntaxTests {
    static let texts = [
        "{}", "[]", "{\"a\": 1}", "[1, 2.5, -3e10, 0.1E+2, true, false, null, \"s\\u00e9\\n\"]", "\"x\"", "0", "-0", "1.0e-5",
        "\u{FEFF}{\"a\": [ ]}", " \n\t{ \"a\" : { \"b\" : [ { } ] } } \r\n",
        "{", "[1,]", "{\"a\":1,}", "{a: 1}", "{\"a\" 1}", "[1 2]", "01", "1.", ".5", "-", "+1", "1e", "tru", "nul",
        "\"unterminated", "\"bad \\x escape\"", "\"\\u12g4\"", "\"tab\tinside\"", "[1] 2", "{\"a\": 1} x", "", "   ",
        "// comment\n{}", "{\"a\": NaN}", "[\"\\ud800\"]", "[\"\\udc00\\ud800\"]", "[\"\\ud800\\udc00\"]", "[\"\\ud800x\"]",
        "[1,,]", "{,}", "[,]", "[1,\n]", "{\"a\": [1,],}",
    ]

    @Test("accepts and refuses what JSONDecoder does")
    func agreesWithJSONDecoder() {
        for text in Self.texts {
            let data = Data(text.utf8)
            let decoderAccepts = (try? JSONDecoder().decode(JSONValue.self, from: data)) != nil
            #expect((JSONSyntax.firstProblem(in: Array(data)) == nil) == decoderAccepts, "\(text.debugDescription)")
        }
    }

    @Test("names the offending byte")
    func positions() {
        #expect(JSONSyntax.firstProblem(in: Array("{\"a\": 1 \"b\": 2}".utf8))
                == .init(offset: 8, message: "expected ',' or '}' after a member, found '\"'"))
        #expect(JSONSyntax.firstProblem(in: Array("[1,,]".utf8)) == .init(offset: 3, message: "expected a value, found ','"))
        #expect(JSONSyntax.firstProblem(in: Array(#"["a\ud800b"]"#.utf8))
                == .init(offset: 3, message: "a high surrogate \\u escape without a low one after it"))
        #expect(JSONSyntax.firstProblem(in: Array("{".utf8))?.message == "expected a member name in quotes, found the end of the text")
        #expect(JSONSyntax.firstProblem(in: Array(String(repeating: "[", count: 600).utf8))?.message == "nested more than 512 levels deep")
    }
}
