import Diagnostics
import FoundationEssentials
import Secrets
import Vocabulary
import Localization

/// Where to connect: everything the registration layer needs to reach the server.
public struct ConnectionTarget: Sendable, Equatable {
    public var domain: String
    public var host: String
    public var port: Int
    public var tlsMode: TLSMode
    public var torSOCKS: HostPort
    public var pinSHA256: String?
    /// The provider map's pin of the certificate's key (SPKI SHA-256): vouches across renewals.
    public var pinSPKI: String?
    /// A fingerprint accepted in advance (`--accept-fingerprint`) for an unpinned provider.
    public var acceptedSHA256: String?
    /// Quoted when the server needs a person (CAPTCHA) or only registers on the web.
    public var webRegistrationURL: String?
    /// XEP-0445 invite token.
    public var inviteToken: String?
    /// The room to bookmark on the server after registering (nil: skip the step).
    public var bookmark: RoomBookmark?
    /// The room the account will join: asked about itself after bind, before any bookmark
    /// is written (nil: not checked).
    public var room: RoomBookmark?

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
        target.pinSPKI = provider.spkiSHA256
        target.webRegistrationURL = provider.webRegistrationURL
        target.inviteToken = inviteToken
        var bookmark = room
        bookmark.handle = handle
        if bookmark.alias?.isEmpty == true { bookmark.alias = nil }
        if serverBookmark { target.bookmark = bookmark }
        if checksRoom { target.room = bookmark }
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
    /// About how long the server still waits for the answer (a CAPTCHA provider on
    /// ejabberd closes a client that has not logged in ~30 s after it connected).
    public var secondsLeft: Int? = nil
    /// Which form this is (1 of 3…): a wrong answer brings a fresh one.
    public var attempt = 1
    public var attempts = 1
    /// The answer to the previous form was not accepted (or it expired unanswered).
    public var previousAnswerRejected = false

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

extension RegistrationField {
    /// What the person is told besides the picture: that the last answer was not
    /// accepted (a fresh picture now), and about how long the server still waits.
    public var captchaNotices: [String] {
        [previousAnswerRejected
            ? translated("That answer was not accepted (or the form expired) — here is a new picture (attempt \(attempt) of \(attempts)).") : nil,
         captchaTimeNotice].compactMap { $0 }
    }

    /// About how long the server still waits for the answer, when that is known.
    public var captchaTimeNotice: String? {
        secondsLeft.map { seconds in
            seconds > 0 ? translated("Answer within about \(seconds) s: the server closes the connection soon after it opened.")
                : translated("The time for this picture may be up; if the answer is not taken, a new picture follows.")
        }
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
    /// SHA-1 of the DER, lower-case hex: what Pidgin's certificate dialog shows.
    public var sha1: String?

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

extension CertificateSummary {
    /// What Enter (the default button on the desktop) means at the trust question: trust,
    /// when the server was reached through its onion. The onion address is the server's
    /// key, so Tor has already authenticated the host; declining only ends the run. For a
    /// server reached another way (tests only) Enter declines.
    public static func enterTrusts(_ certificate: CertificateSummary) -> Bool { certificate.overOnion }

    /// The help text of the trust question (`?` in the terminal).
    public static var trustHelp: String {
        translated("""
            Trusting stores this certificate in the Pidgin profile, so Pidgin connects without asking;
            if the server later shows a different one, onionboard or Pidgin asks again.
            Declining ends the setup here: no account is created and nothing is written.
            """).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
    }
}

/// The questions a registration may raise while it runs, and what it reports on the way.
public protocol RegistrationCallbacks {
    /// Values for fields the server asks for; throw to cancel.
    func fill(_ fields: [RegistrationField]) throws -> [String: String]
    /// The server has just confirmed the new account (before the login that verifies
    /// it): from here on its credentials must survive any failure (saved to disk).
    func accountCreated(jid: String)
    /// A room was asked about itself (after bind, before any bookmark): another room to
    /// check and join instead, or nil to keep it.
    func roomChecked(_ status: RoomStatus) throws -> RoomBookmark?
}

extension RegistrationCallbacks {
    public func roomChecked(_ status: RoomStatus) throws -> RoomBookmark? { nil }
}

/// The account as created and verified.
public struct RegisteredAccount: Sendable, Equatable {
    public var jid: String
    /// The server's leaf certificate, PEM, for the Pidgin pin (tls_peers).
    public var certificatePEM: String
    public var certificateSHA256: String
    /// Round trips from connect to bound, when the layer counts them.
    public var roundTrips: Int?
    /// The room settled on after the room check (the planned one or an alternative), and
    /// what the check found; nil when no check was made.
    public var room: RoomBookmark?
    public var roomStatus: RoomStatus?

    public init(jid: String, certificatePEM: String, certificateSHA256: String, roundTrips: Int? = nil,
                room: RoomBookmark? = nil, roomStatus: RoomStatus? = nil) {
        self.jid = jid
        self.certificatePEM = certificatePEM
        self.certificateSHA256 = certificateSHA256
        self.roundTrips = roundTrips
        self.room = room
        self.roomStatus = roomStatus
    }
}

/// Creates the account over Tor (the XMPPOverTor layer, through an adapter).
public protocol AccountRegistrar: AnyObject {
    /// Starts reaching the onion in the background (building the Tor circuit is the
    /// slowest step) and reading its certificate, without asking anyone anything. Called
    /// as soon as the provider is known. `freshCircuit` asks Tor for a new circuit (a
    /// retry after a transient failure); otherwise the provider keeps its circuit, which
    /// the registration then reuses. Must not block.
    func reach(_ target: ConnectionTarget, freshCircuit: Bool) -> ReachAttempt
    /// `reach`, and the registration form fetched (never submitted) on the same connection:
    /// the live check of a provider, which also serves as its warm-up (same circuit). Runs
    /// with bounded concurrency; must not block.
    func probe(_ target: ConnectionTarget, freshCircuit: Bool) -> ReachAttempt
    /// Registers `username` with `password`, verifies it by logging in, and returns the
    /// account. Throws `RegistrarError.usernameTaken` on `conflict`. The certificate is
    /// decided before (`target.pinSHA256`/`acceptedSHA256`, or a CA): nothing is asked.
    /// `usernameWasGenerated`: the name was made up (not typed), so the login may be sent
    /// before the registration result (a round trip less); a chosen name waits for it.
    func register(_ target: ConnectionTarget, username: String, usernameWasGenerated: Bool, password: SecretBytes,
                  events: @escaping @Sendable (RunEvent) -> Void,
                  callbacks: RegistrationCallbacks) throws -> RegisteredAccount
    /// Logs in to an account that exists already (one an earlier run created but could
    /// not finish, or the person's own) to verify the password, ask the room about itself
    /// (`target.room`; `callbacks.roomChecked` may switch rooms) and store the room bookmark
    /// (`target.bookmark`). The certificate is decided before, as for `register`.
    func logIn(_ target: ConnectionTarget, username: String, password: SecretBytes,
               events: @escaping @Sendable (RunEvent) -> Void, callbacks: RegistrationCallbacks) throws -> RegisteredAccount
}

extension AccountRegistrar {
    /// A layer that cannot check the form reaches only.
    public func probe(_ target: ConnectionTarget, freshCircuit: Bool) -> ReachAttempt {
        reach(target, freshCircuit: freshCircuit)
    }
}

/// Errors a registrar adapter maps the registration layer's errors to when the runner must react.
public enum RegistrarError: ClassifiedError, Equatable {
    /// The server answered `conflict`: the name exists.
    case usernameTaken(String)

    public var category: ErrorCategory { .refused }
    public var description: String {
        switch self {
        case .usernameTaken(let name): translated("the username \(name) is already taken on this server")
        }
    }
}

/// An XMPP account found in a Pidgin profile (bootstrap's "already set up", the accounts
/// the `pidgin` path offers). Holds no password.
public struct ExistingAccount: Sendable, Equatable, Codable {
    public var jid: String
    public var connectServer: String?
    /// Room JIDs of chats bookmarked for this account.
    public var rooms: [String]
    public var port: Int?
    public var tlsMode: TLSMode
    /// The account's name exactly as accounts.xml has it (`user@domain/`, or with a
    /// resource): blist.xml names it the same way.
    public var name: String
    /// Pidgin's proxy setting for it (`tor`, `socks5`, `none`, …); nil: Pidgin's global one.
    public var proxyType: String?
    public var proxyHost: String?
    public var proxyPort: Int?
    /// onionboard registered it (its mark in accounts.xml).
    public var madeByOnionboard: Bool
    /// Pidgin keeps its password ("remember password").
    public var passwordSaved: Bool

    public init(jid: String, connectServer: String?, rooms: [String], port: Int? = nil, tlsMode: TLSMode = .startTLS,
                name: String? = nil, proxyType: String? = nil, proxyHost: String? = nil, proxyPort: Int? = nil,
                madeByOnionboard: Bool = false, passwordSaved: Bool = false) {
        self.jid = jid
        self.connectServer = connectServer
        self.rooms = rooms
        self.port = port
        self.tlsMode = tlsMode
        self.name = name ?? jid + "/"
        self.proxyType = proxyType
        self.proxyHost = proxyHost
        self.proxyPort = proxyPort
        self.madeByOnionboard = madeByOnionboard
        self.passwordSaved = passwordSaved
    }

    public var domain: String { String(jid.split(separator: "@").last ?? "").split(separator: "/").first.map(String.init) ?? "" }

    /// Connects through Pidgin's Tor proxy type, which also stops local name lookups.
    public var throughTor: Bool { proxyType == "tor" }

    /// How it connects, in words: "through Tor (127.0.0.1:9050)", "without Tor (no proxy)".
    public var connectionSummary: String {
        let proxy = [proxyHost, proxyPort.map(String.init)].compactMap { $0 }.joined(separator: ":")
        switch proxyType {
        // Translators: how a Pidgin account connects; it follows the account's address ("bob@example.org connects …").
        case "tor"?: return proxy.isEmpty ? translated("through Tor") : translated("through Tor (\(proxy))")
        case "socks5"?: return proxy.isEmpty ? translated("through a SOCKS5 proxy, not Pidgin's Tor setting: names may be looked up outside Tor")
            : translated("through a SOCKS5 proxy at \(proxy), not Pidgin's Tor setting: names may be looked up outside Tor")
        case "none"?: return translated("without Tor (no proxy): its server sees this computer's address")
        case nil, "global"?: return translated("without a proxy of its own (Pidgin's global setting): not known to go through Tor")
        case let other?: return translated("through a \(other) proxy, not Tor")
        }
    }
}

/// Writes the Pidgin profile (the PurpleConfig layer, through an adapter). The write
/// is the last step of a run and atomic: an interrupted run leaves the old files.
public protocol ProfileWriter {
    func existingAccounts(in directory: String) throws -> [ExistingAccount]
    /// What can be checked before any question: the directory can be written, its files
    /// are readable, and no Pidgin/finch uses it (unless `force`).
    func checkProfileDirectory(_ directory: String, force: Bool) throws
    /// On Tails, when this profile would not survive a shutdown: what to do about it.
    func persistenceNotice(for directory: String) -> String?
    /// Everything that would make `write` fail, checked before the account is created
    /// (so no account is registered that cannot be saved): a running Pidgin/finch, a
    /// malformed existing file, an invalid request.
    func preflight(_ plan: OnboardingPlan, force: Bool) throws
    func write(_ plan: OnboardingPlan, account: RegisteredAccount, force: Bool) throws -> ProfileWriteReport
    /// Saves an account the server has just created (0600, in the profile directory)
    /// until `write` has put it into the profile; returns the file's path.
    func savePendingAccount(_ account: PendingAccount, in directory: String) throws -> String
    /// The account an earlier run created but did not finish, if any.
    func pendingAccount(in directory: String) throws -> PendingAccount?
    func removePendingAccount(in directory: String)
    /// SHA-256 of the certificate pinned for `host` (Pidgin's tls_peers), nil when none.
    func pinnedCertificateSHA256(for host: String, in directory: String) throws -> String?
    /// Pins `pem` for `host` instead (a renewal that is vouched for); returns the backup.
    func replacePinnedCertificate(_ pem: String, for host: String, in directory: String) throws -> String?
    /// The password Pidgin keeps for the account named `accountName` (nil: it keeps none).
    func savedPassword(of accountName: String, in directory: String) throws -> SecretBytes?
    /// What would make `writeJoin` fail, checked before anything goes to the network: a
    /// running Pidgin/finch, a malformed file, the account gone.
    func preflightJoin(_ plan: JoinPlan, force: Bool) throws
    /// Adds `room` (with the plan's nickname) to the plan's account in blist.xml and nothing
    /// else — except, when the plan switches the account to Tor, its connection settings and
    /// the onion's certificate (`certificatePEM`).
    func writeJoin(_ plan: JoinPlan, room: RoomBookmark, certificatePEM: String?, force: Bool) throws -> ProfileWriteReport
}

/// A room added to an account: what `ProfileWriter.writeJoin` needs beyond the plan.
extension ProfileWriter {
    public func savedPassword(of accountName: String, in directory: String) throws -> SecretBytes? { nil }
    public func preflightJoin(_ plan: JoinPlan, force: Bool) throws {}
    public func writeJoin(_ plan: JoinPlan, room: RoomBookmark, certificatePEM: String?, force: Bool) throws -> ProfileWriteReport {
        throw UnavailableLayer.Missing(layer: "Pidgin profile (PurpleConfig): adding a room")
    }
}

