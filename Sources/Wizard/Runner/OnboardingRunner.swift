import Diagnostics
import FoundationEssentials
import Secrets
import Vocabulary
import Localization

/// What the runner may ask the person (the frontend implements it).
public protocol RunInteraction {
    /// Values for fields the server asks for (a CAPTCHA…); throw to cancel.
    func fill(_ fields: [RegistrationField]) throws -> [String: String]
    /// Whether to trust this certificate (not pinned, not CA-valid). Asked once per run,
    /// before the registration connection opens, so no server clock runs meanwhile.
    func confirm(_ certificate: CertificateSummary) -> Bool
    /// Another username after `taken` was refused; nil gives up. `problem` explains why
    /// the previous suggestion was not accepted, when it was not.
    func anotherUsername(taken: String, problem: String?) throws -> String?
    /// The room the run means to join is missing or closed (`status.problem`), found out
    /// after the account exists and before any bookmark is written: one of `alternatives`
    /// (the template's, not yet tried) to try instead, or nil to keep this room anyway.
    func chooseRoom(_ status: RoomStatus, alternatives: [RoomBookmark]) throws -> RoomBookmark?
}

extension RunInteraction {
    /// Nobody to ask: the room stays (the run's report and progress say what was found).
    public func chooseRoom(_ status: RoomStatus, alternatives: [RoomBookmark]) throws -> RoomBookmark? { nil }
}

/// Executes a plan: reach the provider and settle its certificate, register (through
/// the registrar), save the new account at once, then write the profile (through the
/// writer), with progress events, retries on a taken username, and a final report.
public final class OnboardingRunner {
    public let registrar: AccountRegistrar
    public let writer: ProfileWriter
    public let generator: CredentialSource
    /// Generated usernames tried before giving up (a clash is rare: ~23 bits each).
    public var maxGeneratedAttempts = 5
    public var force = false
    /// Until when (epoch seconds) a failed onion connection is tried again: bootstrap's
    /// `--wait-tor` (Tor may still be connecting). Nil: one retry on a fresh circuit.
    public var retryReachUntil: Double?
    /// Silence in a slow phase after which a "still …" line is shown.
    public var heartbeatSeconds: Double = 10
    private let now: () -> Double

    public init(registrar: AccountRegistrar, writer: ProfileWriter, generator: CredentialSource,
                now: @escaping () -> Double = { Date().timeIntervalSince1970 }) {
        self.registrar = registrar
        self.writer = writer
        self.generator = generator
        self.now = now
    }

    /// `warmUp` is the attempt started when the provider became known; it is used
    /// when it reaches the same target as the plan.
    public func run(_ plan: OnboardingPlan, interaction: RunInteraction, warmUp: ReachAttempt? = nil,
                    events: @escaping @Sendable (RunEvent) -> Void) throws -> OnboardingReport {
        var plan = plan
        let started = now()
        let heartbeat = Heartbeat(every: heartbeatSeconds, events: events)
        defer { heartbeat.stop() }
        let send: @Sendable (RunEvent) -> Void = { heartbeat.send($0) }
        try writer.preflight(plan, force: force)

        var target = plan.connectionTarget
        if plan.resumesPendingAccount {
            send(.resumingAccount(jid: plan.jid))
        }
        let reach = try ProviderReacher(registrar: registrar, retryUntil: retryReachUntil, now: now)
            .reach(target, warmUp: warmUp, heartbeat: heartbeat)
        send(.reached(host: target.host, seconds: reach.seconds))
        try Self.settleCertificate(reach, of: &target, policy: plan.pinPolicy, interaction: interaction, heartbeat: heartbeat)
        send(.certificate(sha256: reach.certificate.sha256, trust: reach.verdict.explanation(policy: plan.pinPolicy)))

        var attempts = 0
        var account: RegisteredAccount?
        let callbacks = RunCallbacks(interaction: interaction, heartbeat: heartbeat, writer: writer, plan: plan)
        if plan.resumesPendingAccount {
            attempts = 1
            account = try callbacks.keepingPendingOnFailure {
                try registrar.logIn(target, username: plan.username, password: plan.password, events: send, callbacks: callbacks)
            }
        } else if plan.usesExistingAccount {
            attempts = 1
            do {
                account = try registrar.logIn(target, username: plan.username, password: plan.password, events: send,
                                              callbacks: callbacks)
            } catch let error where error.category == .refused {
                throw PasswordNotAccepted(jid: plan.jid, underlying: error)
            }
        }
        var problem: String?
        while account == nil {
            attempts += 1
            callbacks.plan = plan
            do {
                account = try callbacks.keepingPendingOnFailure {
                    try registrar.register(target, username: plan.username, usernameWasGenerated: plan.usernameWasGenerated,
                                           password: plan.password, events: send, callbacks: callbacks)
                }
            } catch RegistrarError.usernameTaken(let taken) {
                if plan.usernameWasGenerated {
                    guard attempts < maxGeneratedAttempts else { throw RegistrarError.usernameTaken(taken) }
                    plan.username = generator.username()
                    send(.usernameTaken(taken: taken, next: plan.username))
                } else {
                    send(.usernameTaken(taken: taken, next: nil))
                    var next: String?
                    repeat {
                        guard let candidate = try heartbeat.whileAsking({ try interaction.anotherUsername(taken: taken, problem: problem) }) else {
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
        var roomStatus: RoomStatus?
        if let settled = account!.room {
            if settled.jid.lowercased() != plan.room.jid.lowercased() {
                plan.room.jid = settled.jid
                plan.room.alias = settled.alias ?? plan.room.alias
                plan.answers.set(AnswerKeys.room, settled.jid, source: .user)
            }
            roomStatus = account!.roomStatus
        }
        send(.writingProfile(directory: plan.profileDirectory))
        let written = try writer.write(plan, account: account!, force: force)
        writer.removePendingAccount(in: plan.profileDirectory)
        let finished = now()
        var report = OnboardingReport(plan: plan, account: account!, profile: written, attempts: attempts,
                                      registrationSeconds: registered - started, totalSeconds: finished - started)
        report.roomCheck = roomStatus
        return report
    }
}

extension OnboardingRunner {
    /// The certificate the reach found, decided as the plan's policy says: vouched for
    /// (pin, authority) as it is; else accepted in advance, asked about (once per run), or
    /// refused. The connection that follows must show this very certificate (`target`
    /// carries it), so nothing is asked twice.
    static func settleCertificate(_ reach: ProviderReach, of target: inout ConnectionTarget, policy: PinPolicy,
                                  interaction: RunInteraction, heartbeat: Heartbeat) throws {
        guard reach.verdict == .unknown else { return }
        let sha = reach.certificate.sha256.lowercased()
        switch policy {
        case .acceptFingerprint(let accepted):
            guard accepted.lowercased() == sha else {
                throw UnacceptedFingerprint(accepted: accepted.lowercased(), presented: sha, domain: target.domain)
            }
        case .askOnFirstUse:
            let trusted = heartbeat.whileAsking { interaction.confirm(reach.certificate) }
            guard trusted else { throw CertificateDeclined(sha256: sha) }
        case .requireValidChain, .pinned, .pinnedKey:
            throw UnconfirmedCertificate(sha256: sha, domain: target.domain)
        }
        target.acceptedSHA256 = sha
    }
}

/// The server refused the login to the person's own account: the address or the password
/// is wrong (or the account is not there). Nothing was written.
public struct PasswordNotAccepted: ClassifiedError {
    public let jid: String
    public let underlying: Error

    public var category: ErrorCategory { .refused }
    public var description: String {
        translated("""
            the server did not accept the password for \(jid): the address or the password is wrong. Nothing was written; \
            check both and try again. (\(underlying))
            """)
    }
}

extension CertificateVerdict {
    /// Why the run trusts the certificate, for the progress line.
    func explanation(policy: PinPolicy) -> String {
        switch self {
        case .pinned: translated("matches the pin of the provider map")
        case .authority: translated("valid for the provider's domain through a certificate authority")
        case .acceptedInAdvance: translated("matches --accept-fingerprint")
        case .unknown:
            if case .acceptFingerprint = policy { translated("matches --accept-fingerprint") } else { translated("trusted on your confirmation") }
        }
    }
}

/// `--accept-fingerprint` names another certificate than the one the server shows.
public struct UnacceptedFingerprint: ClassifiedError, Equatable {
    public let accepted: String
    public let presented: String
    public let domain: String
    public var category: ErrorCategory { .untrustedCertificate }
    public var description: String {
        translated("""
            the certificate of \(domain) (SHA-256 \(presented)) is not the one --accept-fingerprint names (\(accepted)); \
            nothing was registered or written. Check the fingerprint with the provider.
            """)
    }
}

/// The person declined the certificate at the trust question.
public struct CertificateDeclined: ClassifiedError, Equatable {
    public let sha256: String
    public var category: ErrorCategory { .cancelled }
    public var description: String {
        translated("you declined the server's certificate (SHA-256 \(sha256)); nothing was registered or written")
    }
}

/// The registration's callbacks for one run: the person's answers (with the
/// heartbeat quiet while they answer) and the new account saved the moment the
/// server confirms it.
final class RunCallbacks: RegistrationCallbacks, @unchecked Sendable {
    let interaction: RunInteraction
    let heartbeat: Heartbeat
    let writer: ProfileWriter
    var plan: OnboardingPlan
    /// Where the account the server created in this attempt was saved, if it was.
    private(set) var pendingPath: String?

    init(interaction: RunInteraction, heartbeat: Heartbeat, writer: ProfileWriter, plan: OnboardingPlan) {
        self.interaction = interaction
        self.heartbeat = heartbeat
        self.writer = writer
        self.plan = plan
    }

    func fill(_ fields: [RegistrationField]) throws -> [String: String] {
        try heartbeat.whileAsking { try interaction.fill(fields) }
    }

    private lazy var rooms = RoomChooser(interaction: interaction, heartbeat: heartbeat, alternatives: plan.roomAlternatives)

    func roomChecked(_ status: RoomStatus) throws -> RoomBookmark? { try rooms.roomChecked(status) }

    func accountCreated(jid: String) {
        let pending = PendingAccount(jid: jid, password: plan.password, connectHost: plan.connectHost,
                                     port: plan.connectPort, tlsMode: plan.tlsMode)
        do {
            let path = try writer.savePendingAccount(pending, in: plan.profileDirectory)
            pendingPath = path
            heartbeat.send(.accountCreated(jid: jid, savedIn: path))
        } catch {
            heartbeat.send(.bookmarkWarning(translated("the new account \(jid) could not be saved before logging in: \(error)")))
        }
    }

    /// A failure after the server created the account keeps it saved and says where,
    /// so that a rerun finishes this account instead of creating another.
    func keepingPendingOnFailure(_ body: () throws -> RegisteredAccount) throws -> RegisteredAccount {
        do {
            return try body()
        } catch let error where pendingPath != nil || plan.resumesPendingAccount {
            throw AccountNotFinished(jid: plan.jid, underlying: error,
                                     savedIn: pendingPath ?? plan.profileDirectory)
        }
    }
}

/// A room turned out missing or closed after bind: the person chooses another of the
/// template's rooms (each offered once) or keeps it.
final class RoomChooser: @unchecked Sendable {
    let interaction: RunInteraction
    let heartbeat: Heartbeat
    let alternatives: [RoomBookmark]
    /// The rooms already asked about in this run (an alternative is offered once).
    private var checked: Set<String> = []

    init(interaction: RunInteraction, heartbeat: Heartbeat, alternatives: [RoomBookmark]) {
        self.interaction = interaction
        self.heartbeat = heartbeat
        self.alternatives = alternatives
    }

    func roomChecked(_ status: RoomStatus) throws -> RoomBookmark? {
        checked.insert(status.jid.lowercased())
        guard status.problem != nil else { return nil }
        let remaining = alternatives.filter { !checked.contains($0.jid.lowercased()) }
        return try heartbeat.whileAsking { try interaction.chooseRoom(status, alternatives: remaining) }
    }
}

/// The server created the account, but something after it failed: the account is
/// not lost, and the next run finishes it.
public struct AccountNotFinished: ClassifiedError {
    public let jid: String
    public let underlying: Error
    public let savedIn: String

    public var category: ErrorCategory { underlying.category }
    public var description: String {
        "\(underlying)\n"
            + translated("""
                The account \(jid) exists on the server and its password is saved in \(savedIn) (readable only by you). \
                Run onionboard again with the same profile directory to finish it; no second account is created.
                """)
            + (underlying.category == .refused
                ? " " + translated("(If the server refused the login, it may hold new accounts until an operator approves them: try again later.)") : "")
    }
}
