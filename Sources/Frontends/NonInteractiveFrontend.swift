import Secrets
import Vocabulary
import Wizard
import Localization

/// `--non-interactive` / `--yes`: never reads standard input. Anything the run would
/// have to ask makes it fail with a message naming the flag that answers it.
public final class NonInteractiveFrontend: Frontend {
    public let output: OutputHandler
    public let isInteractive = false

    public init(output: OutputHandler) {
        self.output = output
    }

    public func begin(_ template: WizardTemplate) {
        output.writeLine(translated("\(template.title) (non-interactive)"))
    }

    public func ask(_ question: PresentedQuestion) throws -> String {
        throw FrontendError.needsAnswer("\(question.question.key) (\(question.question.flag))")
    }

    public func askSecret(_ question: PresentedQuestion) throws -> SecretBytes? { nil }

    public func refuse(_ question: PresentedQuestion, reason: String) {}

    public func progress(_ event: RunEvent) {
        output.writeLine("• \(event)")
    }

    public func fill(_ fields: [RegistrationField]) throws -> [String: String] {
        if let captcha = fields.first(where: { $0.kind == .captcha }) {
            throw FrontendError.needsAnswer(captcha.webRegistrationURL.map {
                translated("the provider asks for a CAPTCHA, which needs a person; run without --non-interactive, or register on the provider's web page: \(ServerText.sanitised($0)). Nothing was registered or written")
            } ?? translated("the provider asks for a CAPTCHA, which needs a person; run without --non-interactive. Nothing was registered or written"))
        }
        let labels = fields.map { "“\(ServerText.sanitised($0.label, maximumLength: 80))”" }.joined(separator: translated(", "))
        throw FrontendError.needsAnswer(translated("the server asks for \(labels) (a CAPTCHA or extra field); run interactively or choose a provider without a CAPTCHA"))
    }

    public func confirm(_ certificate: CertificateSummary) -> Bool {
        output.writeLine("• " + translated("The certificate (SHA-256 \(certificate.sha256)) is not pinned and not CA-signed; pass --accept-fingerprint \(certificate.sha256) to trust it."))
        return false
    }

    public func anotherUsername(taken: String, problem: String?) throws -> String? { nil }

    public func finish(_ report: OnboardingReport) {
        output.writeLine(translated("Done: \(report.jid) → \(report.profile.directory) (room \(report.room.jid) as \(report.handle))")
            + (report.account == .pidgin ? translated(" — the room was added to Pidgin's account") : ""))
        if !report.throughTor { output.writeLine(translated("Warning: \(report.jid) does not connect through Tor")) }
        if let problem = report.roomCheck?.problem { output.writeLine(translated("Warning: \(problem)")) }
        for warning in report.profile.warnings { output.writeLine(OnboardingReport.note(warning.description)) }
    }
}
