import Foundation
import TestSupport
import Wizard

/// Finds English left on a screen that should be in another language, apart from names and
/// addresses. English is what the catalog template (po/onionboard.pot) and the bundled
/// template's English fields say; two looks at a screen:
/// - sentences: a stretch of an English entry (between its placeholders, three words or
///   more) shown as it is — an entry left untranslated;
/// - words: a word of the English texts that the language does not use itself (its catalog
///   and its template translation do not have it), or — for a language not written in Latin
///   letters — any Latin word that is not a name. That also catches text never marked for
///   translation.
/// Names and values are no English: words of `names`, and every token with a digit, `@`,
/// `/`, `~`, `#`, `_`, an inner `.` or `:` (addresses, onions, paths, fingerprints, numbers,
/// generated usernames and nicknames), or starting with `--` (flags).
struct EnglishCheck {
    /// Names every language keeps as they are (products, protocols, keys of the keyboard).
    static let names: Set<String> = [
        "tor", "pidgin", "xmpp", "captcha", "tls", "starttls", "sha", "socks", "tails", "onionboard", "onion", "irc", "oftc",
        "gnome", "secrets", "keepassxc", "libpurple", "finch", "internet", "messenger", "ipv", "ip", "pid", "path", "display",
        "wayland", "localhost", "enter", "xep", "browser", "matrix",
    ]
    /// Languages written in Latin letters: they share words with English ("in", "no").
    static let latinScript: Set<String> = ["de", "es", "fr"]

    let language: String
    let english: Set<String>
    let own: Set<String>
    let sentences: [String]

    init(language: String) throws {
        self.language = language
        let template = try MessageCatalog.template()
        let catalog = try MessageCatalog.load(language)
        let wizard = try WizardTemplate.parse(String(contentsOf: TestSupport.packageRoot.appendingPathComponent("Templates/tails-support.wizard"),
                                                     encoding: .utf8), origin: "tails-support")
        let localized = wizard.localized(to: [language])
        func texts(_ template: WizardTemplate) -> [String] {
            [template.title, template.intro, template.room.alias ?? ""] + template.questions.flatMap { [$0.prompt, $0.help, $0.warning ?? ""] }
        }
        let englishTexts = template.entries.flatMap { [$0.msgid] + ($0.plural.map { [$0] } ?? []) } + texts(wizard)
        english = Set(englishTexts.flatMap { Self.words(Self.withoutPlaceholders($0)) })
        own = Set((catalog.entries.flatMap(\.forms) + texts(localized)).flatMap { Self.words(Self.withoutPlaceholders($0)) })
        sentences = Array(Set(englishTexts.flatMap { text in
            MessageCatalog.fragments(text).flatMap { $0.split(separator: "\n").map { Self.normalised(String($0)) } }
        }.filter { Self.words($0).count >= 3 })).sorted()
    }

    /// What on `screen` is English: the sentences shown and the words, each once.
    func leftovers(_ screen: String) -> [String] {
        let shown = Self.normalised(screen)
        var found = sentences.filter { shown.contains($0) }.map { "sentence: \($0)" }
        var seen: Set<String> = []
        for word in Self.words(screen) where !Self.names.contains(word) && seen.insert(word).inserted {
            let english = Self.latinScript.contains(language) ? self.english.contains(word) && !own.contains(word) : true
            if english { found.append("word: \(word)") }
        }
        return found
    }

    /// Lower-cased words in Latin letters, without names' and values' tokens.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        for chunk in text.split(whereSeparator: { $0.isWhitespace }) {
            let core = chunk.drop { !isWordCharacter($0) }.reversed().drop { !isWordCharacter($0) }.reversed()
            if core.isEmpty || chunk.hasPrefix("--") || isValue(String(core)) { continue }
            var current = ""
            for character in core {
                if character.isLetter && character.unicodeScalars.allSatisfy({ $0.value < 0x250 }) {
                    current.append(character)
                } else {
                    if current.count > 1 { words.append(current.lowercased()) }
                    current = ""
                }
            }
            if current.count > 1 { words.append(current.lowercased()) }
        }
        return words
    }

    private static func isWordCharacter(_ character: Character) -> Bool { character.isLetter || character.isNumber }

    private static func isValue(_ token: String) -> Bool {
        let characters = Array(token)
        for (index, character) in characters.enumerated() {
            if character.isNumber || "@/~#_".contains(character) { return true }
            if ".:".contains(character), index > 0, index + 1 < characters.count,
               isWordCharacter(characters[index - 1]), isWordCharacter(characters[index + 1]) { return true }
        }
        return false
    }

    static func withoutPlaceholders(_ text: String) -> String { MessageCatalog.fragments(text).joined(separator: " ") }

    static func normalised(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
