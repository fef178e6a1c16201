import Diagnostics
import Secrets
import Vocabulary
import Localization

/// The pure core of a wizard: no I/O, no clock, no randomness of its own. Given the
/// template, the providers and the answers so far it says which question comes
/// next, checks answers, lists what a non-interactive run lacks, and builds the plan.
public struct WizardEngine: Sendable {
    public let template: WizardTemplate
    /// Every provider of the map (a `--provider` may name one the list does not offer).
    public let allProviders: [ProviderChoice]
    /// The providers offered in the choice list: filtered and ordered as the template says.
    public let offeredProviders: [ProviderChoice]

    public init(template: WizardTemplate, providers: [ProviderChoice]) {
        self.template = template
        self.allProviders = providers
        self.offeredProviders = template.providerOrder.sorted(providers.filter(template.providerFilter.admits))
    }

    // MARK: - Which question next

    /// The chosen provider, once the `provider` answer is known.
    public func provider(in answers: AnswerSet) -> ProviderChoice? {
        guard let domain = answers.value(AnswerKeys.provider)?.lowercased() else { return nil }
        return allProviders.first { $0.domain == domain }
    }

    /// Whether the question applies: true, false, or nil while its condition reads something unknown.
    public func applies(_ question: Question, given answers: AnswerSet) -> Bool? {
        guard let condition = question.condition else { return true }
        return condition.evaluate(answer: { self.effectiveValue($0, in: answers) }, provider: provider(in: answers))
    }

    /// An answer, or the literal default of its question (what a condition sees).
    public func effectiveValue(_ key: String, in answers: AnswerSet) -> String? {
        if let value = answers.value(key) { return value }
        if let question = template.question(key), case .literal(let value) = question.defaultValue,
           applies(question, given: answers) == true {
            return value
        }
        return nil
    }

    /// The next question to put to the person, or nil when nothing more needs asking.
    /// Questions below `threshold` that have a default are not asked (debconf's rule);
    /// a question without a default is always asked. CAPTCHAs come during the run.
    public func nextQuestion(_ answers: AnswerSet, threshold: Priority) -> Question? {
        for question in template.questions where answers[question.key] == nil && !question.isAskedDuringRun {
            guard applies(question, given: answers) == true else { continue }
            if question.priority >= threshold || question.defaultValue == .none {
                return question
            }
        }
        return nil
    }

    // MARK: - Checking answers

    /// The normalised answer for `question`, or why it cannot be used. A provider may
    /// be given by its number in the offered list or by its domain.
    public func validate(_ raw: String, for question: Question) -> Result<String, ValidationFailure> {
        let text = raw.trimmingCharacters(in: .whitespaces)
        switch question.type {
        case .provider:
            return validateProvider(text)
        case .boolean:
            guard let flag = Self.parseBoolean(text) else {
                return .failure(.init(translated("answer \(Self.yes) or \(Self.no)")))
            }
            return .success(flag ? "yes" : "no")
        case .select:
            if let number = Int(text), (1...question.choices.count).contains(number) {
                return .success(question.choices[number - 1])
            }
            guard let choice = question.choices.first(where: { $0.lowercased() == text.lowercased() }) else {
                return .failure(.init(translated("choose one of: \(question.choices.joined(separator: ", "))")))
            }
            return .success(choice)
        case .secret, .captcha:
            return text.isEmpty ? .failure(.init(translated("an answer is required"))) : .success(raw)
        case .text:
            let rule = question.validation ?? Self.standardValidation[question.key]
            guard let rule else {
                return text.isEmpty ? .failure(.init(translated("an answer is required"))) : .success(text)
            }
            return rule.check(question.validation == .handle || question.key == AnswerKeys.handle ? raw : text)
        }
    }

    /// Validation for keys with a meaning to the plan, when a template does not ask them.
    static let standardValidation: [String: Validation] = [
        AnswerKeys.username: .localpart, AnswerKeys.handle: .handle, AnswerKeys.room: .jid,
        AnswerKeys.purpleDirectory: .path, AnswerKeys.torSOCKS: .hostPort,
        AnswerKeys.alias: .nonEmpty, AnswerKeys.group: .nonEmpty,
    ]

    func validateProvider(_ text: String) -> Result<String, ValidationFailure> {
        if let number = Int(text) {
            guard (1...max(offeredProviders.count, 1)).contains(number), !offeredProviders.isEmpty else {
                return .failure(.init(translated("choose a number from 1 to \(offeredProviders.count)")))
            }
            return .success(offeredProviders[number - 1].domain)
        }
        let domain = text.lowercased()
        guard let provider = allProviders.first(where: { $0.domain == domain }) else {
            let offered = offeredProviders.prefix(5).map(\.domain).joined(separator: ", ")
            let more = offeredProviders.count > 5 ? ", …" : ""
            return .failure(.init(translated("“\(text)” is not in the provider map (offered: \(offered)\(more))")))
        }
        switch provider.registration {
        case .closed:
            return .failure(.init(provider.webRegistrationURL.map {
                translated("\(domain) does not allow creating an account from an app; sign up at \($0) and use `onionboard export`")
            } ?? translated("\(domain) does not allow creating an account from an app")))
        case .invite:
            return .failure(.init(translated("\(domain) only registers accounts with an invitation")))
        case .open, .unknown:
            return .success(domain)
        }
    }

    /// Checks answers given up front (flags, answers file, environment): each key must
    /// be a question of this template or a key with a dedicated flag, each value valid.
    public func check(presets: AnswerSet) -> (accepted: AnswerSet, problems: [PresetProblem]) {
        var accepted = AnswerSet()
        var problems: [PresetProblem] = []
        for key in presets.keys {
            let answer = presets[key]!
            let question = template.question(key) ?? (AnswerKeys.dedicatedFlags[key] != nil
                ? Question(key: key, type: .text, prompt: key) : nil)
            guard let question else {
                problems.append(.init(key: key, value: answer.value, source: answer.source.description,
                                      reason: translated("the wizard \(template.id) has no question `\(key)` (its keys: \(template.questions.map(\.key).joined(separator: ", ")))")))
                continue
            }
            if question.type == .secret || key == AnswerKeys.password {
                // Never echo it back: the value is not shown.
                problems.append(.init(key: key, value: translated("(not shown)"), source: answer.source.description,
                                      reason: AnswerKeys.passwordAdvice))
                continue
            }
            if question.type == .captcha {
                problems.append(.init(key: key, value: answer.value, source: answer.source.description,
                                      reason: translated("a CAPTCHA can only be answered when the server shows it")))
                continue
            }
            switch validate(answer.value, for: question) {
            case .success(let value): accepted.set(key, value, source: answer.source)
            case .failure(let failure):
                problems.append(.init(key: key, value: answer.value, source: answer.source.description, reason: failure.reason))
            }
        }
        return (accepted, problems)
    }

    // MARK: - Non-interactive

    /// Every required answer still missing, in question order, with the flag that gives it.
    /// A question whose condition cannot be decided yet (its provider is unknown) is not listed.
    public func missingAnswers(_ answers: AnswerSet, secretsGiven: Set<String> = []) -> [MissingAnswer] {
        var missing: [MissingAnswer] = []
        for question in template.questions {
            guard applies(question, given: answers) == true else { continue }
            if question.isAskedDuringRun {
                // A CAPTCHA needs a person: no flag gives it, so say where this provider
                // registers on the web instead.
                let web = provider(in: answers)?.webRegistrationURL
                let instead = web.map {
                    translated("the provider asks for a CAPTCHA, which needs a person: run without --non-interactive, or register on the provider's web page: \($0); nothing was registered or written")
                } ?? translated("the provider asks for a CAPTCHA, which needs a person: run without --non-interactive; nothing was registered or written")
                missing.append(MissingAnswer(key: question.key, flag: instead, environmentVariable: nil,
                                             prompt: translated("\(question.prompt) (choose a provider without a CAPTCHA for a non-interactive run)")))
                continue
            }
            if answers[question.key] != nil || secretsGiven.contains(question.key) { continue }
            if question.defaultValue != .none { continue }
            missing.append(MissingAnswer(key: question.key, flag: question.flag,
                                         environmentVariable: question.environmentVariable, prompt: question.prompt))
        }
        return missing
    }

    // MARK: - Defaults

    /// The value a question's default stands for; generated ones come from `generator`.
    public func defaultValue(for question: Question, generator: CredentialSource) -> Answer? {
        switch question.defaultValue {
        case .none: return nil
        case .literal(let value): return Answer(value, source: .templateDefault)
        case .generated:
            switch question.key {
            case AnswerKeys.username: return Answer(generator.username(), source: .generated)
            case AnswerKeys.handle: return Answer(generator.handle(), source: .generated)
            default: return nil // the password is generated as a secret by `plan`
            }
        }
    }

    // MARK: - The plan

    public struct PlanContext: Sendable {
        /// Expands `~` in the profile directory.
        public var homeDirectory: String
        /// `--accept-fingerprint`, lower-case hex.
        public var acceptedFingerprint: String?
        /// Whether a person can be asked to trust a certificate during the run.
        public var interactive: Bool

        public init(homeDirectory: String, acceptedFingerprint: String? = nil, interactive: Bool) {
            self.homeDirectory = homeDirectory
            self.acceptedFingerprint = acceptedFingerprint
            self.interactive = interactive
        }
    }

    /// Fills every unanswered, applicable question with its default (generating values
    /// through `generator`), in question order so conditions see earlier defaults.
    public func completing(_ answers: AnswerSet, generator: CredentialSource) -> AnswerSet {
        var complete = answers
        for question in template.questions where complete[question.key] == nil && question.type != .secret {
            guard applies(question, given: complete) == true,
                  let answer = defaultValue(for: question, generator: generator) else { continue }
            complete.set(question.key, answer.value, source: answer.source)
        }
        return complete
    }

    /// The plan, once nothing required is missing. `password` is the one from
    /// `--password-file` (or typed); without it a fresh one is generated.
    public func plan(_ answers: AnswerSet, password: SecretBytes?, generator: CredentialSource,
                     context: PlanContext) throws -> OnboardingPlan {
        let missing = missingAnswers(answers, secretsGiven: password == nil ? [] : [AnswerKeys.password])
            .filter { template.question($0.key)?.isAskedDuringRun != true }
        guard missing.isEmpty else { throw AnswersError.missing(missing) }
        var complete = completing(answers, generator: generator)
        guard let provider = provider(in: complete) else {
            throw AnswersError.missing([MissingAnswer(key: AnswerKeys.provider, flag: "--provider", environmentVariable: "ONIONBOARD_PROVIDER", prompt: translated("Which provider should host your account?"))])
        }
        // Keys the plan needs even when the template does not ask them.
        if complete[AnswerKeys.username] == nil { complete.set(AnswerKeys.username, generator.username(), source: .generated) }
        if complete[AnswerKeys.handle] == nil { complete.set(AnswerKeys.handle, generator.handle(), source: .generated) }
        let route = Self.route(to: provider, answer: complete.value)
        let pinPolicy: PinPolicy = if let pin = provider.pinSHA256 {
            .pinned(sha256: pin)
        } else if let key = provider.spkiSHA256 {
            .pinnedKey(spkiSHA256: key)
        } else if let accepted = context.acceptedFingerprint {
            .acceptFingerprint(sha256: accepted)
        } else {
            context.interactive ? .askOnFirstUse : .requireValidChain
        }
        var plan = OnboardingPlan(
            templateID: template.id,
            provider: provider,
            username: complete.value(AnswerKeys.username)!,
            usernameWasGenerated: complete[AnswerKeys.username]!.source == .generated,
            password: password ?? generator.password(),
            passwordWasGenerated: password == nil,
            connectHost: provider.onion,
            connectPort: route.port,
            tlsMode: route.tlsMode,
            pinPolicy: pinPolicy,
            room: RoomBookmark(jid: complete.value(AnswerKeys.room) ?? template.room.jid,
                               alias: complete.value(AnswerKeys.alias) ?? template.room.alias,
                               group: complete.value(AnswerKeys.group) ?? template.room.group,
                               autojoin: template.room.autojoin),
            handle: complete.value(AnswerKeys.handle)!,
            profileDirectory: Self.profileDirectory(answer: complete.value, home: context.homeDirectory),
            torSOCKS: route.torSOCKS,
            answers: complete)
        // Offered when the room turns out missing or closed: the template's own room (when
        // another was asked for) and its alternatives.
        plan.roomAlternatives = ([template.room] + template.roomAlternatives)
            .filter { $0.jid.lowercased() != plan.room.jid.lowercased() }
        return plan
    }

    /// How a run reaches `provider`, from the answers `answer` reads (the final ones for a
    /// plan, the effective ones so far for the Tor warm-up — both must agree, or the warmed
    /// circuit is not reused): direct TLS when asked for and offered, else STARTTLS on the
    /// client port, through Tor's SOCKS port (127.0.0.1:9050 unless answered).
    public static func route(to provider: ProviderChoice, answer: (String) -> String?)
        -> (port: Int, tlsMode: TLSMode, torSOCKS: HostPort) {
        let direct = answer(AnswerKeys.directTLS) == "yes" && provider.directTLSPort != nil
        return (direct ? provider.directTLSPort! : provider.clientPort, direct ? .directTLS : .startTLS,
                answer(AnswerKeys.torSOCKS).flatMap(HostPort.init) ?? .torDefault)
    }

    /// The Pidgin profile directory the answers name (~/.purple unless answered), `~` expanded.
    public static func profileDirectory(answer: (String) -> String?, home: String) -> String {
        expandHome(answer(AnswerKeys.purpleDirectory) ?? "~/.purple", home: home)
    }

    public static func expandHome(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return (home.hasSuffix("/") ? String(home.dropLast()) : home) + path.dropFirst() }
        return path
    }
}
