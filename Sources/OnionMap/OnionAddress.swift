// onionboard — GPL-3.0-or-later.
import Diagnostics

/// A validated v3 onion address (torspec rend-spec-v3 §6): 56 base32 characters
/// encoding PUBKEY (32) | CHECKSUM (2) | VERSION (1 = 0x03), optionally with labels in
/// front ("muc.<id>.onion"). Construct it with `OnionAddress(_:)`, which checks it.
public struct OnionAddress: Hashable, Sendable, CustomStringConvertible {
    /// The 56-character service ID, lower case, without ".onion".
    public let serviceID: String
    /// Labels in front of the service ID ("muc" in "muc.<id>.onion"), lower case.
    public let subdomain: String?

    /// The name to hand to Tor: "[subdomain.]<serviceID>.onion".
    public var hostname: String {
        (subdomain.map { $0 + "." } ?? "") + serviceID + ".onion"
    }

    public var description: String { hostname }

    /// Validates `text` in the order of rend-spec-v3 §6: lower case, strip ".onion",
    /// take the last label, length 56, base32, version byte 3, checksum.
    public init(_ text: String) throws(OnionAddressError) {
        let name = text.lowercased()
        let withoutSuffix = name.hasSuffix(".onion") ? String(name.dropLast(".onion".count)) : name
        var labels = withoutSuffix.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let last = labels.removeLast()
        func fail(_ reason: OnionAddressError.Reason) -> OnionAddressError {
            OnionAddressError(input: text, reason: reason)
        }
        if last.isEmpty && labels.isEmpty { throw fail(.empty) }
        if last.isEmpty || labels.contains(where: \.isEmpty) { throw fail(.emptyLabel) }

        let count = last.count
        guard count == 56 || count == 16 else {
            throw fail(.wrongLength(count, containsWhitespace: last.contains(where: \.isWhitespace)))
        }
        let bytes: [UInt8]
        switch Base32.decode(last) {
        case .bytes(let decoded): bytes = decoded
        case .invalidCharacter(let character, let offset):
            throw fail(.invalidCharacter(character, position: offset + 1))
        }
        // A well-formed v2 name: 80 bits of a SHA-1, no checksum to verify.
        if count == 16 { throw fail(.version2(serviceID: last)) }

        let publicKey = Array(bytes[0..<32])
        let checksum = Array(bytes[32..<34])
        let version = bytes[34]
        guard version == 3 else { throw fail(.wrongVersion(version)) }
        let expected = SHA3.sha256(Array(".onion checksum".utf8) + publicKey + [version])
        guard Array(expected[0..<2]) == checksum else { throw fail(.badChecksum) }

        serviceID = last
        subdomain = labels.isEmpty ? nil : labels.joined(separator: ".")
    }

    /// What kind of onion name `text` is, without throwing: usable v3, dead v2, or invalid.
    public static func classify(_ text: String) -> OnionAddressKind {
        do {
            return .v3(try OnionAddress(text))
        } catch {
            if case .version2(let serviceID) = error.reason { return .v2(serviceID: serviceID) }
            return .invalid(error)
        }
    }
}

/// The outcome of classifying an onion name.
public enum OnionAddressKind: Sendable, Equatable {
    case v3(OnionAddress)
    /// A 16-character v2 name: well-formed, but Tor no longer connects to it.
    case v2(serviceID: String)
    case invalid(OnionAddressError)
}

/// Why a string is not a usable v3 onion address.
public struct OnionAddressError: ClassifiedError, Equatable {
    public enum Reason: Sendable, Equatable {
        case empty
        /// A label is empty ("a..b.onion", ".x.onion").
        case emptyLabel
        /// The service ID does not have 56 (v3) or 16 (v2) characters.
        case wrongLength(Int, containsWhitespace: Bool)
        /// A character outside base32 `a–z2–7`; `position` is 1-based within the service ID.
        case invalidCharacter(Character, position: Int)
        /// A 16-character v2 name.
        case version2(serviceID: String)
        /// Byte 34 is not 3.
        case wrongVersion(UInt8)
        /// The two checksum bytes do not match SHA3-256(".onion checksum" | PUBKEY | VERSION).
        case badChecksum
    }

    /// The text as given.
    public let input: String
    public let reason: Reason

    public init(input: String, reason: Reason) {
        self.input = input
        self.reason = reason
    }

    public var category: ErrorCategory { .invalidData }

    /// Why v2 names are refused, in one sentence.
    public static let version2Explanation = "v2 onion services stopped working in Tor 0.4.6, October 2021"

    /// The reason alone, without the input ("checksum does not match ...").
    public var reasonText: String {
        switch reason {
        case .empty:
            return "it is empty"
        case .emptyLabel:
            return "it has an empty label (two dots in a row, or a leading dot)"
        case .wrongLength(let count, let whitespace):
            let note = whitespace ? " (it contains whitespace, e.g. a tab inside the quotes)" : ""
            return "the service name has \(count) characters\(note); a v3 onion has 56"
        case .invalidCharacter(let character, let position):
            let shown = character.isWhitespace ? "whitespace" : "'\(character)'"
            return "character \(position) is \(shown); onion names use only a-z and 2-7"
        case .version2:
            return "it is a 16-character v2 onion; " + Self.version2Explanation
        case .wrongVersion(let version):
            return "the version byte is \(version), not 3 (not a v3 onion)"
        case .badChecksum:
            return "the checksum does not match (a character is mistyped or was changed)"
        }
    }

    public var description: String {
        "'\(input)' is not a usable v3 onion address: \(reasonText)"
    }
}
