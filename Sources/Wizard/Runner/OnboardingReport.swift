import Vocabulary
import FoundationEssentials
import Secrets

/// The final report of a run (`--json` prints it).
public struct OnboardingReport: Sendable, Codable {
    public var ok = true
    public var template: String
    public var jid: String
    public var provider: String
    public var onion: String
    public var port: Int
    public var tls: TLSMode
    public var certificateSHA256: String
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
    /// The account's password, for a frontend to show when the person asks (to keep it
    /// in a password manager). Never encoded: `--json` and logs never carry it.
    public var password: SecretBytes?

    enum CodingKeys: String, CodingKey {
        case ok, template, jid, provider, onion, port, tls, certificateSHA256, room, handle, profile
        case usernameGenerated, passwordGenerated, torSOCKS, attempts, roundTrips, registrationSeconds, totalSeconds
        case roomCheck
    }

    public init(plan: OnboardingPlan, account: RegisteredAccount, profile: ProfileWriteReport, attempts: Int,
                registrationSeconds: Double, totalSeconds: Double) {
        template = plan.templateID
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
        password = plan.password
    }
}
