import FoundationEssentials
import Vocabulary
import Localization

/// How an answer is checked. Each rule normalises what it accepts (a localpart is
/// lower-cased, a fingerprint loses its colons) and explains what it rejects.
public enum Validation: Sendable, Equatable {
    /// The whole answer must match this regular expression (ICU syntax).
    case regex(String)
    /// An XMPP username: 1–64 of a–z 0–9 . _ -, starting with a letter or digit.
    case localpart
    /// A chat nickname: 1–64 characters, no control characters, no surrounding spaces, no `/` or `@`.
    case handle
    /// A TCP port, 1–65535.
    case port
    /// `address:port`: an IPv4 address, `[IPv6]:port`, or `localhost` (as 127.0.0.1); no other names.
    case hostPort
    /// A bare JID `local@domain`.
    case jid
    /// A DNS name such as `example.org` or an `.onion` address.
    case domain
    /// A v3 onion address: 56 base32 characters (the last one `d`, version 3) and `.onion`.
    /// Its checksum is checked where the onion code is (`WizardEngine.onionCheck`).
    case onion
    /// A SHA-256 fingerprint: 64 hex digits, colons allowed.
    case fingerprint
    /// A directory path (absolute, or starting with `~`).
    case path
    /// Anything not empty.
    case nonEmpty

    /// The names used in templates (`Validation: localpart`); `regex PATTERN` is separate.
    public static let namedRules: [String: Validation] = [
        "localpart": .localpart, "handle": .handle, "port": .port, "hostport": .hostPort,
        "jid": .jid, "domain": .domain, "onion": .onion, "fingerprint": .fingerprint, "path": .path,
        "non-empty": .nonEmpty,
    ]

    public var name: String {
        switch self {
        case .regex(let pattern): "regex \(pattern)"
        case .localpart: "localpart"
        case .handle: "handle"
        case .port: "port"
        case .hostPort: "hostport"
        case .jid: "jid"
        case .domain: "domain"
        case .onion: "onion"
        case .fingerprint: "fingerprint"
        case .path: "path"
        case .nonEmpty: "non-empty"
        }
    }

    /// The normalised answer, or why it is not acceptable.
    public func check(_ raw: String) -> Result<String, ValidationFailure> {
        let value = raw.trimmingWhitespace()
        switch self {
        case .regex(let pattern):
            guard let expression = try? TemplateRegex(pattern) else {
                return .failure(.init(translated("the template's pattern \(pattern) is not a valid regular expression")))
            }
            switch expression.wholeMatch(value) {
            case true?: return .success(value)
            case false?: return .failure(.init(translated("it must match the pattern \(pattern)")))
            case nil: return .failure(.init(translated("the pattern \(pattern) takes too long to check against this answer; the template needs a simpler pattern")))
            }
        case .localpart:
            return Validation.checkLocalpart(value.lowercased())
        case .handle:
            return Validation.checkHandle(raw)
        case .port:
            guard let port = Int(value), (1...65535).contains(port) else {
                return .failure(.init(translated("a port is a number from 1 to 65535")))
            }
            return .success(String(port))
        case .hostPort:
            return Validation.checkHostPort(value)
        case .jid:
            let parts = value.lowercased().split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                return .failure(.init(translated("an address looks like name@server.example (exactly one @)")))
            }
            guard !parts[0].isEmpty, parts[0].count <= 1023,
                  !parts[0].contains(where: { "\"&'/:<>@ ".contains($0) || $0.isNewline }) else {
                return .failure(.init(translated("the part before @ is empty or has a character XMPP forbids (\" & ' / : < > @ or a space)")))
            }
            if case .failure(let failure) = Validation.checkDomain(String(parts[1])) { return .failure(failure) }
            return .success(value.lowercased())
        case .domain:
            return Validation.checkDomain(value.lowercased())
        case .onion:
            return Validation.checkOnion(value.lowercased())
        case .fingerprint:
            guard let fingerprint = SHA256Fingerprint(value) else {
                return .failure(.init(SHA256Fingerprint.expectedForm))
            }
            return .success(fingerprint.hex)
        case .path:
            guard !value.isEmpty, value.hasPrefix("/") || value.hasPrefix("~") else {
                return .failure(.init(translated("give an absolute path (starting with / or ~)")))
            }
            return .success(value)
        case .nonEmpty:
            guard !value.isEmpty else { return .failure(.init(translated("an answer is required"))) }
            return .success(value)
        }
    }

    static func checkLocalpart(_ value: String) -> Result<String, ValidationFailure> {
        guard !value.isEmpty else { return .failure(.init(translated("a username is required"))) }
        guard value.count <= 64 else { return .failure(.init(translated("a username has at most 64 characters"))) }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")
        if let bad = value.first(where: { !allowed.contains($0) }) {
            return .failure(.init(translated("“\(bad)” is not allowed in a username: use a–z, 0–9, dot, underscore or hyphen")))
        }
        guard value.first!.isLetter || value.first!.isNumber else {
            return .failure(.init(translated("a username starts with a letter or a digit")))
        }
        return .success(value)
    }

    static func checkHandle(_ raw: String) -> Result<String, ValidationFailure> {
        guard !raw.isEmpty else { return .failure(.init(translated("a nickname is required"))) }
        guard raw == raw.trimmingWhitespace() else {
            return .failure(.init(translated("a nickname cannot start or end with a space")))
        }
        guard raw.count <= 64 else { return .failure(.init(translated("a nickname has at most 64 characters"))) }
        guard !raw.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return .failure(.init(translated("a nickname cannot contain control characters")))
        }
        guard !raw.contains("/"), !raw.contains("@") else {
            return .failure(.init(translated("a nickname cannot contain / or @")))
        }
        return .success(raw)
    }

    static func checkDomain(_ value: String) -> Result<String, ValidationFailure> {
        let labels = value.split(separator: ".", omittingEmptySubsequences: false)
        guard value.count <= 253, labels.count >= 2 else {
            return .failure(.init(translated("a server name looks like example.org")))
        }
        for label in labels {
            guard !label.isEmpty, label.count <= 63,
                  label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
                  label.first != "-", label.last != "-" else {
                return .failure(.init(translated("“\(value)” is not a valid server name (letters, digits and hyphens between dots)")))
            }
        }
        return .success(value)
    }

    /// The form of a v3 onion address (rend-spec-v3 §6); `.onion` may be left out.
    static func checkOnion(_ value: String) -> Result<String, ValidationFailure> {
        let name = value.hasSuffix(".onion") ? String(value.dropLast(6)) : value
        let label = name.split(separator: ".", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        guard label.count == 56 else {
            return .failure(.init(translated("an onion address has 56 letters and digits before .onion (this one has \(label.count))")))
        }
        if let bad = label.first(where: { !"abcdefghijklmnopqrstuvwxyz234567".contains($0) }) {
            return .failure(.init(translated("“\(bad)” cannot be in an onion address (only a–z and 2–7)")))
        }
        guard label.last == "d" else {
            return .failure(.init(translated("this is not a version 3 onion address (those end in d.onion)")))
        }
        return .success(name + ".onion")
    }

    static func checkHostPort(_ value: String) -> Result<String, ValidationFailure> {
        do {
            return .success(try HostPort(parsing: value).description)
        } catch {
            return .failure(.init("\(error)"))
        }
    }
}

/// Why an answer was refused, in words for the person who gave it.
public struct ValidationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
