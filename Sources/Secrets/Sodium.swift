import CSodium

/// libsodium must be initialised once before any other call; every entry point of
/// this module goes through `Sodium.ready` first.
enum Sodium {
    static let ready: Void = {
        guard sodium_init() >= 0 else {
            fatalError("libsodium could not be initialised (sodium_init failed)")
        }
    }()
}

/// Cryptographically secure randomness from libsodium.
public enum SecureRandom {
    /// A uniformly distributed integer in `0..<upperBound` (no modulo bias).
    public static func uniform(_ upperBound: Int) -> Int {
        precondition(upperBound > 0 && upperBound <= Int(UInt32.max))
        _ = Sodium.ready
        return Int(randombytes_uniform(UInt32(upperBound)))
    }

    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        _ = Sodium.ready
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, $0.count) }
        return out
    }

    /// A random string drawn uniformly from `alphabet`.
    public static func string(length: Int, alphabet: [Character]) -> String {
        String((0..<length).map { _ in alphabet[uniform(alphabet.count)] })
    }
}
