import Secrets

/// A question as a frontend shows it: the template's question plus the default to
/// offer in brackets and, for a provider or select question, the numbered choices.
public struct PresentedQuestion: Sendable {
    public struct Choice: Sendable, Equatable {
        public var label: String
        public var detail: String
    }

    public var question: Question
    /// Shown as `[default]`; an empty answer takes it.
    public var defaultText: String?
    public var choices: [Choice]
    /// Position among the questions that will be asked, for "(2/4)".
    public var index: Int
}

/// How a frontend asks. Lines in, lines out; the conversation does the checking.
public protocol QuestionAsker {
    /// The raw answer; an empty string takes the default. Throw to cancel.
    func ask(_ question: PresentedQuestion) throws -> String
    /// A secret answer without echo; nil takes the default (generate).
    func askSecret(_ question: PresentedQuestion) throws -> SecretBytes?
    /// The answer was refused: show why (the question is asked again).
    func refuse(_ question: PresentedQuestion, reason: String)
}

/// Drives the engine with a frontend: asks each next question, re-asks on a refused
/// answer, and tells the caller as soon as the provider is known (to warm up Tor).
public struct WizardConversation {
    public let engine: WizardEngine
    public let threshold: Priority
    public let generator: CredentialSource

    public init(engine: WizardEngine, threshold: Priority, generator: CredentialSource) {
        self.engine = engine
        self.threshold = threshold
        self.generator = generator
    }

    public struct Outcome {
        public var answers: AnswerSet
        /// A secret typed at a prompt (only when the threshold lets the password question through).
        public var password: SecretBytes?
    }

    /// What the conversation learns about a provider while it runs (its connection is
    /// attempted in the background from the moment it is chosen).
    public struct ProviderWatch {
        /// The provider was chosen: start reaching it.
        public var chosen: (ProviderChoice) -> Void
        /// Why it cannot be used, if that is known yet; `wait` blocks until it is known.
        public var problem: (_ provider: ProviderChoice, _ wait: Bool) -> String?

        public init(chosen: @escaping (ProviderChoice) -> Void,
                    problem: @escaping (_ provider: ProviderChoice, _ wait: Bool) -> String? = { _, _ in nil }) {
            self.chosen = chosen
            self.problem = problem
        }
    }

    public func run(presets: AnswerSet, password: SecretBytes?, asker: QuestionAsker,
                    providerKnown: @escaping (ProviderChoice) -> Void) throws -> Outcome {
        try run(presets: presets, password: password, asker: asker, watch: ProviderWatch(chosen: providerKnown))
    }

    /// Asks until every question is answered. A provider the person chose that turns out
    /// unreachable (checked before each later question, and waited for at the end) brings
    /// them back to the provider list with the reason; one given by a flag cannot be
    /// re-asked, so the run reports it later.
    public func run(presets: AnswerSet, password: SecretBytes?, asker: QuestionAsker,
                    watch: ProviderWatch) throws -> Outcome {
        var answers = presets
        var password = password
        var generatedDefaults: [String: Answer] = [:]
        var unusable: [String: String] = [:]
        if let provider = engine.provider(in: answers) { watch.chosen(provider) }
        var index = 0
        /// The chosen provider, if the person chose it here and it turned out unusable.
        func unusableChoice(wait: Bool) -> (ProviderChoice, String)? {
            guard let source = answers[AnswerKeys.provider]?.source, source.isAskedHere,
                  let provider = engine.provider(in: answers),
                  let problem = watch.problem(provider, wait) else { return nil }
            return (provider, problem)
        }
        while true {
            if let (provider, problem) = unusableChoice(wait: engine.nextQuestion(answers, threshold: threshold) == nil) {
                unusable[provider.domain] = problem
                answers.remove(AnswerKeys.provider)
                if let question = engine.template.question(AnswerKeys.provider) {
                    asker.refuse(present(question, index: index, answers: answers, unusable: unusable),
                                 reason: "\(provider.domain) cannot be reached: \(problem). Choose another provider.")
                }
            }
            guard let question = engine.nextQuestion(answers, threshold: threshold) else { break }
            index += 1
            if question.type == .secret, password != nil {
                answers.set(question.key, "", source: .flag) // given with --password-file
                continue
            }
            var presented = present(question, index: index, answers: answers, unusable: unusable)
            if question.defaultValue == .generated, question.type != .secret {
                let generated = generatedDefaults[question.key] ?? engine.defaultValue(for: question, generator: generator)!
                generatedDefaults[question.key] = generated
                presented.defaultText = generated.value
            }
            if question.type == .secret {
                if let typed = try askSecret(presented, asker: asker) {
                    password = typed
                    answers.set(question.key, "", source: .user)
                } else {
                    answers.set(question.key, "", source: .generated)
                }
                continue
            }
            while true {
                let raw = try asker.ask(presented)
                if raw.trimmingCharacters(in: .whitespaces).isEmpty {
                    if let generated = generatedDefaults[question.key] {
                        answers.set(question.key, generated.value, source: .generated)
                        break
                    }
                    if let text = presented.defaultText {
                        answers.set(question.key, text, source: .templateDefault)
                        break
                    }
                    asker.refuse(presented, reason: "an answer is required")
                    continue
                }
                switch engine.validate(raw, for: question) {
                case .success(let value):
                    answers.set(question.key, value, source: .user)
                case .failure(let failure):
                    asker.refuse(presented, reason: failure.reason)
                    continue
                }
                break
            }
            if question.type == .provider, let provider = engine.provider(in: answers) {
                unusable[provider.domain] = nil // chosen again: tried again
                watch.chosen(provider)
            }
        }
        // Secret answers are markers only; the value lives in `password`.
        for key in answers.keys where engine.template.question(key)?.type == .secret { answers.remove(key) }
        return Outcome(answers: answers, password: password)
    }

    private func askSecret(_ presented: PresentedQuestion, asker: QuestionAsker) throws -> SecretBytes? {
        while true {
            guard let typed = try asker.askSecret(presented) else { return nil }
            if typed.count >= SecretBytes.shortPasswordLength { return typed }
            asker.refuse(presented, reason: "use at least \(SecretBytes.shortPasswordLength) characters, or press Enter to generate a strong password")
        }
    }

    public func present(_ question: Question, index: Int, answers: AnswerSet,
                        unusable: [String: String] = [:]) -> PresentedQuestion {
        var choices: [PresentedQuestion.Choice] = []
        switch question.type {
        case .provider:
            choices = engine.offeredProviders.map { provider in
                .init(label: provider.domain, detail: unusable[provider.domain].map { "unreachable just now: \($0)" }
                    ?? provider.registrationSummary)
            }
        case .select:
            choices = question.choices.map { .init(label: $0, detail: "") }
        default:
            break
        }
        var defaultText: String?
        if case .literal(let value) = question.defaultValue { defaultText = value }
        return PresentedQuestion(question: question, defaultText: defaultText, choices: choices, index: index)
    }
}
