import Diagnostics
import FoundationEssentials
import Platform
import Secrets
import Vocabulary
import Localization

/// A whole wizard run from answers to report: check the preset answers and what can be
/// checked before any question (the profile directory, a pending account from an
/// earlier run, Tor, Persistent Storage), ask what is still open (or, non-interactively,
/// list what is missing), build the plan, reach the provider as soon as it is known,
/// then register and write the profile.
public final class OnboardingSession {
    /// The engine; it learns the Pidgin profile's accounts (the `pidgin` path's choices)
    /// when the presets are read.
    public private(set) var engine: WizardEngine
    public let registrar: AccountRegistrar
    public let writer: ProfileWriter
    public let generator: CredentialSource
    /// How far Tor is (an adapter probes the machine); nil: not checked.
    public var torState: ((HostPort) -> TorState)?
    /// Where live checks are kept between runs ("checked 2 minutes ago"); nil: not kept.
    public var checkStore: ProviderCheckStore?
    /// How long the provider question waits for the live checks (seconds since they
    /// started, while the person reads the introduction); the question then shows what is
    /// known and the rest as "checking".
    public var checkPatience: Double = 15
    /// The live check per provider, which is also its warm-up (one circuit per provider).
    private let checks: ProviderChecks
    private let now: () -> Double

    public struct Options: Sendable {
        public var interactive: Bool
        public var threshold: Priority
        public var acceptedFingerprint: String?
        public var homeDirectory: String
        public var force: Bool
        /// Until when (epoch seconds) a failing onion connection is tried again (bootstrap).
        public var retryReachUntil: Double?
        /// Without a provider, take the best one the live checks find that needs no person
        /// (bootstrap) instead of asking; asked only when none fits.
        public var takesBestLiveProvider: Bool

        public init(interactive: Bool, threshold: Priority = .medium, acceptedFingerprint: String? = nil,
                    homeDirectory: String, force: Bool = false, retryReachUntil: Double? = nil,
                    takesBestLiveProvider: Bool = false) {
            self.interactive = interactive
            self.threshold = threshold
            self.acceptedFingerprint = acceptedFingerprint
            self.homeDirectory = homeDirectory
            self.force = force
            self.retryReachUntil = retryReachUntil
            self.takesBestLiveProvider = takesBestLiveProvider
        }
    }

    public init(template: WizardTemplate, providers: [ProviderChoice], registrar: AccountRegistrar,
                writer: ProfileWriter, generator: CredentialSource = SodiumCredentialSource(),
                now: @escaping () -> Double = { Date().timeIntervalSince1970 }) {
        engine = WizardEngine(template: template, providers: providers)
        self.registrar = registrar
        self.writer = writer
        self.generator = generator
        self.now = now
        checks = ProviderChecks(now: now)
    }

    /// Why a typed onion address is not one (its checksum); see `WizardEngine.onionCheck`.
    public var onionCheck: (@Sendable (String) -> String?)? {
        get { engine.onionCheck }
        set { engine.onionCheck = newValue }
    }

    /// Flags over answers file over environment, each answer checked against the
    /// template. Every unusable answer is reported at once. The Pidgin profile they name
    /// is read for its accounts first (a `pidgin-account` answer must be one of them).
    public func presets(flags: AnswerSet, file: AnswerSet, environment: AnswerSet,
                        homeDirectory: String = HomeDirectory.current) throws -> AnswerSet {
        let layered = AnswerSet.layered(flags: flags, file: file, environment: environment)
        readProfileAccounts(in: WizardEngine.profileDirectory(answer: { engine.effectiveValue($0, in: layered) }, home: homeDirectory))
        let (accepted, problems) = engine.check(presets: layered)
        guard problems.isEmpty else { throw AnswersError.invalidAnswers(problems) }
        return accepted
    }

    /// The XMPP accounts the profile holds, for the `pidgin` path (none when it cannot be
    /// read: the profile check before the questions says why).
    public func readProfileAccounts(in directory: String) {
        engine.profileAccounts = (try? writer.existingAccounts(in: directory)) ?? []
    }

    /// Asks (interactive) or checks (non-interactive) and returns the plan. Before the
    /// first question: the profile directory must be writable and unused by a running
    /// Pidgin, an account an earlier run created but did not finish is taken up again,
    /// and the person hears about Tor and Persistent Storage. Non-interactive runs with
    /// required answers missing throw `AnswersError.missing` listing all of them.
    public func plan(presets: AnswerSet, password: SecretBytes?, options: Options, asker: QuestionAsker?,
                     events: @escaping @Sendable (RunEvent) -> Void = { _ in }) throws -> OnboardingPlan {
        switch try decide(presets: presets, password: password, options: options, asker: asker, events: events) {
        case .onboarding(let plan): return plan
        case .join(let plan): throw JoinPlanError.noSuchAccount(nil, directory: plan.profileDirectory, accounts: [])
        }
    }

    /// `plan`, for every path of the fork: an onboarding plan (a new account, or the
    /// person's own), or a join plan (a room added to an account the profile holds).
    public func decide(presets: AnswerSet, password: SecretBytes?, options: Options, asker: QuestionAsker?,
                       events: @escaping @Sendable (RunEvent) -> Void = { _ in }) throws -> WizardPlan {
        var answers = presets
        var password = password
        let directory = WizardEngine.profileDirectory(answer: { engine.effectiveValue($0, in: presets) },
                                                      home: options.homeDirectory)
        readProfileAccounts(in: directory)
        let pending = try resume(writer.pendingAccount(in: directory), into: &answers, password: &password)
        if !options.interactive {
            // What is missing comes first: nothing else matters until the answers are complete.
            let missing = engine.missingAnswers(answers, secretsGiven: password == nil ? [] : [AnswerKeys.password])
            if missing.map(\.key) == [AnswerKeys.provider] {
                // Only the provider: the best one that answers now and needs no person.
                let chosen = try liveChoiceWithoutPerson(answers: answers, missing: missing[0], retryUntil: options.retryReachUntil,
                                                         events: events)
                answers.set(AnswerKeys.provider, chosen.domain, source: .templateDefault)
            } else {
                guard missing.isEmpty else { throw AnswersError.missing(missing) }
            }
        } else if answers[AnswerKeys.provider] == nil && engine.accountPath(in: answers) == .new {
            // Checked while the person reads the introduction; each check is that provider's warm-up.
            startChecks(answers: answers)
            if options.takesBestLiveProvider, let missing = engine.missingAnswers(answers).first(where: { $0.key == AnswerKeys.provider }),
               let chosen = try? liveChoiceWithoutPerson(answers: answers, missing: missing, retryUntil: options.retryReachUntil,
                                                         events: events) {
                answers.set(AnswerKeys.provider, chosen.domain, source: .templateDefault)
            }
        }
        try writer.checkProfileDirectory(directory, force: options.force)
        if let notice = persistenceNotice(for: directory) {
            if !persistenceSaid { events(.note(notice)) }
            // A window says it on its first page (with Cancel); a line frontend asks.
            if options.interactive, let asker, !(asker is PageAsker), pending == nil, !(try continueWithoutPersistence(asker)) {
                throw FrontendlessCancel.persistenceFirst
            }
        }
        if let torState, options.interactive {
            let socks = WizardEngine.route(to: engine.provider(in: answers) ?? .placeholder) {
                engine.effectiveValue($0, in: answers)
            }.torSOCKS
            let state = torState(socks)
            if state != .ready {
                events(.note(translated("\(state.explanation(socks)). You can answer the questions meanwhile; the wizard waits for Tor before it connects.")))
            }
        }
        if options.interactive, let asker {
            let heartbeat = Heartbeat(every: 10, events: events)
            defer { heartbeat.stop() }
            let conversation = WizardConversation(engine: engine, threshold: options.threshold, generator: generator)
            var watch = WizardConversation.ProviderWatch(
                chosen: { provider in self.warmUp(provider, answers: presets) },
                problem: { provider, wait in self.problem(reaching: provider, wait: wait, heartbeat: heartbeat) })
            watch.status = { provider in self.liveStatus(provider) }
            watch.settle = { self.settleChecks(answers: presets, events: events) }
            // A window asks a page of questions at a time; a line frontend one question.
            let outcome = if let pages = asker as? PageAsker {
                try conversation.runPages(presets: answers, password: password, asker: pages, watch: watch)
            } else {
                try conversation.run(presets: answers, password: password, asker: asker, watch: watch)
            }
            answers = outcome.answers
            password = outcome.password
            checkStore?.save(checks.ownChecks)
        }
        // Non-interactive: no warm-up; registration starts right away and would only race it.
        let context = WizardEngine.PlanContext(homeDirectory: options.homeDirectory,
                                               acceptedFingerprint: options.acceptedFingerprint,
                                               interactive: options.interactive)
        if engine.accountPath(in: answers) == .pidgin {
            let finalDirectory = WizardEngine.profileDirectory(answer: { engine.effectiveValue($0, in: answers) },
                                                               home: options.homeDirectory)
            if finalDirectory != directory { readProfileAccounts(in: finalDirectory) }
            let join = try engine.joinPlan(answers, generator: generator, context: context)
            if options.interactive { warmUp(join.target) }
            return .join(join)
        }
        var plan = try engine.plan(answers, password: password, generator: generator, context: context)
        if let pending {
            guard plan.provider.domain == pending.domain, plan.username == pending.username else {
                throw PendingAccountConflict(pending: pending.jid, asked: plan.jid, directory: directory)
            }
            plan.resumesPendingAccount = true
        }
        return .onboarding(plan)
    }

    /// On Tails, that a profile in `directory` would not survive a shutdown; said at most
    /// once per session (bootstrap says it before it waits for Tor, the plan then does not).
    public func persistenceNotice(for directory: String) -> String? { writer.persistenceNotice(for: directory) }
    public func sayPersistence(for directory: String, events: (RunEvent) -> Void) {
        guard let notice = persistenceNotice(for: directory) else { return }
        events(.note(notice))
        persistenceSaid = true
    }
    private var persistenceSaid = false

    /// Registers (or finishes a pending account, or logs in to the person's own) and writes the profile.
    public func execute(_ plan: OnboardingPlan, options: Options, interaction: RunInteraction,
                        events: @escaping @Sendable (RunEvent) -> Void) throws -> OnboardingReport {
        let runner = OnboardingRunner(registrar: registrar, writer: writer, generator: generator)
        runner.force = options.force
        runner.retryReachUntil = options.retryReachUntil
        return try runner.run(plan, interaction: interaction, warmUp: attempt(for: plan.provider.domain), events: events)
    }

    /// Either kind of plan, executed.
    public func execute(_ plan: WizardPlan, options: Options, interaction: RunInteraction,
                        events: @escaping @Sendable (RunEvent) -> Void) throws -> OnboardingReport {
        switch plan {
        case .onboarding(let plan):
            return try execute(plan, options: options, interaction: interaction, events: events)
        case .join(let plan):
            let runner = JoinRunner(registrar: registrar, writer: writer, now: now)
            runner.force = options.force
            runner.retryReachUntil = options.retryReachUntil
            return try runner.run(plan, interaction: interaction, warmUp: joinWarmUp, events: events)
        }
    }

    /// The `pidgin` path's connection, started once its plan is known (while nothing is asked
    /// any more, it still saves the time the certificate takes).
    private var joinWarmUp: ReachAttempt?
    func warmUp(_ target: ConnectionTarget) { joinWarmUp = registrar.reach(target, freshCircuit: false) }

    // MARK: - Before the questions

    /// An account saved by an earlier run that the server created: its provider, username
    /// and password become the answers, so the run finishes it instead of making another.
    private func resume(_ pending: PendingAccount?, into answers: inout AnswerSet,
                        password: inout SecretBytes?) throws -> PendingAccount? {
        guard let pending else { return nil }
        if let given = answers.value(AnswerKeys.provider), given.lowercased() != pending.domain {
            throw PendingAccountConflict(pending: pending.jid, asked: translated("an account on \(given)"), directory: nil)
        }
        guard engine.allProviders.contains(where: { $0.domain == pending.domain }) else {
            throw PendingAccountConflict(pending: pending.jid, asked: translated("a provider map without \(pending.domain)"), directory: nil)
        }
        if let given = answers.value(AnswerKeys.account), given != AccountPath.new.rawValue {
            throw PendingAccountConflict(pending: pending.jid, asked: translated("another way to an account (\(given))"), directory: nil)
        }
        if engine.template.question(AnswerKeys.account) != nil { answers.set(AnswerKeys.account, AccountPath.new.rawValue, source: .flag) }
        answers.set(AnswerKeys.provider, pending.domain, source: .flag)
        answers.set(AnswerKeys.username, pending.username, source: .flag)
        password = pending.password
        return pending
    }

    private func continueWithoutPersistence(_ asker: QuestionAsker) throws -> Bool {
        let question = Question(key: "continue-without-persistence", type: .boolean,
                                prompt: translated("Set up the account anyway? It will be lost at shutdown unless you keep its password"),
                                help: translated("Answer no to stop here and turn on the feature first (Persistent Storage settings, then restart onionboard); nothing is created until the questions are done."))
        let presented = PresentedQuestion(question: question, defaultText: "yes", choices: [], index: 0)
        while true {
            let raw = try asker.ask(presented)
            if raw.trimmingWhitespace().isEmpty { return true }
            switch engine.validate(raw, for: question) {
            case .success(let value): return value == "yes"
            case .failure(let failure): asker.refuse(presented, reason: failure.reason)
            }
        }
    }

    // MARK: - Reaching the provider early

    /// Starts reaching the provider from what is known so far (defaults included), so the
    /// circuit is built, the certificate read and the registration form looked at while the
    /// person answers. The live check started with the wizard is that attempt already; a
    /// provider chosen again after a failure gets a fresh attempt on a new circuit.
    func warmUp(_ provider: ProviderChoice, answers: AnswerSet) {
        let target = target(provider, answers: answers)
        let previous = checks.attempt(for: provider.domain)
        if let previous, previous.target.sameRoute(as: target) {
            guard case .failure? = previous.finishedOutcome else { return }
            checks.set(registrar.probe(target, freshCircuit: true), for: provider)
            return
        }
        checks.set(registrar.probe(target, freshCircuit: false), for: provider)
    }

    /// How a run reaches `provider` with the answers so far.
    private func target(_ provider: ProviderChoice, answers: AnswerSet) -> ConnectionTarget {
        let route = WizardEngine.route(to: provider) { engine.effectiveValue($0, in: answers) }
        var target = ConnectionTarget(domain: provider.domain, host: provider.onion, port: route.port,
                                      tlsMode: route.tlsMode, torSOCKS: route.torSOCKS, pinSHA256: provider.pinSHA256)
        target.pinSPKI = provider.spkiSHA256
        return target
    }

    func attempt(for domain: String) -> ReachAttempt? { checks.attempt(for: domain) }

    // MARK: - Live checks

    /// Checks every offered provider over Tor (bounded concurrency in the registrar), and
    /// shows what earlier runs found meanwhile.
    public func startChecks(answers: AnswerSet) {
        if let kept = checkStore?.load() { checks.keep(kept) }
        for provider in engine.offeredProviders where checks.attempt(for: provider.domain) == nil {
            checks.set(registrar.probe(target(provider, answers: answers), freshCircuit: false), for: provider)
        }
    }

    /// A provider's live state for the provider question.
    public func liveStatus(_ provider: ProviderChoice) -> ProviderLiveStatus { checks.status(provider) }

    /// Before the provider question: waits for the checks (at most `checkPatience` seconds
    /// after they started), saying how far they are; a provider that was not checked
    /// because Tor was not there is checked again now.
    func settleChecks(answers: AnswerSet, events: (RunEvent) -> Void) {
        guard let started = checks.startedAt else { return }
        for provider in engine.offeredProviders where checks.status(provider).check?.outcome == .torUnavailable
            && checks.status(provider).own {
            checks.set(registrar.probe(target(provider, answers: answers), freshCircuit: false), for: provider)
        }
        var (ended, total) = checks.progress
        guard ended < total else { return }
        let until = max(started + checkPatience, now() + min(checkPatience, 5))
        events(.checkingProviders(answered: ended, of: total, seconds: Int(now() - started)))
        checks.wait(until: until) { ended, total in
            events(.checkingProviders(answered: ended, of: total, seconds: Int(now() - started)))
        }
        (ended, total) = checks.progress
        if ended == total { events(.checkingProviders(answered: ended, of: total, seconds: Int(now() - started))) }
        checkStore?.save(checks.ownChecks)
    }

    /// A run without a person and without a provider: every offered provider is checked
    /// (each within its own deadline) and the best one that registers without a CAPTCHA is
    /// taken; when none fits, every provider is listed with why. `retryUntil` (bootstrap's
    /// `--wait-tor`): while Tor may still be connecting, checks that failed for a reason a
    /// new circuit may fix are made again.
    func liveChoiceWithoutPerson(answers: AnswerSet, missing: MissingAnswer, retryUntil: Double? = nil,
                                 events: (RunEvent) -> Void) throws -> ProviderChoice {
        startChecks(answers: answers)
        let started = checks.startedAt ?? now()
        events(.checkingProviders(answered: 0, of: engine.offeredProviders.count, seconds: 0))
        // Every check ends by its own deadline; a silent provider is not waited for once a
        // provider that needs no person is known and none listed before it is still running.
        let offered = engine.offeredProviders
        while true {
            checks.wait(until: .infinity, enough: {
                for provider in offered {
                    let status = checks.status(provider)
                    guard status.own else { return false }
                    if status.rank == 0 { return true }
                }
                return false
            }) { ended, total in
                events(.checkingProviders(answered: ended, of: total, seconds: Int(now() - started)))
            }
            let (ended, total) = checks.progress
            events(.checkingProviders(answered: ended, of: total, seconds: Int(now() - started)))
            checkStore?.save(checks.ownChecks)
            let statuses = offered.map { ($0, checks.status($0)) }.filter { $0.1.own }
            if let best = Bootstrap.liveDefault(statuses, needsPerson: false) {
                events(.note(translated("Chose \(best.domain): \(checks.status(best).summary ?? translated("it answers"))")))
                return best
            }
            let retried = offered.filter { provider in
                guard case .failure(let error)? = checks.attempt(for: provider.domain)?.finishedOutcome else { return false }
                return ProviderReacher.mayBeTransient(error)
            }
            guard let retryUntil, now() < retryUntil, !retried.isEmpty else { break }
            events(.note(translated("No provider answered yet; Tor may still be connecting, checking \(retried.count) again")))
            Threads.sleep(seconds: 2)
            for provider in retried {
                checks.set(registrar.probe(target(provider, answers: answers), freshCircuit: true), for: provider)
            }
        }
        throw AnswersError.noProviderFits(missing, reasons: engine.offeredProviders.map { ($0, checks.status($0)) }.map { provider, status in
            "\(provider.domain): " + (status.check.map { check in
                check.registers && !check.registersWithoutPerson ? translated("\(check.summary) (a CAPTCHA needs a person)") : check.summary
            } ?? translated("not checked"))
        })
    }

    /// Why `provider` cannot be used, once its attempt has failed; with `wait`, waits for
    /// the attempt to end (with "still reaching…" lines).
    func problem(reaching provider: ProviderChoice, wait: Bool, heartbeat: Heartbeat) -> String? {
        guard let attempt = attempt(for: provider.domain) else { return nil }
        var outcome = attempt.finishedOutcome
        if wait && outcome == nil {
            heartbeat.send(.reachingOnion(host: attempt.target.host, port: attempt.target.port))
            while outcome == nil { outcome = attempt.outcome(waitingUpTo: 1) }
        }
        guard case .failure(let error)? = outcome, ProviderReacher.mayBeTransient(error) else { return nil }
        return String(describing: error)
    }
}

extension ProviderChoice {
    /// Stands in for "no provider yet" when only the answers' route matters.
    static let placeholder = ProviderChoice(domain: "", onion: "", registration: .unknown)
}

/// The person chose to stop before anything was created.
public enum FrontendlessCancel: ClassifiedError, Equatable {
    case persistenceFirst

    public var category: ErrorCategory { .cancelled }
    public var description: String {
        switch self {
        case .persistenceFirst:
            translated("stopped before anything was created. Turn on the \"Pidgin Internet Messenger\" feature in the Persistent Storage settings, then run onionboard again.")
        }
    }
}

/// The profile holds an account an earlier run created but did not finish, and this
/// run asks for a different one.
public struct PendingAccountConflict: ClassifiedError, Equatable {
    public let pending: String
    public let asked: String
    public let directory: String?

    public var category: ErrorCategory { .refused }
    public var description: String {
        directory.map { directory in
            translated("""
                an earlier run created \(pending) on the server but could not finish writing it into the profile; \
                this run asks for \(asked). Run onionboard without --provider/--username to finish \(pending) first \
                (its password is saved in \(directory)).
                """)
        } ?? translated("""
            an earlier run created \(pending) on the server but could not finish writing it into the profile; \
            this run asks for \(asked). Run onionboard without --provider/--username to finish \(pending) first.
            """)
    }
}
