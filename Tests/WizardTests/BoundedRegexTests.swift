import Foundation
import Testing
@testable import Wizard

/// Issue 17 item 11: `Validation: regex` may not backtrack without end. Since issue 14 the
/// patterns are matched by TemplateRegex, which does not backtrack at all: a catastrophic
/// pattern answers a near miss at once (ICU's step budget is gone with ICU).
@Suite("Bounded template regexes")
struct BoundedRegexTests {
    /// The case: `(a+)+$` against a 48-character near miss took `templates check` 27 s with ICU.
    static let nearMiss = String(repeating: "a", count: 47) + "!"

    @Test("a catastrophic pattern on a near miss is answered at once, within a small step budget")
    func catastrophicPatternAnswers() throws {
        #expect(Validation.regex("(a+)+$").check(Self.nearMiss) == .failure(.init("it must match the pattern (a+)+$")))
        #expect(try TemplateRegex("(a+)+$").wholeMatch(Self.nearMiss, stepBudget: 10_000) == false)
        #expect(try TemplateRegex("(x+x+)+y").wholeMatch(String(repeating: "x", count: 40), stepBudget: 10_000) == false)
    }

    @Test("templates check reports the default that does not match on its line instead of hanging")
    func templateCheckReportsIt() {
        let text = """
            Template: t
            Title: T
            Room: r@conference.example.org

            Question: provider
            Type: provider
            Description: pick

            Question: alias
            Type: text
            Description: a
            Validation: regex (a+)+$
            Default: \(Self.nearMiss)
            """
        let (template, problems) = TemplateParser.parse(text, origin: "slow.wizard")
        #expect(template == nil)
        #expect(problems.map(\.line) == [13])
        #expect(problems.first?.message.contains("must match the pattern (a+)+$") == true, "\(problems)")
    }

    @Test("ordinary patterns behave as before: whole answer, alternatives, invalid patterns")
    func ordinaryPatterns() throws {
        #expect(Validation.regex("[A-Za-z][A-Za-z0-9_-]{2,20}").check("Alice_1") == .success("Alice_1"))
        #expect(try TemplateRegex("[a-z]+").wholeMatch("abc1") == false)
        #expect(try TemplateRegex("[a-z]+").wholeMatch("1abc") == false)
        // The whole answer counts, not the first alternative that matches a prefix.
        #expect(try TemplateRegex("a|ab").wholeMatch("ab") == true)
        #expect(try TemplateRegex("(a+)+$").wholeMatch(String(repeating: "a", count: 48)) == true)
        #expect(throws: TemplateRegex.Problem.self) { try TemplateRegex("^[a-z(+$") }
        #expect(throws: TemplateRegex.Problem.self) { try TemplateRegex("a)(b") }
        // A pattern ending in an (?x) comment matches whole answers only.
        #expect(try TemplateRegex("(?x) abc # letters").wholeMatch("abc") == true)
        #expect(try TemplateRegex("(?x) abc # letters").wholeMatch("abcd") == false)
        #expect(throws: TemplateRegex.Problem.self) { try TemplateRegex("") }  // as NSRegularExpression always said
    }
}
