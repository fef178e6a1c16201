import FoundationEssentials
import Glibc
import Secrets
import Vocabulary
import Localization

/// Where the XMPP server is: its domain (the JID part, the stream `to`, SNI), and the
/// host and port we connect to (an onion through Tor, or a loopback IP in tests).
public struct Endpoint: Sendable, Equatable {
    public var domain: String
    public var host: String
    public var port: UInt16
    public var tlsMode: TLSMode
    /// SHA-256 of the leaf certificate's DER, from the provider map.
    public var pin: String?
    /// SHA-256 of the leaf's SubjectPublicKeyInfo, from the provider map (survives renewals).
    public var spkiPin: String?

    /// The bare JID of `username` on this domain (XMPP local parts compare case-insensitively).
    public func bareJID(username: String) -> String { "\(username.lowercased())@\(domain)" }

    public init(domain: String, host: String, port: UInt16, tlsMode: TLSMode = .startTLS, pin: String? = nil,
                spkiPin: String? = nil) {
        self.domain = domain
        self.host = host
        self.port = port
        self.tlsMode = tlsMode
        self.pin = pin
        self.spkiPin = spkiPin
    }

    public var isOnion: Bool { host.lowercased().hasSuffix(".onion") }
}

/// How to reach the endpoint.
public enum Proxy: Sendable, Equatable {
    /// Through a SOCKS5 proxy (Tor), destination sent as a name.
    case socks5(host: String, port: UInt16, credentials: SOCKSCredentials?)
    /// Direct TCP: only for loopback IP literals (tests and benchmarks).
    case none

    /// Tor's SocksPort with fresh isolation credentials (`<torS0X>0` + a random password),
    /// so this account gets circuits of its own.
    public static func tor(host: String = "127.0.0.1", port: UInt16 = 9050) -> Proxy {
        .socks5(host: host, port: port,
                credentials: .isolated(password: SecureRandom.string(length: 24, alphabet: CredentialGenerator.passwordAlphabet)))
    }
}

/// What happens, for progress display. Library code never prints; callers do.
public enum ConnectionEvent: Sendable, Equatable, CustomStringConvertible {
    case connectingToTor(host: String, port: UInt16)
    case connectingDirectly(host: String, port: UInt16)
    case reachingService(host: String, port: UInt16)
    case connected
    case tlsEstablished(version: String, cipher: String)
    case certificateChecked(trust: CertificateTrust, sha256: String)
    case registering(username: String)
    case registered(jid: String)
    case verifying(mechanism: String)
    case bound(jid: String)
    /// The CAPTCHA answer was refused; a fresh form on a new stream follows.
    case captchaRetry(attempt: Int, of: Int)
    /// The server closed the stream before the CAPTCHA was answered; a fresh form follows.
    case captchaExpired(attempt: Int, of: Int)
    case storingBookmark(room: String)
    case bookmarkStored(BookmarkOutcome)
    /// Asking the room about itself (disco#info) before any bookmark is written.
    case checkingRoom(room: String)
    case roomChecked(RoomStatus)

    public var description: String {
        switch self {
        case .connectingToTor(let host, let port): translated("connecting to Tor at \(host):\(port)")
        case .connectingDirectly(let host, let port): translated("connecting directly to \(host):\(port) (no Tor: tests only)")
        case .reachingService(let host, let port):
            host.lowercased().hasSuffix(".onion")
                ? translated("reaching \(host):\(port) through Tor (building a circuit can take up to a minute)")
                : translated("reaching \(host):\(port) through Tor")
        case .connected: translated("connected")
        case .tlsEstablished(let version, let cipher): translated("TLS established (\(version), \(cipher))")
        case .certificateChecked(let trust, let sha256):
            // Translators: {1} says why it is trusted ("matches the fingerprint given with --accept-fingerprint").
            translated("certificate \(CertificateInfo.colonSeparated(sha256)) \(trust.explanation)")
        case .registering(let username): translated("registering \(username)")
        case .registered(let jid): translated("registered \(jid)")
        case .verifying(let mechanism): translated("logging in with \(mechanism)")
        case .bound(let jid): translated("logged in as \(jid)")
        case .captchaRetry(let attempt, let limit): translated("the CAPTCHA answer was wrong; fetching a new one (attempt \(attempt) of \(limit))")
        case .captchaExpired(let attempt, let limit): translated("the CAPTCHA form expired; fetching a new one (attempt \(attempt) of \(limit))")
        case .storingBookmark(let room): translated("storing the bookmark for \(room) on the server")
        case .bookmarkStored(let outcome):
            outcome.warnings.isEmpty
                ? translated(one: "bookmark stored (\(outcome.roundTrips) round trip)", other: "bookmark stored (\(outcome.roundTrips) round trips)",
                             count: outcome.roundTrips)
                : translated("bookmark not fully stored: \(outcome.warnings.joined(separator: "; "))")
        case .checkingRoom(let room): translated("asking the room \(room) about itself")
        // Translators: {1} is the room's state: "exists, public, 3 people in it", "does not exist"…
        case .roomChecked(let status): translated("the room \(status.jid) \(status.summary)")
        }
    }
}

/// Everything tunable about a session.
public struct SessionOptions: Sendable {
    public var timeouts: Timeouts
    /// Trust decisions for the server certificate; the endpoint's pin is applied on top.
    public var certificatePolicy: CertificatePolicy
    /// The provider's web registration page, quoted when in-band registration is closed.
    public var webRegistrationURL: String?
    /// An XEP-0445 invite token, sent before registering when the server supports it.
    public var preauthToken: String?
    /// Answers fields the server asks for beyond username and password (CAPTCHA, email…).
    public var answerFields: (@Sendable (RegistrationForm) throws -> [String: String])?
    /// How many CAPTCHA forms to try (each on a new stream: a challenge allows one answer).
    public var captchaAttempts: Int = 3
    /// A room to bookmark on the server after bind (XEP-0402, plus XEP-0049 when needed).
    public var serverBookmark: RoomBookmark?
    /// Ask the room about itself after bind, before any bookmark (and let the caller
    /// switch rooms); the bookmark, if any, is then written for the room settled on.
    public var roomCheck: RoomCheck?
    /// SNI to send instead of the domain (Pidgin sends the onion when it is the connect server).
    public var serverNameOverride: String?
    /// What the server may make us parse before it is refused (sizes, depth, attributes,
    /// and how much may arrive before authentication).
    public var limits: StreamLimits

    public init(timeouts: Timeouts = Timeouts(), certificatePolicy: CertificatePolicy = CertificatePolicy(),
                webRegistrationURL: String? = nil, preauthToken: String? = nil,
                answerFields: (@Sendable (RegistrationForm) throws -> [String: String])? = nil,
                serverNameOverride: String? = nil, limits: StreamLimits = .standard) {
        self.timeouts = timeouts
        self.certificatePolicy = certificatePolicy
        self.webRegistrationURL = webRegistrationURL
        self.preauthToken = preauthToken
        self.answerFields = answerFields
        self.serverNameOverride = serverNameOverride
        self.limits = limits
    }
}

/// What a completed session learnt.
public struct RegistrationResult: Sendable, Equatable, Codable {
    /// The bare JID (user@domain).
    public let jid: String
    /// The JID the server bound for this session (with resource).
    public let boundJID: String
    /// True when this run created the account.
    public let registered: Bool
    public let certificate: CertificateInfo
    public let certificateTrust: CertificateTrust
    /// Client flights answered by the server, the TCP connect (to the service) included.
    public let roundTrips: Int
    public let tlsVersion: String
    public let tlsCipher: String
    public let saslMechanism: String
    /// What the bookmark step did (nil when none was asked for).
    public var bookmark: BookmarkOutcome? = nil
    /// CAPTCHA forms answered (0 when the server asked for none).
    public var captchaAttempts: Int = 0
    /// What the room check found, and the room settled on (nil when none was asked for).
    public var room: RoomCheckOutcome? = nil
}
