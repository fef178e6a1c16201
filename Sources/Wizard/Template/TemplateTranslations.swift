import Localization

/// A template's texts in other languages, the way debconf templates carry them: a field
/// `Title-de.UTF-8:` or `Description-fa.UTF-8:` beside the English one (the `.UTF-8` may be
/// left out; templates are UTF-8). Only what a person reads is translated — the title, the
/// descriptions, a question's warning and the room's name in the buddy list (`Room-Alias`);
/// keys, defaults, rooms and conditions are the same in every language.
public struct TemplateTranslation: Sendable, Equatable {
    public struct QuestionText: Sendable, Equatable {
        public var prompt: String?
        public var help: String?
        /// The question's `Warning` (a question without one has none to translate).
        public var warning: String?

        public init(prompt: String? = nil, help: String? = nil, warning: String? = nil) {
            self.prompt = prompt
            self.help = help
            self.warning = warning
        }
    }

    public var title: String?
    public var intro: String?
    public var roomAlias: String?
    /// By the question's position in `WizardTemplate.questions` (not its key: a key may be
    /// asked in two places, each with its own text, as `password` is for a new account and
    /// for one the person has).
    public var questions: [Int: QuestionText] = [:]
}

/// `Description-zh_CN.UTF-8`: the field (`description`) and the language (`zh_CN`).
struct TranslatedFieldName: Equatable {
    /// Lower-cased, as `TemplateParser.Field.name`.
    var field: String
    var language: String

    /// nil when `name` names no translation (`Room-Alias` does not: `alias` is no language).
    init?(_ name: String) {
        var rest = Substring(name)
        if rest.lowercased().hasSuffix(".utf-8") { rest = rest.dropLast(6) }
        guard let dash = rest.lastIndex(of: "-"), dash != rest.startIndex else { return nil }
        let tag = rest[rest.index(after: dash)...]
        guard Self.isLanguageTag(tag) else { return nil }
        field = rest[..<dash].lowercased()
        language = String(tag)
    }

    /// `ll`, `lll`, optionally `_CC` and `@modifier`: the names gettext and LANGUAGE use.
    static func isLanguageTag(_ tag: Substring) -> Bool {
        var rest = tag
        let language = rest.prefix { $0.isASCII && $0.isLowercase }
        guard (2...3).contains(language.count) else { return false }
        rest = rest.dropFirst(language.count)
        if rest.first == "_" {
            let country = rest.dropFirst().prefix { $0.isASCII && $0.isUppercase }
            guard country.count == 2 else { return false }
            rest = rest.dropFirst(3)
        }
        if rest.first == "@" {
            let modifier = rest.dropFirst()
            guard !modifier.isEmpty, modifier.allSatisfy({ $0.isASCII && $0.isLowercase }) else { return false }
            rest = rest.dropFirst(rest.count)
        }
        return rest.isEmpty
    }
}

extension WizardTemplate {
    /// The languages the template has texts in, besides English.
    public var languages: [String] { translations.keys.sorted() }

    /// The template as a person reading `languages` (most wanted first, as
    /// `Localization.preferredLanguages` lists them) sees it: each text in the first of them
    /// that translates it, else in English. An English entry (`en`, `en_GB`) stops the search.
    public func localized(to languages: [String] = Localization.preferredLanguages) -> WizardTemplate {
        var template = self
        func first<Text>(_ text: (TemplateTranslation) -> Text?) -> Text? {
            for language in languages {
                if language == "en" || language.hasPrefix("en_") || language == "C" { return nil }
                if let translation = translations[language], let found = text(translation) { return found }
            }
            return nil
        }
        if let title = first(\.title) { template.title = title }
        if let intro = first(\.intro) { template.intro = intro }
        if let alias = first(\.roomAlias) {
            // The `alias` question's default is the room's name unless the template gives another.
            for index in template.questions.indices where template.questions[index].defaultValue == .literal(template.room.alias ?? "") {
                template.questions[index].defaultValue = .literal(alias)
            }
            template.room.alias = alias
        }
        for index in template.questions.indices {
            if let text = first({ $0.questions[index].flatMap { $0.prompt == nil ? nil : $0 } }) {
                template.questions[index].prompt = text.prompt ?? template.questions[index].prompt
                template.questions[index].help = text.help ?? template.questions[index].help
            }
            if template.questions[index].warning != nil, let warning = first({ $0.questions[index]?.warning }) {
                template.questions[index].warning = warning
            }
        }
        return template
    }
}

/// What a translation must keep word for word: addresses, links, flags, channel names,
/// paths, host:port, XEP numbers. Found as runs of ASCII "word" characters, so that they
/// are found in Chinese text too, where no spaces separate them.
enum KeptTokens {
    static func of(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        func close() {
            var token = Substring(current)
            while let last = token.last, ".:,;".contains(last) { token = token.dropLast() }
            if isKept(token) { tokens.append(String(token)) }
            current = ""
        }
        for character in text {
            if character.isASCII && (character.isLetter || character.isNumber || "@.:/_~#-".contains(character)) {
                current.append(character)
            } else {
                close()
            }
        }
        close()
        return tokens.sorted()
    }

    private static func isKept(_ token: Substring) -> Bool {
        if let at = token.firstIndex(of: "@"), at != token.startIndex, token.index(after: at) != token.endIndex { return true }
        if token.contains("://") { return true }
        if token.hasPrefix("--"), token.count > 2 { return true }
        if token.hasPrefix("#"), token.count > 1 { return true }
        if token.hasPrefix("~/") || token.hasPrefix("/") && token.count > 1 { return true }
        if token.hasPrefix("XEP-") { return true }
        // 127.0.0.1:9050, 127.0.0.1
        let parts = token.split(separator: ":", omittingEmptySubsequences: false)
        let address = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        if address.count == 4, address.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
           parts.count == 1 || parts.count == 2 && !parts[1].isEmpty && parts[1].allSatisfy(\.isNumber) {
            return true
        }
        return false
    }
}

extension TemplateParser {
    /// The translations in a stanza of the fields `translatable`, each checked against its
    /// original: the original exists, the form is the same (a first line and help, as many
    /// paragraphs), and every kept token (`KeptTokens`) is there, nothing added.
    mutating func translations(in stanza: Stanza, translatable: [String]) -> [(language: String, field: String, value: String, help: [String])] {
        var found: [(String, String, String, [String])] = []
        var seen: [String: Int] = [:]
        for field in stanza.fields {
            guard let name = TranslatedFieldName(field.spelledName) else { continue }
            guard translatable.contains(name.field) else {
                error(field.line, 1, "`\(field.spelledName)` translates a field that is not translated here; translated fields: "
                      + translatable.map { "`\(capitalizedName($0))-LL.UTF-8`" }.joined(separator: ", "))
                continue
            }
            guard let original = stanza.field(name.field) else {
                error(field.line, 1, "`\(field.spelledName)` translates `\(capitalizedName(name.field))`, which this stanza lacks")
                continue
            }
            let key = "\(name.field) \(name.language)"
            if let earlier = seen[key] {
                error(field.line, 1, "`\(field.spelledName)` is a second \(name.language) translation of `\(capitalizedName(name.field))` (also on line \(earlier))")
                continue
            }
            seen[key] = field.line
            let problems = Self.differences(original: original, translation: field)
            for problem in problems { error(field.line, 1, "`\(field.spelledName)`: \(problem)") }
            if problems.isEmpty { found.append((name.language, name.field, field.value, field.continuation)) }
        }
        return found
    }

    /// How a translated field differs in form or kept tokens from its original.
    static func differences(original: Field, translation: Field) -> [String] {
        var problems: [String] = []
        if translation.value.isEmpty { problems.append("the translation is empty") }
        if original.continuation.isEmpty != translation.continuation.isEmpty {
            problems.append(original.continuation.isEmpty
                ? "the original is one line, the translation has continuation lines"
                : "the original has continuation lines (help), the translation has none")
        }
        let paragraphs = { (field: Field) in field.continuation.filter(\.isEmpty).count }
        if paragraphs(original) != paragraphs(translation) {
            problems.append("the original has \(paragraphs(original) + 1) paragraph(s), the translation \(paragraphs(translation) + 1) (` .` lines)")
        }
        let kept = KeptTokens.of(([original.value] + original.continuation).joined(separator: "\n"))
        let given = KeptTokens.of(([translation.value] + translation.continuation).joined(separator: "\n"))
        var missing = kept, extra: [String] = []
        for token in given {
            if let index = missing.firstIndex(of: token) { missing.remove(at: index) } else { extra.append(token) }
        }
        if !missing.isEmpty {
            problems.append("drops \(missing.joined(separator: ", ")), which the original has (a translation keeps every address, link, flag and path as it is)")
        }
        if !extra.isEmpty {
            problems.append("has \(extra.joined(separator: ", ")), which the original does not")
        }
        return problems
    }

    func capitalizedName(_ name: String) -> String {
        name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-")
    }
}
