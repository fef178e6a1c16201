import Foundation
@testable import Localization
import Testing
import TestSupport

/// The catalog headers' plural rules, as the shipped languages write them, evaluated by our
/// parser; malformed rules fall back to gettext's default instead of failing.
@Suite("Plural rules (Plural-Forms)")
struct PluralRuleTests {
    static func forms(_ formula: String, _ counts: [UInt64]) throws -> [Int] {
        let rule = try #require(PluralRule(formula: formula), "\(formula)")
        return counts.map(rule.form(for:))
    }

    @Test("German (and English's default): the second form for every n but 1")
    func german() throws {
        #expect(try Self.forms("nplurals=2; plural=(n != 1);", [0, 1, 2, 5, 21]) == [1, 0, 1, 1, 1])
        #expect(PluralRule(header: "Language: de\n") == .germanic)
    }

    @Test("French: n > 1 (zero is singular)")
    func french() throws {
        #expect(try Self.forms("nplurals=2; plural=(n > 1);", [0, 1, 2, 100]) == [0, 0, 1, 1])
    }

    @Test("Russian: three forms")
    func russian() throws {
        let rule = "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
        #expect(try Self.forms(rule, [1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 0])
                == [0, 1, 1, 2, 2, 2, 2, 0, 1, 2, 0, 2, 2])
    }

    @Test("Chinese: one form")
    func chinese() throws {
        #expect(try Self.forms("nplurals=1; plural=0;", [0, 1, 2, 100]) == [0, 0, 0, 0])
    }

    @Test("the shipped catalogs' own headers give those rules")
    func shippedHeaders() throws {
        let expected = ["de": 2, "es": 2, "fa": 1, "fr": 2, "ru": 3, "zh_CN": 1]
        for (language, count) in expected {
            let text = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("po/\(language).po"), encoding: .utf8)
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("\"Plural-Forms:") })
            let formula = line.dropFirst("\"Plural-Forms:".count).dropLast().replacingOccurrences(of: "\\n", with: "")
            #expect(PluralRule(formula: String(formula))?.count == count, "\(language): \(formula)")
        }
    }

    @Test("every operator, with C's precedence and short circuits")
    func operators() throws {
        let cases: [(String, UInt64, Int)] = [
            ("n+2*3", 1, 7), ("(n+2)*3", 1, 9), ("n-1-1", 5, 3), ("n/2", 7, 3), ("n%4", 7, 3),
            ("!n", 0, 1), ("!n", 4, 0), ("!!n", 4, 1), ("n<=2", 2, 1), ("n>=3", 2, 0), ("n<2", 2, 0), ("n>1", 2, 1),
            ("n==1 || n==2", 2, 1), ("n==1 && n==2", 1, 0), ("1 || n/0", 5, 1), ("0 && n%0", 5, 0),
            ("n ? 1 : 0 ? 2 : 3", 0, 3), ("n==1 ? 0 : n==2 ? 1 : 2", 2, 1), ("n != 1", 1, 0),
        ]
        for (expression, n, value) in cases {
            let rule = try #require(PluralRule(formula: "nplurals=6; plural=\(expression);"), "\(expression)")
            #expect(PluralRule.evaluate(rule.expression, n) == UInt64(value), "\(expression) at n=\(n)")
        }
    }

    @Test("malformed, too deep or too long rules are refused: the default rule applies; a form beyond nplurals is the first")
    func malformed() throws {
        for formula in ["", "nplurals=2;", "plural=n!=1;", "nplurals=2; plural=n!=;", "nplurals=2; plural=(n;",
                        "nplurals=2; plural=n)", "nplurals=2; plural=x;", "nplurals=2; plural=n ? 1;", "nplurals=0; plural=0;",
                        "nplurals=2; plural=99999999999999999999999;", "nplurals=2; plural=n = 1;",
                        "nplurals=2; plural=" + String(repeating: "(", count: 200) + "n" + String(repeating: ")", count: 200) + ";",
                        "nplurals=2; plural=" + String(repeating: "!", count: 200) + "n;",
                        "nplurals=2; plural=" + String(repeating: "n+", count: 300) + "n;"] {
            #expect(PluralRule(formula: formula) == nil, "\(formula.prefix(60))")
        }
        #expect(PluralRule(header: "Plural-Forms: nplurals=2; plural=n!=;\n") == .germanic)
        #expect(try Self.forms("nplurals=2; plural=n;", [0, 1, 2, 7]) == [0, 1, 0, 0])
        #expect(try Self.forms("nplurals=2; plural=n/(n-n);", [1, 3]) == [0, 0])   // division by zero
    }
}
