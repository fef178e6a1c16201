/// A SHA-256 fingerprint (of a certificate's DER): 64 ASCII hex digits, kept lower-case
/// without separators. Parsing accepts colons between the digits (`AB:CD:…`, as
/// `openssl x509 -fingerprint` prints it) and nothing else: no other separators, and no
/// look-alikes such as full-width digits, which Unicode's `isHexDigit` accepts.
public struct SHA256Fingerprint: Sendable, Hashable, Codable, CustomStringConvertible {
    /// 64 lower-case hex digits.
    public let hex: String

    /// Nil unless `text` is 64 ASCII hex digits, optionally with colons.
    public init?(_ text: String) {
        var digits: [UInt8] = []
        digits.reserveCapacity(64)
        for byte in text.utf8 where byte != UInt8(ascii: ":") {
            guard let digit = Self.lowerCaseHexDigit(byte), digits.count < 64 else { return nil }
            digits.append(digit)
        }
        guard digits.count == 64 else { return nil }
        hex = String(decoding: digits, as: UTF8.self)
    }

    /// What a person is told when a fingerprint does not parse.
    public static let expectedForm = "a SHA-256 fingerprint is 64 hexadecimal digits 0-9 and a-f (colons allowed)"

    /// `byte` as a lower-case ASCII hex digit, or nil when it is not one.
    public static func lowerCaseHexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): byte
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte + 32
        default: nil
        }
    }

    /// `AB:CD:…`, for display.
    public var colonSeparated: String { hex.colonSeparatedHexPairs }

    public var description: String { hex }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = SHA256Fingerprint(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: Self.expectedForm))
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
