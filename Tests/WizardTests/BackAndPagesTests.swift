import Foundation
import Testing
import Secrets
@testable import Wizard

/// Answers from a script in which nil means "Back", recording what each question showed.
final class BackScriptAsker: QuestionAsker {
    var script: [String?]
    var shown: [(key: String, given: String?, canGoBack: Bool, defaultText: String?)] = []
    init(_ script: [String?]) { self.script = script }

    func ask(_ question: PresentedQuestion) throws -> String {
        shown.append((question.question.key, question.given, question.canGoBack, question.defaultText))
        guard !script.isEmpty else { throw ScriptedAsker.OutOfLines() }
        guard let line = script.removeFirst() else { throw GoBack() }
        return line
    }

    func askSecret(_ question: PresentedQuestion) throws -> SecretBytes? { nil }
    func refuse(_ question: PresentedQuestion, reason: String) {}
}

/// Answers pages from a script of closures (nil: Back), keeping every page it was shown.
/// (A session takes a `QuestionAsker`; the page methods are the ones used.)
final class PageScriptAsker: PageAsker, QuestionAsker {
    struct NotAPageQuestion: Error {}
    func ask(_ question: PresentedQuestion) throws -> String { throw NotAPageQuestion() }
    func askSecret(_ question: PresentedQuestion) throws -> SecretBytes? { throw NotAPageQuestion() }
    func refuse(_ question: PresentedQuestion, reason: String) {}

    var script: [((PresentedPage) -> PageAnswers)?]
    var pages: [PresentedPage] = []
    /// What the page had typed when Back is pressed.
    var keepOnBack: [String: String] = [:]
    init(_ script: [((PresentedPage) -> PageAnswers)?]) { self.script = script }

    func askPage(_ page: PresentedPage) throws -> PageAnswers {
        pages.append(page)
        guard !script.isEmpty else { throw ScriptedAsker.OutOfLines() }
        guard let answer = script.removeFirst() else { throw GoBack(keeping: keepOnBack) }
        return answer(page)
    }
}

extension PresentedPage {
    var keys: [String] { questions.map(\.question.key) }
    subscript(key: String) -> PresentedQuestion? { questions.first { $0.question.key == key } }
}

@Suite("Going back and pages of questions")
struct BackAndPagesTests {
    static func session(_ registrar: ScriptedRegistrar = ScriptedRegistrar()) throws -> OnboardingSession {
        OnboardingSession(template: try Fixtures.tailsSupport(), providers: Fixtures.providers,
                          registrar: registrar, writer: RecordingWriter(), generator: SequenceGenerator())
    }

    @Test("Back in the question-by-question mode undoes the previous answer and shows it again; ignored at the first question")
    func backOneQuestion() throws {
        let registrar = ScriptedRegistrar()
        // 1 = open.example (no CAPTCHA first), 3 = captcha.example.
        let asker = BackScriptAsker(["1", "alice", nil, nil, nil, "3", "", ""])
        let plan = try Self.session(registrar).plan(presets: Fixtures.newAccount, password: nil,
                                                    options: .init(interactive: true, homeDirectory: "/h"), asker: asker)
        #expect(asker.shown.map(\.key) == ["provider", "username", "handle", "username", "provider", "provider", "username", "handle"])
        #expect(asker.shown.map(\.canGoBack) == [false, true, true, true, false, false, true, true])
        // Back from the handle shows the username typed before; from there, the provider.
        #expect(asker.shown[3].given == "alice")
        #expect(asker.shown[4].given == "open.example")
        // The generated suggestion stays the same when the question comes again.
        #expect(asker.shown[1].defaultText == "generated1" && asker.shown[6].defaultText == "generated1")
        #expect(plan.provider == Fixtures.captchaProvider)
        #expect(plan.username == "generated1" && plan.usernameWasGenerated)
        #expect(plan.handle == "nick-1")
        // Every offered provider is checked once when the wizard starts; each choice reuses its check.
        #expect(registrar.reached.map(\.target.domain) == ["open.example", "pinned.example", "captcha.example"])
    }

    @Test("the tails-support template in pages: the provider alone, then one page with the advanced questions below the threshold")
    func pagesOfTheTemplate() throws {
        let engine = try Fixtures.engine()
        // The fork first, alone; then the provider alone.
        #expect(engine.nextPage(AnswerSet(), threshold: .medium).map(\.key) == ["account"])
        #expect(engine.nextPage(Fixtures.newAccount, threshold: .medium).map(\.key) == ["provider"])
        #expect(engine.nextPage(AnswerSet(), threshold: .critical).map(\.key) == ["provider"])
        let withDirectTLS = Fixtures.answers([("account", "new"), ("provider", "captcha.example")])
        let page = engine.nextPage(withDirectTLS, threshold: .medium)
        #expect(page.map(\.key) == ["direct-tls", "username", "password", "handle", "room", "alias", "purple-dir", "tor-socks"])
        #expect(page.filter { engine.isAsked($0, threshold: .medium) }.map(\.key) == ["username", "handle"])
        // No direct-TLS port: its question does not apply; a given password leaves its question out.
        #expect(engine.nextPage(Fixtures.answers([("account", "new"), ("provider", "open.example")]), threshold: .medium, excluding: ["password"])
            .map(\.key) == ["username", "handle", "room", "alias", "purple-dir", "tor-socks"])
        // Critical (bootstrap): nothing on that page is asked, so there is no page.
        #expect(engine.nextPage(withDirectTLS, threshold: .critical).isEmpty)
        // Everything answered: no page.
        var all = withDirectTLS
        for question in page { all.set(question.key, "x", source: .flag) }
        #expect(engine.nextPage(all, threshold: .low).isEmpty)
    }

    @Test("a question whose condition reads an answer of the same page starts a new page")
    func conditionStartsAPage() throws {
        let template = try WizardTemplate.parse("""
            Template: t
            Title: T
            Room: r@conference.example.org

            Question: provider
            Type: provider
            Description: Which provider?

            Question: own-room
            Type: boolean
            Default: no
            Priority: high
            Description: Join another room?

            Question: room
            Type: text
            Priority: high
            Condition: own-room = yes
            Description: Which room?

            Question: handle
            Type: text
            Default: generated
            Description: Nickname
            """, origin: "t.wizard")
        let engine = WizardEngine(template: template, providers: Fixtures.providers)
        let chosen = Fixtures.answers([("provider", "open.example")])
        #expect(engine.nextPage(chosen, threshold: .medium).map(\.key) == ["own-room"])
        var yes = chosen
        yes.set("own-room", "yes", source: .user)
        #expect(engine.nextPage(yes, threshold: .medium).map(\.key) == ["room", "handle"])
        var no = chosen
        no.set("own-room", "no", source: .user)
        #expect(engine.nextPage(no, threshold: .medium).map(\.key) == ["handle"])
    }

    @Test("pages: a refused answer comes back with its problem and the other answers kept; Back shows the earlier page's answer; make another counts as generated")
    func pageConversation() throws {
        let registrar = ScriptedRegistrar()
        var regenerated = ""
        let asker = PageScriptAsker([
            { _ in PageAnswers(values: ["provider": "3"]) },
            { _ in PageAnswers(values: ["username": "Bad Name!", "handle": "", "direct-tls": "yes"]) },
            nil, // Back from the account page (after the refusal)
            { _ in PageAnswers(values: ["provider": "open.example"]) },
            { page in
                regenerated = page["username"]!.regenerate!()
                return PageAnswers(values: ["username": regenerated, "handle": "Quiet Owl"])
            },
        ])
        asker.keepOnBack = ["username": "typed-before-back"]
        let plan = try Self.session(registrar).plan(presets: Fixtures.newAccount, password: nil,
                                                    options: .init(interactive: true, homeDirectory: "/h"), asker: asker)
        #expect(asker.pages.map(\.number) == [1, 2, 2, 1, 2])
        #expect(asker.pages.map(\.canGoBack) == [false, true, true, false, true])
        #expect(asker.pages[0]["provider"]!.choices.map(\.label) == ["open.example", "pinned.example", "captcha.example"])
        #expect(asker.pages[0]["provider"]!.choices[2].provider == Fixtures.captchaProvider)
        let account = asker.pages[1]
        #expect(account.keys == ["direct-tls", "username", "password", "handle", "room", "alias", "purple-dir", "tor-socks"])
        #expect(account.questions.filter { !$0.isAdvanced }.map(\.question.key) == ["username", "handle"])
        #expect(account["username"]!.defaultText == "generated1")
        #expect(account["room"]!.defaultText == "tails@chat.disroot.org")
        // The refusal: the username's problem, the typed text kept, the other answers too.
        let refused = asker.pages[2]
        #expect(refused.hasProblems)
        #expect(refused["username"]!.problem?.contains("not allowed") == true)
        #expect(refused["username"]!.given == "Bad Name!")
        #expect(refused["direct-tls"]!.given == "yes" && refused["direct-tls"]!.problem == nil)
        // Back: the provider page shows the provider chosen before.
        #expect(asker.pages[3]["provider"]!.given == "captcha.example")
        // open.example has no direct-TLS port: the question is gone.
        #expect(!asker.pages[4].keys.contains("direct-tls"))
        #expect(regenerated == "generated2")
        // What was typed when Back was pressed comes back with the page.
        #expect(asker.pages[4]["username"]!.given == "typed-before-back")
        #expect(plan.provider == Fixtures.openProvider)
        #expect(plan.username == "generated2" && plan.usernameWasGenerated)
        #expect(plan.handle == "Quiet Owl")
        #expect(plan.room.jid == "tails@chat.disroot.org")
        // Every offered provider checked once when the wizard started; the choices reuse those checks.
        #expect(registrar.reached.map(\.target.domain) == ["open.example", "pinned.example", "captcha.example"])
    }

    @Test("pages: a short typed password is refused on its page; a good one is used; none given generates one")
    func pageSecret() throws {
        let asker = PageScriptAsker([
            { _ in PageAnswers(values: ["provider": "1"]) },
            { _ in PageAnswers(values: [:], secret: SecretBytes(utf8: "short")) },
            { _ in PageAnswers(values: [:], secret: SecretBytes(utf8: "long enough pass")) },
        ])
        let plan = try Self.session().plan(presets: Fixtures.newAccount, password: nil,
                                           options: .init(interactive: true, threshold: .low, homeDirectory: "/h"), asker: asker)
        #expect(asker.pages[2]["password"]!.problem?.contains("at least 8") == true)
        #expect(asker.pages[2].questions.allSatisfy { !$0.isAdvanced })
        #expect(plan.password.utf8String == "long enough pass" && !plan.passwordWasGenerated)
        #expect(plan.answers["password"] == nil)

        let generated = PageScriptAsker([
            { _ in PageAnswers(values: ["provider": "1"]) },
            { _ in PageAnswers(values: [:]) },
        ])
        let second = try Self.session().plan(presets: Fixtures.newAccount, password: SecretBytes(utf8: "from a file"),
                                             options: .init(interactive: true, threshold: .low, homeDirectory: "/h"), asker: generated)
        #expect(!generated.pages[1].keys.contains("password"))
        #expect(second.password.utf8String == "from a file")
    }
}
