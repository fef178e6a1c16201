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
    /// The XMPP accounts the Pidgin profile already holds: what the `pidgin` path offers.
    public var profileAccounts: [ExistingAccount] = []
    /// Why a typed onion address is not one (its checksum, which the onion code checks),
    /// or nil when it is; nil: only its form is checked.
    public var onionCheck: (@Sendable (String) -> String?)?

    public init(template: WizardTemplate, providers: [ProviderChoice]) {
        self.template = template
        self.allProviders = providers
        self.offeredProviders = template.providerOrder.sorted(providers.filter(template.providerFilter.admits))
    }

    // MARK: - Which question next

    /// The way to the account the answers took (`new` for a template without the fork).
    public func accountPath(in answers: AnswerSet) -> AccountPath {
        effectiveValue(AnswerKeys.account, in: answers).flatMap(AccountPath.init(rawValue:)) ?? .new
    }

    /// The provider of the account: the chosen one on the `new` path; on the `existing`
    /// path the map's provider of the address's domain (or the typed onion's); nil on the
    /// `pidgin` path (its account keeps its own server).
    public func provider(in answers: AnswerSet) -> ProviderChoice? {
        switch accountPath(in: answers) {
        case .new:
            guard let domain = answers.value(AnswerKeys.provider)?.lowercased() else { return nil }
            return allProviders.first { $0.domain == domain }
        case .existing:
            guard let jid = answers.value(AnswerKeys.jid) else { return nil }
            let domain = Self.domain(ofJID: jid)
            // The account's own domain (an onion used as the domain keeps it), the map's facts.
            let known = mapProvider(forDomain: domain).map { provider -> ProviderChoice in
                var own = provider
                own.domain = domain
                return own
            }
            guard let onion = answers.value(AnswerKeys.onion)?.lowercased() else { return known }
            if let known, known.onion.lowercased() == onion { return known }
            return ProviderChoice(domain: domain, onion: onion, registration: .unknown)
        case .pidgin:
            return nil
        }
    }

    /// The provider map's entry for an account's domain (or for an onion used as the domain,
    /// as xmpp.is's onion-domain accounts are).
    public func mapProvider(forDomain domain: String) -> ProviderChoice? {
        let domain = domain.lowercased()
        return allProviders.first { $0.domain == domain } ?? allProviders.first { $0.onion.lowercased() == domain }
    }

    /// The part after `@` of an address, without a resource.
    public static func domain(ofJID jid: String) -> String {
        let afterAt = jid.split(separator: "@", maxSplits: 1).last.map(String.init) ?? jid
        return (afterAt.split(separator: "/").first.map(String.init) ?? afterAt).lowercased()
    }

    /// The Pidgin account chosen on the `pidgin` path.
    public func pidginAccount(in answers: AnswerSet) -> ExistingAccount? {
        guard let jid = answers.value(AnswerKeys.pidginAccount)?.lowercased() else { return nil }
        return profileAccounts.first { $0.jid.lowercased() == jid }
    }

    /// Where a Pidgin account can be routed through an onion: its connect server when that
    /// is one, else the map's onion for its domain.
    public func onionRoute(for account: ExistingAccount) -> (onion: String, provider: ProviderChoice?)? {
        let provider = mapProvider(forDomain: account.domain)
            ?? account.connectServer.flatMap { server in allProviders.first { $0.onion.lowercased() == server.lowercased() } }
        if let server = account.connectServer?.lowercased(), server.hasSuffix(".onion") { return (server, provider) }
        return provider.map { ($0.onion, $0) }
    }

    func value(of attribute: PidginAccountAttribute, _ account: ExistingAccount) -> String {
        switch attribute {
        case .tor: account.throughTor ? "yes" : "no"
        case .onion: onionRoute(for: account) == nil ? "no" : "yes"
        case .onionboard: account.madeByOnionboard ? "yes" : "no"
        }
    }

    /// Whether the question applies: true, false, or nil while its condition reads something unknown.
    public func applies(_ question: Question, given answers: AnswerSet) -> Bool? {
        guard let condition = question.condition else { return true }
        return condition.evaluate { subject in
            switch subject {
            case .answer(let key): effectiveValue(key, in: answers)
            case .provider(let attribute): provider(in: answers).map { attribute.value(of: $0) }
            case .pidginAccount(let attribute): pidginAccount(in: answers).map { value(of: attribute, $0) }
            }
        }
    }

    /// The question asking `key` given the answers so far: of several (each worded for one
    /// path), the one whose condition holds, else the first.
    public func question(_ key: String, in answers: AnswerSet) -> Question? {
        let variants = template.questions(key)
        guard variants.count > 1 else { return variants.first }
        return variants.first { applies($0, given: answers) == true } ?? variants.first
    }

    /// An answer, or the default of its question (what a condition sees).
    public func effectiveValue(_ key: String, in answers: AnswerSet) -> String? {
        if let value = answers.value(key) { return value }
        for question in template.questions(key) where applies(question, given: answers) == true {
            switch question.defaultValue {
            case .literal(let value): return value
            case .mapOnion: return mapOnion(answers)
            case .none, .generated: return nil
            }
        }
        return nil
    }

    /// The map's onion for the address answered so far (the default of an `onion` question).
    func mapOnion(_ answers: AnswerSet) -> String? {
        answers.value(AnswerKeys.jid).flatMap { mapProvider(forDomain: Self.domain(ofJID: $0))?.onion }
    }

    /// Whether the question has a default now (an `onion` question has one only when the
    /// map knows the address's domain).
    public func hasDefault(_ question: Question, given answers: AnswerSet) -> Bool {
        switch question.defaultValue {
        case .none: false
        case .mapOnion: mapOnion(answers) != nil
        case .literal, .generated: true
        }
    }

    /// The next question to put to the person, or nil when nothing more needs asking.
    /// Questions below `threshold` that have a default are not asked (debconf's rule);
    /// a question without a default is always asked. CAPTCHAs come during the run.
    public func nextQuestion(_ answers: AnswerSet, threshold: Priority) -> Question? {
        for question in template.questions where answers[question.key] == nil && !question.isAskedDuringRun {
            guard applies(question, given: answers) == true else { continue }
            if question.priority >= threshold || !hasDefault(question, given: answers) {
                return question
            }
        }
        return nil
    }

    // MARK: - Checking answers

    /// The normalised answer for `question`, or why it cannot be used. A provider may
    /// be given by its number in the offered list or by its domain.
    public func validate(_ raw: String, for question: Question) -> Result<String, ValidationFailure> {
        let text = raw.trimmingWhitespace()
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
        case .account:
            // By number as offered (`pidgin` only while the profile holds an account); by name
            // any of the template's (a preset is checked before the profile is read).
            let offered = accountPaths(question)
            if let number = Int(text), offered.indices.contains(number - 1) { return .success(offered[number - 1].rawValue) }
            guard let path = AccountPath(rawValue: text.lowercased()), question.choices.contains(path.rawValue) else {
                return .failure(.init(translated("choose one of: \(offered.map(\.rawValue).joined(separator: ", "))")))
            }
            return .success(path.rawValue)
        case .pidginAccount:
            if let number = Int(text), profileAccounts.indices.contains(number - 1) {
                return .success(profileAccounts[number - 1].jid.lowercased())
            }
            let jid = text.lowercased().split(separator: "/").first.map(String.init) ?? ""
            guard let account = profileAccounts.first(where: { $0.jid.lowercased() == jid }) else {
                return .failure(.init(profileAccounts.isEmpty ? translated("the Pidgin profile holds no XMPP account")
                    : translated("choose one of the profile's accounts: \(profileAccounts.map(\.jid).joined(separator: ", "))")))
            }
            return .success(account.jid.lowercased())
        case .secret, .captcha:
            return text.isEmpty ? .failure(.init(translated("an answer is required"))) : .success(raw)
        case .text:
            let rule = question.validation ?? Self.standardValidation[question.key]
            guard let rule else {
                return text.isEmpty ? .failure(.init(translated("an answer is required"))) : .success(text)
            }
            let checked = rule.check(question.validation == .handle || question.key == AnswerKeys.handle ? raw : text)
            if rule == .onion, case .success(let onion) = checked, let problem = onionCheck?(onion) {
                return .failure(.init(problem))
            }
            return checked
        }
    }

    /// The paths an `account` question offers: its choices, `pidgin` only while the Pidgin
    /// profile holds an XMPP account.
    public func accountPaths(_ question: Question) -> [AccountPath] {
        question.choices.compactMap(AccountPath.init(rawValue:)).filter { $0 != .pidgin || !profileAccounts.isEmpty }
    }

    /// Validation for keys with a meaning to the plan, when a template does not ask them.
    static let standardValidation: [String: Validation] = [
        AnswerKeys.username: .localpart, AnswerKeys.handle: .handle, AnswerKeys.room: .jid,
        AnswerKeys.purpleDirectory: .path, AnswerKeys.torSOCKS: .hostPort,
        AnswerKeys.alias: .nonEmpty, AnswerKeys.group: .nonEmpty, AnswerKeys.jid: .jid, AnswerKeys.onion: .onion,
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
        // An answer that belongs to one path (`--provider`: new, `--set jid=…`: existing)
        // takes that path when the fork is not answered itself; two paths at once cannot be.
        if accepted[AnswerKeys.account] == nil, template.question(AnswerKeys.account) != nil {
            let implied = accepted.keys.compactMap { key in impliedPath(by: key).map { (key, $0) } }
            if let first = implied.first {
                if let other = implied.first(where: { $0.1 != first.1 }) {
                    problems.append(.init(key: other.0, value: accepted.value(other.0)!, source: accepted[other.0]!.source.description,
                                          reason: translated("`\(other.0)` is for the way “\(other.1.label)”, but `\(first.0)` is for “\(first.1.label)”: give the answers of one")))
                } else {
                    accepted.set(AnswerKeys.account, first.1.rawValue, source: accepted[first.0]!.source)
                }
            }
        }
        return (accepted, problems)
    }

    /// The path a key belongs to: every question asking it applies only on that path.
    func impliedPath(by key: String) -> AccountPath? {
        let paths = template.questions(key).map { question -> AccountPath? in
            question.condition?.clauses.first { clause in
                clause.subject == .answer(AnswerKeys.account) && !clause.negated
            }.flatMap { AccountPath(rawValue: $0.value.lowercased()) }
        }
        guard let first = paths.first, let path = first, paths.allSatisfy({ $0 == path }) else { return nil }
        return path
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
            if hasDefault(question, given: answers) { continue }
            missing.append(MissingAnswer(key: question.key, flag: question.flag,
                                         environmentVariable: question.environmentVariable, prompt: question.prompt))
        }
        return missing
    }

    // MARK: - Defaults

    /// The value a question's default stands for; generated ones come from `generator`.
    public func defaultValue(for question: Question, generator: CredentialSource, answers: AnswerSet = AnswerSet()) -> Answer? {
        switch question.defaultValue {
        case .none: return nil
        case .literal(let value): return Answer(value, source: .templateDefault)
        case .mapOnion: return mapOnion(answers).map { Answer($0, source: .templateDefault) }
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
                  let answer = defaultValue(for: question, generator: generator, answers: complete) else { continue }
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
        let path = accountPath(in: complete)
        guard let provider = provider(in: complete) else {
            if path == .existing {
                throw AnswersError.missing([MissingAnswer(key: AnswerKeys.onion, flag: "--set onion=VALUE", environmentVariable: "ONIONBOARD_ONION",
                                                          prompt: translated("The onion address of your account's server (the provider map does not know it)"))])
            }
            throw AnswersError.missing([MissingAnswer(key: AnswerKeys.provider, flag: "--provider", environmentVariable: "ONIONBOARD_PROVIDER", prompt: translated("Which provider should host your account?"))])
        }
        // Keys the plan needs even when the template does not ask them.
        var username = complete.value(AnswerKeys.username)
        var usernameWasGenerated = complete[AnswerKeys.username]?.source == .generated
        if path == .existing {
            guard password != nil else {
                throw AnswersError.missing([MissingAnswer(key: AnswerKeys.password, flag: "--password-file", environmentVariable: nil,
                                                          prompt: translated("Your account's password"))])
            }
            username = complete.value(AnswerKeys.jid).map { String($0.split(separator: "@", maxSplits: 1)[0]) }
            usernameWasGenerated = false
        } else if username == nil {
            username = generator.username()
            usernameWasGenerated = true
            complete.set(AnswerKeys.username, username!, source: .generated)
        }
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
            username: username!,
            usernameWasGenerated: usernameWasGenerated,
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
        plan.roomAlternatives = roomAlternatives(besides: plan.room)
        if path == .existing {
            // The person's own account: logged in to, never registered; its server-side
            // bookmarks are theirs (other clients would join the room too), so only Pidgin's.
            plan.usesExistingAccount = true
            plan.serverBookmark = false
        }
        return plan
    }

    /// The rooms offered when the planned one turns out missing or closed: the template's own
    /// (when another was asked for) and its alternatives.
    func roomAlternatives(besides room: RoomBookmark) -> [RoomBookmark] {
        ([template.room] + template.roomAlternatives).filter { $0.jid.lowercased() != room.jid.lowercased() }
    }

    /// The room the answers name, with the template's name, group and autojoin for what they leave open.
    func room(_ complete: AnswerSet) -> RoomBookmark {
        RoomBookmark(jid: complete.value(AnswerKeys.room) ?? template.room.jid,
                     alias: complete.value(AnswerKeys.alias) ?? template.room.alias,
                     group: complete.value(AnswerKeys.group) ?? template.room.group,
                     autojoin: template.room.autojoin)
    }

    /// The rooms that count as this template's: the one the answers name (or the template's),
    /// the template's own and its alternatives.
    public func templateRooms(_ answers: AnswerSet) -> [String] {
        [effectiveValue(AnswerKeys.room, in: answers) ?? template.room.jid, template.room.jid] + template.roomAlternatives.map(\.jid)
    }

    /// Bootstrap putting the room back on onionboard's own account: the room the answers name,
    /// with the nickname they give or a new random one; nothing goes to the network.
    public func restoringRoom(to account: ExistingAccount, answers: AnswerSet, generator: CredentialSource,
                              homeDirectory: String) -> JoinPlan {
        var complete = completing(answers, generator: generator)
        if complete[AnswerKeys.handle] == nil { complete.set(AnswerKeys.handle, generator.handle(), source: .generated) }
        var room = room(complete)
        room.handle = complete.value(AnswerKeys.handle)
        let target = ConnectionTarget(domain: account.domain, host: account.connectServer ?? account.domain,
                                      port: account.port ?? 5222, tlsMode: account.tlsMode,
                                      torSOCKS: complete.value(AnswerKeys.torSOCKS).flatMap(HostPort.init) ?? .torDefault, pinSHA256: nil)
        return JoinPlan(templateID: template.id, account: account, room: room, roomAlternatives: [],
                        profileDirectory: Self.profileDirectory(answer: complete.value, home: homeDirectory), target: target,
                        switchesToTor: false, pinPolicy: .requireValidChain, answers: complete)
    }

    /// The `pidgin` path's plan: which of the profile's accounts joins which room, and how
    /// its room check reaches the server (through Tor: to its onion when it has or can have
    /// one, else to its own server by name, which Tor resolves).
    public func joinPlan(_ answers: AnswerSet, generator: CredentialSource, context: PlanContext) throws -> JoinPlan {
        let missing = missingAnswers(answers).filter { template.question($0.key)?.isAskedDuringRun != true }
        guard missing.isEmpty else { throw AnswersError.missing(missing) }
        var complete = completing(answers, generator: generator)
        let directory = Self.profileDirectory(answer: complete.value, home: context.homeDirectory)
        guard let account = pidginAccount(in: complete) else {
            throw JoinPlanError.noSuchAccount(complete.value(AnswerKeys.pidginAccount), directory: directory,
                                              accounts: profileAccounts.map(\.jid))
        }
        if complete[AnswerKeys.handle] == nil { complete.set(AnswerKeys.handle, generator.handle(), source: .generated) }
        let socks = complete.value(AnswerKeys.torSOCKS).flatMap(HostPort.init) ?? .torDefault
        let onion = onionRoute(for: account)
        let switches = !account.throughTor && onion != nil && complete.value(AnswerKeys.torSwitch) == "yes"
        let provider = onion?.provider ?? mapProvider(forDomain: account.domain)
        // The room check goes where Pidgin will connect (the onion once switched), always
        // through Tor: to an onion, or to the account's own server by name, which Tor resolves.
        let viaOnion = switches || (account.connectServer?.lowercased().hasSuffix(".onion") ?? false)
        var target: ConnectionTarget
        if viaOnion, let onion {
            let port = switches ? (provider?.clientPort ?? 5222) : (account.port ?? provider?.clientPort ?? 5222)
            target = ConnectionTarget(domain: account.domain, host: onion.onion, port: port,
                                      tlsMode: switches ? .startTLS : account.tlsMode, torSOCKS: socks,
                                      pinSHA256: provider?.onion.lowercased() == onion.onion ? provider?.pinSHA256 : nil)
            target.pinSPKI = provider?.onion.lowercased() == onion.onion ? provider?.spkiSHA256 : nil
        } else {
            target = ConnectionTarget(domain: account.domain, host: account.connectServer ?? account.domain,
                                      port: account.port ?? (account.tlsMode == .directTLS ? 5223 : 5222),
                                      tlsMode: account.tlsMode, torSOCKS: socks, pinSHA256: nil)
        }
        let pinPolicy: PinPolicy = if let pin = target.pinSHA256 {
            .pinned(sha256: pin)
        } else if let key = target.pinSPKI {
            .pinnedKey(spkiSHA256: key)
        } else if let accepted = context.acceptedFingerprint {
            .acceptFingerprint(sha256: accepted)
        } else {
            context.interactive ? .askOnFirstUse : .requireValidChain
        }
        var room = room(complete)
        room.handle = complete.value(AnswerKeys.handle)
        return JoinPlan(templateID: template.id, account: account, room: room, roomAlternatives: roomAlternatives(besides: room),
                        profileDirectory: directory, target: target, switchesToTor: switches, pinPolicy: pinPolicy,
                        answers: complete)
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
