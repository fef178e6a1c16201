import Diagnostics
import Secrets

/// A whole wizard run from answers to report: check the preset answers, ask what is
/// still open (or, non-interactively, list what is missing), build the plan, warm up
/// Tor as soon as the provider is known, then register and write the profile.
public final class OnboardingSession {
    public let engine: WizardEngine
    public let registrar: AccountRegistrar
    public let writer: ProfileWriter
    public let generator: CredentialSource

    public struct Options: Sendable {
        public var interactive: Bool
        public var threshold: Priority
        public var acceptedFingerprint: String?
        public var homeDirectory: String
        public var force: Bool

        public init(interactive: Bool, threshold: Priority = .medium, acceptedFingerprint: String? = nil,
                    homeDirectory: String, force: Bool = false) {
            self.interactive = interactive
            self.threshold = threshold
            self.acceptedFingerprint = acceptedFingerprint
            self.homeDirectory = homeDirectory
            self.force = force
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

    /// Asks (interactive) or checks (non-interactive) and returns the plan. Non-interactive
    /// runs with required answers missing throw `AnswersError.missing` listing all of them.
    public func plan(presets: AnswerSet, password: SecretBytes?, options: Options,
                     asker: QuestionAsker?) throws -> OnboardingPlan {
        var answers = presets
        var password = password
        if options.interactive, let asker {
            let conversation = WizardConversation(engine: engine, threshold: options.threshold, generator: generator)
            let warmUp: (ProviderChoice) -> Void = { provider in self.warmUp(provider, answers: presets) }
            // A window asks a page of questions at a time; a line frontend one question.
            let outcome = if let pages = asker as? PageAsker {
                try conversation.runPages(presets: presets, password: password, asker: pages, providerKnown: warmUp)
            } else {
                try conversation.run(presets: presets, password: password, asker: asker, providerKnown: warmUp)
            }
            answers = outcome.answers
            password = outcome.password
        } else {
            let missing = engine.missingAnswers(answers, secretsGiven: password == nil ? [] : [AnswerKeys.password])
            // No warm-up: registration starts right away and would only race it.
            guard missing.isEmpty else { throw AnswersError.missing(missing) }
        }
        let context = WizardEngine.PlanContext(homeDirectory: options.homeDirectory,
                                               acceptedFingerprint: options.acceptedFingerprint,
                                               interactive: options.interactive)
        return try engine.plan(answers, password: password, generator: generator, context: context)
    }

    /// Registers and writes the profile.
    public func execute(_ plan: OnboardingPlan, options: Options, interaction: RunInteraction,
                        events: @escaping @Sendable (RunEvent) -> Void) throws -> OnboardingReport {
        let runner = OnboardingRunner(registrar: registrar, writer: writer, generator: generator)
        runner.force = options.force
        return try runner.run(plan, interaction: interaction, events: events)
    }

    /// Tells the registrar where we will connect, from what is known so far (defaults
    /// included), so it can start building the Tor circuit.
    func warmUp(_ provider: ProviderChoice, answers: AnswerSet) {
        let route = WizardEngine.route(to: provider) { engine.effectiveValue($0, in: answers) }
        registrar.prepare(ConnectionTarget(domain: provider.domain, host: provider.onion, port: route.port,
                                           tlsMode: route.tlsMode, torSOCKS: route.torSOCKS,
                                           pinSHA256: provider.pinSHA256))
    }
}

/// Stands in when a layer is missing from this build: every call explains that.
public final class UnavailableLayer: AccountRegistrar, ProfileWriter {
    public struct Missing: ClassifiedError {
        public let layer: String
        public var category: ErrorCategory { .internalError }
        public var description: String { "the \(layer) layer is not part of this build yet" }
    }

    public init() {}
    public func prepare(_ target: ConnectionTarget) {}
    public func register(_ target: ConnectionTarget, username: String, password: SecretBytes,
                         events: @escaping @Sendable (RunEvent) -> Void,
                         callbacks: RegistrationCallbacks) throws -> RegisteredAccount {
        throw Missing(layer: "registration (XMPPOverTor)")
    }
    public func existingAccounts(in directory: String) throws -> [ExistingAccount] {
        throw Missing(layer: "Pidgin profile (PurpleConfig)")
    }
    public func preflight(_ plan: OnboardingPlan, force: Bool) throws {
        throw Missing(layer: "Pidgin profile (PurpleConfig)")
    }
    public func write(_ plan: OnboardingPlan, account: RegisteredAccount, force: Bool) throws -> ProfileWriteReport {
        throw Missing(layer: "Pidgin profile (PurpleConfig)")
    }
}
