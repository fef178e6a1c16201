import Diagnostics
import FoundationEssentials
import Glibc

/// Which user interface runs a wizard: gui (the desktop window, onionboard-gtk), terminal,
/// plain or none. The automatic choice: gui on a desktop (DISPLAY or WAYLAND_DISPLAY,
/// standard input not a terminal, onionboard-gtk installed), terminal when standard input
/// is a terminal, plain otherwise. Inside onionboard-gtk a run is always gui unless
/// `--frontend` says otherwise.
public enum FrontendKind: String, CaseIterable, Sendable {
    case gui, terminal, plain, none

    public static func automatic(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 stdinIsTerminal: Bool = isatty(STDIN_FILENO) == 1,
                                 desktopWindowInstalled: Bool = DesktopWindow.executable() != nil) -> FrontendKind {
        let desktop = !(environment["DISPLAY"] ?? "").isEmpty || !(environment["WAYLAND_DISPLAY"] ?? "").isEmpty
        if desktop && !stdinIsTerminal && desktopWindowInstalled { return .gui }
        return stdinIsTerminal ? .terminal : .plain
    }

    /// A frontend of this kind reading and writing through `context`. In `onionboard`, gui
    /// hands the whole run over to onionboard-gtk (exec) and does not return.
    public func make(context: ConsoleContext) throws -> Frontend {
        switch self {
        case .none: return NonInteractiveFrontend(output: context.output)
        case .terminal, .plain: return LineFrontend(context: context)
        case .gui:
            if let window = DesktopWindow.provided { return window() }
            guard let program = DesktopWindow.executable() else { throw DesktopWindow.Missing() }
            try DesktopWindow.handOver(to: program)
        }
    }
}
