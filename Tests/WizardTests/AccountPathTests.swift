import Diagnostics
import Foundation
import Testing
import Secrets
@testable import Wizard
import Vocabulary

/// The fork at the start of a wizard (issue 18): a new account, one the person already has,
/// or the room added to an account the Pidgin profile holds — each its own sequence of
/// questions, decided by the template's conditions.
@Suite("The fork: new, existing, or Pidgin's account")
struct AccountPathTests {
    /// A Pidgin account on a provider the map knows, not through Tor (the map has its onion).
    static let clearnetAccount = ExistingAccount(jid: "bob@open.example", connectServer: nil, rooms: ["team@conference.open.example"],
                                                 name: "bob@open.example/laptop", proxyType: "none", passwordSaved: true)
    /// One on a server the map does not know, through Pidgin's Tor proxy.
    static let torAccount = ExistingAccount(jid: "carol@elsewhere.example", connectServer: nil, rooms: [], proxyType: "tor",
                                            proxyHost: "127.0.0.1", proxyPort: 9050, passwordSaved: true)

    static func session(_ registrar: ScriptedRegistrar = ScriptedRegistrar(), writer: RecordingWriter = RecordingWriter())
        throws -> OnboardingSession {
        OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                          registrar: registrar, writer: writer, generator: SequenceGenerator())
    }

    // MARK: - The template

    @Test("templates check: the `account` type, its choices, a key asked again only where the conditions exclude each other, Warning, pidgin-account conditions")
    func parsing() throws {
        let head = "Template: t\nTitle: T\nRoom: r@conference.example.org\n\nQuestion: provider\nType: provider\nDescription: p\n\n"
        let fork = try WizardTemplate.parse(head + """
            Question: account
            Type: account
            Choices: new, existing
            Default: new
            Description: Already have one?

            Question: password
            Type: secret
            Default: generated
            Condition: account = new
            Description: A new password

            Question: password
            Type: secret
            Condition: account != new
            Warning: Typed, never shown.
            Description: Your password
            """, origin: "t")
        #expect(fork.question("account")?.choices == ["new", "existing"])
        #expect(fork.questions("password").map(\.prompt) == ["A new password", "Your password"])
        #expect(fork.questions("password")[1].warning == "Typed, never shown.")
        let engine = WizardEngine(template: fork, providers: Fixtures.providers)
        #expect(engine.question("password", in: Fixtures.answers([("account", "existing")]))?.prompt == "Your password")
        #expect(engine.question("password", in: Fixtures.answers([("account", "new")]))?.prompt == "A new password")

        func problems(_ text: String) -> [String] { TemplateParser.parse(head + text, origin: "t").diagnostics.map(\.message) }
        #expect(problems("Question: account\nType: account\nChoices: new, borrowed\nDescription: a\n")
            .contains { $0.contains("`borrowed` is not a way to come by an account") })
        #expect(problems("Question: fork\nType: account\nDescription: a\n").contains { $0.contains("must have the key `account`") })
        // The same key twice without exclusive conditions: refused, and why.
        let twice = problems("Question: account\nType: account\nDescription: a\n\nQuestion: handle\nType: text\nCondition: account = new\nDescription: h\n\n"
                             + "Question: handle\nType: text\nCondition: account != existing\nDescription: h2\n")
        #expect(twice.contains { $0.contains("duplicate question key `handle`") && $0.contains("exclude each other") }, "\(twice)")
        let untyped = problems("Question: account\nType: account\nDescription: a\n\nQuestion: handle\nType: text\nCondition: account = new\nDescription: h\n\n"
                               + "Question: handle\nType: boolean\nCondition: account = existing\nDescription: h2\n")
        #expect(untyped.contains { $0.contains("its variants must have the same type") }, "\(untyped)")
        #expect(problems("Question: switch\nType: boolean\nCondition: pidgin-account.tor = no\nDescription: s\n")
            .contains { $0.contains("the Pidgin account is chosen after this question") })
        #expect(problems("Question: pidgin-account\nType: pidgin-account\nDescription: w\n\nQuestion: switch\nType: boolean\nCondition: pidgin-account.color = no\nDescription: s\n")
            .contains { $0.contains("unknown attribute `color`") })
        #expect(problems("Question: onion\nType: text\nValidation: onion\nDefault: example.onion\nDescription: o\n")
            .contains { $0.contains("fails its own validation") })
    }

    @Test("an onion is checked for its form here, and for its checksum by the injected check")
    func onionValidation() throws {
        var engine = try Fixtures.engine()
        let onion = try #require(engine.template.question("onion"))
        let good = String(repeating: "a", count: 55) + "d"
        #expect(engine.validate(good, for: onion) == .success(good + ".onion"))
        #expect(engine.validate(good.uppercased() + ".ONION", for: onion) == .success(good + ".onion"))
        guard case .failure(let short) = engine.validate("abc.onion", for: onion) else { Issue.record("accepted"); return }
        #expect(short.reason.contains("56 letters and digits"))
        guard case .failure(let v2) = engine.validate(String(repeating: "a", count: 56) + ".onion", for: onion) else {
            Issue.record("accepted a non-v3 name"); return
        }
        #expect(v2.reason.contains("version 3"))
        engine.onionCheck = { _ in "this onion address has a typo" }
        #expect(engine.validate(good, for: onion) == .failure(.init("this onion address has a typo")))
    }

    // MARK: - The engine

    @Test("answers of one path take it without the fork being asked; answers of two paths are refused")
    func impliedPath() throws {
        let engine = try Fixtures.engine()
        let byProvider = engine.check(presets: Fixtures.answers([("provider", "open.example")]))
        #expect(byProvider.accepted.value("account") == "new" && byProvider.problems.isEmpty)
        let byAddress = engine.check(presets: Fixtures.answers([("jid", "Alice@Open.Example")]))
        #expect(byAddress.accepted.value("account") == "existing" && byAddress.accepted.value("jid") == "alice@open.example")
        // The handle belongs to every path: it implies none.
        #expect(engine.check(presets: Fixtures.answers([("handle", "Quiet Owl")])).accepted.value("account") == nil)
        let both = engine.check(presets: Fixtures.answers([("provider", "open.example"), ("jid", "alice@open.example")]))
        #expect(both.problems.count == 1 && both.problems[0].reason.contains("give the answers of one"), "\(both.problems)")
        // Given outright, the fork wins (nothing is implied over it).
        let explicit = engine.check(presets: Fixtures.answers([("account", "existing"), ("jid", "alice@open.example")]))
        #expect(explicit.problems.isEmpty && explicit.accepted.value("account") == "existing")
    }

    @Test("the existing path: the provider comes from the address's domain, the onion from the map (or asked), the plan logs in")
    func existingPlan() throws {
        var engine = try Fixtures.engine()
        var answers = Fixtures.answers([("account", "existing"), ("jid", "alice@pinned.example")])
        // The map knows pinned.example: its onion is the default, so the low-priority question is not asked.
        #expect(engine.provider(in: answers) == Fixtures.pinnedProvider)
        #expect(engine.effectiveValue("onion", in: answers) == Fixtures.pinnedProvider.onion)
        var asked: [String] = []
        while let question = engine.nextQuestion(answers, threshold: .medium) {
            asked.append(question.key)
            answers.set(question.key, "x", source: .user)
        }
        #expect(asked == ["password", "handle"])
        let context = WizardEngine.PlanContext(homeDirectory: "/h", interactive: true)
        let plan = try engine.plan(Fixtures.answers([("account", "existing"), ("jid", "alice@pinned.example")]),
                                   password: SecretBytes(utf8: "their own"), generator: SequenceGenerator(), context: context)
        #expect(plan.jid == "alice@pinned.example" && plan.usesExistingAccount && !plan.serverBookmark)
        #expect(!plan.usernameWasGenerated && !plan.passwordWasGenerated && plan.password.utf8String == "their own")
        #expect(plan.connectHost == Fixtures.pinnedProvider.onion)
        #expect(plan.pinPolicy == .pinned(sha256: Fixtures.pinnedProvider.pinSHA256!))
        #expect(plan.answers["username"] == nil, "an existing account's name is no answer to replay")
        // Without a password there is no plan: it cannot be generated for an account that exists.
        #expect(throws: AnswersError.self) {
            try engine.plan(Fixtures.answers([("account", "existing"), ("jid", "alice@pinned.example")]),
                            password: nil, generator: SequenceGenerator(), context: context)
        }

        // A domain the map does not know: the onion has no default, so it is asked whatever the threshold.
        let unknown = Fixtures.answers([("account", "existing"), ("jid", "dave@unknown.example")])
        #expect(engine.provider(in: unknown) == nil)
        let missing = engine.missingAnswers(unknown, secretsGiven: ["password"])
        #expect(missing.map(\.key).contains("onion"), "\(missing)")
        #expect(engine.nextQuestion(Fixtures.answers([("account", "existing"), ("jid", "dave@unknown.example"), ("password", ""),
                                                      ("handle", "h")]), threshold: .critical)?.key == "onion")
        let typedOnion = String(repeating: "e", count: 55) + "d.onion"
        var withOnion = unknown
        withOnion.set("onion", typedOnion, source: .user)
        let adHoc = try #require(engine.provider(in: withOnion))
        #expect(adHoc.domain == "unknown.example" && adHoc.onion == typedOnion && adHoc.pinSHA256 == nil)
        engine.onionCheck = nil
        let adHocPlan = try engine.plan(withOnion, password: SecretBytes(utf8: "pw"), generator: SequenceGenerator(), context: context)
        #expect(adHocPlan.jid == "dave@unknown.example" && adHocPlan.connectHost == typedOnion && adHocPlan.pinPolicy == .askOnFirstUse)

        // An onion used as the domain (xmpp.is's accounts) keeps its domain, with the map's facts.
        let onionDomain = Fixtures.answers([("account", "existing"), ("jid", "eve@\(Fixtures.openProvider.onion)")])
        #expect(engine.provider(in: onionDomain)?.domain == Fixtures.openProvider.onion)
        #expect(engine.provider(in: onionDomain)?.onion == Fixtures.openProvider.onion)
    }

    @Test("the pidgin path is offered only when the profile holds an account; the Tor question only for an account that is not through Tor and has an onion")
    func pidginPath() throws {
        var engine = try Fixtures.engine()
        let fork = try #require(engine.template.question("account"))
        #expect(engine.accountPaths(fork) == [.new, .existing])
        engine.profileAccounts = [Self.clearnetAccount, Self.torAccount]
        #expect(engine.accountPaths(fork) == [.new, .existing, .pidgin])
        let question = try #require(engine.template.question("pidgin-account"))
        #expect(engine.validate("2", for: question) == .success("carol@elsewhere.example"))
        #expect(engine.validate("Bob@Open.Example/laptop", for: question) == .success("bob@open.example"))
        #expect(engine.validate("mallory@x.example", for: question).map { _ in "" } != .success(""))

        var answers = Fixtures.answers([("account", "pidgin")])
        #expect(engine.nextQuestion(answers, threshold: .medium)?.key == "pidgin-account")
        answers.set("pidgin-account", "bob@open.example", source: .user)
        // Not through Tor, and the map has open.example's onion: asked.
        #expect(engine.nextQuestion(answers, threshold: .medium)?.key == "tor-switch")
        var carol = Fixtures.answers([("account", "pidgin"), ("pidgin-account", "carol@elsewhere.example")])
        #expect(engine.nextQuestion(carol, threshold: .medium)?.key == "handle")
        carol.set("handle", "Quiet Owl", source: .user)
        #expect(engine.nextQuestion(carol, threshold: .medium) == nil)

        let context = WizardEngine.PlanContext(homeDirectory: "/h", interactive: true)
        // Switched: the room check goes to the onion, as Pidgin will.
        answers.set("tor-switch", "yes", source: .user)
        let switched = try engine.joinPlan(answers, generator: SequenceGenerator(), context: context)
        #expect(switched.switchesToTor && switched.throughTorAfterwards)
        #expect(switched.target.host == Fixtures.openProvider.onion && switched.target.domain == "open.example")
        #expect(switched.account.name == "bob@open.example/laptop")
        #expect(switched.room.jid == "tails@chat.disroot.org" && switched.handle == "nick-1")
        // Not switched: to its own server by name, through Tor (Tor resolves it).
        answers.set("tor-switch", "no", source: .user)
        let kept = try engine.joinPlan(answers, generator: SequenceGenerator(), context: context)
        #expect(!kept.switchesToTor && !kept.throughTorAfterwards && kept.target.host == "open.example")
        #expect(kept.target.torSOCKS == .torDefault)
        #expect(kept.roomAlternatives.map(\.jid) == ["tails@conference.riseup.net"])
        // An account the profile no longer holds.
        #expect(throws: JoinPlanError.self) {
            try engine.joinPlan(Fixtures.answers([("account", "pidgin"), ("pidgin-account", "gone@x.example")]),
                                generator: SequenceGenerator(), context: context)
        }
    }

    // MARK: - Conversations and runs

    @Test("the existing path at a terminal: the fork by number, the address, an empty password refused, then the run logs in (never registers), asks about the certificate once, and writes the profile")
    func existingConversationAndRun() throws {
        let registrar = ScriptedRegistrar()
        registrar.verdict = .unknown
        registrar.passwords = ["alice@open.example": "their own password"]
        let writer = RecordingWriter()
        let session = try Self.session(registrar, writer: writer)
        let asker = ScriptedAsker(["2", "Alice@Open.Example", ""])
        asker.secrets = [nil, "their own password"]
        asker.trust = true
        let options = OnboardingSession.Options(interactive: true, homeDirectory: "/h")
        let plan = try session.plan(presets: AnswerSet(), password: nil, options: options, asker: asker)
        #expect(asker.asked == ["account", "jid", "password", "password", "handle"])
        #expect(asker.refusals == ["password: type the account's password (it is not shown)"])
        let fork = try #require(asker.presented.first)
        #expect(fork.choices.map(\.answer) == ["new", "existing"] && fork.defaultText == "new")
        #expect(plan.jid == "alice@open.example" && plan.usesExistingAccount)
        // Its provider's circuit was started when the address was known (no provider question).
        #expect(registrar.reached.contains { $0.target.host == Fixtures.openProvider.onion })

        let report = try session.execute(plan, options: options, interaction: asker, events: { _ in })
        #expect(registrar.attempts.isEmpty, "an existing account is never registered")
        #expect(registrar.loggedIn == ["alice:their own password"])
        #expect(registrar.loginTargets.first?.bookmark == nil, "nothing is stored on the person's own server")
        #expect(registrar.loginTargets.first?.room?.jid == "tails@chat.disroot.org")
        #expect(asker.certificatesShown.count == 1)
        #expect(writer.written.count == 1 && writer.pending.isEmpty)
        #expect(report.account == .existing && report.password == nil && !report.passwordGenerated)
        #expect(report.summaryLines[0] == "Your account: alice@open.example")
    }

    @Test("a wrong password is said plainly and nothing is written")
    func wrongPassword() throws {
        let registrar = ScriptedRegistrar()
        registrar.passwords = ["alice@open.example": "right"]
        let writer = RecordingWriter()
        let session = try Self.session(registrar, writer: writer)
        let options = OnboardingSession.Options(interactive: false, homeDirectory: "/h")
        let plan = try session.plan(presets: try session.presets(flags: Fixtures.answers([("jid", "alice@open.example")]),
                                                                 file: AnswerSet(), environment: AnswerSet(), homeDirectory: "/h"),
                                    password: SecretBytes(utf8: "wrong"), options: options, asker: nil)
        let error = try #require(throws: PasswordNotAccepted.self) {
            try session.execute(plan, options: options, interaction: ScriptedAsker([]), events: { _ in })
        }
        #expect(error.description.hasPrefix("the server did not accept the password for alice@open.example"))
        #expect(error.description.contains("Nothing was written"))
        #expect(error.category.exitCode == 77)
        #expect(writer.written.isEmpty && writer.pending.isEmpty)
    }

    @Test("the pidgin path: the account chosen from the profile's, the identity warning before anything is written, the room checked with the password Pidgin keeps, a missing room replaced by the alternative, only the room written")
    func joinRun() throws {
        let registrar = ScriptedRegistrar()
        registrar.rooms = ["tails@chat.disroot.org": .missing]
        let writer = RecordingWriter()
        writer.accounts = [Self.clearnetAccount, Self.torAccount]
        writer.savedPasswords = ["bob@open.example/laptop": "bobs password"]
        let session = try Self.session(registrar, writer: writer)
        // The fork (3: Pidgin's), the account (1: bob), no switch to Tor, the nickname; then the alternative room.
        let asker = ScriptedAsker(["3", "1", "no", "", "tails@conference.riseup.net"])
        let options = OnboardingSession.Options(interactive: true, homeDirectory: "/h")
        let decided = try session.decide(presets: AnswerSet(), password: nil, options: options, asker: asker)
        guard case .join(let plan) = decided else { Issue.record("not a join: \(decided)"); return }
        #expect(asker.asked == ["account", "pidgin-account", "tor-switch", "handle"])
        #expect(asker.presented[1].question.warning?.contains("may carry your identity") == true)
        #expect(asker.presented[1].choices[0].detail.contains("without Tor"))
        #expect(asker.presented[1].choices[0].detail.contains("can be switched to Tor"))

        let log = EventLog()
        let report = try session.execute(decided, options: options, interaction: asker, events: { log.append($0) })
        #expect(registrar.loggedIn == ["bob:bobs password"])
        #expect(registrar.attempts.isEmpty)
        let target = try #require(registrar.loginTargets.first)
        #expect(target.host == "open.example" && target.bookmark == nil)
        #expect(writer.joined.count == 1 && writer.written.isEmpty)
        #expect(writer.joined[0].room.jid == "tails@conference.riseup.net" && writer.joined[0].certificatePEM == nil)
        // Said before the profile was written.
        let notes = log.events.compactMap { event -> String? in if case .note(let text) = event { text } else { nil } }
        #expect(notes.contains { $0.contains("bob@open.example was not made by onionboard: it may carry your identity") })
        #expect(notes.contains { $0.hasPrefix("Warning: bob@open.example connects without Tor") })
        let written = try #require(log.events.firstIndex { if case .writingProfile = $0 { true } else { false } })
        let warned = try #require(log.events.firstIndex { if case .note(let text) = $0 { text.contains("may carry your identity") } else { false } })
        #expect(warned < written)
        #expect(report.account == .pidgin && !report.throughTor && report.switchedToTor == false)
        #expect(report.room.jid == "tails@conference.riseup.net" && report.handle == plan.handle)
        #expect(report.summaryLines.contains { $0.hasPrefix("Warning: bob@open.example does not connect through Tor") })
    }

    @Test("the pidgin path switching to Tor pins the onion's certificate; an account whose password Pidgin does not keep gets the room unchecked")
    func joinSwitchAndUnchecked() throws {
        let registrar = ScriptedRegistrar()
        let writer = RecordingWriter()
        writer.accounts = [Self.clearnetAccount, Self.torAccount]
        let session = try Self.session(registrar, writer: writer)
        let options = OnboardingSession.Options(interactive: false, homeDirectory: "/h")
        let presets = try session.presets(flags: Fixtures.answers([("pidgin-account", "bob@open.example"), ("tor-switch", "yes")]),
                                          file: AnswerSet(), environment: AnswerSet(), homeDirectory: "/h")
        #expect(presets.value("account") == "pidgin")
        let decided = try session.decide(presets: presets, password: nil, options: options, asker: nil)
        let log = EventLog()
        let report = try session.execute(decided, options: options, interaction: ScriptedAsker([]), events: { log.append($0) })
        // No saved password: no login, but the onion was reached for its certificate.
        #expect(registrar.loggedIn.isEmpty)
        #expect(registrar.reached.contains { $0.target.host == Fixtures.openProvider.onion })
        #expect(writer.joined.first?.certificatePEM == registrar.certificate.sha256)
        #expect(report.switchedToTor == true && report.throughTor && report.roomCheck == nil)
        #expect(log.events.contains(.note("Pidgin keeps no password for bob@open.example, so the room was not checked")))

        // Switching needs the onion: when it cannot be reached, nothing is written.
        let failing = ScriptedRegistrar()
        failing.reachFailures = [Unreachable(reason: "no descriptor"), Unreachable(reason: "no descriptor")]
        let untouched = RecordingWriter()
        untouched.accounts = [Self.clearnetAccount]
        let second = try Self.session(failing, writer: untouched)
        let plan = try second.decide(presets: presets, password: nil, options: options, asker: nil)
        #expect(throws: SwitchToTorFailed.self) {
            try second.execute(plan, options: options, interaction: ScriptedAsker([]), events: { _ in })
        }
        #expect(untouched.joined.isEmpty)
    }

    @Test("bootstrap: onionboard's own account without the room gets it back; with it, nothing; an account made elsewhere is never joined")
    func bootstrapDecisions() throws {
        let rooms = ["tails@chat.disroot.org", "tails@conference.riseup.net"]
        var own = ExistingAccount(jid: "quiet@open.example", connectServer: Fixtures.openProvider.onion, rooms: [], proxyType: "tor",
                                  madeByOnionboard: true)
        #expect(Bootstrap.decide([own], providers: Fixtures.providers, rooms: rooms) == .restoreRoom(own))
        own.rooms = ["tails@conference.riseup.net"]
        #expect(Bootstrap.decide([own], providers: Fixtures.providers, rooms: rooms) == .alreadySetUp(own))
        let foreign = ExistingAccount(jid: "me@open.example", connectServer: nil, rooms: [])
        #expect(Bootstrap.decide([foreign], providers: Fixtures.providers, rooms: rooms) == .madeElsewhere(foreign))
        #expect(Bootstrap.decide([Self.torAccount], providers: Fixtures.providers, rooms: rooms) == .register)
        #expect(Bootstrap.decide([], providers: Fixtures.providers, rooms: rooms) == .register)

        let engine = try Fixtures.engine()
        own.rooms = []
        let plan = engine.restoringRoom(to: own, answers: Fixtures.answers([("handle", "Quiet Owl")]), generator: SequenceGenerator(),
                                        homeDirectory: "/h")
        #expect(plan.room.jid == "tails@chat.disroot.org" && plan.handle == "Quiet Owl" && !plan.switchesToTor)
        #expect(plan.profileDirectory == "/h/.purple")
    }
}
