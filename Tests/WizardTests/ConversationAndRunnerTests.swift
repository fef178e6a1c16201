import Diagnostics
import Foundation
import Testing
import TestSupport
import Secrets
@testable import Wizard
import WizardAdapters
import Vocabulary

/// Answers questions from a script of lines, recording what it was shown.
final class ScriptedAsker: QuestionAsker, RunInteraction {
    var lines: [String]
    var secrets: [String?] = []
    var asked: [String] = []
    var defaultsShown: [String: String] = [:]
    var refusals: [String] = []
    var usernameOffers: [String] = []
    var certificatesShown: [CertificateSummary] = []
    var trust = false

    init(_ lines: [String]) { self.lines = lines }

    struct OutOfLines: Error {}

    /// Every question as it was shown.
    var presented: [PresentedQuestion] = []

    func ask(_ question: PresentedQuestion) throws -> String {
        asked.append(question.question.key)
        presented.append(question)
        if let value = question.defaultText { defaultsShown[question.question.key] = value }
        guard !lines.isEmpty else { throw OutOfLines() }
        return lines.removeFirst()
    }

    func askSecret(_ question: PresentedQuestion) throws -> SecretBytes? {
        asked.append(question.question.key)
        guard !secrets.isEmpty else { throw OutOfLines() }
        return secrets.removeFirst().map { SecretBytes(utf8: $0) }
    }

    func refuse(_ question: PresentedQuestion, reason: String) { refusals.append("\(question.question.key): \(reason)") }

    func fill(_ fields: [RegistrationField]) throws -> [String: String] { [:] }

    func confirm(_ certificate: CertificateSummary) -> Bool {
        certificatesShown.append(certificate)
        return trust
    }

    func anotherUsername(taken: String, problem: String?) throws -> String? {
        usernameOffers.append(problem ?? taken)
        guard !lines.isEmpty else { return nil }
        return lines.removeFirst()
    }

    /// Rooms the person was told about, with the alternatives offered; answered from `lines`
    /// ("keep", or the alternative's room JID).
    var roomProblems: [(RoomStatus, [RoomBookmark])] = []

    func chooseRoom(_ status: RoomStatus, alternatives: [RoomBookmark]) throws -> RoomBookmark? {
        roomProblems.append((status, alternatives))
        guard !lines.isEmpty else { return nil }
        let answer = lines.removeFirst()
        return alternatives.first { $0.jid == answer }
    }
}

/// A reach attempt whose outcome is set by the test (after an optional delay).
final class ScriptedAttempt: ReachAttempt, @unchecked Sendable {
    let target: ConnectionTarget
    let fresh: Bool
    private let ready: Date
    private let result: Result<ProviderReach, Error>

    init(target: ConnectionTarget, fresh: Bool, after delay: Double = 0, _ result: Result<ProviderReach, Error>) {
        self.target = target
        self.fresh = fresh
        self.ready = Date().addingTimeInterval(delay)
        self.result = result
    }

    func outcome(waitingUpTo seconds: Double) -> Result<ProviderReach, Error>? {
        let wait = ready.timeIntervalSinceNow
        if wait > 0 {
            guard seconds > 0 else { return nil }
            Thread.sleep(forTimeInterval: min(wait, seconds))
            if ready.timeIntervalSinceNow > 0 { return nil }
        }
        return result
    }
}

/// A registrar conformance for the runner's own logic (retries, the certificate, the
/// pending account): it refuses the names it is told are taken, like a server
/// answering `conflict`, and reaches providers as the test says.
final class ScriptedRegistrar: AccountRegistrar, @unchecked Sendable {
    var taken: Set<String>
    var reached: [ScriptedAttempt] = []
    var attempts: [String] = []
    var loggedIn: [String] = []
    /// The certificate every reach finds; its verdict follows the target (pin, accepted fingerprint) or `verdict`.
    var certificate = CertificateSummary(subject: "CN=server", subjectAltNames: [], issuer: "CN=server", notAfter: "2027",
                                         sha256: String(repeating: "ab", count: 32), overOnion: true)
    var verdict = CertificateVerdict.authority
    /// Failures for the next reach attempts, in order (then they succeed).
    var reachFailures: [Error] = []
    /// Failures for the next reach attempts of one provider, in order (before `reachFailures`).
    var reachFailuresByDomain: [String: [Error]] = [:]
    /// What a check finds about each provider's registration form (nil: not looked at).
    var registrationByDomain: [String: ProviderCheck.Registration] = [:]
    var reachDelay = 0.0
    /// Targets passed to `register` (to see what was decided about the certificate).
    var registeredTargets: [ConnectionTarget] = []
    /// Thrown after the server "created" the account (the login fails).
    var failAfterCreating: Error?
    /// Whether each attempt's name was generated, as the registrar was told.
    var generated: [Bool] = []

    init(taken: Set<String> = []) { self.taken = taken }

    func reach(_ target: ConnectionTarget, freshCircuit: Bool) -> ReachAttempt {
        let outcome: Result<ProviderReach, Error>
        if let failure = reachFailuresByDomain[target.domain]?.first {
            reachFailuresByDomain[target.domain]!.removeFirst()
            outcome = .failure(failure)
        } else if !reachFailures.isEmpty {
            outcome = .failure(reachFailures.removeFirst())
        } else {
            let decided: CertificateVerdict = target.pinSHA256 != nil || target.pinSPKI != nil ? .pinned
                : target.acceptedSHA256 == certificate.sha256 ? .acceptedInAdvance : verdict
            outcome = .success(ProviderReach(certificate: certificate, verdict: decided, seconds: 0.5,
                                             certificatePEM: certificate.sha256,
                                             registration: registrationByDomain[target.domain]))
        }
        let attempt = ScriptedAttempt(target: target, fresh: freshCircuit, after: reachDelay, outcome)
        reached.append(attempt)
        return attempt
    }

    /// What each room says about itself after bind (by JID); a room not listed exists.
    var rooms: [String: RoomStatus.Existence] = [:]

    func register(_ target: ConnectionTarget, username: String, usernameWasGenerated: Bool, password: SecretBytes,
                  events: @escaping @Sendable (RunEvent) -> Void,
                  callbacks: RegistrationCallbacks) throws -> RegisteredAccount {
        attempts.append(username)
        registeredTargets.append(target)
        generated.append(usernameWasGenerated)
        events(.registering(jid: "\(username)@\(target.domain)"))
        if taken.contains(username) { throw RegistrarError.usernameTaken(username) }
        callbacks.accountCreated(jid: "\(username)@\(target.domain)")
        if let failure = failAfterCreating { throw failure }
        var account = RegisteredAccount(jid: "\(username)@\(target.domain)", certificatePEM: "PEM", certificateSHA256: certificate.sha256)
        // The room check, as XMPPOverTor runs it: each room asked, the callbacks may switch.
        if var room = target.room {
            var status = RoomStatus(jid: room.jid, existence: rooms[room.jid] ?? .exists)
            events(.roomStatus(status))
            while let other = try callbacks.roomChecked(status) {
                room = other
                status = RoomStatus(jid: room.jid, existence: rooms[room.jid] ?? .exists)
                events(.roomStatus(status))
            }
            account.room = room
            account.roomStatus = status
        }
        return account
    }

    /// The password each account's server accepts (by JID); an account not listed accepts any.
    var passwords: [String: String] = [:]
    /// Targets passed to `logIn`.
    var loginTargets: [ConnectionTarget] = []

    func logIn(_ target: ConnectionTarget, username: String, password: SecretBytes,
               events: @escaping @Sendable (RunEvent) -> Void, callbacks: RegistrationCallbacks) throws -> RegisteredAccount {
        loggedIn.append("\(username):\(password.utf8String)")
        loginTargets.append(target)
        if let failure = failAfterCreating { throw failure }
        let jid = "\(username)@\(target.domain)"
        if let expected = passwords[jid], expected != password.utf8String { throw NotAuthorized() }
        var account = RegisteredAccount(jid: jid, certificatePEM: "PEM", certificateSHA256: certificate.sha256)
        if var room = target.room {
            var status = RoomStatus(jid: room.jid, existence: rooms[room.jid] ?? .exists)
            events(.roomStatus(status))
            while let other = try callbacks.roomChecked(status) {
                room = other
                status = RoomStatus(jid: room.jid, existence: rooms[room.jid] ?? .exists)
                events(.roomStatus(status))
            }
            account.room = room
            account.roomStatus = status
        }
        return account
    }
}

/// What a server says to a wrong password (SASL not-authorized): refused.
struct NotAuthorized: ClassifiedError {
    var category: ErrorCategory { .refused }
    var description: String { "the server rejected the username or password (not-authorized)" }
}

/// A profile writer in memory: what was written, and the pending account.
class RecordingWriter: ProfileWriter {
    var written: [OnboardingPlan] = []
    var pending: [String: PendingAccount] = [:]
    var persistence: String?
    var accounts: [ExistingAccount] = []
    func existingAccounts(in directory: String) throws -> [ExistingAccount] { accounts }
    func checkProfileDirectory(_ directory: String, force: Bool) throws {}
    func persistenceNotice(for directory: String) -> String? { persistence }
    func preflight(_ plan: OnboardingPlan, force: Bool) throws {}
    func write(_ plan: OnboardingPlan, account: RegisteredAccount, force: Bool) throws -> ProfileWriteReport {
        written.append(plan)
        return ProfileWriteReport(directory: plan.profileDirectory, accountName: plan.jid + "/",
                                  changes: [PlannedChange(path: "accounts.xml", action: .create)], backups: [])
    }
    func savePendingAccount(_ account: PendingAccount, in directory: String) throws -> String {
        pending[directory] = account
        return directory + "/onionboard/pending-account"
    }
    func pendingAccount(in directory: String) throws -> PendingAccount? { pending[directory] }
    func removePendingAccount(in directory: String) { pending[directory] = nil }
    var pins: [String: String] = [:]
    /// Passwords Pidgin keeps, by account name.
    var savedPasswords: [String: String] = [:]
    /// Rooms added to accounts (the `pidgin` path, bootstrap), with the certificate pinned.
    var joined: [(plan: JoinPlan, room: RoomBookmark, certificatePEM: String?)] = []
    func savedPassword(of accountName: String, in directory: String) throws -> SecretBytes? {
        savedPasswords[accountName].map { SecretBytes(utf8: $0) }
    }
    func writeJoin(_ plan: JoinPlan, room: RoomBookmark, certificatePEM: String?, force: Bool) throws -> ProfileWriteReport {
        joined.append((plan, room, certificatePEM))
        return ProfileWriteReport(directory: plan.profileDirectory, accountName: plan.account.name,
                                  changes: [PlannedChange(path: "blist.xml", action: .update)], backups: [])
    }
    func pinnedCertificateSHA256(for host: String, in directory: String) throws -> String? { pins[host] }
    func replacePinnedCertificate(_ pem: String, for host: String, in directory: String) throws -> String? {
        pins[host] = pem
        return "\(directory)/certificates/x509/tls_peers/\(host).onionboard-backup"
    }
}

/// Reports what PurpleConfig reports: absolute paths, a backup, a warning.
final class DetailedWriter: RecordingWriter {
    override func write(_ plan: OnboardingPlan, account: RegisteredAccount, force: Bool) throws -> ProfileWriteReport {
        let directory = plan.profileDirectory
        return ProfileWriteReport(directory: directory, accountName: plan.jid + "/",
                                  changes: [PlannedChange(path: "\(directory)/accounts.xml", action: .update),
                                            PlannedChange(path: "\(directory)/certificates/x509/tls_peers/x.onion", action: .create)],
                                  backups: ["\(directory)/accounts.xml.bak"],
                                  warnings: [ProfileWarning(code: .notPersistent, message: "not persistent")])
    }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [RunEvent] = []
    func append(_ event: RunEvent) { lock.lock(); items.append(event); lock.unlock() }
    var events: [RunEvent] { lock.lock(); defer { lock.unlock() }; return items }
}

@Suite("Conversation and runner")
struct ConversationAndRunnerTests {
    @Test("choose a provider by number, mistype once, accept defaults; every offered provider is checked once when the wizard starts, and the chosen one's check is its warm-up")
    func conversation() throws {
        let registrar = ScriptedRegistrar()
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: registrar, writer: RecordingWriter(), generator: SequenceGenerator())
        let asker = ScriptedAsker(["9", "2", "Not Valid!", "", ""])
        let plan = try session.plan(presets: Fixtures.newAccount, password: nil,
                                    options: .init(interactive: true, homeDirectory: "/home/amnesia"), asker: asker)
        #expect(asker.asked == ["provider", "provider", "username", "username", "handle"])
        #expect(asker.refusals.count == 2)
        #expect(asker.refusals[0] == "provider: choose a number from 1 to 3")
        #expect(asker.refusals[1].hasPrefix("username: “ ” is not allowed"))
        #expect(asker.defaultsShown == ["username": "generated1", "handle": "nick-1"])
        #expect(plan.provider == Fixtures.pinnedProvider)
        #expect(plan.username == "generated1" && plan.usernameWasGenerated)
        #expect(plan.handle == "nick-1")
        #expect(plan.pinPolicy == .pinned(sha256: Fixtures.pinnedProvider.pinSHA256!))
        // One check per offered provider, in the offered order; choosing one starts nothing new.
        #expect(registrar.reached.map(\.target.domain) == ["open.example", "pinned.example", "captcha.example"])
        #expect(registrar.reached[1].target == ConnectionTarget(domain: "pinned.example", host: Fixtures.pinnedProvider.onion, port: 5222,
                                                                tlsMode: .startTLS, torSOCKS: HostPort(host: "127.0.0.1", port: 9050),
                                                                pinSHA256: Fixtures.pinnedProvider.pinSHA256))
        #expect(registrar.reached.map(\.fresh) == [false, false, false])
        #expect(session.attempt(for: "pinned.example") === registrar.reached[1])
    }

    @Test("the live checks order the list (no CAPTCHA first, the dead last with why), pre-select the best, and refuse one that registers nobody")
    func liveProviderList() throws {
        let registrar = ScriptedRegistrar()
        registrar.registrationByDomain = ["pinned.example": .open, "captcha.example": .captcha, "open.example": .closed]
        let dead = ProviderChoice(domain: "dead.example", onion: String(repeating: "d", count: 56) + ".onion",
                                  registration: .open, captcha: false)
        registrar.reachFailuresByDomain = ["dead.example": [Unreachable(reason: "not in the Tor network")]]
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers + [dead],
                                        registrar: registrar, writer: RecordingWriter(), generator: SequenceGenerator())
        // open.example answered that it registers nobody: refused; Enter then takes the default.
        let asker = ScriptedAsker(["open.example", "", "", ""])
        let plan = try session.plan(presets: Fixtures.newAccount, password: nil,
                                    options: .init(interactive: true, homeDirectory: "/h"), asker: asker)
        let shown = try #require(asker.presented.first { $0.question.key == "provider" })
        #expect(shown.choices.map(\.label) == ["pinned.example", "captcha.example", "open.example", "dead.example"])
        #expect(shown.defaultText == "pinned.example")
        #expect(shown.choices[0].detail == "reachable in 0.5 s, open registration, no CAPTCHA")
        #expect(shown.choices[1].detail.contains("with a CAPTCHA"))
        #expect(shown.choices[3].detail == "unreachable: not in the Tor network")
        #expect(asker.refusals.first?.contains("open.example answered, but does not let an app create an account") == true,
                "\(asker.refusals)")
        #expect(plan.provider == Fixtures.pinnedProvider)
        // Every provider was checked exactly once; the chosen one's check was its warm-up.
        #expect(registrar.reached.map(\.target.domain).sorted() == ["captcha.example", "dead.example", "open.example", "pinned.example"])
    }

    @Test("a typed password at low priority; too short is refused, then accepted")
    func secret() throws {
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: ScriptedRegistrar(), writer: RecordingWriter(), generator: SequenceGenerator())
        let asker = ScriptedAsker(["open.example", "me", "", "", "", "", ""])
        asker.secrets = ["short", "long enough pass"]
        let plan = try session.plan(presets: Fixtures.answers([("account", "new"), ("tor-socks", "127.0.0.1:19050")]), password: nil,
                                    options: .init(interactive: true, threshold: .low, homeDirectory: "/h"), asker: asker)
        #expect(asker.refusals.count == 1)
        #expect(plan.password.utf8String == "long enough pass")
        #expect(plan.passwordWasGenerated == false)
        #expect(plan.answers["password"] == nil)
        #expect(plan.torSOCKS.port == 19050)
        #expect(!asker.asked.contains("tor-socks"))
    }

    @Test("a taken generated username is replaced without asking; a typed one is asked again")
    func usernameTaken() throws {
        let registrar = ScriptedRegistrar(taken: ["generated1", "generated2", "mine"])
        let writer = RecordingWriter()
        let generator = SequenceGenerator()
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: registrar, writer: writer, generator: generator)
        let options = OnboardingSession.Options(interactive: false, homeDirectory: "/h")
        let log = EventLog()
        let plan = try session.plan(presets: Fixtures.answers([("provider", "open.example")]), password: nil, options: options, asker: nil)
        let report = try session.execute(plan, options: options, interaction: ScriptedAsker([]), events: { log.append($0) })
        #expect(registrar.attempts == ["generated1", "generated2", "generated3"])
        // The registrar knows the names were made up, so it may pipeline the login (#16 item 9).
        #expect(registrar.generated == [true, true, true])
        #expect(report.jid == "generated3@open.example")
        #expect(report.attempts == 3)
        #expect(writer.written.map(\.username) == ["generated3"])
        #expect(log.events.contains(.usernameTaken(taken: "generated1", next: "generated2")))
        #expect(log.events.last == .writingProfile(directory: "/h/.purple"))

        let typed = try session.plan(presets: Fixtures.answers([("provider", "open.example"), ("username", "mine")]),
                                     password: nil, options: options, asker: nil)
        let asker = ScriptedAsker(["Bad Name", "yours"])
        let second = try session.execute(typed, options: options, interaction: asker, events: { _ in })
        #expect(second.jid == "yours@open.example")
        #expect(asker.usernameOffers.count == 2)
        #expect(asker.usernameOffers[0] == "mine")
        #expect(second.usernameGenerated == false)
        // Chosen names, the first and the one typed after the conflict: the registrar waits.
        #expect(registrar.attempts.suffix(2) == ["mine", "yours"] && registrar.generated.suffix(2) == [false, false])

        // Non-interactive (no answer): the conflict is the result, and nothing is written.
        let count = writer.written.count
        #expect(throws: RegistrarError.usernameTaken("mine")) {
            try session.execute(typed, options: options, interaction: ScriptedAsker([]), events: { _ in })
        }
        #expect(writer.written.count == count)
    }

    @Test("the result summary names the files written (relative to the profile), the backups, the room and notes")
    func summary() throws {
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: ScriptedRegistrar(), writer: DetailedWriter(), generator: SequenceGenerator())
        let options = OnboardingSession.Options(interactive: false, homeDirectory: "/h")
        let plan = try session.plan(presets: Fixtures.answers([("provider", "open.example")]), password: nil, options: options, asker: nil)
        let lines = try session.execute(plan, options: options, interaction: ScriptedAsker([]), events: { _ in }).summaryLines
        #expect(lines.first == "Your new account: generated1@open.example")
        #expect(lines.contains("Written to the Pidgin profile /h/.purple: accounts.xml, certificates/x509/tls_peers/x.onion"))
        #expect(lines.contains("Backups of the replaced files: accounts.xml.bak"))
        #expect(lines.contains { $0.hasPrefix("Room (joined when Pidgin starts): ") && $0.hasSuffix(" as \(plan.handle)") }, "\(lines)")
        #expect(lines.contains { $0.contains("password was generated") })
        #expect(lines.last == "Note: not persistent")
    }

    @Test("generated usernames are retried a bounded number of times")
    func boundedRetries() throws {
        let registrar = ScriptedRegistrar(taken: Set((1...10).map { "generated\($0)" }))
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: registrar, writer: RecordingWriter(), generator: SequenceGenerator())
        let options = OnboardingSession.Options(interactive: false, homeDirectory: "/h")
        let plan = try session.plan(presets: Fixtures.answers([("provider", "open.example")]), password: nil, options: options, asker: nil)
        #expect(throws: RegistrarError.usernameTaken("generated5")) {
            try session.execute(plan, options: options, interaction: ScriptedAsker([]), events: { _ in })
        }
        #expect(registrar.attempts.count == 5)
    }

    @Test("certificate: an accepted fingerprint matches without asking; nobody to ask is exit 78 with the hint; a person is asked once, before registering")
    func certificatePolicy() throws {
        let registrar = ScriptedRegistrar(taken: ["generated1", "generated2"])
        registrar.verdict = .unknown
        let sha = registrar.certificate.sha256
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: registrar, writer: RecordingWriter(), generator: SequenceGenerator())
        let presets = Fixtures.answers([("provider", "open.example")])
        let accepted = OnboardingSession.Options(interactive: false, acceptedFingerprint: sha, homeDirectory: "/h")
        let asker = ScriptedAsker([])
        _ = try session.execute(try session.plan(presets: presets, password: nil, options: accepted, asker: nil),
                                options: accepted, interaction: asker, events: { _ in })
        #expect(asker.certificatesShown.isEmpty)

        let nobody = OnboardingSession.Options(interactive: false, homeDirectory: "/h")
        let attemptsBefore = registrar.attempts.count
        let error = #expect(throws: UnconfirmedCertificate.self) {
            try session.execute(try session.plan(presets: presets, password: nil, options: nobody, asker: nil),
                                options: nobody, interaction: asker, events: { _ in })
        }
        #expect(error?.category.exitCode == 78)
        #expect(error?.description.contains("--accept-fingerprint \(sha)") == true)
        #expect(asker.certificatesShown.isEmpty)
        #expect(registrar.attempts.count == attemptsBefore, "nothing registered")

        // Two taken usernames mean three registrations, but one question about the certificate,
        // asked before the first registration; each registration carries the decision.
        registrar.taken = ["generated5", "generated6"]
        let person = OnboardingSession.Options(interactive: true, threshold: .critical, homeDirectory: "/h")
        asker.trust = true
        let before = registrar.registeredTargets.count
        _ = try session.execute(try session.plan(presets: presets, password: nil, options: person, asker: asker),
                                options: person, interaction: asker, events: { _ in })
        #expect(asker.certificatesShown == [registrar.certificate])
        #expect(registrar.registeredTargets.dropFirst(before).map(\.acceptedSHA256) == [sha, sha, sha])

        asker.trust = false
        let declined = #expect(throws: CertificateDeclined.self) {
            try session.execute(try session.plan(presets: presets, password: nil, options: person, asker: asker),
                                options: person, interaction: asker, events: { _ in })
        }
        #expect(declined?.category.exitCode == 130)
    }

    @Test("a provider the checks found unreachable, chosen anyway, is tried once more on a fresh circuit; still unreachable, the person is brought back with the reason")
    func unreachableProvider() throws {
        let registrar = ScriptedRegistrar()
        let failure = Unreachable(reason: "the onion has no descriptor")
        registrar.reachFailuresByDomain = ["open.example": [failure, failure]]
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: registrar, writer: RecordingWriter(), generator: SequenceGenerator())
        // open.example failed its check (listed last, with why); chosen anyway it fails again.
        let asker = ScriptedAsker(["open.example", "pinned.example", "", ""])
        let plan = try session.plan(presets: Fixtures.newAccount, password: nil,
                                    options: .init(interactive: true, homeDirectory: "/h"), asker: asker)
        #expect(plan.provider == Fixtures.pinnedProvider)
        let first = try #require(asker.presented.first { $0.question.key == "provider" })
        #expect(first.choices.last?.label == "open.example")
        #expect(first.choices.last?.detail.hasPrefix("unreachable: ") == true)
        #expect(asker.refusals.contains { $0.hasPrefix("provider: open.example cannot be reached: the onion has no descriptor") }, "\(asker.refusals)")
        #expect(asker.asked.filter { $0 == "provider" }.count == 2)
        #expect(registrar.reached.map(\.target.domain) == ["open.example", "pinned.example", "captcha.example", "open.example"])
        #expect(registrar.reached.map(\.fresh) == [false, false, false, true])
    }

    @Test("a transient failure is tried once more on a fresh circuit; a lasting one is the run's error")
    func reachRetry() throws {
        let registrar = ScriptedRegistrar()
        registrar.reachFailures = [Unreachable(reason: "TTL expired")]
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: registrar, writer: RecordingWriter(), generator: SequenceGenerator())
        let options = OnboardingSession.Options(interactive: false, homeDirectory: "/h")
        let plan = try session.plan(presets: Fixtures.answers([("provider", "open.example")]), password: nil, options: options, asker: nil)
        _ = try session.execute(plan, options: options, interaction: ScriptedAsker([]), events: { _ in })
        #expect(registrar.reached.map(\.fresh) == [false, true])

        registrar.reachFailures = [Unreachable(reason: "TTL expired"), Unreachable(reason: "general failure")]
        #expect(throws: Unreachable(reason: "general failure")) {
            try session.execute(plan, options: options, interaction: ScriptedAsker([]), events: { _ in })
        }
    }

    @Test("a slow phase shows a line with the elapsed time at least every heartbeat interval")
    func heartbeat() throws {
        let registrar = ScriptedRegistrar()
        registrar.reachDelay = 1.3
        let runner = OnboardingRunner(registrar: registrar, writer: RecordingWriter(), generator: SequenceGenerator())
        runner.heartbeatSeconds = 0.3
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: registrar, writer: RecordingWriter(), generator: SequenceGenerator())
        let plan = try session.plan(presets: Fixtures.answers([("provider", "open.example")]), password: nil,
                                    options: .init(interactive: false, homeDirectory: "/h"), asker: nil)
        let log = EventLog()
        _ = try runner.run(plan, interaction: ScriptedAsker([]), events: { log.append($0) })
        let beats = log.events.compactMap { event -> Int? in
            if case .stillWorking(let what, let seconds) = event, what.hasPrefix("reaching ") { return seconds }
            return nil
        }
        #expect(beats.count >= 3, "\(log.events)")
        #expect(beats == beats.sorted() && beats.last! >= 1)
    }

    @Test("an account the server created survives a failure after it: saved at once, and the next run finishes it instead of registering another")
    func pendingAccount() throws {
        let registrar = ScriptedRegistrar()
        registrar.failAfterCreating = Unreachable(reason: "the circuit collapsed")
        let writer = RecordingWriter()
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: registrar, writer: writer, generator: SequenceGenerator())
        let options = OnboardingSession.Options(interactive: false, homeDirectory: "/h")
        let plan = try session.plan(presets: Fixtures.answers([("provider", "open.example")]), password: nil, options: options, asker: nil)
        let log = EventLog()
        let error = #expect(throws: AccountNotFinished.self) {
            try session.execute(plan, options: options, interaction: ScriptedAsker([]), events: { log.append($0) })
        }
        #expect(error?.category.exitCode == 69)
        #expect(error?.description.contains("generated1@open.example exists on the server") == true)
        #expect(log.events.contains(.accountCreated(jid: "generated1@open.example", savedIn: "/h/.purple/onionboard/pending-account")))
        #expect(writer.pending["/h/.purple"]?.jid == "generated1@open.example")
        #expect(writer.written.isEmpty)

        // The rerun (even one asking for nothing in particular) finishes that account.
        registrar.failAfterCreating = nil
        let again = try session.plan(presets: AnswerSet(), password: nil, options: options, asker: nil)
        #expect(again.resumesPendingAccount && again.jid == "generated1@open.example")
        let report = try session.execute(again, options: options, interaction: ScriptedAsker([]), events: { _ in })
        #expect(report.jid == "generated1@open.example")
        #expect(registrar.attempts == ["generated1"], "registered once")
        #expect(registrar.loggedIn == ["generated1:generated-password-1"])
        #expect(writer.pending.isEmpty && writer.written.count == 1)

        // A rerun that asks for another provider is told about the pending account.
        writer.pending["/h/.purple"] = PendingAccount(jid: "x@open.example", password: SecretBytes(utf8: "pw"),
                                                      connectHost: Fixtures.openProvider.onion, port: 5222, tlsMode: .startTLS)
        #expect(throws: PendingAccountConflict.self) {
            try session.plan(presets: Fixtures.answers([("provider", "pinned.example")]), password: nil, options: options, asker: nil)
        }
    }

    @Test("on Tails without persistence the person hears it before any question and may stop")
    func persistenceFirst() throws {
        let writer = RecordingWriter()
        writer.persistence = "Note: the Persistent Storage is not unlocked"
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: ScriptedRegistrar(), writer: writer, generator: SequenceGenerator())
        let log = EventLog()
        let asker = ScriptedAsker(["no"])
        #expect(throws: FrontendlessCancel.persistenceFirst) {
            try session.plan(presets: AnswerSet(), password: nil, options: .init(interactive: true, homeDirectory: "/h"),
                             asker: asker, events: { log.append($0) })
        }
        #expect(asker.asked == ["continue-without-persistence"])
        #expect(log.events == [.note("Note: the Persistent Storage is not unlocked")])
    }
}

@Suite("Certificate renewal")
struct CertificateRenewalTests {
    static let onion = String(repeating: "a", count: 56) + ".onion"
    static let account = ExistingAccount(jid: "me@open.example", connectServer: onion, rooms: [])

    static func check(_ registrar: ScriptedRegistrar, _ writer: RecordingWriter, accepted: String? = nil,
                      confirm: ((CertificateSummary) -> Bool)? = nil) -> CertificateRenewal.Outcome? {
        CertificateRenewal(registrar: registrar, writer: writer).check(
            directory: "/h/.purple", accounts: [account, ExistingAccount(jid: "x@clear.example", connectServer: "xmpp.clear.example", rooms: [])],
            providers: Fixtures.providers, torSOCKS: .torDefault, acceptedFingerprint: accepted, confirm: confirm,
            events: { _ in }).first
    }

    @Test("the server's current certificate against the pin: unchanged, renewed when a CA vouches, left unpinned (and said) when nothing does")
    func statuses() {
        let registrar = ScriptedRegistrar()
        let writer = RecordingWriter()
        let current = registrar.certificate.sha256
        writer.pins[Self.onion] = current
        #expect(Self.check(registrar, writer)?.status == .unchanged)
        #expect(registrar.reached.map(\.target.host) == [Self.onion], "only onion accounts with a pin are checked")
        #expect(registrar.reached.first?.target.pinSHA256 == nil, "the old pin is not enforced")

        writer.pins[Self.onion] = String(repeating: "0", count: 64)
        let renewed = Self.check(registrar, writer)
        #expect(renewed?.status == .renewed)
        #expect(writer.pins[Self.onion] == current, "the new certificate is pinned")
        #expect(renewed?.message.contains("Pidgin will not ask") == true)

        writer.pins[Self.onion] = String(repeating: "0", count: 64)
        registrar.verdict = .unknown
        let unvouched = Self.check(registrar, writer)
        #expect(unvouched?.status == .unvouched)
        #expect(writer.pins[Self.onion] == String(repeating: "0", count: 64), "not pinned")
        #expect(unvouched?.message.contains("--accept-fingerprint \(current)") == true)

        var asked = 0
        #expect(Self.check(registrar, writer, confirm: { _ in asked += 1; return true })?.status == .accepted)
        #expect(asked == 1 && writer.pins[Self.onion] == current)

        writer.pins[Self.onion] = String(repeating: "0", count: 64)
        #expect(Self.check(registrar, writer, accepted: current)?.status == .accepted)

        registrar.reachFailures = [Unreachable(reason: "Tor is not connected")]
        #expect(Self.check(registrar, writer)?.status == .unreachable)
    }

    @Test("a key pin in the map vouches for a renewal that keeps the key: pinned for Pidgin without asking")
    func keyPin() {
        let registrar = ScriptedRegistrar()
        registrar.verdict = .unknown
        let writer = RecordingWriter()
        writer.pins[Self.onion] = String(repeating: "0", count: 64)
        var open = Fixtures.openProvider
        open.spkiSHA256 = String(repeating: "5", count: 64)
        let outcome = CertificateRenewal(registrar: registrar, writer: writer).check(
            directory: "/h/.purple", accounts: [Self.account], providers: [open], torSOCKS: .torDefault, events: { _ in }).first
        #expect(registrar.reached.first?.target.pinSPKI == open.spkiSHA256)
        #expect(outcome?.status == .renewed, "\(String(describing: outcome))")
        #expect(writer.pins[Self.onion] == registrar.certificate.sha256)
        #expect(outcome?.message.contains("of the certificate or of its key") == true)
    }
}

/// Live checks when nobody is there (non-interactive runs, bootstrap), and the room check.
@Suite("Live choice and room check")
struct LiveChoiceAndRoomTests {
    @Test("without a provider, a run without a person takes the best live one that needs no CAPTCHA")
    func nonInteractiveTakesTheBestLiveProvider() throws {
        let registrar = ScriptedRegistrar()
        // By the data open.example needs no CAPTCHA, but its check finds a CAPTCHA; pinned.example registers without one.
        registrar.registrationByDomain = ["open.example": .captcha, "pinned.example": .open, "captcha.example": .captcha]
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: registrar, writer: RecordingWriter(), generator: SequenceGenerator())
        let log = EventLog()
        let plan = try session.plan(presets: AnswerSet(), password: nil, options: .init(interactive: false, homeDirectory: "/h"),
                                    asker: nil, events: { log.append($0) })
        #expect(plan.provider == Fixtures.pinnedProvider)
        #expect(log.events.contains(.note("Chose pinned.example: reachable in 0.5 s, open registration, no CAPTCHA")), "\(log.events)")
        #expect(log.events.contains { if case .checkingProviders(3, 3, _) = $0 { true } else { false } })
    }

    @Test("no provider fits a run without a person: each one is listed with why, exit 3")
    func noProviderFits() throws {
        let registrar = ScriptedRegistrar()
        registrar.registrationByDomain = ["open.example": .captcha, "captcha.example": .captcha]
        registrar.reachFailuresByDomain = ["pinned.example": [Unreachable(reason: "not in the Tor network")]]
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: registrar, writer: RecordingWriter(), generator: SequenceGenerator())
        let error = #expect(throws: AnswersError.self) {
            try session.plan(presets: AnswerSet(), password: nil, options: .init(interactive: false, homeDirectory: "/h"), asker: nil)
        }
        #expect(error?.category.exitCode == 3)
        #expect(error?.missingAnswers.map(\.key) == ["provider"])
        let text = error?.description ?? ""
        #expect(text.contains("provider: Which provider should host your account? — --provider or ONIONBOARD_PROVIDER"))
        #expect(text.contains("open.example: reachable in 0.5 s, open registration with a CAPTCHA (a CAPTCHA needs a person)"))
        #expect(text.contains("pinned.example: unreachable: not in the Tor network"))
    }

    @Test("a missing room is said before anything is written, and the template's alternative is taken instead")
    func missingRoomOffersAlternatives() throws {
        let registrar = ScriptedRegistrar()
        registrar.rooms = ["tails@chat.disroot.org": .missing]
        let writer = RecordingWriter()
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: registrar, writer: writer, generator: SequenceGenerator())
        let options = OnboardingSession.Options(interactive: false, homeDirectory: "/h")
        let plan = try session.plan(presets: Fixtures.answers([("provider", "open.example")]), password: nil, options: options, asker: nil)
        #expect(plan.roomAlternatives.map(\.jid) == ["tails@conference.riseup.net"])
        let asker = ScriptedAsker(["tails@conference.riseup.net"])
        let log = EventLog()
        let report = try session.execute(plan, options: options, interaction: asker, events: { log.append($0) })
        #expect(asker.roomProblems.count == 1)
        #expect(asker.roomProblems.first?.0.existence == .missing)
        #expect(asker.roomProblems.first?.1.map(\.jid) == ["tails@conference.riseup.net"])
        // Said before the profile is written; the profile gets the alternative.
        let warning = try #require(log.events.firstIndex { if case .roomStatus(let status) = $0 { status.existence == .missing } else { false } })
        let writing = try #require(log.events.firstIndex { if case .writingProfile = $0 { true } else { false } })
        #expect(warning < writing)
        #expect(writer.written.last?.room.jid == "tails@conference.riseup.net")
        #expect(writer.written.last?.room.alias == "Tails support (riseup, the original guide's room, 2016–2021)")
        #expect(report.room.jid == "tails@conference.riseup.net" && report.roomCheck?.existence == .exists)

        // Kept anyway (nobody chose another): the report says so.
        let kept = try session.execute(try session.plan(presets: Fixtures.answers([("provider", "open.example")]), password: nil,
                                                        options: options, asker: nil),
                                       options: options, interaction: ScriptedAsker([]), events: { _ in })
        #expect(kept.room.jid == "tails@chat.disroot.org" && kept.roomCheck?.existence == .missing)
        #expect(kept.summaryLines.contains { $0.hasPrefix("Warning: the room tails@chat.disroot.org does not exist") })
    }
}

struct Unreachable: ClassifiedError, Equatable {
    let reason: String
    var category: ErrorCategory { .unreachable }
    var description: String { reason }
}

@Suite("Bootstrap")
struct BootstrapTests {
    @Test("an account on a provider of the map (by domain or onion) means already set up")
    func existing() {
        let other = ExistingAccount(jid: "me@elsewhere.example/", connectServer: nil, rooms: [])
        let byDomain = ExistingAccount(jid: "me@open.example/", connectServer: nil, rooms: [])
        let byOnion = ExistingAccount(jid: "me@renamed.example/", connectServer: Fixtures.openProvider.onion.uppercased(), rooms: [])
        #expect(Bootstrap.existingSetup(in: [other], providers: Fixtures.providers) == nil)
        #expect(Bootstrap.existingSetup(in: [other, byDomain], providers: Fixtures.providers) == byDomain)
        #expect(Bootstrap.existingSetup(in: [byOnion], providers: Fixtures.providers) == byOnion)
        #expect(Bootstrap.existingSetup(in: [other], providers: [], preferredDomain: "elsewhere.example") == other)
    }

    @Test("waiting for Tor reports progress and gives up at the limit")
    func waitLimit() {
        var clock = 0.0
        var events: [RunEvent] = []
        let socks = HostPort(host: "127.0.0.1", port: 9)
        #expect(throws: BootstrapError.torNotReady(address: socks, waitedSeconds: 30, last: .notRunning("nothing listens"))) {
            try Bootstrap.waitForTor(socks, limitSeconds: 30, reportEvery: 10, probe: { _ in .notRunning("nothing listens") },
                                     sleep: { clock += $0 }, now: { clock }, events: { events.append($0) })
        }
        #expect(events == [0, 10, 20].map { .waitingForTor(socks, state: .notRunning("nothing listens"), waitedSeconds: $0, limitSeconds: 30) })
        #expect(events.first?.description.contains("connect to Tor first") == true)
        var probes = 0
        #expect(throws: Never.self) {
            try Bootstrap.waitForTor(socks, limitSeconds: 30, probe: { _ in probes += 1; return probes < 3 ? .connecting("no") : .ready },
                                     sleep: { clock += $0 }, now: { clock }, events: { _ in })
        }
        #expect(probes == 3)
    }

    @Test("the Tor probe: a closed port is not running, a name is refused; on Tails a SOCKS answer is not enough until Tails says Tor has bootstrapped")
    func probe() throws {
        guard case .notRunning(let reason) = TorStatusProbe.probeSOCKS(HostPort(host: "127.0.0.1", port: 1)) else {
            Issue.record("port 1 looked ready"); return
        }
        #expect(reason.contains("nothing listens on 127.0.0.1:1"))
        guard case .notRunning(let named) = TorStatusProbe.probeSOCKS(HostPort(host: "localhost", port: 9050)) else { Issue.record(); return }
        #expect(named.contains("not an IP address"))

        let socks = try FakeSOCKSGreeter()
        let address = HostPort(host: "127.0.0.1", port: Int(socks.port))
        // A simulated Tails layout: the version file, and the flag file once Tor has bootstrapped.
        let root = try TestSupport.makeTemporaryDirectory()
        let tails = TailsLayout(root: root.path)
        #expect(TorStatusProbe(tails: tails, tailsBootstrappedCheck: ["/bin/false"]).state(address) == .ready, "not Tails")
        try FileManager.default.createDirectory(atPath: (tails.versionFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("7.6 - 20260326".utf8).write(to: URL(fileURLWithPath: tails.versionFile))
        guard case .connecting(let words) = TorStatusProbe(tails: tails, tailsBootstrappedCheck: ["/bin/false"]).state(address) else {
            Issue.record("Tails without the bootstrapped flag or target looked ready"); return
        }
        #expect(words.contains("Tor Connection"))
        #expect(TorStatusProbe(tails: tails, tailsBootstrappedCheck: ["/bin/true"]).state(address) == .ready, "the target is active")
        try FileManager.default.createDirectory(atPath: (tails.torBootstrappedFlag as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: tails.torBootstrappedFlag, contents: nil)
        #expect(TorStatusProbe(tails: tails, tailsBootstrappedCheck: ["/bin/false"]).state(address) == .ready, "the flag file")
    }
}

/// Answers every SOCKS5 greeting on a loopback port with `05 00` (no authentication).
final class FakeSOCKSGreeter: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        listen(fd, 8)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = UInt16(bigEndian: address.sin_port)
        let listener = fd
        Thread.detachNewThread {
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                var greeting = [UInt8](repeating: 0, count: 3)
                _ = recv(client, &greeting, 3, 0)
                let answer: [UInt8] = [5, 0]
                _ = answer.withUnsafeBytes { send(client, $0.baseAddress, 2, 0) }
                close(client)
            }
        }
    }

    deinit { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}
