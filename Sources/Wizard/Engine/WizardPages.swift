import Secrets

/// Questions shown together on one page of a window. The engine cuts the template's
/// questions into pages (`WizardEngine.nextPage`), so a window needs no code of its own
/// for a template: the provider question is a page of its own; the questions after it
/// share a page until one depends on an answer given on that same page.
public struct PresentedPage: Sendable {
    /// In template order; `isAdvanced` marks those a page may tuck away.
    public var questions: [PresentedQuestion]
    /// 1 for the first page asked.
    public var number: Int
    /// Whether the asker may throw `GoBack` (an earlier page exists).
    public var canGoBack: Bool
    /// A problem with an answer of the last attempt (each question has its own `problem`).
    public var hasProblems: Bool { questions.contains { $0.problem != nil } }

    public init(questions: [PresentedQuestion], number: Int, canGoBack: Bool) {
        self.questions = questions
        self.number = number
        self.canGoBack = canGoBack
    }
}

/// What a page returns: the raw text per question key (empty or missing takes the
/// default shown), and a typed secret (nil: generate one).
public struct PageAnswers {
    public var values: [String: String]
    public var secret: SecretBytes?

    public init(values: [String: String], secret: SecretBytes? = nil) {
        self.values = values
        self.secret = secret
    }
}

/// A frontend that asks a page of questions at once (the desktop window). Throw `GoBack`
/// for the previous page, anything else to cancel.
public protocol PageAsker {
    func askPage(_ page: PresentedPage) throws -> PageAnswers
}

extension WizardEngine {
    /// Whether the question is put to the person at `threshold` (debconf's rule); the
    /// others of a page are `isAdvanced`.
    public func isAsked(_ question: Question, threshold: Priority) -> Bool {
        question.priority >= threshold || question.defaultValue == .none
    }

    /// The questions of the next page, in template order, or none when nothing more needs
    /// asking. Candidates are the unanswered questions that apply (CAPTCHAs come during the
    /// run); they are cut into groups — the provider question alone, and a new group before
    /// any question whose condition reads an answer of its own group — and the first group
    /// with a question asked at `threshold` is the page. Groups of only advanced questions
    /// before it keep their defaults, as in the question-by-question mode.
    public func nextPage(_ answers: AnswerSet, threshold: Priority, excluding excluded: Set<String> = []) -> [Question] {
        var groups: [[Question]] = []
        var group: [Question] = []
        func close() {
            if !group.isEmpty { groups.append(group) }
            group = []
        }
        for question in template.questions
        where answers[question.key] == nil && !question.isAskedDuringRun && !excluded.contains(question.key) {
            if let condition = question.condition, condition.readsAnswer(of: group.map(\.key)) { close() }
            // The map's onion is the default once the address on this page is known.
            if question.defaultValue == .mapOnion, group.contains(where: { $0.key == AnswerKeys.jid }) { close() }
            guard applies(question, given: answers) == true else { continue }
            if question.type == .provider || question.type == .pidginAccount || question.type == .account {
                close()
                groups.append([question])
                continue
            }
            group.append(question)
        }
        close()
        return groups.first { $0.contains { isAsked($0, threshold: threshold) } } ?? []
    }
}

extension Condition {
    /// Whether a clause reads the answer of one of `keys`.
    func readsAnswer(of keys: [String]) -> Bool {
        clauses.contains { clause in
            switch clause.subject {
            case .answer(let key): keys.contains(key)
            case .pidginAccount: keys.contains(AnswerKeys.pidginAccount)
            case .provider: false
            }
        }
    }
}

extension WizardConversation {
    /// The page-at-a-time conversation: each page is asked until every answer on it is
    /// valid (refused ones come back with their `problem`, the other answers kept), `GoBack`
    /// returns to the previous page with its answers shown again.
    public func runPages(presets: AnswerSet, password: SecretBytes?, asker: PageAsker,
                         providerKnown: @escaping (ProviderChoice) -> Void) throws -> Outcome {
        try runPages(presets: presets, password: password, asker: asker, watch: ProviderWatch(chosen: providerKnown))
    }

    /// Pages, as `run` asks questions: a chosen provider that turns out unreachable brings
    /// back the provider page with the reason as its problem.
    public func runPages(presets: AnswerSet, password: SecretBytes?, asker: PageAsker,
                         watch: ProviderWatch) throws -> Outcome {
        var current = Step(answers: presets, password: password)
        var history: [Step] = []
        var given: [String: String] = [:]
        var unusable = UnusableProviders()
        let suggestions = Suggestions(engine: engine, generator: generator)
        let secretKeys = Set(engine.template.questions.filter { $0.type == .secret }.map(\.key))
        if let provider = engine.provider(in: current.answers) { watch.chosen(provider) }
        pages: while true {
            let atEnd = engine.nextPage(current.answers, threshold: threshold,
                                        excluding: password != nil ? secretKeys : []).isEmpty
            var problems: [String: String] = [:]
            if let reason = unusable.check(&current.answers, engine: engine, watch: watch, wait: atEnd) {
                problems[AnswerKeys.provider] = reason
            }
            let questions = engine.nextPage(current.answers, threshold: threshold,
                                            excluding: password != nil ? secretKeys : [])
            if questions.isEmpty { break }
            if questions.contains(where: { $0.type == .provider }) { watch.settle() }
            var shown = given
            while true {
                let page = PresentedPage(
                    questions: questions.map { presentOnPage($0, answers: current.answers, given: shown[$0.key], problem: problems[$0.key],
                                                             suggestions: suggestions, unusable: unusable, live: watch.status) },
                    number: history.count + 1, canGoBack: !history.isEmpty)
                let reply: PageAnswers
                do {
                    reply = try asker.askPage(page)
                } catch let back as GoBack {
                    for question in questions { if let typed = back.keeping[question.key] { given[question.key] = typed } }
                    if let previous = history.popLast() {
                        current = previous
                        continue pages
                    }
                    continue
                }
                var next = current
                problems = [:]
                for (question, presented) in zip(questions, page.questions) {
                    if question.type == .secret {
                        if let reason = Self.secretProblem(reply.secret, for: question) { problems[question.key] = reason; continue }
                        if let typed = reply.secret {
                            next.password = typed
                            next.answers.set(question.key, "", source: .user)
                        } else {
                            next.answers.set(question.key, "", source: .generated)
                        }
                        continue
                    }
                    let raw = reply.values[question.key] ?? ""
                    shown[question.key] = raw
                    switch resolve(raw, for: presented, suggestions: suggestions, live: watch.status) {
                    case .success(let answer): next.answers.set(question.key, answer.value, source: answer.source)
                    case .failure(let failure): problems[question.key] = failure.reason
                    }
                }
                guard problems.isEmpty else { continue }
                history.append(current)
                current = next
                for question in questions where question.type != .secret {
                    given[question.key] = current.answers.value(question.key)
                }
                break
            }
            // A provider chosen, or one the answers now lead to (an existing account's address).
            if let provider = engine.provider(in: current.answers),
               provider != history.last.flatMap({ engine.provider(in: $0.answers) }) {
                if questions.contains(where: { $0.type == .provider }) { unusable.chosenAgain(provider) }
                watch.chosen(provider)
            }
        }
        if password != nil {
            for key in secretKeys { current.answers.set(key, "", source: .flag) }
        }
        return finished(current)
    }

    private func presentOnPage(_ question: Question, answers: AnswerSet, given: String?, problem: String?,
                               suggestions: Suggestions, unusable: UnusableProviders,
                               live: ((ProviderChoice) -> ProviderLiveStatus)?) -> PresentedQuestion {
        var presented = present(question, index: 0, answers: answers, unusable: unusable, live: live)
        presented.given = given
        presented.problem = problem
        presented.isAdvanced = !engine.isAsked(question, threshold: threshold)
        if question.defaultValue == .generated, question.type != .secret {
            presented.defaultText = suggestions.value(for: question)
            presented.regenerate = { suggestions.another(for: question) ?? "" }
        }
        return presented
    }
}
