import FoundationEssentials
import Glibc
import Platform
import Vocabulary
import XMPPOverTor
import Localization
import Wizard

/// Trust on first use at a terminal: show the certificate and ask. Not when standard
/// input is not a terminal or carries the password; then --accept-fingerprint decides.
func certificatePrompt(passwordFromStdin: Bool) -> (@Sendable (CertificateInfo) -> Bool)? {
    guard !passwordFromStdin, isatty(STDIN_FILENO) == 1, isatty(STDERR_FILENO) == 1 else { return nil }
    return { info in
        Console.err(translated("No pin and no certificate authority vouches for the server's certificate:") + "\n\(info.summary)")
        // Translators: {0} and {1} are the words for yes and no; no is what Enter answers.
        StandardStreams.writeError(translated("Accept this certificate? (\(WizardEngine.yes)/\(WizardEngine.no)) [\(WizardEngine.no)] "))
        let answer = readLine()?.trimmingWhitespace().lowercased()
        return answer == "y" || answer == "yes" || answer == WizardEngine.yes.lowercased()
    }
}
