import Foundation
import Testing
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

    func ask(_ question: PresentedQuestion) throws -> String {
        asked.append(question.question.key)
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
}

/// A registrar conformance for the runner's own logic (retries, pin policy): it
/// refuses the names it is told are taken, like a server answering `conflict`.
final class ScriptedRegistrar: AccountRegistrar {
    var taken: Set<String>
    var prepared: [ConnectionTarget] = []
    var attempts: [String] = []
    /// Whether each attempt's name was generated, as the registrar was told.
    var generated: [Bool] = []
    var certificate: CertificateSummary?
    var certificateAccepted: Bool?

    init(taken: Set<String> = []) { self.taken = taken }

    func prepare(_ target: ConnectionTarget) { prepared.append(target) }

    func register(_ target: ConnectionTarget, username: String, usernameWasGenerated: Bool, password: SecretBytes,
                  events: @escaping @Sendable (RunEvent) -> Void,
                  callbacks: RegistrationCallbacks) throws -> RegisteredAccount {
        attempts.append(username)
        generated.append(usernameWasGenerated)
        events(.registering(jid: "\(username)@\(target.domain)"))
        if let certificate {
            certificateAccepted = callbacks.confirm(certificate)
            guard certificateAccepted == true else { throw ValidationFailure("certificate refused") }
        }
        if taken.contains(username) { throw RegistrarError.usernameTaken(username) }
        return RegisteredAccount(jid: "\(username)@\(target.domain)", certificatePEM: "PEM", certificateSHA256: "00")
    }
}

final class RecordingWriter: ProfileWriter {
    var written: [OnboardingPlan] = []
    func existingAccounts(in directory: String) throws -> [ExistingAccount] { [] }
    func preflight(_ plan: OnboardingPlan, force: Bool) throws {}
    func write(_ plan: OnboardingPlan, account: RegisteredAccount, force: Bool) throws -> ProfileWriteReport {
        written.append(plan)
        return ProfileWriteReport(directory: plan.profileDirectory, accountName: plan.jid + "/",
                                  changes: [PlannedChange(path: "accounts.xml", action: .create)], backups: [])
    }
}

/// Reports what PurpleConfig reports: absolute paths, a backup, a warning.
final class DetailedWriter: ProfileWriter {
    func existingAccounts(in directory: String) throws -> [ExistingAccount] { [] }
    func preflight(_ plan: OnboardingPlan, force: Bool) throws {}
    func write(_ plan: OnboardingPlan, account: RegisteredAccount, force: Bool) throws -> ProfileWriteReport {
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
    @Test("choose a provider by number, mistype once, accept defaults; Tor warms up when the provider is known")
    func conversation() throws {
        let registrar = ScriptedRegistrar()
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: registrar, writer: RecordingWriter(), generator: SequenceGenerator())
        let asker = ScriptedAsker(["9", "2", "Not Valid!", "", ""])
        let plan = try session.plan(presets: AnswerSet(), password: nil,
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
        #expect(registrar.prepared == [ConnectionTarget(domain: "pinned.example", host: Fixtures.pinnedProvider.onion, port: 5222,
                                                        tlsMode: .startTLS, torSOCKS: HostPort(host: "127.0.0.1", port: 9050),
                                                        pinSHA256: Fixtures.pinnedProvider.pinSHA256)])
    }

    @Test("a typed password at low priority; too short is refused, then accepted")
    func secret() throws {
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: ScriptedRegistrar(), writer: RecordingWriter(), generator: SequenceGenerator())
        let asker = ScriptedAsker(["open.example", "me", "", "", "", "", ""])
        asker.secrets = ["short", "long enough pass"]
        let plan = try session.plan(presets: Fixtures.answers([("tor-socks", "127.0.0.1:19050")]), password: nil,
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

    @Test("certificate policy: an accepted fingerprint matches without asking; otherwise the person decides")
    func certificatePolicy() throws {
        let certificate = CertificateSummary(subject: "CN=open.example", subjectAltNames: [], issuer: "CN=open.example",
                                             notAfter: "2027", sha256: String(repeating: "e", count: 64), overOnion: true)
        let registrar = ScriptedRegistrar()
        registrar.certificate = certificate
        let session = OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                                        registrar: registrar, writer: RecordingWriter(), generator: SequenceGenerator())
        let presets = Fixtures.answers([("provider", "open.example")])
        let accepted = OnboardingSession.Options(interactive: false, acceptedFingerprint: String(repeating: "e", count: 64), homeDirectory: "/h")
        let asker = ScriptedAsker([])
        _ = try session.execute(try session.plan(presets: presets, password: nil, options: accepted, asker: nil),
                                options: accepted, interaction: asker, events: { _ in })
        #expect(registrar.certificateAccepted == true)
        #expect(asker.certificatesShown.isEmpty)

        let nobody = OnboardingSession.Options(interactive: false, homeDirectory: "/h")
        #expect(throws: ValidationFailure.self) {
            try session.execute(try session.plan(presets: presets, password: nil, options: nobody, asker: nil),
                                options: nobody, interaction: asker, events: { _ in })
        }
        #expect(asker.certificatesShown.isEmpty)

        let person = OnboardingSession.Options(interactive: true, threshold: .critical, homeDirectory: "/h")
        asker.trust = true
        _ = try session.execute(try session.plan(presets: presets, password: nil, options: person, asker: asker),
                                options: person, interaction: asker, events: { _ in })
        #expect(asker.certificatesShown == [certificate])
    }
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
        #expect(throws: BootstrapError.torNotReady(address: socks, waitedSeconds: 30, lastReason: "nothing listens")) {
            try Bootstrap.waitForTor(socks, limitSeconds: 30, reportEvery: 10, probe: { _ in .notReady("nothing listens") },
                                     sleep: { clock += $0 }, now: { clock }, events: { events.append($0) })
        }
        #expect(events == [0, 10, 20].map { .waitingForTor(socks, waitedSeconds: $0, limitSeconds: 30) })
        var probes = 0
        #expect(throws: Never.self) {
            try Bootstrap.waitForTor(socks, limitSeconds: 30, probe: { _ in probes += 1; return probes < 3 ? .notReady("no") : .ready },
                                     sleep: { clock += $0 }, now: { clock }, events: { _ in })
        }
        #expect(probes == 3)
    }

    @Test("the SOCKS probe: a closed port is not ready, a SOCKS5 greeting answer is ready, a name is refused")
    func probe() throws {
        let closed = TorSOCKSProbe.probe(HostPort(host: "127.0.0.1", port: 1))
        guard case .notReady(let reason) = closed else { Issue.record("port 1 looked ready"); return }
        #expect(reason.contains("nothing listens on 127.0.0.1:1"))
        guard case .notReady(let named) = TorSOCKSProbe.probe(HostPort(host: "localhost", port: 9050)) else { Issue.record(); return }
        #expect(named.contains("not an IP address"))
    }
}
