import Diagnostics
import Foundation
import Secrets
import Vocabulary

/// What the runner may ask the person (the frontend implements it).
public protocol RunInteraction: RegistrationCallbacks {
    /// Another username after `taken` was refused; nil gives up. `problem` explains why
    /// the previous suggestion was not accepted, when it was not.
    func anotherUsername(taken: String, problem: String?) throws -> String?
}

/// Executes a plan: registration (through the registrar) then the profile write
/// (through the writer), with progress events, retries on a taken username, and a
/// final report.
public final class OnboardingRunner {
    public let registrar: AccountRegistrar
    public let writer: ProfileWriter
    public let generator: CredentialSource
    /// Generated usernames tried before giving up (a clash is rare: ~23 bits each).
    public var maxGeneratedAttempts = 5
    public var force = false
    private let now: () -> Double

    public init(registrar: AccountRegistrar, writer: ProfileWriter, generator: CredentialSource,
                now: @escaping () -> Double = { Date().timeIntervalSince1970 }) {
        self.registrar = registrar
        self.writer = writer
        self.generator = generator
        self.now = now
    }

    public func run(_ plan: OnboardingPlan, interaction: RunInteraction,
                    events: @escaping @Sendable (RunEvent) -> Void) throws -> OnboardingReport {
        var plan = plan
        let started = now()
        try writer.preflight(plan, force: force)
        let callbacks = PolicyCallbacks(policy: plan.pinPolicy, interaction: interaction)
        var attempts = 0
        var account: RegisteredAccount?
        var problem: String?
        while account == nil {
            attempts += 1
            do {
                account = try registrar.register(plan.connectionTarget, username: plan.username,
                                                 usernameWasGenerated: plan.usernameWasGenerated,
                                                 password: plan.password, events: events, callbacks: callbacks)
            } catch RegistrarError.usernameTaken(let taken) {
                if plan.usernameWasGenerated {
                    guard attempts < maxGeneratedAttempts else { throw RegistrarError.usernameTaken(taken) }
                    plan.username = generator.username()
                    events(.usernameTaken(taken: taken, next: plan.username))
                } else {
                    events(.usernameTaken(taken: taken, next: nil))
                    var next: String?
                    repeat {
                        guard let candidate = try interaction.anotherUsername(taken: taken, problem: problem) else {
                            throw RegistrarError.usernameTaken(taken)
                        }
                        switch Validation.localpart.check(candidate) {
                        case .success(let valid): next = valid; problem = nil
                        case .failure(let failure): problem = failure.reason
                        }
                    } while next == nil
                    plan.username = next!
                }
                plan.answers.set(AnswerKeys.username, plan.username, source: plan.usernameWasGenerated ? .generated : .user)
            }
        }
        let registered = now()
        events(.writingProfile(directory: plan.profileDirectory))
        let written = try writer.write(plan, account: account!, force: force)
        let finished = now()
        return OnboardingReport(plan: plan, account: account!, profile: written, attempts: attempts,
                                registrationSeconds: registered - started, totalSeconds: finished - started)
    }
}

/// Applies the plan's pin policy before bothering the person.
struct PolicyCallbacks: RegistrationCallbacks {
    let policy: PinPolicy
    let interaction: RunInteraction

    func fill(_ fields: [RegistrationField]) throws -> [String: String] {
        try interaction.fill(fields)
    }

    func confirm(_ certificate: CertificateSummary) -> Bool {
        switch policy {
        case .pinned(let sha), .acceptFingerprint(let sha):
            return certificate.sha256.lowercased() == sha.lowercased()
        case .askOnFirstUse:
            return interaction.confirm(certificate)
        case .requireValidChain:
            return false
        }
    }
}

/// The final report of a run (`--json` prints it).
public struct OnboardingReport: Sendable, Equatable, Codable {
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
    }
}
