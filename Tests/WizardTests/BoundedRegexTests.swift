import Foundation
import Testing
@testable import Wizard

/// Issue 17 item 11: `Validation: regex` may not backtrack without end.
@Suite("Bounded template regexes")
struct BoundedRegexTests {
    /// The issue's case: `(a+)+$` against a 48-character near miss took `templates check` 27 s.
    static let nearMiss = String(repeating: "a", count: 47) + "!"

    @Test("a catastrophic pattern on a near miss gives up with a reason instead of running for minutes")
    func catastrophicPatternGivesUp() {
        let result = Validation.regex("(a+)+$").check(Self.nearMiss)
        guard case .failure(let failure) = result else {
            Issue.record("accepted \(Self.nearMiss)")
            return
        }
        #expect(failure.reason.contains("takes too long"), "\(failure.reason)")
        #expect(BoundedRegex.wholeMatch("(a+)+$", Self.nearMiss) == .tooCostly)
        #expect(BoundedRegex.wholeMatch("(x+x+)+y", String(repeating: "x", count: 40)) == .tooCostly)
    }

    @Test("templates check reports the costly pattern on the default's line instead of hanging")
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
        #expect(problems.first?.message.contains("takes too long") == true)
    }

    @Test("ordinary patterns behave as before: whole answer, alternatives, invalid patterns")
    func ordinaryPatterns() {
        #expect(Validation.regex("[A-Za-z][A-Za-z0-9_-]{2,20}").check("Alice_1") == .success("Alice_1"))
        #expect(BoundedRegex.wholeMatch("[a-z]+", "abc1") == .noMatch)
        #expect(BoundedRegex.wholeMatch("[a-z]+", "1abc") == .noMatch)
        // The whole answer counts, not the first alternative that matches a prefix.
        #expect(BoundedRegex.wholeMatch("a|ab", "ab") == .match)
        #expect(BoundedRegex.wholeMatch("(a+)+$", String(repeating: "a", count: 48)) == .match)
        #expect(BoundedRegex.wholeMatch("^[a-z(+$", "a") == .invalidPattern)
        #expect(BoundedRegex.wholeMatch("a)(b", "a)(b") == .invalidPattern)
        // A pattern ending in an (?x) comment cannot be wrapped; it still matches whole answers only.
        #expect(BoundedRegex.wholeMatch("(?x) abc # letters", "abc") == .match)
        #expect(BoundedRegex.wholeMatch("(?x) abc # letters", "abcd") == .noMatch)
        #expect(BoundedRegex.wholeMatch("", "") == .invalidPattern)  // as NSRegularExpression always said
    }
}
