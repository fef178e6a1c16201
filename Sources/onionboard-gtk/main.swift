// onionboard-gtk — the onionboard wizard in one desktop window (GTK 3).
// Copyright (C) 2026 the onionboard authors. GPL-3.0-or-later.
//
// The same commands and flags as `onionboard` (which hands desktop runs over to this
// program), with the window as the frontend. The GTK main loop runs on the main thread,
// the command on a worker (docs/gui.md).
import ArgumentParser
import FoundationEssentials
import Glibc
import Frontends
import GtkFrontend
import onionboard
import Platform
import PurpleConfig
import Secrets
import Localization

/// The parsed command, handed to the worker that runs it.
final class ParsedCommand: @unchecked Sendable {
    var command: ParsableCommand
    init(_ command: ParsableCommand) { self.command = command }
}

// Core dumps off before anything else: a core taken mid-login would hold the password.
CoreDumps.disable()
Localization.start()
let arguments = ProcessArguments.afterProgramName(program: "onionboard-gtk")
// Usage errors, --help and --version need no display.
let parsed: ParsedCommand
do {
    parsed = ParsedCommand(try Onionboard.parseAsRoot(arguments))
} catch {
    Onionboard.exit(withError: error)
}
/// Runs the command; its exit status, reported as ArgumentParser's `main` would (without
/// exiting, which must not happen on the worker thread).
@Sendable func execute(_ parsed: ParsedCommand) -> Int32 {
    do {
        try parsed.command.run()
        return 0
    } catch {
        let message = Onionboard.fullMessage(for: error)
        if !message.isEmpty {
            let stream = Onionboard.exitCode(for: error).isSuccess ? STDOUT_FILENO : STDERR_FILENO
            StandardStreams.write(Array((message + "\n").utf8), to: stream)
        }
        return Onionboard.exitCode(for: error).rawValue
    }
}

// Help and the commands that ask nothing run without a window.
guard Onionboard.runsWizard(parsed.command) else { exit(execute(parsed)) }
guard DesktopApp.openDisplay() else {
    StandardStreams.writeError("onionboard-gtk: \(translated("cannot open the display (DISPLAY or WAYLAND_DISPLAY); in a terminal, run onionboard instead"))\n")
    exit(69)
}
Interruption.install()
DesktopWindow.provide {
    GtkWindowFrontend(persistenceNote: { TailsEnvironment.system.persistenceState(of: $0) })
}
exit(DesktopApp.run { execute(parsed) })
