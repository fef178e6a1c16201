import Foundation
import Testing
@testable import Wizard

/// Template patterns (issue 14): ICU's syntax matched without ICU and without backtracking.
/// Checked against NSRegularExpression (ICU), which the tests may still link.
@Suite("template regexes")
struct TemplateRegexTests {
    static let patterns = [
        "[A-Za-z][A-Za-z0-9_-]{2,20}", "a|ab", "(a|b)*c", "colou?r", "x{2,3}", "x{2,}", "x{0}", "(?i)hello", "(?i:ab)c",
        "\\d{3}-\\d{4}", "\\w+@\\w+\\.org", "[^aeiou]+", "(?i)[^a-z]+", "\\s*\\S+\\s*", "^abc$", "abc$", "\\Aab\\z", "a.c",
        "(?s)a.c", "[\\d.]+", "[a\\-z]+", "[-az]+", "[az-]+", "\\p{L}+", "\\P{L}+", "\\p{Lu}\\p{Ll}*", "[\\p{Nd}x]+",
        "\\bfoo\\b", "\\Bo\\B", "\\x41\\u0042\\x{43}", "\\Q.*\\E+", "(?x) a b c  # letters", "a(?#comment)b", "(?<word>ab)+",
        "(a+)+", "(a*)*b", "(a|a)*", "[]a]+", "a{,3}", "\\.", "\\$\\d+", "caf\\u00e9", "(?m)^b", "[\\s\\S]{2}", "x*?y+?z??",
        "\\h+", "[[:alpha:]]", "(?-i)a", "(?i)\\x{3a3}", "[\\x{100}-\\x{17f}]+", "",
    ]
    static let inputs = [
        "", "a", "ab", "abc", "ABC", "aB", "Alice_1", "al", "c", "abbac", "color", "colour", "colouur", "xx", "xxx", "xxxx", "x",
        "Hello", "hELLo", "abc", "ABc", "555-1234", "55-1234", "me@example.org", "bcd", "bcda", "BCD", "123", " word ",
        "abc\n", "abc\n\n", "a\nc", "3.14", "a-z", "-a", "zz-", "Ünïcödé", "Éa", "ABC", "foo", "a foo b", "foox", "xoox",
        "ABC", ".*", ".*.*", "abc", "a b c", "ab", "ababab", "aaaa", "aaab", "aaaa!", "]a]", "a{,3}", ".", "$42", "café",
        "cafe\u{301}", "a\nb", "b", "\t ", "xyz", "yyz", " \t", "Σ", "σ", "ς", "\u{104}\u{17f}", "\u{180}",
    ]

    /// Whole-answer matching with ICU, as the wizard did before.
    static func icuMatches(_ pattern: String, _ input: String) -> Bool? {
        guard let bare = try? NSRegularExpression(pattern: pattern) else { return nil }
        // Anchored at the end too; a pattern ending in an (?x) comment cannot be wrapped.
        let whole = (try? NSRegularExpression(pattern: "(?:\(pattern))\\z")) ?? bare
        let range = NSRange(input.startIndex..., in: input)
        // ICU backtracks: give up (nil) after a few hundred progress reports, as on (a*)*b.
        var reports = 0, matched = false
        whole.enumerateMatches(in: input, options: [.anchored, .reportProgress], range: range) { result, _, stop in
            if let result {
                matched = result.range == range
                stop.pointee = true
            } else {
                reports += 1
                if reports > 50 { stop.pointee = true }
            }
        }
        return reports > 50 ? nil : matched
    }

    @Test("matches the answers ICU matches, for every supported pattern")
    func agreesWithICU() throws {
        var disagreements: [String] = []
        for pattern in Self.patterns {
            let ours = try? TemplateRegex(pattern)
            let icuValid = (try? NSRegularExpression(pattern: pattern)) != nil
            guard let ours else {
                // Refused: only patterns ICU refuses too, or features documented as unsupported.
                if icuValid && !["[[:alpha:]]"].contains(pattern) { disagreements.append("refused \(pattern)") }
                continue
            }
            #expect(icuValid, "accepted \(pattern), which ICU refuses")
            for input in Self.inputs where ours.wholeMatch(input) != Self.icuMatches(pattern, input) {
                disagreements.append("\(pattern.debugDescription) on \(input.debugDescription): ours \(String(describing: ours.wholeMatch(input)))")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
    }

    /// ICU misses some matches of nested lazy loops that can match empty (`(a*?)*?` does not
    /// match "a" wholly in ICU 72); Swift's own Regex is the second opinion there.
    static func swiftMatches(_ pattern: String, _ input: String) -> Bool? {
        guard let regex = try? Regex(pattern) else { return nil }
        return (try? regex.wholeMatch(in: input)) != nil
    }

    @Test("random patterns over a small alphabet agree with ICU or Swift's Regex on every short answer")
    func randomPatternsAgreeWithICU() throws {
        var generator = SplitMix(seed: 14)
        let atoms = ["a", "b", "-", ".", "[ab]", "[^a]", "[a-]", "\\w", "\\W", "\\d", "(?i:A)", "\\b", "^", "$", "\\B"]
        func pattern(depth: Int) -> String {
            var parts: [String] = []
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                var atom = depth > 0 && generator.next() % 4 == 0 ? "(" + pattern(depth: depth - 1) + ")" : atoms[Int(generator.next() % UInt64(atoms.count))]
                if !["^", "$", "\\b", "\\B"].contains(atom) {
                    atom += ["", "", "*", "+", "?", "{1,2}", "{2}", "*?"][Int(generator.next() % 8)]
                }
                parts.append(atom)
            }
            let sequence = parts.joined()
            return generator.next() % 5 == 0 ? sequence + "|" + pattern(depth: depth - 1 < 0 ? 0 : depth - 1) : sequence
        }
        var answers = [""]
        for _ in 0..<3 { answers += answers.flatMap { prefix in ["a", "b", "-", "A"].map { prefix + $0 } } }
        answers = Array(Set(answers)).sorted()
        var disagreements: [String] = []
        for _ in 0..<150 {
            let text = pattern(depth: 2)
            guard let ours = try? TemplateRegex(text) else {
                disagreements.append("refused \(text)")
                continue
            }
            for answer in answers {
                // nil: ICU gave up backtracking; nothing to compare.
                let mine = ours.wholeMatch(answer)
                guard let icu = Self.icuMatches(text, answer), mine != icu, mine != Self.swiftMatches(text, answer) else { continue }
                disagreements.append("\(text) on \(answer.debugDescription): ours \(String(describing: ours.wholeMatch(answer)))")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(20).joined(separator: "\n"))")
    }

    @Test("patterns that need backtracking are refused with the reason", arguments: [
        ("(a)\\1", "back-reference"), ("a(?=b)", "look-ahead"), ("a(?!b)", "look-ahead"), ("(?<=a)b", "look-behind"),
        ("(?>a+)", "atomic group"), ("a++", "possessive"), ("[a[b]]", "nested set"), ("[a&&b]", "intersection"),
    ])
    func unsupported(pattern: String, reason: String) {
        #expect(throws: TemplateRegex.Problem.self) { try TemplateRegex(pattern) }
        do { _ = try TemplateRegex(pattern) } catch { #expect(error.message.contains(reason), "\(error.message)") }
    }

    @Test("invalid patterns are refused where they go wrong", arguments: [
        ("^[a-z(+$", 1), ("a)(b", 1), ("*a", 0), ("a{2,1}", 1), ("(ab", 0), ("\\", 0), ("a\\q", 1), ("x{", 1), ("[z-a]", 1),
    ])
    func invalid(pattern: String, offset: Int) {
        do {
            _ = try TemplateRegex(pattern)
            Issue.record("accepted \(pattern)")
        } catch {
            #expect(error.offset == offset, "\(pattern): \(error)")
        }
    }

    @Test("a pattern that backtracks without end in ICU answers a near miss within a small step budget")
    func noCatastrophicBacktracking() throws {
        let nearMiss = String(repeating: "a", count: 47) + "!"
        for pattern in ["(a+)+$", "(a|a)*$", "(a*)*b", "(x+x+)+y"] {
            let expression = try TemplateRegex(pattern)
            // Steps grow with pattern size × answer length: a few thousand here (ICU: 2^47).
            #expect(expression.wholeMatch(nearMiss, stepBudget: 20_000) == false, "\(pattern)")
        }
        #expect(try TemplateRegex("(a+)+$").wholeMatch(String(repeating: "a", count: 48)) == true)
        #expect(Validation.regex("(a+)+$").check(nearMiss) == .failure(.init("it must match the pattern (a+)+$")))
    }

    @Test("the step budget stops a huge pattern on a long answer")
    func stepBudget() throws {
        let expression = try TemplateRegex("(a?){500}a{500}")
        #expect(expression.wholeMatch(String(repeating: "a", count: 1000), stepBudget: 10_000) == nil)
        #expect(expression.wholeMatch(String(repeating: "a", count: 1000)) == true)
        #expect(throws: TemplateRegex.Problem.self) { try TemplateRegex("((a{1000}){1000}){1000}") }
    }
}

/// A small deterministic generator (SplitMix64), so the random patterns are the same every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
