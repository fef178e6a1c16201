import Diagnostics
import Foundation
import Secrets
import Vocabulary

/// Where to connect: everything the registration layer needs to reach the server.
public struct ConnectionTarget: Sendable, Equatable {
    public var domain: String
    public var host: String
    public var port: Int
    public var tlsMode: TLSMode
    public var torSOCKS: HostPort
    public var pinSHA256: String?
    /// A fingerprint accepted in advance (`--accept-fingerprint`) for an unpinned provider.
    public var acceptedSHA256: String?
    /// Quoted when the server needs a person (CAPTCHA) or only registers on the web.
    public var webRegistrationURL: String?
    /// XEP-0445 invite token.
    public var inviteToken: String?
    /// The room to bookmark on the server after registering (nil: skip the step).
    public var bookmark: RoomBookmark?

    public init(domain: String, host: String, port: Int, tlsMode: TLSMode, torSOCKS: HostPort, pinSHA256: String?,
                acceptedSHA256: String? = nil) {
        self.domain = domain
        self.host = host
        self.port = port
        self.tlsMode = tlsMode
        self.torSOCKS = torSOCKS
        self.pinSHA256 = pinSHA256
        self.acceptedSHA256 = acceptedSHA256
    }
}

extension OnboardingPlan {
    public var connectionTarget: ConnectionTarget {
        var accepted: String?
        if case .acceptFingerprint(let sha) = pinPolicy { accepted = sha }
        var target = ConnectionTarget(domain: provider.domain, host: connectHost, port: connectPort, tlsMode: tlsMode,
                                      torSOCKS: torSOCKS, pinSHA256: provider.pinSHA256, acceptedSHA256: accepted)
        target.webRegistrationURL = provider.webRegistrationURL
        target.inviteToken = inviteToken
        if serverBookmark {
            var bookmark = room
            bookmark.handle = handle
            if bookmark.alias?.isEmpty == true { bookmark.alias = nil }
            target.bookmark = bookmark
        }
        return target
    }
}

/// A field the server wants that the wizard cannot fill itself (a CAPTCHA, an
/// e-mail address, a token), handed to the person.
public struct RegistrationField: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable { case text, secret, captcha, boolean }
    public var name: String
    public var label: String
    public var kind: Kind
    public var required: Bool
    /// Instructions from the server (for a CAPTCHA: what to type).
    public var instructions: String?
    /// CAPTCHA media: URLs the person can open (never fetched by onionboard).
    public var mediaLocations: [String]
    /// A CAPTCHA image (or sound) carried inline (XEP-0231); the frontend shows it.
    public var media: Data? = nil
    /// MIME type of `media` (`image/png`…).
    public var mediaType: String? = nil
    /// The provider's web registration page (for runs that cannot answer a CAPTCHA).
    public var webRegistrationURL: String? = nil

    public init(name: String, label: String, kind: Kind, required: Bool = true,
                instructions: String? = nil, mediaLocations: [String] = []) {
        self.name = name
        self.label = label
        self.kind = kind
        self.required = required
        self.instructions = instructions
        self.mediaLocations = mediaLocations
    }
}

/// What the person is shown before trusting a certificate on first use.
public struct CertificateSummary: Sendable, Equatable, Codable {
    public var subject: String
    public var subjectAltNames: [String]
    public var issuer: String
    public var notAfter: String
    /// SHA-256 of the DER, lower-case hex.
    public var sha256: String
    /// Reached over an onion: the onion key already authenticates the host.
    public var overOnion: Bool

    public init(subject: String, subjectAltNames: [String], issuer: String, notAfter: String,
                sha256: String, overOnion: Bool) {
        self.subject = subject
        self.subjectAltNames = subjectAltNames
        self.issuer = issuer
        self.notAfter = notAfter
        self.sha256 = sha256
        self.overOnion = overOnion
    }
}

/// The questions a registration may raise while it runs.
public protocol RegistrationCallbacks {
    /// Values for fields the server asks for; throw to cancel.
    func fill(_ fields: [RegistrationField]) throws -> [String: String]
    /// Whether to trust this certificate (not pinned, not CA-valid).
    func confirm(_ certificate: CertificateSummary) -> Bool
}

/// The account as created and verified.
public struct RegisteredAccount: Sendable, Equatable {
    public var jid: String
    /// The server's leaf certificate, PEM, for the Pidgin pin (tls_peers).
    public var certificatePEM: String
    public var certificateSHA256: String
    /// Round trips from connect to bound, when the layer counts them.
    public var roundTrips: Int?

    public init(jid: String, certificatePEM: String, certificateSHA256: String, roundTrips: Int? = nil) {
        self.jid = jid
        self.certificatePEM = certificatePEM
        self.certificateSHA256 = certificateSHA256
        self.roundTrips = roundTrips
    }
}

/// Creates the account over Tor (the XMPPOverTor layer, through an adapter).
public protocol AccountRegistrar: AnyObject {
    /// Called as soon as the provider is known, while the person still answers: start
    /// reaching the onion (building the Tor circuit is the slowest step). Must not block.
    func prepare(_ target: ConnectionTarget)
    /// Registers `username` with `password`, verifies it by logging in, and returns the
    /// account. Throws `RegistrarError.usernameTaken` on `conflict`. `usernameWasGenerated`:
    /// the name was made up (not typed), so the login may be sent before the registration
    /// result (a round trip less); a chosen name waits for it.
    func register(_ target: ConnectionTarget, username: String, usernameWasGenerated: Bool, password: SecretBytes,
                  events: @escaping @Sendable (RunEvent) -> Void,
                  callbacks: RegistrationCallbacks) throws -> RegisteredAccount
}

/// Errors a registrar adapter maps the registration layer's errors to when the runner must react.
public enum RegistrarError: ClassifiedError, Equatable {
    /// The server answered `conflict`: the name exists.
    case usernameTaken(String)

    public var category: ErrorCategory { .refused }
    public var description: String {
        switch self {
        case .usernameTaken(let name): "the username \(name) is already taken on this server"
        }
    }
}

/// An XMPP account found in a Pidgin profile (for bootstrap's "already set up").
public struct ExistingAccount: Sendable, Equatable, Codable {
    public var jid: String
    public var connectServer: String?
    /// Room JIDs of chats bookmarked for this account.
    public var rooms: [String]

    public init(jid: String, connectServer: String?, rooms: [String]) {
        self.jid = jid
        self.connectServer = connectServer
        self.rooms = rooms
    }

    public var domain: String { String(jid.split(separator: "@").last ?? "").split(separator: "/").first.map(String.init) ?? "" }
}

/// Writes the Pidgin profile (the PurpleConfig layer, through an adapter). The write
/// is the last step of a run and atomic: an interrupted run leaves the old files.
public protocol ProfileWriter {
    func existingAccounts(in directory: String) throws -> [ExistingAccount]
    /// Everything that would make `write` fail, checked before the account is created
    /// (so no account is registered that cannot be saved): a running Pidgin/finch, a
    /// malformed existing file, an invalid request.
    func preflight(_ plan: OnboardingPlan, force: Bool) throws
    func write(_ plan: OnboardingPlan, account: RegisteredAccount, force: Bool) throws -> ProfileWriteReport
}
