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

    @Test("a question's Warning is translated like its Description, and a key asked in two places keeps each variant's own text")
    func warningsAndVariants() throws {
        let text = """
            Template: t
            Title: T
            Room: r@conference.example.org

            Question: account
            Type: account
            Default: new
            Description: Which way?

            Question: provider
            Type: provider
            Condition: account = new
            Description: Which provider?

            Question: password
            Type: secret
            Default: generated
            Condition: account = new
            Description: Password for the new account
            Description-de.UTF-8: Passwort für das neue Konto

            Question: pidgin-account
            Type: pidgin-account
            Condition: account = pidgin
            Warning: It may carry your identity,
             see --room.
            Warning-de.UTF-8: Es kann Ihre Identität tragen,
             siehe --room.
            Description: Which account?
            Description-de.UTF-8: Welches Konto?

            Question: password
            Type: secret
            Condition: account = existing
            Description: Your account's password
            Description-de.UTF-8: Das Passwort Ihres Kontos
            """
        let template = try WizardTemplate.parse(text, origin: "t.wizard")
        let german = template.localized(to: ["de"])
        #expect(german.questions.filter { $0.key == "password" }.map(\.prompt) == ["Passwort für das neue Konto", "Das Passwort Ihres Kontos"])
        #expect(german.question("pidgin-account")?.warning == "Es kann Ihre Identität tragen,\nsiehe --room.")
        #expect(german.question("pidgin-account")?.prompt == "Welches Konto?")
        #expect(template.localized(to: ["fr"]).question("pidgin-account")?.warning == "It may carry your identity,\nsee --room.")

        // A warning's translation is checked as a description's; one without a Warning to translate is refused.
        let problems = TemplateParser.parse(text.replacing("siehe --room.", with: "siehe --alias.")
                                            + "\nWarning-fr: Attention", origin: "t.wizard").diagnostics.map(\.description)
        #expect(problems == ["t.wizard:27:1: error: `Warning-de.UTF-8`: drops --room, which the original has (a translation keeps every address, link, flag and path as it is)",
                             "t.wizard:27:1: error: `Warning-de.UTF-8`: has --alias, which the original does not",
                             "t.wizard:37:1: error: `Warning-fr` translates `Warning`, which this stanza lacks"], "\(problems)")
    }

    @Test("the bundled template: every question and its header in six languages, each accepted by the check")
    func bundled() throws {
        let template = try Fixtures.tailsSupport()
        #expect(template.languages == ["de", "es", "fa", "fr", "ru", "zh_CN"])
        for language in template.languages {
            let translation = try #require(template.translations[language])
            #expect(translation.title != nil && translation.intro != nil && translation.roomAlias != nil, "\(language)")
            // Every question, each variant of a key asked in two places (`password`) with its own text.
            #expect(Set(translation.questions.keys) == Set(template.questions.indices), "\(language)")
            let localized = template.localized(to: [language])
            for (original, translated) in zip(template.questions, localized.questions) {
                #expect(translated.prompt != original.prompt, "\(language) \(original.key): the question is in English")
                #expect(KeptTokens.of(original.prompt + "\n" + original.help) == KeptTokens.of(translated.prompt + "\n" + translated.help))
                #expect(original.help.isEmpty == translated.help.isEmpty, "\(language) \(original.key)")
                #expect((original.warning == nil) == (translated.warning == nil), "\(language) \(original.key)")
                if let warning = original.warning {
                    #expect(translated.warning != warning, "\(language) \(original.key): the warning is in English")
                }
            }
            // The two `password` questions keep their own texts.
            let passwords = localized.questions.filter { $0.key == "password" }
            #expect(passwords.count == 2 && passwords[0].prompt != passwords[1].prompt, "\(language)")
        }
    }
}
