import Diagnostics
import FoundationEssentials
import Platform
import Secrets
import Vocabulary

/// A whole wizard run from answers to report: check the preset answers and what can be
/// checked before any question (the profile directory, a pending account from an
/// earlier run, Tor, Persistent Storage), ask what is still open (or, non-interactively,
/// list what is missing), build the plan, reach the provider as soon as it is known,
/// then register and write the profile.
public final class OnboardingSession {
    public let engine: WizardEngine
    public let registrar: AccountRegistrar
    public let writer: ProfileWriter
    public let generator: CredentialSource
    /// How far Tor is (an adapter probes the machine); nil: not checked.
    public var torState: ((HostPort) -> TorState)?
    /// The latest reach attempt per provider domain (the warm-up).
    private var attempts: [String: ReachAttempt] = [:]
    private let lock = Lock()

    public struct Options: Sendable {
        public var interactive: Bool
        public var threshold: Priority
        public var acceptedFingerprint: String?
        public var homeDirectory: String
        public var force: Bool
        /// Until when (epoch seconds) a failing onion connection is tried again (bootstrap).
        public var retryReachUntil: Double?

        public init(interactive: Bool, threshold: Priority = .medium, acceptedFingerprint: String? = nil,
                    homeDirectory: String, force: Bool = false, retryReachUntil: Double? = nil) {
            self.interactive = interactive
            self.threshold = threshold
            self.acceptedFingerprint = acceptedFingerprint
            self.homeDirectory = homeDirectory
            self.force = force
            self.retryReachUntil = retryReachUntil
        }
    }

    public init(template: WizardTemplate, providers: [ProviderChoice], registrar: AccountRegistrar,
                writer: ProfileWriter, generator: CredentialSource = SodiumCredentialSource()) {
        engine = WizardEngine(template: template, providers: providers)
        self.registrar = registrar
        self.writer = writer
        self.generator = generator
    }

    /// Flags over answers file over environment, each answer checked against the
    /// template. Every unusable answer is reported at once.
    public func presets(flags: AnswerSet, file: AnswerSet, environment: AnswerSet) throws -> AnswerSet {
        let (accepted, problems) = engine.check(presets: AnswerSet.layered(flags: flags, file: file, environment: environment))
        guard problems.isEmpty else { throw AnswersError.invalidAnswers(problems) }
        return accepted
    }

    /// Asks (interactive) or checks (non-interactive) and returns the plan. Before the
    /// first question: the profile directory must be writable and unused by a running
    /// Pidgin, an account an earlier run created but did not finish is taken up again,
    /// and the person hears about Tor and Persistent Storage. Non-interactive runs with
    /// required answers missing throw `AnswersError.missing` listing all of them.
    public func plan(presets: AnswerSet, password: SecretBytes?, options: Options, asker: QuestionAsker?,
                     events: @escaping @Sendable (RunEvent) -> Void = { _ in }) throws -> OnboardingPlan {
        var answers = presets
        var password = password
        let directory = WizardEngine.profileDirectory(answer: { engine.effectiveValue($0, in: presets) },
                                                      home: options.homeDirectory)
        let pending = try resume(writer.pendingAccount(in: directory), into: &answers, password: &password)
        if !options.interactive {
            // What is missing comes first: nothing else matters until the answers are complete.
            let missing = engine.missingAnswers(answers, secretsGiven: password == nil ? [] : [AnswerKeys.password])
            guard missing.isEmpty else { throw AnswersError.missing(missing) }
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
                events(.note("\(state.explanation(socks)). You can answer the questions meanwhile; the wizard waits for Tor before it connects."))
            }
        }
        if options.interactive, let asker {
            let heartbeat = Heartbeat(every: 10, events: events)
            defer { heartbeat.stop() }
            let conversation = WizardConversation(engine: engine, threshold: options.threshold, generator: generator)
            let watch = WizardConversation.ProviderWatch(
                chosen: { provider in self.warmUp(provider, answers: presets) },
                problem: { provider, wait in self.problem(reaching: provider, wait: wait, heartbeat: heartbeat) })
            // A window asks a page of questions at a time; a line frontend one question.
            let outcome = if let pages = asker as? PageAsker {
                try conversation.runPages(presets: answers, password: password, asker: pages, watch: watch)
            } else {
                try conversation.run(presets: answers, password: password, asker: asker, watch: watch)
            }
            answers = outcome.answers
            password = outcome.password
        }
        // Non-interactive: no warm-up; registration starts right away and would only race it.
        let context = WizardEngine.PlanContext(homeDirectory: options.homeDirectory,
                                               acceptedFingerprint: options.acceptedFingerprint,
                                               interactive: options.interactive)
        var plan = try engine.plan(answers, password: password, generator: generator, context: context)
        if let pending {
            guard plan.provider.domain == pending.domain, plan.username == pending.username else {
                throw PendingAccountConflict(pending: pending.jid, asked: plan.jid, directory: directory)
            }
            plan.resumesPendingAccount = true
        }
        return plan
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

    /// Registers (or finishes a pending account) and writes the profile.
    public func execute(_ plan: OnboardingPlan, options: Options, interaction: RunInteraction,
                        events: @escaping @Sendable (RunEvent) -> Void) throws -> OnboardingReport {
        let runner = OnboardingRunner(registrar: registrar, writer: writer, generator: generator)
        runner.force = options.force
        runner.retryReachUntil = options.retryReachUntil
        return try runner.run(plan, interaction: interaction, warmUp: attempt(for: plan.provider.domain), events: events)
    }

    // MARK: - Before the questions

    /// An account saved by an earlier run that the server created: its provider, username
    /// and password become the answers, so the run finishes it instead of making another.
    private func resume(_ pending: PendingAccount?, into answers: inout AnswerSet,
                        password: inout SecretBytes?) throws -> PendingAccount? {
        guard let pending else { return nil }
        if let given = answers.value(AnswerKeys.provider), given.lowercased() != pending.domain {
            throw PendingAccountConflict(pending: pending.jid, asked: "an account on \(given)", directory: nil)
        }
        guard engine.allProviders.contains(where: { $0.domain == pending.domain }) else {
            throw PendingAccountConflict(pending: pending.jid, asked: "a provider map without \(pending.domain)", directory: nil)
        }
        answers.set(AnswerKeys.provider, pending.domain, source: .flag)
        answers.set(AnswerKeys.username, pending.username, source: .flag)
        password = pending.password
        return pending
    }

    private func continueWithoutPersistence(_ asker: QuestionAsker) throws -> Bool {
        let question = Question(key: "continue-without-persistence", type: .boolean,
                                prompt: "Set up the account anyway? It will be lost at shutdown unless you keep its password",
                                help: "Answer no to stop here and turn on the feature first (Persistent Storage settings, then restart onionboard); nothing is created until the questions are done.")
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
    /// circuit is built and the certificate read while the person answers. A provider
    /// chosen again after a failure gets a fresh attempt on a new circuit.
    func warmUp(_ provider: ProviderChoice, answers: AnswerSet) {
        let route = WizardEngine.route(to: provider) { engine.effectiveValue($0, in: answers) }
        let target = ConnectionTarget(domain: provider.domain, host: provider.onion, port: route.port,
                                      tlsMode: route.tlsMode, torSOCKS: route.torSOCKS, pinSHA256: provider.pinSHA256)
        lock.lock()
        defer { lock.unlock() }
        let previous = attempts[provider.domain]
        if let previous, previous.target.sameRoute(as: target) {
            guard case .failure? = previous.finishedOutcome else { return }
            attempts[provider.domain] = registrar.reach(target, freshCircuit: true)
            return
        }
        attempts[provider.domain] = registrar.reach(target, freshCircuit: false)
    }

    func attempt(for domain: String) -> ReachAttempt? {
        lock.lock()
        defer { lock.unlock() }
        return attempts[domain]
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
            "stopped before anything was created. Turn on the \"Pidgin Internet Messenger\" feature in the Persistent Storage settings, then run onionboard again."
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
        "an earlier run created \(pending) on the server but could not finish writing it into the profile; "
            + "this run asks for \(asked). Run onionboard without --provider/--username to finish \(pending) first"
            + (directory.map { " (its password is saved in \($0))" } ?? "") + "."
    }
}
