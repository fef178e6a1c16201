import Testing
@testable import Wizard
import Vocabulary

@Suite("Template parser")
struct TemplateParserTests {
    @Test("the bundled tails-support template loads with its room and questions in order")
    func bundled() throws {
        let template = try Fixtures.tailsSupport()
        #expect(template.id == "tails-support")
        #expect(template.room == RoomBookmark(jid: "tails@chat.disroot.org", alias: "Tails support", group: "Chats", autojoin: true))
        #expect(template.questions.map(\.key) == ["account", "provider", "direct-tls", "username", "password", "jid", "password",
                                                  "onion", "pidgin-account", "tor-switch", "handle", "room", "alias", "purple-dir",
                                                  "tor-socks", "captcha"])
        let username = try #require(template.question("username"))
        #expect(username.defaultValue == .generated)
        #expect(username.validation == .localpart)
        #expect(username.priority == .high)
        #expect(username.flag == "--username")
        #expect(username.environmentVariable == "ONIONBOARD_USERNAME")
        #expect(template.question("password")?.environmentVariable == nil)
        // The room's questions default to the header's values.
        #expect(template.question("room")?.defaultValue == .literal("tails@chat.disroot.org"))
        #expect(template.question("alias")?.defaultValue == .literal("Tails support"))
        #expect(template.question("captcha")?.condition?.description == "account = new and provider.captcha = yes")
        #expect(template.intro.contains("\n\nNothing about you"))
    }

    @Test("Room-Alternatives: one room per line with an optional name; checked like the room")
    func roomAlternatives() throws {
        let good = "Template: t\nTitle: T\nRoom: r@conference.example.org\nRoom-Group: Help\n"
            + "Room-Alternatives: a@conference.example.org The other room\n b@muc.example.net\n\n"
            + "Question: provider\nType: provider\nDescription: p\n"
        let template = try #require(TemplateParser.parse(good, origin: "t.wizard").template)
        #expect(template.roomAlternatives == [
            RoomBookmark(jid: "a@conference.example.org", alias: "The other room", group: "Help", autojoin: true),
            RoomBookmark(jid: "b@muc.example.net", alias: "b@muc.example.net", group: "Help", autojoin: true),
        ])
        #expect(try Fixtures.tailsSupport().roomAlternatives.map(\.jid) == ["tails@conference.riseup.net"])

        let bad = "Template: t\nTitle: T\nRoom: r@conference.example.org\n"
            + "Room-Alternatives: not a room\n r@conference.example.org\n a@c.example.org\n a@c.example.org\n\n"
            + "Question: provider\nType: provider\nDescription: p\n"
        let (template2, problems) = TemplateParser.parse(bad, origin: "bad.wizard")
        #expect(template2 == nil)
        let lines = problems.map(\.description)
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.first?.hasPrefix("bad.wizard:4:20: error: `Room-Alternatives`: `not` is not a room address (room@conference.example.org): ") == true)
        #expect(lines.dropFirst().first == "bad.wizard:5:2: error: `Room-Alternatives`: r@conference.example.org is the template's own `Room`")
        #expect(lines.last == "bad.wizard:7:2: error: `Room-Alternatives`: a@c.example.org is listed twice (also on line 6)")
    }

    @Test("continuation lines, paragraph dots, comments and CRLF")
    func format() throws {
        let text = "# comment\r\nTemplate: t\r\nTitle: T\r\nRoom: r@conference.example.org\r\nDescription: first\r\n second\r\n .\r\n third\r\n\r\n"
            + "Question: provider\nType: provider\nDescription: Pick one\n help line\n"
        let template = try WizardTemplate.parse(text, origin: "t.wizard")
        #expect(template.intro == "first\nsecond\n\nthird")
        #expect(template.questions.first?.prompt == "Pick one")
        #expect(template.questions.first?.help == "help line")
        #expect(template.questions.first?.line == 10)
    }

    @Test("check reports every problem with file, line and column")
    func everyProblemLocated() {
        let text = """
            Template: Bad Id
            Title: x
            Colour: blue

            Question: provider
            Type: provider
            Description: pick

            Question: username
            Type: txt
            Description: user
            Condition: nosuch = yes

            Question: username
            Type: text
            Validation: regex ^[a-z(+$
            Description: again
            Default: generated

            Question: nick
            Type: text
            Description: n
            Condition: provider.bogus = yes and later = x

            Question: later
            Type: boolean
            Default: maybe

            Question: colour
            Type: select
            Description: c
            Default: generated
            Flag: --colour
            """
        let (template, problems) = TemplateParser.parse(text, origin: "bad.wizard")
        #expect(template == nil)
        let located = problems.map { "\($0.line):\($0.column)" }
        // 16:20: the pattern `^[a-z(+$` starts at column 19; its unmatched '[' is at 20.
        #expect(located == ["1:1", "1:11", "3:1", "10:7", "12:12", "14:11", "16:20", "23:12", "23:37", "25:1",
                            "27:10", "29:1", "32:10", "33:7"])
        #expect(problems.allSatisfy { $0.file == "bad.wizard" })
        let messages = problems.map(\.message)
        guard messages.count == 14 else { return }
        #expect(messages[0].contains("lacks the required field `Room`"))
        #expect(messages[2].contains("unknown field `Colour`"))
        #expect(messages[3].contains("unknown type `txt`"))
        #expect(messages[4].contains("unknown key `nosuch`"))
        #expect(messages[5].contains("duplicate question key `username` (first defined on line 9)"))
        #expect(messages[6].contains("not a valid regular expression: unmatched '['"))
        #expect(messages[7].contains("unknown provider attribute `bogus`"))
        #expect(messages[8].contains("`later`, which is asked after this question"))
        #expect(messages[9].contains("lacks the required field `Description`"))
        #expect(messages[10].contains("yes or no"))
        #expect(messages[11].contains("has no `Choices`"))
        #expect(messages[12].contains("`generated` defaults exist only for"))
        #expect(messages[13].contains("answered by `--set colour=VALUE`"))
        #expect(problems[0].description == "bad.wizard:1:1: error: the `Template:` stanza lacks the required field `Room`")
    }

    @Test("a template without a provider question, a secret with a written default, a stray continuation")
    func structuralProblems() {
        let text = """
             stray
            Template: t
            Title: T
            Room: r@c.example.org

            Question: password
            Type: secret
            Default: hunter2
            Description: p

            Question: token
            Type: secret
            Description: t
            """
        let (_, problems) = TemplateParser.parse(text, origin: "s.wizard")
        #expect(problems.map { "\($0.line):\($0.column)" } == ["1:1", "2:1", "8:10", "11:11"])
        guard problems.count == 4 else { return }
        #expect(problems[0].message.contains("continuation line"))
        #expect(problems[1].message.contains("no question of type `provider`"))
        #expect(problems[2].message.contains("a secret never sits in a file"))
        #expect(problems[3].message.contains("the only secret question is `password`"))
    }

    @Test("a default must pass its own validation, and a select default must be a choice")
    func defaults() {
        let text = """
            Template: t
            Title: T
            Room: r@c.example.org

            Question: provider
            Type: provider
            Description: p

            Question: tor-socks
            Type: text
            Validation: hostport
            Default: localhost
            Description: s

            Question: mode
            Type: select
            Choices: fast, safe
            Default: slow
            Description: m
            """
        let (_, problems) = TemplateParser.parse(text, origin: "d.wizard")
        #expect(problems.map { "\($0.line):\($0.column)" } == ["12:10", "18:10"])
        guard problems.count == 2 else { return }
        #expect(problems[0].message.contains("fails its own validation"))
        #expect(problems[1].message.contains("not one of the choices (fast, safe)"))
    }

    @Test("a default taken from the room must pass the question's validation too (found by the templates fuzz target)")
    func roomDefaults() {
        let text = """
            Template: t
            Title: T
            Room: r@conference.example.org

            Question: provider
            Type: provider
            Description: p

            Question: alias
            Type: text
            Validation: regex [a-z]+
            Description: a
            """
        let (template, problems) = TemplateParser.parse(text, origin: "r.wizard")
        #expect(template == nil)
        #expect(problems.map { "\($0.line):\($0.column)" } == ["11:13"])
        // The room's name defaults to the template's title.
        #expect(problems.first?.message.contains("the default `T` (from the `Template:` stanza's room) fails") == true)
        let fits = text.replacingOccurrences(of: "regex [a-z]+", with: "regex [A-Za-z]+")
        #expect(TemplateParser.parse(fits, origin: "r.wizard").1.isEmpty)
    }
}
