/// A duration in seconds given by a person (`--connect-timeout 30`): the one rule every
/// command applies. It must be a finite number greater than 0 and at most an hour —
/// `inf`, `nan`, `1e300`, `0` and negative numbers are refused.
public enum Seconds {
    public static let maximum: Double = 3600

    /// Why `value` is not a usable duration, nil when it is.
    public static func problem(_ value: Double) -> String? {
        guard value.isFinite, value > 0 else {
            return "a duration is a number of seconds greater than 0 (got \(value))"
        }
        guard value <= maximum else {
            return "a duration is at most \(Int(maximum)) seconds (got \(value))"
        }
        return nil
    }
}
