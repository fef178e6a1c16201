import Diagnostics
import Localization
import Vocabulary

/// The step-by-step manual for doing by hand what a wizard template does: made from the
/// same template and the same provider data the wizard uses, so the two cannot drift
/// apart. Pure: the caller hands in the providers, the kept live checks, the time and
/// Pidgin's own labels (in the person's language); rendering is `GuideRendering`.
public struct ManualGuide: Sendable, Equatable {
    public var title: String
    /// One line under the title: where the guide comes from.
    public var origin: String
    public var sections: [GuideSection]

    public init(title: String, origin: String, sections: [GuideSection]) {
        self.title = title
        self.origin = origin
        self.sections = sections
    }
}

public struct GuideSection: Sendable, Equatable {
    public var title: String
    public var blocks: [GuideBlock]

    public init(title: String, blocks: [GuideBlock]) {
        self.title = title
        self.blocks = blocks
    }
}

public enum GuideBlock: Sendable, Equatable {
    case paragraph(String)
    /// Numbered steps, each one action.
    case steps([String])
    /// A dialog's fields as Pidgin names them, what to put in each, and why when it matters.
    case fields(dialog: String, [GuideField])
    case table(header: [String], rows: [[String]])
    /// Text to compare character by character (addresses, fingerprints).
    case literal(String)
    /// Something that can go wrong or matters for anonymity.
    case warning(String)
}

public struct GuideField: Sendable, Equatable {
    public var label: String
    /// What to type or choose, exactly; empty: leave the field empty.
    public var value: String
    /// The value is a description of what to put ("your username"), not the text itself.
    public var isPlaceholder: Bool
    public var note: String?

    public init(_ label: String, _ value: String, note: String? = nil) {
        self.label = label
        self.value = value
        self.isPlaceholder = false
        self.note = note
    }

    public static func placeholder(_ label: String, _ description: String, note: String? = nil) -> GuideField {
        var field = GuideField(label, description, note: note)
        field.isPlaceholder = true
        return field
    }
}

/// Pidgin's dialog labels, as the person's Pidgin shows them. The key is Pidgin's own
/// msgid (English, with its mnemonic underscores and colons); the answer is the text on
/// screen. Without a translation it is the msgid without `_` and the trailing colon.
public struct PidginLabels: Sendable {
    private let lookup: @Sendable (String) -> String

    /// By default Pidgin's installed catalog in the language of the messages
    /// (`Localization.pidgin`): English where Pidgin has no catalog or no translation.
    public init(_ lookup: @escaping @Sendable (String) -> String = { Localization.pidgin($0) }) {
        self.lookup = lookup
    }

    /// A label, or a menu path (`/Accounts/Manage Accounts` → "Accounts ▸ Manage Accounts").
    public func callAsFunction(_ msgid: String) -> String {
        let text = lookup(msgid)
        guard msgid.hasPrefix("/") else { return Self.plain(text) }
        return text.split(separator: "/").map { Self.plain(String($0)) }.joined(separator: " ▸ ")
    }

    /// "Pro_tocol:" → "Protocol"; "_View Certificate..." → "View Certificate";
    /// "Fingerprint (SHA1): %s" → "Fingerprint (SHA1)".
    public static func plain(_ label: String) -> String {
        var text = String(label.filter { $0 != "_" })
        for tail in ["%s", "...", "…"] where text.hasSuffix(tail) { text.removeLast(tail.count) }
        while let last = text.last, last == ":" || last == "：" || last == " " || last == "\u{00A0}" { text.removeLast() }
        while let first = text.first, first == " " { text.removeFirst() }
        return text
    }
}

/// What the guide is made from.
public struct GuideInput: Sendable {
    public var template: WizardTemplate
    /// Every provider of the map (the template's filter and order are applied here).
    public var providers: [ProviderChoice]
    /// The kept live checks by domain (may be empty).
    public var checks: [String: ProviderCheck]
    /// The provider the guide is for (`--provider`); nil: the best the data and checks offer.
    public var chosenDomain: String?
    /// Seconds since 1970, for "checked 2 hours ago".
    public var now: Double
    /// "onionboard 0.9.0": who made the guide.
    public var generator: String
    public var labels: PidginLabels
    /// Tor's SOCKS port as Pidgin should use it (Tails: 127.0.0.1:9050).
    public var torSOCKS: HostPort

    public init(template: WizardTemplate, providers: [ProviderChoice], checks: [String: ProviderCheck] = [:],
                chosenDomain: String? = nil, now: Double, generator: String, labels: PidginLabels = PidginLabels(),
                torSOCKS: HostPort = HostPort(host: "127.0.0.1", port: 9050)) {
        self.template = template
        self.providers = providers
        self.checks = checks
        self.chosenDomain = chosenDomain
        self.now = now
        self.generator = generator
        self.labels = labels
        self.torSOCKS = torSOCKS
    }
}

/// The guide asked for a provider the template does not offer, or the map has none.
public struct GuideProviderError: ClassifiedError {
    public let category: ErrorCategory
    public let message: String
    public var description: String { message }
}
