import FoundationEssentials
import Frontends
import Glibc
import Platform
import Secrets
import Localization

/// `--password-file FILE|-`: the password, and a warning on standard error when it is short.
/// Missing or unopenable files exit 66, empty/directory/over-long ones 65 (`SecretInputError`).
/// `-` on a terminal asks for it (`prompt`) with echo off, and Ctrl-C restores the terminal.
func readPasswordFile(_ path: String, prompt: String? = nil) throws -> SecretBytes {
    let password: SecretBytes
    if path == "-", let prompt, isatty(STDIN_FILENO) == 1 {
        Interruption.install()
        StandardStreams.writeError(translated("\(prompt) (not shown): "))
        guard var typed = try ConsoleContext.standard().input.readSecretLine(), !typed.isEmpty else {
            throw SecretInputError.nothingTyped
        }
        password = SecretBytes(consuming: &typed)
    } else {
        password = try SecretBytes.read(path: path)
    }
    if let warning = password.shortPasswordWarning { Console.err("onionboard: " + translated("warning: \(warning)")) }
    return password
}

/// The password came from a terminal prompt, not from standard input's data: standard
/// input can still answer questions.
func passwordTypedAtTerminal(_ path: String) -> Bool { path == "-" && isatty(STDIN_FILENO) == 1 }
