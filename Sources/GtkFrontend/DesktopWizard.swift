import CGtk
import FoundationEssentials
import Vocabulary
import Frontends
import Secrets
import Wizard
import Localization

/// What the worker waits for, and how the page's answer gets back to it.
enum PageReply {
    case answers(PageAnswers)
    /// Back, keeping what was typed on the page for when it comes again.
    case back([String: String])
}

enum DoneChoice {
    case close
    case startPidgin
}

/// The window's side of a run: which page shows and what each button does. It lives
/// on the main thread; the worker reaches it only through `MainLoop.post`, handing over
/// a request and waiting on its `Reply` (so `@unchecked Sendable` only to be posted).
///
/// Page order: the introduction first (whatever the worker is doing meanwhile), then
/// the worker's current request — a page of questions, a certificate, a CAPTCHA,
/// another username, the end or an error — or, while it works, the progress.
final class DesktopWizard: @unchecked Sendable {
    enum Request {
        case page(PresentedPage, Reply<PageReply>)
        case fields([RegistrationField], retry: Bool, Reply<[String: String]>)
        case certificate(CertificateSummary, Reply<Bool>)
        case anotherUsername(taken: String, problem: String?, Reply<String?>)
        case done(OnboardingReport, password: SecretBytes?, Reply<DoneChoice>)
        case failure(String, Reply<Void>)
    }

    private var window: WizardWindow?
    private var template: WizardTemplate?
    private var persistence: String?
    private var introductionPassed = false
    private var request: Request?
    private var log = PhaseLog()
    /// The page objects on screen (their widgets' handlers refer to them).
    private var view: AnyObject?
    private var writing = false

    private var cancel: WizardWindow.Action {
        .init(mnemonic: translated("_Cancel"), name: translated("Cancel")) { Interruption.cancel() }
    }

    // MARK: from the worker

    func begin(_ template: WizardTemplate, persistence: String?) {
        precondition(MainLoop.isCurrent, "GTK is called on the main thread only")
        self.template = template
        self.persistence = persistence
        refresh()
    }

    func submit(_ request: Request) {
        precondition(MainLoop.isCurrent, "GTK is called on the main thread only")
        log.pause()
        self.request = request
        refresh()
    }

    func record(_ event: RunEvent) {
        precondition(MainLoop.isCurrent, "GTK is called on the main thread only")
        if case .writingProfile = event { writing = true }
        log.record(event)
        if request == nil { refresh() }
    }

    // MARK: pages

    private func refresh() {
        let window = self.window ?? makeWindow()
        // The page on screen stays alive until its widgets are gone (their handlers use it).
        let previous = view
        defer { withExtendedLifetime(previous) {} }
        view = nil
        if !introductionPassed, let template {
            window.show(.init(heading: template.title,
                              content: InformationPages.introduction(template, persistence: persistence),
                              primary: .init(mnemonic: translated("_Next"), name: translated("Next")) { [unowned self] in
                                  introductionPassed = true
                                  refresh()
                              },
                              leave: cancel))
            return
        }
        introductionPassed = true
        guard let request else { return showProgress(window) }
        switch request {
        case .page(let page, let reply): showQuestions(page, reply, in: window)
        case .fields(let fields, let retry, let reply): showFields(fields, retry: retry, reply, in: window)
        case .certificate(let certificate, let reply):
            window.show(.init(heading: translated("Check the server's certificate"),
                              content: InformationPages.certificate(certificate),
                              primary: .init(mnemonic: translated("_Trust"), name: translated("Trust")) { [unowned self] in answer(reply, true) },
                              secondary: .init(mnemonic: translated("_Do not trust"), name: translated("Do not trust")) { [unowned self] in
                                  answer(reply, false)
                              },
                              leave: cancel))
        case .anotherUsername(let taken, let problem, let reply): showAnotherUsername(taken, problem, reply, in: window)
        case .done(let report, let password, let reply):
            let page = DonePage(report, password: password, pidginInstalled: Pidgin.isInstalled)
            view = page
            window.show(.init(heading: report.account == .pidgin ? translated("The room is added") : translated("Your account is ready"), content: page.content,
                              primary: Pidgin.isInstalled ? .init(mnemonic: translated("Start _Pidgin"), name: translated("Start Pidgin")) { [unowned self] in
                                  answer(reply, .startPidgin)
                              } : nil,
                              leave: .init(mnemonic: translated("C_lose"), name: translated("Close")) { [unowned self] in answer(reply, .close) },
                              focus: page.focus))
        case .failure(let message, let reply):
            let close = { [unowned self] in answer(reply, ()) }
            window.show(.init(heading: writing ? translated("The run stopped") : translated("The account was not set up"),
                              content: InformationPages.error(message, nothingWritten: !writing),
                              primary: .init(mnemonic: translated("C_lose"), name: translated("Close"), run: close), escape: close))
        }
    }

    private func makeWindow() -> WizardWindow {
        let window = WizardWindow(title: template?.title ?? "onionboard")
        self.window = window
        // Without an introduction to show (no template yet), start where the run is.
        if template == nil { introductionPassed = true }
        return window
    }

    /// Hands the answer to the waiting worker; the page stays, inactive, until the next one.
    private func answer<Value>(_ reply: Reply<Value>, _ value: Value) {
        request = nil
        window?.waitForNextPage()
        reply.give(value)
    }

    private func showQuestions(_ page: PresentedPage, _ reply: Reply<PageReply>, in window: WizardWindow) {
        var questions: QuestionPage!
        let next = { [unowned self] in answer(reply, .answers(questions.answers())) }
        questions = QuestionPage(page, submit: next)
        view = questions
        window.show(.init(heading: questions.heading, content: questions.content,
                          primary: .init(mnemonic: translated("_Next"), name: translated("Next"), run: next),
                          back: { [unowned self] in
                              if page.canGoBack {
                                  answer(reply, .back(questions.answers().values))
                              } else {
                                  // Before the first question: the introduction; the
                                  // question waits and comes back after it.
                                  introductionPassed = false
                                  refresh()
                              }
                          },
                          leave: cancel, focus: questions.focus))
    }

    private func showFields(_ fields: [RegistrationField], retry: Bool, _ reply: Reply<[String: String]>,
                            in window: WizardWindow) {
        let page = FieldsPage(fields, retry: retry)
        view = page
        window.show(.init(heading: page.heading, content: page.content,
                          primary: .init(mnemonic: translated("_Next"), name: translated("Next")) { [unowned self] in
                              guard page.missing(fields).isEmpty else { return page.focus?.focus() ?? () }
                              answer(reply, page.answers())
                          },
                          leave: cancel, focus: page.focus))
    }

    private func showAnotherUsername(_ taken: String, _ problem: String?, _ reply: Reply<String?>, in window: WizardWindow) {
        let content = Make.box(spacing: 12)
        content.pack(Make.label(problem.map { translated("That name cannot be used: \($0)") }
            ?? translated("The username \(taken) is already taken on this server. Choose another one.")))
        let entry = Make.entry(name: translated("Another username"))
        content.pack(Make.fieldLabel(translated("_Another username"), for: entry))
        content.pack(entry)
        window.show(.init(heading: translated("Choose another username"), content: content,
                          primary: .init(mnemonic: translated("_Next"), name: translated("Next")) { [unowned self] in
                              let text = entry.entryText.trimmingWhitespace()
                              guard !text.isEmpty else { return entry.focus() }
                              answer(reply, Optional(text))
                          },
                          leave: cancel, focus: entry))
    }

    private func showProgress(_ window: WizardWindow) {
        let page = ProgressPage(log)
        view = page
        let heading = writing ? translated("Writing the Pidgin profile") : log.isWaitingForTor ? translated("Waiting for Tor")
            : log.isCheckingProviders ? translated("Checking the providers") : translated("Creating your account")
        window.show(.init(heading: heading, content: page.content, leave: cancel))
        // The profile write takes milliseconds and must not be cut short.
        window.setLeaveEnabled(!writing)
    }
}
