import Diagnostics
import FoundationEssentials
import Glibc
import Vocabulary
import Localization

/// What the server's leaf certificate says, for the user and for Pidgin's pin file.
public struct CertificateInfo: Sendable, Equatable, Codable {
    public let pem: String
    /// SHA-256 of the DER, lower-case hex without colons.
    public let sha256: String
    public let subject: String
    public let issuer: String
    public let subjectAlternativeNames: [String]
    public let notBefore: Date?
    public let notAfter: Date?
    /// The chain is valid against the system CAs and names the XMPP domain.
    public let validForDomainBySystemCAs: Bool
    public let domain: String
    public let overOnion: Bool
    /// SHA-256 of the DER SubjectPublicKeyInfo, lower-case hex: the same across renewals
    /// that keep the key.
    public var spkiSHA256: String = ""
    /// SHA-1 of the DER, lower-case hex: only for comparing with what Pidgin's certificate
    /// dialog shows (nothing is decided on it).
    public var sha1: String = ""

    /// `AB:CD:…` for display.
    public var colonFingerprint: String {
        Self.colonSeparated(sha256)
    }

    static func colonSeparated(_ hex: String) -> String { hex.colonSeparatedHexPairs }

    /// Why trusting this certificate may be fine even though no CA vouches for it.
    public var onionNote: String? {
        overOnion
            ? "You reach this server through its .onion address, whose key already authenticates the host; a self-signed certificate is normal there. Pinning the fingerprint makes later connections detect a change."
            : nil
    }

    /// A multi-line description for a confirmation prompt.
    public var summary: String {
        // Subject, names and issuer come from the server's certificate: shown sanitised.
        let names = subjectAlternativeNames.map { ServerText.sanitised($0, maximumLength: 100) }
        var lines = [
            "Subject:     \(ServerText.sanitised(subject))",
            "Names (SAN): \(names.isEmpty ? "(none)" : names.joined(separator: ", "))",
            "Issuer:      \(ServerText.sanitised(issuer))",
            "Valid:       \(notBefore.map { $0.formatted(.iso8601) } ?? "?") to \(notAfter.map { $0.formatted(.iso8601) } ?? "?")",
            "SHA-256:     \(colonFingerprint)",
        ]
        if let onionNote { lines.append(onionNote) }
        return lines.joined(separator: "\n")
    }
}

/// How the certificate came to be trusted.
public enum CertificateTrust: String, Sendable, Codable {
    /// It matched the pin from the provider map.
    case pinned
    /// A chain valid for the XMPP domain against the system CAs.
    case systemCA = "system-ca"
    /// It matched the fingerprint the caller passed (`--accept-fingerprint`).
    case acceptedFingerprint = "accepted-fingerprint"
    /// The user confirmed it (trust on first use).
    case confirmedByUser = "confirmed-by-user"

    public var explanation: String {
        switch self {
        case .pinned: translated("matches the pinned fingerprint from the provider map")
        case .systemCA: translated("valid for the domain according to the system's certificate authorities")
        case .acceptedFingerprint: translated("matches the fingerprint given with --accept-fingerprint")
        case .confirmedByUser: translated("accepted on first use after you confirmed its fingerprint")
        }
    }
}

public enum CertificateError: ClassifiedError, Equatable {
    case pinMismatch(expected: String, actual: String)
    /// The provider map pins the certificate's key (SPKI) and the server shows another key.
    case keyPinMismatch(expected: String, actual: String)
    case notTrusted(sha256: String, reason: String)
    case declined(sha256: String)

    public var category: ErrorCategory {
        switch self {
        case .declined: .cancelled
        default: .untrustedCertificate
        }
    }

    public var description: String {
        switch self {
        case .pinMismatch(let expected, let actual):
            "the server's certificate does not match the pinned fingerprint; refused before anything was registered.\n  pinned:    \(CertificateInfo.colonSeparated(expected))\n  presented: \(CertificateInfo.colonSeparated(actual))\nIf the provider really changed its certificate, update the provider map; otherwise someone may be intercepting the connection."
        case .keyPinMismatch(let expected, let actual):
            "the server's certificate carries another key than the one the provider map pins; refused before anything was registered.\n  pinned key (SPKI SHA-256):    \(CertificateInfo.colonSeparated(expected))\n  presented key (SPKI SHA-256): \(CertificateInfo.colonSeparated(actual))\nIf the provider really changed its key, update the provider map; otherwise someone may be intercepting the connection."
        case .notTrusted(let sha256, let reason):
            "the server's certificate is not trusted (\(reason)); SHA-256 \(CertificateInfo.colonSeparated(sha256)). Check it with the provider and pass --accept-fingerprint \(sha256) to accept it"
        case .declined(let sha256):
            "you declined the server's certificate (SHA-256 \(CertificateInfo.colonSeparated(sha256)))"
        }
    }
}

/// The decision, in order: a pin must match; else a CA-valid chain for the domain is
/// accepted; else trust on first use — an explicitly accepted fingerprint, or the user's
/// confirmation.
public struct CertificatePolicy: Sendable {
    /// SHA-256 hex from the provider map.
    public var pin: String?
    /// SHA-256 hex of the SubjectPublicKeyInfo from the provider map: vouches for any
    /// certificate with that key (a renewal that keeps the key).
    public var spkiPin: String?
    /// SHA-256 hex the caller accepts without asking (`--accept-fingerprint`).
    public var acceptedFingerprint: String?
    /// Asked when nothing else vouches for the certificate; nil means refuse.
    public var confirm: (@Sendable (CertificateInfo) -> Bool)?

    public init(pin: String? = nil, spkiPin: String? = nil, acceptedFingerprint: String? = nil,
                confirm: (@Sendable (CertificateInfo) -> Bool)? = nil) {
        self.pin = pin
        self.spkiPin = spkiPin
        self.acceptedFingerprint = acceptedFingerprint
        self.confirm = confirm
    }

    /// Lower-case hex without separators, so `AB:CD…` and `abcd…` compare equal; nil
    /// unless it is 64 ASCII hex digits (colons allowed).
    public static func normalise(_ fingerprint: String) -> String? {
        SHA256Fingerprint(fingerprint)?.hex
    }

    public func evaluate(_ info: CertificateInfo) throws -> CertificateTrust {
        let actual = info.sha256
        let certificatePin = pin.flatMap { $0.isEmpty ? nil : $0 }
        let keyPin = spkiPin.flatMap { $0.isEmpty ? nil : $0 }
        if certificatePin != nil || keyPin != nil {
            // Either pin vouches; a pin that is not a fingerprint can never match: refused like a mismatch.
            if let certificatePin, Self.normalise(certificatePin) == actual { return .pinned }
            if let keyPin, !info.spkiSHA256.isEmpty, Self.normalise(keyPin) == info.spkiSHA256 { return .pinned }
            if let certificatePin {
                throw CertificateError.pinMismatch(expected: Self.normalise(certificatePin) ?? certificatePin, actual: actual)
            }
            throw CertificateError.keyPinMismatch(expected: Self.normalise(keyPin!) ?? keyPin!, actual: info.spkiSHA256)
        }
        if info.validForDomainBySystemCAs { return .systemCA }
        if let acceptedFingerprint {
            guard Self.normalise(acceptedFingerprint) == actual else {
                throw CertificateError.notTrusted(sha256: actual, reason: "it does not match --accept-fingerprint \(Self.normalise(acceptedFingerprint) ?? acceptedFingerprint)")
            }
            return .acceptedFingerprint
        }
        if let confirm {
            guard confirm(info) else { throw CertificateError.declined(sha256: actual) }
            return .confirmedByUser
        }
        throw CertificateError.notTrusted(sha256: actual, reason: "no pin, no certificate authority vouches for \(info.domain), and nobody confirmed it")
    }
}
