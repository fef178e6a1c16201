import CGtk
import FoundationEssentials
import Glibc
import Platform
import Frontends
import Secrets
import Vocabulary
import Wizard
import Localization

/// The desktop frontend: one window for the whole run. Its methods are called on the
/// worker thread that runs the wizard; each hands its page to the main thread and, for
/// a question, waits there until the person answers. A cancel never wakes the worker:
/// `Interruption.cancel()` ends the process in the phase it is in (nothing is on disk
/// before the profile write).
public final class GtkWindowFrontend: Frontend, PageAsker, @unchecked Sendable {
    public let isInteractive = true
    private let wizard = DesktopWizard()
    private let persistenceNote: @Sendable (String) -> String?
    private let lock = Lock()
    private var captchaRefused = false
    private var refusal: (key: String, reason: String)?
    private var password: SecretBytes?

    /// - Parameter persistenceNote: for the introduction, whether a profile in that
    ///   directory survives a Tails restart (nil when there is nothing to say).
    public init(persistenceNote: @escaping @Sendable (String) -> String?) {
        self.persistenceNote = persistenceNote
        Interruption.install()
    }

    private func onMain(_ body: @escaping @Sendable (DesktopWizard) -> Void) {
        let wizard = self.wizard
        MainLoop.post { body(wizard) }
    }

    private func wait<Value>(_ make: (Reply<Value>) -> DesktopWizard.Request) -> Value {
        let reply = Reply<Value>()
        let request = UncheckedBox(make(reply))
        onMain { $0.submit(request.value) }
        return reply.wait()
    }

    // MARK: Frontend

    public func begin(_ template: WizardTemplate) {
        begin(template, profileDirectory: WizardEngine.expandHome("~/.purple", home: HomeDirectory.current))
    }

    public func begin(_ template: WizardTemplate, profileDirectory: String) {
        let note = persistenceNote(profileDirectory)
        onMain { $0.begin(template, persistence: note) }
    }

    public func accountPassword(_ password: SecretBytes) {
        lock.lock()
        self.password = password
        lock.unlock()
    }

    public func askPage(_ page: PresentedPage) throws -> PageAnswers {
        switch wait({ DesktopWizard.Request.page(page, $0) }) {
        case .answers(let answers): return answers
        case .back(let typed): throw GoBack(keeping: typed)
        }
    }

    /// One question alone (the question-by-question conversation): a page of one.
    public func ask(_ question: PresentedQuestion) throws -> String {
        try askPage(single(question)).values[question.question.key] ?? ""
    }

    public func askSecret(_ question: PresentedQuestion) throws -> SecretBytes? {
        try askPage(single(question)).secret
    }

    public func refuse(_ question: PresentedQuestion, reason: String) {
        lock.lock()
        refusal = (question.question.key, reason)
        lock.unlock()
    }

    private func single(_ question: PresentedQuestion) -> PresentedPage {
        var question = question
        lock.lock()
        if let refusal, refusal.key == question.question.key { question.problem = refusal.reason }
        refusal = nil
        lock.unlock()
        return PresentedPage(questions: [question], number: question.index, canGoBack: question.canGoBack)
    }

    public func progress(_ event: RunEvent) {
        switch event {
        case .writingProfile: Interruption.profileWriteBegins()
        case .captchaRetry:
            lock.lock()
            captchaRefused = true
            lock.unlock()
        default: break
        }
        onMain { $0.record(event) }
    }

    public func fill(_ fields: [RegistrationField]) throws -> [String: String] {
        lock.lock()
        let retry = captchaRefused
        captchaRefused = false
        lock.unlock()
        return wait { DesktopWizard.Request.fields(fields, retry: retry, $0) }
    }

    public func confirm(_ certificate: CertificateSummary) -> Bool {
        wait { DesktopWizard.Request.certificate(certificate, $0) }
    }

    /// The room turned out missing or closed: a page of one choice (the alternatives first,
    /// then keeping the room), the problem as its help.
    public func chooseRoom(_ status: RoomStatus, alternatives: [RoomBookmark]) throws -> RoomBookmark? {
        guard !alternatives.isEmpty else { return nil }
        let keep = translated("Keep \(status.jid) anyway")
        let labels = alternatives.map(\.jid) + [keep]
        let problem = status.problem ?? status.summary
        let question = Question(key: "room-instead", type: .select, prompt: translated("Which room should Pidgin join?"),
                                help: translated("\(problem.prefix(1).uppercased() + problem.dropFirst()). Your account exists already; only the room changes."),
                                choices: labels)
        let presented = PresentedQuestion(question: question, defaultText: labels[0],
                                          choices: labels.map { .init(label: $0, detail: "") }, index: 0)
        let answers = try askPage(PresentedPage(questions: [presented], number: 0, canGoBack: false))
        let chosen = answers.values[question.key] ?? labels[0]
        return alternatives.first { $0.jid == chosen }
    }

    public func anotherUsername(taken: String, problem: String?) throws -> String? {
        wait { DesktopWizard.Request.anotherUsername(taken: taken, problem: problem, $0) }
    }

    /// The last page; it stays until the person closes it or starts Pidgin.
    public func finish(_ report: OnboardingReport) {
        Interruption.profileWritten()
        lock.lock()
        let password = self.password
        lock.unlock()
        if wait({ DesktopWizard.Request.done(report, password: password, $0) }) == .startPidgin {
            Pidgin.start(profileDirectory: report.profile.directory)
        }
    }

    /// The error that ended the run, until the person closes it (the desktop has no
    /// terminal to print it to; standard error gets it too).
    public func failed(_ message: String) {
        Interruption.runFailed()
        wait { DesktopWizard.Request.failure(message, $0) }
    }
}

/// Carries a value the sender no longer touches to the main thread.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The desktop program: GTK's main loop on the main thread, the command on a worker.
public enum DesktopApp {
    /// Connects to the display (DISPLAY / WAYLAND_DISPLAY); false when there is none.
    public static func openDisplay() -> Bool {
        g_set_prgname(DesktopWindow.programName)
        g_set_application_name("onionboard")
        // The locale is set already (Localization.start); GTK would set it again from the
        // environment, undoing the C.UTF-8 that gives GTK a UTF-8 codeset where the
        // environment's locale is C or not installed.
        gtk_disable_setlocale()
        guard gtk_init_check(nil, nil) != 0 else { return false }
        // GTK takes the direction from its own catalog (gtk30.mo) through glibc's gettext,
        // which may be missing or ignored (C.UTF-8 on glibc 2.41): ours says it too, so a
        // Persian window is laid out right to left either way.
        gtk_widget_set_default_direction(Localization.isRightToLeft ? GTK_TEXT_DIR_RTL : GTK_TEXT_DIR_LTR)
        return true
    }

    /// Runs `work` on a worker thread while this (the main) thread runs the GTK main loop,
    /// until `work` returns its exit status.
    public static func run(_ work: @escaping @Sendable () -> Int32) -> Int32 {
        let status = ExitStatus()
        Threads.detach(name: "wizard", stackSize: 8 << 20) {
            status.value = work()
            MainLoop.post { gtk_main_quit() }
        }
        gtk_main()
        return status.value
    }

    private final class ExitStatus: @unchecked Sendable {
        private let lock = Lock()
        private var code: Int32 = 0
        var value: Int32 {
            get { lock.lock(); defer { lock.unlock() }; return code }
            set { lock.lock(); code = newValue; lock.unlock() }
        }
    }
}
