// onionboard — GPL-3.0-or-later.

/// RFC 4648 base32 (alphabet `a–z2–7`, lower case, no padding), as onion names use it.
enum Base32 {
    /// The position of the first character outside the alphabet, or the decoded bytes.
    enum Decoded: Equatable {
        case bytes([UInt8])
        case invalidCharacter(Character, offset: Int)
    }

    static func decode(_ text: String) -> Decoded {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for (offset, character) in text.enumerated() {
            guard let value = value(of: character) else {
                return .invalidCharacter(character, offset: offset)
            }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return .bytes(bytes)
    }

    private static func value(of character: Character) -> UInt8? {
        guard let ascii = character.asciiValue else { return nil }
        switch ascii {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return ascii - UInt8(ascii: "a")
        case UInt8(ascii: "2")...UInt8(ascii: "7"): return ascii - UInt8(ascii: "2") + 26
        default: return nil
        }
    }
}
