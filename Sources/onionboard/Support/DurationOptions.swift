import ArgumentParser
import Vocabulary

/// Every duration flag goes through `Seconds` (finite, positive, at most an hour): a bad
/// one is a usage error (exit 64) naming the flag.
func validateDurations(_ flags: [(flag: String, seconds: Double)]) throws {
    for (flag, seconds) in flags {
        if let problem = Seconds.problem(seconds) { throw ValidationError("\(flag): \(problem)") }
    }
}
