import Localization
import Testing

/// How a message is written in the source becomes its catalog entry: the same rule
/// scripts/catalogs applies when it extracts the entries (docs/translations.md). This test
/// process never sets a language (the tests share it): messages come back in English.
@Suite("Translatable messages")
struct TranslatableTests {
    @Test("interpolations become {0}, {1}… in order, with their values; braces of the text are doubled")
    func entries() {
        let jid = "a@b.example", seconds = 12
        let message: Translatable = "Registering \(jid) ({seconds} = \(seconds) s)"
        #expect(message.key == "Registering {0} ({{seconds}} = {1} s)")
        #expect(message.values == ["a@b.example", "12"])
        let plain: Translatable = "No {braces} here"
        #expect(plain.key == "No {{braces}} here" && plain.values.isEmpty)
    }

    @Test("untranslated, a message reads as written: placeholders filled, braces single again")
    func english() {
        let name = "quiet-lark-27", count = 3
        #expect(translated("Registering \(name) ({seconds} so far)") == "Registering quiet-lark-27 ({seconds} so far)")
        #expect(translated(one: "\(count) provider", other: "\(count) providers", count: count) == "3 providers")
        #expect(translated(one: "\(1) provider", other: "\(1) providers", count: 1) == "1 provider")
        // A value that looks like a placeholder is not filled again.
        #expect(translated("\("{1}") and \("x")") == "{1} and x")
        #expect(Localization.catalogLanguage == nil)
    }

    @Test("an entry as the catalog spells it can be made at run time")
    func runtimeKey() {
        #expect(translated(Translatable(key: "Still {0} ({1} s so far)", values: ["waiting", "5"])) == "Still waiting (5 s so far)")
        #expect(translated(Translatable(key: "{{literal}} {0}", values: ["v"])) == "{literal} v")
    }
}
