import Diagnostics
import Secrets
import Wizard
import Localization

/// What a user interface does for a wizard run: ask questions (with re-asks), answer
/// the registration's questions (CAPTCHA, certificate, another username), show
/// progress and the result. The terminal and plain frontends share `LineFrontend`;
/// a GUI would be another conformance.
public protocol Frontend: QuestionAsker, RunInteraction {
    /// Whether it may ask anything at all.
    var isInteractive: Bool { get }
    func begin(_ template: WizardTemplate)
    /// `begin` with the profile directory the answers name so far (the desktop window
    /// says on its first page whether it survives a Tails restart).
    func begin(_ template: WizardTemplate, profileDirectory: String)
    /// The password of the account about to be created, for a frontend that can show it
    /// at the end (the desktop window's "Show password"); the others ignore it.
    func accountPassword(_ password: SecretBytes)
    func progress(_ event: RunEvent)
    func finish(_ report: OnboardingReport)
    /// The run ended with an error. Standard error always gets it; a frontend whose
    /// person may have no terminal (the desktop one) shows it too.
    func failed(_ message: String)
}

extension Frontend {
    public func failed(_ message: String) { Interruption.runFailed() }
    public func begin(_ template: WizardTemplate, profileDirectory: String) { begin(template) }
    public func accountPassword(_ password: SecretBytes) {}
}

public enum FrontendError: ClassifiedError, Equatable {
    case inputClosed
    case cancelled
    case needsAnswer(String)

    public var category: ErrorCategory {
        switch self {
        case .inputClosed, .cancelled: .cancelled
        case .needsAnswer: .missingAnswers
        }
    }

    public var description: String {
        switch self {
        case .inputClosed: translated("standard input ended before every question was answered; nothing was written")
        case .cancelled: translated("cancelled; nothing was written")
        case .needsAnswer(let what): translated("a non-interactive run cannot answer: \(what)")
        }
    }
}
