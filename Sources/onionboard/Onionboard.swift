import Frontends
import ArgumentParser
import Platform
import Secrets
import Localization

/// The `onionboard` command. It only parses flags and hands over to the library
/// layers; see the README for the commands and exit codes. Its entry point is the
/// `OnionboardMain` executable (`onionboard`); `onionboard-gtk` runs it too.
public struct Onionboard: ParsableCommand {
    public init() {}

    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "onionboard",
        abstract: "Set up an anonymous XMPP account over Tor and a ready-made Pidgin profile.",
        discussion: """
            Without a subcommand, runs the default wizard (tails-support) interactively.
            Exit codes: 0 ok, 1 internal error, 3 answers missing (non-interactive),
            64 usage, 65 invalid data, 66 missing input, 69 unreachable, 73 cannot write,
            75 try later, 76 protocol violation, 77 refused, 78 untrusted certificate,
            130 cancelled.
            """,
        version: version,
        subcommands: [
            RunCommand.self, ProvidersCommand.self, RegisterCommand.self, ExportCommand.self,
            BootstrapCommand.self, CertificatesCommand.self, TemplatesCommand.self, TailsCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )

    /// Core dumps off before anything else: a core taken mid-login would hold the password.
    /// (Public: the executable, another module, must call this one, not ArgumentParser's.)
    /// The arguments come from ProcessArguments, which does not need /proc.
    public static func main() {
        CoreDumps.disable()
        Localization.start()
        main(ProcessArguments.afterProgramName(program: "onionboard"))
    }
}

extension Onionboard {
    /// Whether a parsed command runs a wizard (and so needs the desktop window in
    /// onionboard-gtk); help, version and the other commands do not.
    public static func runsWizard(_ command: ParsableCommand) -> Bool {
        command is RunCommand || command is BootstrapCommand
    }
}

