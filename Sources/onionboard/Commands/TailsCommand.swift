import ArgumentParser
import FoundationEssentials
import Glibc
import Platform
import TailsPersistence
import Vocabulary
import Localization

/// `onionboard tails …`: onionboard on Tails itself.
struct TailsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tails",
        abstract: "Keep onionboard in Tails' Persistent Storage.",
        subcommands: [TailsInstallCommand.self]
    )
}

/// `onionboard tails install [--uninstall]`.
struct TailsInstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Put onionboard where Tails' Persistent Storage keeps it across restarts (or take it out).",
        discussion: """
            On Tails with the Persistent Storage unlocked, copies onionboard and onionboard-gtk
            (from the directory this onionboard runs from) to ~/.local/bin and installs the
            autostart entry (the first-boot setup at login) and the applications-menu entry,
            all kept by the Persistent Storage's "Dotfiles" feature and linked into the home
            directory now. Checks first that the "Pidgin Internet Messenger" and "Dotfiles"
            features are on (Tails' persistence configuration) and names the switch to turn on
            when one is off (exit 66). Running it again changes nothing; --uninstall removes
            exactly what it added (never the Pidgin profile). ONIONBOARD_TAILS_ROOT names a
            simulated Tails layout.
            """
    )

    @Flag(name: .long, help: "Remove what `tails install` added.")
    var uninstall = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        try reportingErrors(json: output.json) {
            let installation = TailsInstallation(layout: TailsLayout(environment: ProcessInfo.processInfo.environment))
            if uninstall {
                let changes = try installation.uninstall()
                let report = TailsInstallReport(action: "uninstall", changes: changes ?? [], states: nil)
                if output.json { return try Console.json(report) }
                guard let changes else {
                    return Console.out(translated("onionboard is not installed in the Persistent Storage (no \(TailsInstallation.recordPath) in the Dotfiles); nothing to remove."))
                }
                for change in changes { Console.out("\(change.change.rawValue): \(change.path)") }
                Console.out(translated("onionboard is out of the Persistent Storage. The Pidgin profile (~/.purple) is left as it is."))
                return
            }
            let states = try installation.check()
            let changes = try installation.install(TailsInstallation.items(programDirectory: try Self.programDirectory()))
            let report = TailsInstallReport(action: "install", changes: changes, states: states)
            if output.json { return try Console.json(report) }
            for change in changes where change.change != .unchanged { Console.out("\(change.change.rawValue): \(change.path)") }
            if case .unknown(let why) = states[.pidgin] {
                Console.err("onionboard: " + translated("""
                    could not tell whether the Persistent Storage feature “Pidgin Internet Messenger” is on (\(why)); \
                    without it the account vanishes at shutdown
                    """))
            }
            Console.out(changes.allSatisfy { $0.change == .unchanged }
                        ? translated("onionboard is already in the Persistent Storage; nothing changed.")
                        : translated("""
                          onionboard is in the Persistent Storage (“Dotfiles”). At the next login the window opens once Tor is connected; \
                          to start it now: ~/.local/bin/onionboard-gtk
                          """))
        }
    }

    /// Where this onionboard and its onionboard-gtk are: the running program's directory
    /// (/proc/self/exe; without /proc, argv[0] as given or found on PATH).
    static func programDirectory() throws -> String {
        guard let directory = ProgramLocation.directory else { throw TailsInstallError.programMissing(ProcessArguments.all.first ?? "onionboard") }
        return directory
    }
}
