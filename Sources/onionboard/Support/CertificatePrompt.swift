import FoundationEssentials
import Glibc
import Platform
import Vocabulary
import XMPPOverTor

/// Trust on first use at a terminal: show the certificate and ask. Not when standard
/// input is not a terminal or carries the password; then --accept-fingerprint decides.
func certificatePrompt(passwordFromStdin: Bool) -> (@Sendable (CertificateInfo) -> Bool)? {
    guard !passwordFromStdin, isatty(STDIN_FILENO) == 1, isatty(STDERR_FILENO) == 1 else { return nil }
    return { info in
        Console.err("No pin and no certificate authority vouches for the server's certificate:\n\(info.summary)")
        StandardStreams.writeError("Accept this certificate? [y/N] ")
        let answer = readLine()?.trimmingWhitespace().lowercased()
        return answer == "y" || answer == "yes"
    }
}
