import Diagnostics
import Foundation

/// An invitation link (XEP-0401 / XEP-0445): `xmpp:example.org?register;preauth=TOKEN`,
/// `xmpp:alice@example.org?register;preauth=TOKEN` (the name is suggested), or the
/// roster style `xmpp:inviter@example.org?roster;preauth=TOKEN;ibr=y` (register on the
/// inviter's server).
public struct InviteURI: Sendable, Equatable {
    /// The server to register on.
    public let domain: String
    public let token: String
    /// The username the link suggests (register style with a localpart).
    public let suggestedUsername: String?
    /// Who invited (roster style): to add as a contact later.
    public let inviter: String?

    public init(domain: String, token: String, suggestedUsername: String?, inviter: String?) {
        self.domain = domain
        self.token = token
        self.suggestedUsername = suggestedUsername
        self.inviter = inviter
    }

    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.lowercased().hasPrefix("xmpp:") else { throw InviteURIError.notXMPP(trimmed) }
        var rest = String(trimmed.dropFirst(5))
        if rest.hasPrefix("//") { throw InviteURIError.malformed("an authority component (xmpp://…) is not an invitation") }
        if let hash = rest.firstIndex(of: "#") { rest = String(rest[..<hash]) }
        guard let question = rest.firstIndex(of: "?") else { throw InviteURIError.notAnInvitation }
        let jid = try Self.decode(String(rest[..<question]))
        let parts = rest[rest.index(after: question)...].split(separator: ";", omittingEmptySubsequences: true).map(String.init)
        guard let action = parts.first?.lowercased() else { throw InviteURIError.notAnInvitation }
        var parameters: [String: String] = [:]
        for part in parts.dropFirst() {
            // Not omitting empty pieces: "=" alone is an empty name, not no parameter at all.
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let name = pair.first, !name.isEmpty else {
                throw InviteURIError.malformed("the parameter '\(part)' has no name (expected name=value)")
            }
            parameters[name.lowercased()] = try Self.decode(pair.count > 1 ? pair[1] : "")
        }
        guard let token = parameters["preauth"], !token.isEmpty else { throw InviteURIError.notAnInvitation }
        let (local, domain) = try Self.split(jid)
        switch action {
        case "register":
            suggestedUsername = local
            inviter = nil
        case "roster" where parameters["ibr"]?.lowercased() == "y" || parameters["ibr"]?.lowercased() == "yes":
            suggestedUsername = nil
            inviter = local.map { "\($0)@\(domain)" }
        default:
            throw InviteURIError.notAnInvitation
        }
        self.domain = domain
        self.token = token
    }

    private static func decode(_ text: String) throws -> String {
        guard let decoded = text.removingPercentEncoding else { throw InviteURIError.malformed("bad %-encoding in '\(text)'") }
        return decoded
    }

    private static func split(_ jid: String) throws -> (local: String?, domain: String) {
        let bare = jid.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let parts = bare.split(separator: "@", omittingEmptySubsequences: false).map(String.init)
        let domain = (parts.last ?? "").lowercased()
        guard parts.count <= 2, !domain.isEmpty, !domain.contains(where: { $0.isWhitespace }) else {
            throw InviteURIError.malformed("'\(jid)' is not a JID or domain")
        }
        let local = parts.count == 2 ? parts[0] : nil
        if let local, local.isEmpty { throw InviteURIError.malformed("'\(jid)' has an empty username") }
        return (local?.lowercased(), domain)
    }
}

public enum InviteURIError: ClassifiedError, Equatable {
    case notXMPP(String)
    case notAnInvitation
    case malformed(String)

    public var category: ErrorCategory { .invalidData }
    public var description: String {
        switch self {
        case .notXMPP: "the invite link must start with xmpp: (for example xmpp:example.org?register;preauth=TOKEN)"
        case .notAnInvitation:
            "this xmpp: link is not an invitation: expected ?register;preauth=TOKEN or ?roster;preauth=TOKEN;ibr=y"
        case .malformed(let why): "the invite link is malformed: \(why)"
        }
    }
}
