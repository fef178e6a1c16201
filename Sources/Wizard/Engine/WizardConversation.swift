import FoundationEssentials
import Vocabulary
import Platform
import Secrets
import Localization

/// A question as a frontend shows it: the template's question plus the default to
/// offer in brackets and, for a provider or select question, the numbered choices.
public struct PresentedQuestion: Sendable {
    public struct Choice: Sendable, Equatable {
        public var label: String
        public var detail: String
        /// The provider behind a provider question's choice (for a details pane).
        public var provider: ProviderChoice?
        /// Its live state (checked over Tor), when there is one.
        public var live: ProviderLiveStatus? = nil
        /// The answer this choice gives, when it is not the label (`existing` for "Use an
        /// account I already have").
        public var value: String? = nil

        public init(label: String, detail: String, provider: ProviderChoice? = nil, live: ProviderLiveStatus? = nil,
                    value: String? = nil) {
            self.label = label
            self.detail = detail
            self.provider = provider
            self.live = live
            self.value = value
        }

        /// What choosing it answers.
        public var answer: String { value ?? label }
    }

    public var question: Question
    /// Shown as `[default]`; an empty answer takes it.
    public var defaultText: String?
    public var choices: [Choice]
    /// Position among the questions that will be asked, for "(2/4)".
    public var index: Int
    /// Whether the asker may throw `GoBack` (there is an earlier question or page).
    public var canGoBack = false
    /// What the person answered here before going back, to show again.
    public var given: String?
    /// Why the last answer on this page was refused (page mode; the question mode calls `refuse`).
    public var problem: String?
    /// Below the threshold: the default would be taken without asking. A page shows
    /// such a question out of the way (an "Advanced" section) instead of not at all.
    public var isAdvanced = false
    /// Makes another suggestion for a generated default (a new username, a new nickname).
    /// Thread-safe; a value it returned and the person kept counts as generated.
    public var regenerate: (@Sendable () -> String)?

    public init(question: Question, defaultText: String?, choices: [Choice], index: Int) {
        self.question = question
        self.defaultText = defaultText
        self.choices = choices
        self.index = index
    }
}

/// How a frontend asks. Lines in, lines out; the conversation does the checking.
public protocol QuestionAsker {
    /// The raw answer; an empty string takes the default. Throw to cancel, or throw
    /// `GoBack` to return to the previous question.
    func ask(_ question: PresentedQuestion) throws -> String
    /// A secret answer without echo; nil takes the default (generate). May throw `GoBack`.
    func askSecret(_ question: PresentedQuestion) throws -> SecretBytes?
    /// The answer was refused: show why (the question is asked again).
    func refuse(_ question: PresentedQuestion, reason: String)
}

/// Thrown by an asker to go back one step (question, or page of a `PageAsker`): the
/// answer given there is undone and it is asked again, showing that answer. Ignored
/// at the first step (`canGoBack` is false there).
public struct GoBack: Error, Equatable {
    /// What was typed on the step being left, by key: shown again when it comes back.
    public var keeping: [String: String]

    public init(keeping: [String: String] = [:]) {
        self.keeping = keeping
    }
}

/// Drives the engine with a frontend: asks each next question, re-asks on a refused
/// answer, goes back on `GoBack`, and tells the caller as soon as the provider is known
/// (to warm up Tor). A `PageAsker` is asked a page of questions at a time (`runPages`).
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

    /// The answers and the password as they were before a step: what `GoBack` restores.
    struct Step {
        var answers: AnswerSet
        var password: SecretBytes?
    }

    /// What the conversation learns about a provider while it runs (its connection is
    /// attempted in the background from the moment it is chosen).
    public struct ProviderWatch {
        /// The provider was chosen: start reaching it.
        public var chosen: (ProviderChoice) -> Void
        /// Why it cannot be used, if that is known yet; `wait` blocks until it is known.
        public var problem: (_ provider: ProviderChoice, _ wait: Bool) -> String?
        /// Its live state (the checks started with the wizard); nil: none.
        public var status: ((ProviderChoice) -> ProviderLiveStatus)?
        /// Called before the provider question: waits (bounded) for the live checks.
        public var settle: () -> Void

        public init(chosen: @escaping (ProviderChoice) -> Void,
                    problem: @escaping (_ provider: ProviderChoice, _ wait: Bool) -> String? = { _, _ in nil },
                    status: ((ProviderChoice) -> ProviderLiveStatus)? = nil, settle: @escaping () -> Void = {}) {
            self.chosen = chosen
            self.problem = problem
            self.status = status
            self.settle = settle
        }
    }

    public func run(presets: AnswerSet, password: SecretBytes?, asker: QuestionAsker,
                    providerKnown: @escaping (ProviderChoice) -> Void) throws -> Outcome {
        try run(presets: presets, password: password, asker: asker, watch: ProviderWatch(chosen: providerKnown))
    }

    /// Asks until every question is answered. A provider the person chose that turns out
    /// unreachable (checked before each later question, and waited for at the end) brings
    /// them back to the provider question with the reason; one given by a flag cannot be
    /// asked again, so the run reports it later.
    public func run(presets: AnswerSet, password: SecretBytes?, asker: QuestionAsker,
                    watch: ProviderWatch) throws -> Outcome {
        var current = Step(answers: presets, password: password)
        var history: [Step] = []
        var given: [String: String] = [:]
        var unusable = UnusableProviders()
        let suggestions = Suggestions(engine: engine, generator: generator)
        if let provider = engine.provider(in: current.answers) { watch.chosen(provider) }
        while true {
            let atEnd = engine.nextQuestion(current.answers, threshold: threshold) == nil
            if let reason = unusable.check(&current.answers, engine: engine, watch: watch, wait: atEnd),
               let question = engine.template.question(AnswerKeys.provider) {
                asker.refuse(present(question, index: history.count + 1, answers: current.answers, unusable: unusable,
                                     live: watch.status), reason: reason)
            }
            guard let question = engine.nextQuestion(current.answers, threshold: threshold) else { break }
            if question.type == .provider { watch.settle() }
            if question.type == .secret, current.password != nil {
                current.answers.set(question.key, "", source: .flag) // given with --password-file
                continue
            }
            var presented = present(question, index: history.count + 1, answers: current.answers, unusable: unusable,
                                    live: watch.status)
            presented.canGoBack = !history.isEmpty
            presented.given = given[question.key]
            if question.defaultValue == .generated, question.type != .secret {
                presented.defaultText = suggestions.value(for: question)
            }
            let before = current
            do {
                if question.type == .secret {
                    if let typed = try askSecret(presented, asker: asker) {
                        current.password = typed
                        current.answers.set(question.key, "", source: .user)
                    } else {
                        current.answers.set(question.key, "", source: .generated)
                    }
                } else {
                    let raw = try askUntilValid(presented, asker: asker, live: watch.status)
                    current.answers.set(question.key, raw.value, source: raw.source)
                    given[question.key] = raw.value
                }
            } catch let back as GoBack {
                if let typed = back.keeping[question.key] { given[question.key] = typed }
                if let previous = history.popLast() { current = previous }
                continue
            }
            history.append(before)
            // A provider chosen, or one the answers now lead to (an existing account's address).
            if let provider = engine.provider(in: current.answers), provider != engine.provider(in: before.answers) {
                if question.type == .provider { unusable.chosenAgain(provider) }
                watch.chosen(provider)
            }
        }
        return finished(current)
    }

    /// Secret answers are markers only; the value lives in `password`.
    func finished(_ step: Step) -> Outcome {
        var answers = step.answers
        for key in answers.keys where engine.template.question(key)?.type == .secret { answers.remove(key) }
        return Outcome(answers: answers, password: step.password)
    }

    private func askUntilValid(_ presented: PresentedQuestion, asker: QuestionAsker,
                               live: ((ProviderChoice) -> ProviderLiveStatus)?) throws
        -> (value: String, source: AnswerSource) {
        while true {
            let raw = try asker.ask(presented)
            switch resolve(raw, for: presented, live: live) {
            case .success(let answer): return (answer.value, answer.source)
            case .failure(let failure): asker.refuse(presented, reason: failure.reason)
            }
        }
    }

    /// An answer as typed: empty takes the default shown (generated or the template's),
    /// anything else is validated.
    func resolve(_ raw: String, for presented: PresentedQuestion, suggestions: Suggestions? = nil,
                 live: ((ProviderChoice) -> ProviderLiveStatus)? = nil) -> Result<Answer, ValidationFailure> {
        let question = presented.question
        if raw.trimmingWhitespace().isEmpty {
            guard let text = presented.defaultText else { return .failure(.init(translated("an answer is required"))) }
            if question.type == .provider, let refusal = liveRefusal(text, live: live) { return .failure(refusal) }
            return .success(Answer(text, source: question.defaultValue == .generated ? .generated : .templateDefault))
        }
        var raw = raw
        // A number is a position in the list as shown (ordered by live state).
        if [.provider, .account, .pidginAccount].contains(question.type), let number = Int(raw.trimmingWhitespace()),
           presented.choices.indices.contains(number - 1) {
            raw = presented.choices[number - 1].answer
        }
        switch engine.validate(raw, for: question) {
        case .success(let value) where question.type == .provider:
            if let refusal = liveRefusal(value, live: live) { return .failure(refusal) }
            return .success(Answer(value, source: .user))
        case .success(let value):
            let wasSuggested = suggestions?.made(value, for: question.key) ?? false
            return .success(Answer(value, source: wasSuggested ? .generated : .user))
        case .failure(let failure):
            return .failure(failure)
        }
    }

    /// A provider this run's own check found registering nobody (closed, web only, by
    /// invitation only): refused with what the server said.
    func liveRefusal(_ domain: String, live: ((ProviderChoice) -> ProviderLiveStatus)?) -> ValidationFailure? {
        guard let live, let provider = engine.allProviders.first(where: { $0.domain == domain.lowercased() }) else { return nil }
        let status = live(provider)
        guard status.own, let check = status.check, check.outcome == .reachable else { return nil }
        switch check.registration {
        case .closed?, .webOnly?, .inviteOnly?:
            return .init(provider.webRegistrationURL.map {
                translated("\(provider.domain) answered, but does not let an app create an account (\(check.summary)); sign up at \($0) and use `onionboard export`. Choose another provider.")
            } ?? translated("\(provider.domain) answered, but does not let an app create an account (\(check.summary)). Choose another provider."))
        default:
            return nil
        }
    }

    private func askSecret(_ presented: PresentedQuestion, asker: QuestionAsker) throws -> SecretBytes? {
        while true {
            let typed = try asker.askSecret(presented)
            if let reason = Self.secretProblem(typed, for: presented.question) { asker.refuse(presented, reason: reason) } else { return typed }
        }
    }

    /// Why a typed secret cannot be used: a new password must be long enough (empty: one is
    /// generated); an existing account's password is whatever it is, but must be given.
    static func secretProblem(_ typed: SecretBytes?, for question: Question) -> String? {
        guard question.defaultValue == .generated else {
            return typed == nil || typed!.count == 0 ? translated("type the account's password (it is not shown)") : nil
        }
        guard let typed else { return nil }
        return typed.count >= SecretBytes.shortPasswordLength ? nil
            : translated("use at least \(SecretBytes.shortPasswordLength) characters, or leave it empty to generate a strong password")
    }

    /// The question as a frontend shows it. A provider question lists the offered providers
    /// with their live state when `live` gives one: the best first (open without a CAPTCHA,
    /// then with one, …), those that did not answer last with why, and the best live one as
    /// the default (Enter takes it).
    public func present(_ question: Question, index: Int, answers: AnswerSet,
                        unusable: UnusableProviders = UnusableProviders(),
                        live: ((ProviderChoice) -> ProviderLiveStatus)? = nil) -> PresentedQuestion {
        var choices: [PresentedQuestion.Choice] = []
        var defaultText: String?
        if case .literal(let value) = question.defaultValue { defaultText = value }
        if question.defaultValue == .mapOnion { defaultText = engine.mapOnion(answers) }
        switch question.type {
        case .provider:
            let statuses = engine.offeredProviders.map { ($0, live?($0)) }
            let ordered = live == nil ? statuses : statuses.enumerated()
                .sorted { ($0.element.1?.rank ?? 3, $0.offset) < ($1.element.1?.rank ?? 3, $1.offset) }.map(\.element)
            choices = ordered.map { provider, status in
                var detail = unusable.reasons[provider.domain].map { translated("unreachable just now: \($0)") }
                    ?? status?.summary.map { status?.check == nil ? "\($0) · \(provider.registrationSummary)" : $0 }
                    ?? provider.registrationSummary
                if let operatedBy = provider.details?.operatedBy {
                    detail = translated("\(operatedBy)'s onion domain (your address ends in .onion)") + " · " + detail
                }
                return .init(label: provider.domain, detail: detail, provider: provider, live: status)
            }
            if defaultText == nil, live != nil {
                let candidates = ordered.compactMap { provider, status in status.map { (provider, $0) } }
                    .filter { unusable.reasons[$0.0.domain] == nil }
                defaultText = Bootstrap.liveDefault(candidates, needsPerson: true)?.domain
            }
        case .select:
            choices = question.choices.map { .init(label: $0, detail: "") }
        case .account:
            choices = engine.accountPaths(question).map { path in
                let detail = path == .pidgin
                    ? translated("adds only the room to it: \(engine.profileAccounts.map(\.jid).joined(separator: ", "))") : ""
                return .init(label: path.label, detail: detail, value: path.rawValue)
            }
            if let given = defaultText, !choices.contains(where: { $0.value == given }) { defaultText = choices.first?.value }
        case .pidginAccount:
            choices = engine.profileAccounts.map { account in
                var facts = [account.connectionSummary]
                if account.madeByOnionboard { facts.append(translated("made by onionboard")) }
                if !account.throughTor, let route = engine.onionRoute(for: account) {
                    facts.append(translated("can be switched to Tor through \(RunEvent.shortOnion(route.onion))"))
                }
                if !account.rooms.isEmpty { facts.append(translated("rooms: \(account.rooms.joined(separator: ", "))")) }
                return .init(label: account.jid, detail: facts.joined(separator: " · "), value: account.jid.lowercased())
            }
            if engine.profileAccounts.count == 1 { defaultText = engine.profileAccounts[0].jid.lowercased() }
        default:
            break
        }
        return PresentedQuestion(question: question, defaultText: defaultText, choices: choices, index: index)
    }
}

/// Providers the person chose that could not be reached, with why: the conversation
/// takes such a choice back (only one made here: flags and files cannot be asked again).
public struct UnusableProviders: Sendable {
    public private(set) var reasons: [String: String] = [:]

    public init() {}

    /// If the chosen provider turned out unreachable: forgets the choice and returns what
    /// to tell the person. `wait`: wait for the attempt's outcome (the questions are done).
    mutating func check(_ answers: inout AnswerSet, engine: WizardEngine, watch: WizardConversation.ProviderWatch,
                        wait: Bool) -> String? {
        guard let source = answers[AnswerKeys.provider]?.source, source.isAskedHere,
              let provider = engine.provider(in: answers), let problem = watch.problem(provider, wait) else { return nil }
        reasons[provider.domain] = problem
        answers.remove(AnswerKeys.provider)
        return translated("\(provider.domain) cannot be reached: \(problem). Choose another provider.")
    }

    /// Chosen again: it will be tried again.
    mutating func chosenAgain(_ provider: ProviderChoice) { reasons[provider.domain] = nil }
}

/// The generated defaults of one conversation: the first suggestion per key is kept (so
/// a question asked again shows the same), and every value made, also by "make
/// another" on another thread, is remembered so that keeping it counts as generated.
final class Suggestions: @unchecked Sendable {
    private let engine: WizardEngine
    private let generator: CredentialSource
    private let lock = Lock()
    private var first: [String: String] = [:]
    private var made: [String: Set<String>] = [:]

    init(engine: WizardEngine, generator: CredentialSource) {
        self.engine = engine
        self.generator = generator
    }

    /// The suggestion shown for `question` (made once).
    func value(for question: Question) -> String? {
        lock.lock()
        defer { lock.unlock() }
        if let value = first[question.key] { return value }
        guard let value = engine.defaultValue(for: question, generator: generator)?.value else { return nil }
        first[question.key] = value
        made[question.key, default: []].insert(value)
        return value
    }

    /// A new suggestion for `question`.
    func another(for question: Question) -> String? {
        guard let value = engine.defaultValue(for: question, generator: generator)?.value else { return nil }
        lock.lock()
        made[question.key, default: []].insert(value)
        lock.unlock()
        return value
    }

    func made(_ value: String, for key: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return made[key]?.contains(value) ?? false
    }
}
