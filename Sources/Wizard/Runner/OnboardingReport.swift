import Vocabulary
import FoundationEssentials
import Secrets

/// The final report of a run (`--json` prints it).
public struct OnboardingReport: Sendable, Codable {
    public var ok = true
    public var template: String
    /// How the account came about: registered (`new`), the person's own (`existing`), or
    /// one the Pidgin profile held, which only got the room (`pidgin`).
    public var account: AccountPath = .new
    public var jid: String
    public var provider: String
    public var onion: String
    public var port: Int
    public var tls: TLSMode
    /// The certificate judged on the way (and pinned, when the profile's connection to it
    /// was written); nil when none was fetched (a room added without a check).
    public var certificateSHA256: String?
    public var room: RoomBookmark
    public var handle: String
    public var profile: ProfileWriteReport
    public var usernameGenerated: Bool
    public var passwordGenerated: Bool
    public var torSOCKS: String
    /// Registration attempts (more than one when a username was taken).
    public var attempts: Int
    public var roundTrips: Int?
    public var registrationSeconds: Double
    public var totalSeconds: Double
    /// What the room said about itself before it was bookmarked (nil: not checked).
    public var roomCheck: RoomStatus?
    /// After this run Pidgin reaches the account through Tor (its proxy setting).
    public var throughTor = true
    /// The `pidgin` path switched the account to Tor (its provider's onion).
    public var switchedToTor: Bool?
    /// The account's password, for a frontend to show when the person asks (to keep it
    /// in a password manager). Never encoded: `--json` and logs never carry it.
    public var password: SecretBytes?

    enum CodingKeys: String, CodingKey {
        case ok, template, account, jid, provider, onion, port, tls, certificateSHA256, room, handle, profile
        case usernameGenerated, passwordGenerated, torSOCKS, attempts, roundTrips, registrationSeconds, totalSeconds
        case roomCheck, throughTor, switchedToTor
    }

    public init(plan: OnboardingPlan, account: RegisteredAccount, profile: ProfileWriteReport, attempts: Int,
                registrationSeconds: Double, totalSeconds: Double) {
        template = plan.templateID
        self.account = plan.usesExistingAccount ? .existing : .new
        jid = account.jid
        provider = plan.provider.domain
        onion = plan.connectHost
        port = plan.connectPort
        tls = plan.tlsMode
        certificateSHA256 = account.certificateSHA256
        room = plan.room
        handle = plan.handle
        self.profile = profile
        usernameGenerated = plan.usernameWasGenerated
        passwordGenerated = plan.passwordWasGenerated
        torSOCKS = plan.torSOCKS.description
        self.attempts = attempts
        roundTrips = account.roundTrips
        self.registrationSeconds = registrationSeconds
        self.totalSeconds = totalSeconds
        // The person knows their own password: it is not offered back.
        password = plan.usesExistingAccount ? nil : plan.password
    }

    /// The `pidgin` path's report: the room added to an account the profile held.
    public init(join plan: JoinPlan, room: RoomBookmark, certificateSHA256: String?, roundTrips: Int?,
                profile: ProfileWriteReport, totalSeconds: Double) {
        template = plan.templateID
        account = .pidgin
        jid = plan.account.jid
        provider = plan.account.domain
        onion = plan.switchesToTor ? plan.target.host : (plan.account.connectServer ?? "")
        port = plan.switchesToTor ? plan.target.port : (plan.account.port ?? 5222)
        tls = plan.switchesToTor ? plan.target.tlsMode : plan.account.tlsMode
        self.certificateSHA256 = certificateSHA256
        self.room = room
        handle = plan.handle
        self.profile = profile
        usernameGenerated = false
        passwordGenerated = false
        torSOCKS = plan.target.torSOCKS.description
        attempts = 0
        self.roundTrips = roundTrips
        registrationSeconds = 0
        self.totalSeconds = totalSeconds
        throughTor = plan.throughTorAfterwards
        switchedToTor = plan.switchesToTor
        password = nil
    }
}
