import Foundation
import XMPPOverTor

/// Trust on first use at a terminal: show the certificate and ask. Not when standard
/// input is not a terminal or carries the password; then --accept-fingerprint decides.
func certificatePrompt(passwordFromStdin: Bool) -> (@Sendable (CertificateInfo) -> Bool)? {
    guard !passwordFromStdin, isatty(STDIN_FILENO) == 1, isatty(STDERR_FILENO) == 1 else { return nil }
    return { info in
        Console.err("No pin and no certificate authority vouches for the server's certificate:\n\(info.summary)")
        FileHandle.standardError.write(Data("Accept this certificate? [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
        return answer == "y" || answer == "yes"
    }
}
