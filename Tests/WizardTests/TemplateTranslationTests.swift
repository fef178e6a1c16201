import Testing
@testable import Wizard

/// Templates in other languages, debconf's way (`Description-de.UTF-8:`): what a language
/// sees, and what `templates check` refuses in a translation.
@Suite("Template translations")
struct TemplateTranslationTests {
    static let text = """
        Template: t
        Title: Join the room
        Title-de.UTF-8: Dem Raum beitreten
        Title-fr: Rejoindre le salon
        Room: room@conference.example.org
        Room-Alias: Help room
        Room-Alias-de.UTF-8: Hilferaum
        Description: Joins room@conference.example.org through Tor.
         .
         Ask in #tor too.
        Description-de.UTF-8: Betritt room@conference.example.org über Tor.
         .
         Fragen Sie auch in #tor.

        Question: provider
        Type: provider
        Description: Which provider?
         Reached as an onion service.
        Description-de.UTF-8: Welcher Anbieter?
         Über einen Onion-Dienst erreicht.
        Description-zh_CN.UTF-8: 哪个提供商？
         通过洋葱服务访问。

        Question: alias
        Type: text
        Description: Name in the buddy list
        Description-fr.UTF-8: Nom dans la liste de contacts
        """

    @Test("each text in the first wanted language that has it, else English; an English entry in the list stops the search; the room's name and its question's default follow")
    func localized() throws {
        let template = try WizardTemplate.parse(Self.text, origin: "t.wizard")
        #expect(template.languages == ["de", "fr", "zh_CN"])

        let german = template.localized(to: ["de_DE", "de"])
        #expect(german.title == "Dem Raum beitreten")
        #expect(german.intro == "Betritt room@conference.example.org über Tor.\n\nFragen Sie auch in #tor.")
        #expect(german.questions[0].prompt == "Welcher Anbieter?" && german.questions[0].help == "Über einen Onion-Dienst erreicht.")
        #expect(german.room.alias == "Hilferaum")
        #expect(german.question("alias")?.defaultValue == .literal("Hilferaum"))
        #expect(german.question("alias")?.prompt == "Name in the buddy list")  // no German text: English
        #expect(german.room.jid == template.room.jid && german.questions.map(\.key) == template.questions.map(\.key))

        let french = template.localized(to: ["fr", "de"])
        #expect(french.title == "Rejoindre le salon")
        #expect(french.intro.hasPrefix("Betritt"))                           // French has none: the next language
        #expect(french.question("alias")?.prompt == "Nom dans la liste de contacts")

        let chinese = template.localized(to: ["zh_CN", "zh"])
        #expect(chinese.questions[0].prompt == "哪个提供商？" && chinese.title == "Join the room")

        #expect(template.localized(to: ["en_GB", "de"]) == template)
        #expect(template.localized(to: []) == template)
        #expect(template.localized(to: ["pt_BR", "pt"]) == template)
    }

    @Test("templates check: a translation keeps every address, link, flag and path of its original, and its form; it translates a field the stanza has, once per language")
    func checked() throws {
        func problems(_ text: String) -> [String] {
            TemplateParser.parse(text, origin: "t.wizard").diagnostics.map(\.description)
        }
        let header = "Template: t\nTitle: T\nRoom: r@conference.example.org\n"
        let provider = "\n\nQuestion: provider\nType: provider\nDescription: p\n"

        // Dropped and added tokens; Chinese puts no spaces around them, and they are found all the same.
        #expect(problems(header + "Description: Join r@conference.example.org, ask in #tor (see --room).\n"
                         + "Description-de.UTF-8: Betritt den Raum, fragen Sie in #tor (--room, --alias).\n"
                         + "Description-zh_CN.UTF-8: 加入r@conference.example.org，在#tor提问（见--room）。" + provider)
                == ["t.wizard:5:1: error: `Description-de.UTF-8`: drops r@conference.example.org, which the original has (a translation keeps every address, link, flag and path as it is)",
                    "t.wizard:5:1: error: `Description-de.UTF-8`: has --alias, which the original does not"])
        // The form: help lines and paragraphs as the original has them.
        #expect(problems(header + provider + "Description-de: p\n help\n")
                == ["t.wizard:9:1: error: `Description-de`: the original is one line, the translation has continuation lines"])
        #expect(problems(header + "Description: a\n b\n .\n c\nDescription-fr: a\n b c\n" + provider)
                == ["t.wizard:8:1: error: `Description-fr`: the original has 2 paragraph(s), the translation 1 (` .` lines)"])
        #expect(problems(header + "Title-de:\n" + provider) == ["t.wizard:4:1: error: `Title-de`: the translation is empty"])
        // Only what a person reads is translated, and only where the original is.
        #expect(problems(header + "Room-de.UTF-8: x@conference.example.org\n" + provider)
                == ["t.wizard:4:1: error: `Room-de.UTF-8` translates a field that is not translated here; translated fields: `Title-LL.UTF-8`, `Description-LL.UTF-8`, `Room-Alias-LL.UTF-8`"])
        #expect(problems(header + "Room-Alias-ru: Комната\n" + provider)
                == ["t.wizard:4:1: error: `Room-Alias-ru` translates `Room-Alias`, which this stanza lacks"])
        #expect(problems(header + provider + "Description-de: p\nDescription-de.UTF-8: p\n")
                == ["t.wizard:10:1: error: `Description-de.UTF-8` is a second de translation of `Description` (also on line 9)"])
        // Not a language: an unknown field, as before.
        #expect(problems(header + "Title-DE: T\nTitle-deutsch: T\n" + provider).count == 2)
        #expect(problems(header + "Title-pt_BR.UTF-8: T\nTitle-sr@latin: T\nTitle-ast: T\n" + provider).isEmpty)
    }

    @Test("the bundled template: every question and its header in six languages, each accepted by the check")
    func bundled() throws {
        let template = try Fixtures.tailsSupport()
        #expect(template.languages == ["de", "es", "fa", "fr", "ru", "zh_CN"])
        for language in template.languages {
            let translation = try #require(template.translations[language])
            #expect(translation.title != nil && translation.intro != nil && translation.roomAlias != nil, "\(language)")
            #expect(Set(translation.questions.keys) == Set(template.questions.map(\.key)), "\(language)")
            let localized = template.localized(to: [language])
            for (original, translated) in zip(template.questions, localized.questions) {
                #expect(KeptTokens.of(original.prompt + "\n" + original.help) == KeptTokens.of(translated.prompt + "\n" + translated.help))
                #expect(original.help.isEmpty == translated.help.isEmpty, "\(language) \(original.key)")
            }
        }
    }
}
