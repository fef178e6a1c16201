import Vocabulary
import Localization

/// A wizard as data: what it sets up (the room), which providers it offers, and the
/// ordered questions it asks. Loaded from a `.wizard` file (see docs/wizard.md); the
/// engine reads it, frontends render its questions.
public struct WizardTemplate: Sendable, Equatable {
    /// Stable identifier (`tails-support`), used by `onionboard run ID`.
    public var id: String
    public var title: String
    /// Shown once before the first question; paragraphs separated by blank lines.
    public var intro: String
    public var room: RoomBookmark
    /// Rooms to offer when `room` turns out missing or closed (`Room-Alternatives`).
    public var roomAlternatives: [RoomBookmark] = []
    public var providerFilter: ProviderFilter
    public var providerOrder: ProviderOrder
    public var questions: [Question]
    /// Its texts in other languages, by language (`de`, `zh_CN`): `localized(to:)` picks.
    public var translations: [String: TemplateTranslation] = [:]
    /// Where the template came from (a path, or `bundled:<id>`), for messages.
    public var origin: String

    public init(id: String, title: String, intro: String, room: RoomBookmark,
                providerFilter: ProviderFilter = .inBandRegistration,
                providerOrder: ProviderOrder = .noCaptchaFirst,
                questions: [Question], origin: String) {
        self.id = id
        self.title = title
        self.intro = intro
        self.room = room
        self.providerFilter = providerFilter
        self.providerOrder = providerOrder
        self.questions = questions
        self.origin = origin
    }

    /// The first question with this key. A key may be asked in several places when their
    /// conditions exclude each other (`WizardEngine.question(_:in:)` picks the one that applies).
    public func question(_ key: String) -> Question? {
        questions.first { $0.key == key }
    }

    /// Every question with this key, in file order.
    public func questions(_ key: String) -> [Question] {
        questions.filter { $0.key == key }
    }
}

/// Which providers of the map a wizard offers.
public enum ProviderFilter: String, Sendable, Equatable, CaseIterable {
    /// Every provider with a usable onion.
    case all
    /// Providers that accept in-band registration (with or without CAPTCHA) or whose status is unknown.
    case inBandRegistration = "in-band-registration"
    /// Providers known to accept in-band registration without a CAPTCHA.
    case noCaptcha = "no-captcha"
}

/// The order in which offered providers are listed.
public enum ProviderOrder: String, Sendable, Equatable, CaseIterable {
    /// As the map lists them.
    case map
    /// Open registration first, then CAPTCHA, then unknown; alphabetical within each group.
    case noCaptchaFirst = "no-captcha-first"
    case alphabetical
}

/// One question of a wizard.
public struct Question: Sendable, Equatable {
    /// Stable key (`username`): names the answer in answers files, `ONIONBOARD_<KEY>`
    /// and `--set KEY=VALUE`.
    public var key: String
    public var type: QuestionType
    /// The one-line question shown to the user.
    public var prompt: String
    /// Longer help, shown on `?` and by `templates show`.
    public var help: String
    public var defaultValue: DefaultValue
    public var priority: Priority
    public var validation: Validation?
    public var condition: Condition?
    /// Choices of a `select` question (and the paths an `account` question offers).
    public var choices: [String]
    /// Shown with the question in every frontend (not only on `?`): what the person must
    /// know before answering (`Warning:`).
    public var warning: String?
    /// Line of the `Question:` field in its file (for messages).
    public var line: Int

    public init(key: String, type: QuestionType, prompt: String, help: String = "",
                defaultValue: DefaultValue = .none, priority: Priority = .medium,
                validation: Validation? = nil, condition: Condition? = nil,
                choices: [String] = [], warning: String? = nil, line: Int = 0) {
        self.key = key
        self.type = type
        self.prompt = prompt
        self.help = help
        self.defaultValue = defaultValue
        self.priority = priority
        self.validation = validation
        self.condition = condition
        self.choices = choices
        self.warning = warning
        self.line = line
    }

    /// The command-line flag that answers this question.
    public var flag: String { AnswerKeys.flag(for: key, type: type) }

    /// The environment variable that answers it, or nil for secrets (never from the environment).
    public var environmentVariable: String? { AnswerKeys.environmentVariable(for: key, type: type) }

    /// Asked during registration (the server sends it), not before.
    public var isAskedDuringRun: Bool { type == .captcha }
}

public enum QuestionType: String, Sendable, Equatable, CaseIterable {
    /// Choose one provider of the map (answer: its XMPP domain).
    case provider
    case text
    /// Never echoed, never saved, never from the environment or an answers file.
    case secret
    /// `yes` or `no`.
    case boolean
    /// A CAPTCHA the server sends during registration; answered then, not before.
    case captcha
    /// One of `Choices:`.
    case select
    /// The fork at the start (key `account`): create a new account (`new`), use one the
    /// person already has (`existing`), or join with an account the Pidgin profile holds
    /// (`pidgin`, offered only when it holds one). `Choices:` may offer fewer.
    case account
    /// One of the XMPP accounts the Pidgin profile already holds (key `pidgin-account`).
    case pidginAccount = "pidgin-account"
}

/// The ways a wizard can come by the account that joins the room (an `account` question).
public enum AccountPath: String, Sendable, Equatable, CaseIterable, Codable {
    /// Register a new anonymous account on a provider (the only path of a template without
    /// an `account` question).
    case new
    /// An account the person already has: its address and password, checked by logging in.
    case existing
    /// An account the Pidgin profile already holds: only the room is added to it.
    case pidgin

    /// How a frontend offers it.
    public var label: String {
        switch self {
        case .new: translated("Create a new anonymous account (recommended)")
        case .existing: translated("Use an account I already have (its address and password)")
        case .pidgin: translated("Join the room with an account Pidgin already has")
        }
    }
}

public enum DefaultValue: Sendable, Equatable {
    case none
    case literal(String)
    /// Made up when needed by the injected generator (username, handle, password).
    case generated
    /// The onion the provider map gives the account's domain (an `onion` question without a
    /// `Default`); none when the map does not know the domain, and then it is asked.
    case mapOnion
}

/// debconf's priorities: a question below the threshold is not asked and takes its default.
public enum Priority: String, Sendable, Equatable, CaseIterable, Comparable, Codable {
    case low, medium, high, critical

    var rank: Int { Priority.allCases.firstIndex(of: self)! }
    public static func < (a: Priority, b: Priority) -> Bool { a.rank < b.rank }
}
