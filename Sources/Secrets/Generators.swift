/// Generators for the credentials onionboard makes up for the user. None of them
/// derive anything from the user, the machine or the time: every value is drawn
/// from libsodium's CSPRNG, so the account cannot be linked to the person.
public enum CredentialGenerator {
    /// 32 symbols that survive copy-paste and handwriting: no 0/O, 1/l/I, no
    /// punctuation that shells, XML or chat clients treat specially.
    public static let passwordAlphabet: [Character] = Array("abcdefghijkmnpqrstuvwxyz23456789")

    /// Bits of entropy of a generated password (5 bits per symbol).
    public static let passwordBits = 130

    /// A 26-symbol password (130 bits) in guarded memory.
    public static func password() -> SecretBytes {
        let length = passwordBits / 5
        var bytes = (0..<length).map { _ in
            UInt8(passwordAlphabet[SecureRandom.uniform(passwordAlphabet.count)].asciiValue!)
        }
        return SecretBytes(consuming: &bytes)
    }

    static let adjectives = [
        "amber", "brisk", "calm", "dusky", "eager", "fern", "gentle", "hazel", "ivory", "jolly",
        "keen", "lunar", "mossy", "noble", "olive", "plain", "quiet", "rapid", "silver", "tidal",
        "umber", "vivid", "windy", "young", "zesty", "azure", "bold", "coral", "dewy", "early",
        "frosty", "golden",
    ]
    static let nouns = [
        "otter", "heron", "maple", "cedar", "finch", "lark", "badger", "comet", "delta", "ember",
        "falcon", "glade", "harbor", "island", "juniper", "kestrel", "lantern", "meadow", "nebula",
        "orchid", "pebble", "quill", "raven", "sparrow", "thistle", "upland", "valley", "willow",
        "yarrow", "zephyr", "aspen", "brook",
    ]

    /// A username such as `mossyheron4821`: lower-case letters and digits only, valid
    /// as an XMPP localpart on every server, about 23 bits so that a clash is rare and
    /// a retry with a fresh one is cheap.
    public static func username() -> String {
        let adjective = adjectives[SecureRandom.uniform(adjectives.count)]
        let noun = nouns[SecureRandom.uniform(nouns.count)]
        let number = 1000 + SecureRandom.uniform(9000)
        return "\(adjective)\(noun)\(number)"
    }

    /// A chat nickname such as `quiet-lark-27`, independent of the username so the
    /// room does not learn the account name.
    public static func handle() -> String {
        let adjective = adjectives[SecureRandom.uniform(adjectives.count)]
        let noun = nouns[SecureRandom.uniform(nouns.count)]
        return "\(adjective)-\(noun)-\(10 + SecureRandom.uniform(90))"
    }
}
