import Foundation

/// A template's `Validation: regex` run with a step budget. ICU matches by backtracking,
/// so a pattern such as `(a+)+$` takes exponential time on a near-miss (48 characters: 27 s
/// in `templates check`). ICU reports progress every few thousand steps of its matching
/// engine (`reportProgress`); after `progressBudget` reports the match is abandoned. The
/// budget counts steps, not seconds, so a template is judged the same on a fast and a slow
/// machine.
enum BoundedRegex {
    enum Outcome: Equatable {
        case match, noMatch, tooCostly, invalidPattern
    }

    /// About 0.1 s of backtracking here (one report ≈ 0.2 ms); an ordinary pattern on an
    /// answer never gets one report.
    static let progressBudget = 500

    /// Whether the whole of `value` matches `pattern` (ICU syntax).
    static func wholeMatch(_ pattern: String, _ value: String, progressBudget: Int = progressBudget) -> Outcome {
        guard let bare = try? NSRegularExpression(pattern: pattern) else { return .invalidPattern }
        // Anchored at both ends: one attempt at the start instead of a search from every
        // position, and `a|ab` accepts "ab". (A pattern the wrapper breaks, such as one
        // ending in an `(?x)` comment, runs bare and must match the whole answer.)
        let expression = (try? NSRegularExpression(pattern: "(?:\(pattern))\\z")) ?? bare
        let whole = NSRange(value.startIndex..., in: value)
        var reports = 0
        var matched = false
        expression.enumerateMatches(in: value, options: [.anchored, .reportProgress], range: whole) { result, _, stop in
            if let result {
                matched = result.range == whole
                stop.pointee = true
            } else {
                reports += 1
                if reports > progressBudget { stop.pointee = true }
            }
        }
        if matched { return .match }
        return reports > progressBudget ? .tooCostly : .noMatch
    }
}
