import Diagnostics
import Foundation
import Glibc

/// Which user interface runs a wizard: gui (zenity windows), terminal, plain or none.
/// The automatic choice: gui on a desktop (DISPLAY or WAYLAND_DISPLAY, standard input
/// not a terminal, zenity installed), terminal when standard input is a terminal, plain
/// otherwise.
public enum FrontendKind: String, CaseIterable, Sendable {
    case gui, terminal, plain, none

    public static func automatic(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 stdinIsTerminal: Bool = isatty(STDIN_FILENO) == 1,
                                 zenityInstalled: Bool = ZenityDialog.executable != nil) -> FrontendKind {
        let desktop = !(environment["DISPLAY"] ?? "").isEmpty || !(environment["WAYLAND_DISPLAY"] ?? "").isEmpty
        if desktop && !stdinIsTerminal && zenityInstalled { return .gui }
        return stdinIsTerminal ? .terminal : .plain
    }

    public struct ZenityMissing: ClassifiedError {
        public var category: ErrorCategory { .missingInput }
        public var description: String { "--frontend gui needs zenity (apt install zenity), which was not found in /usr/bin" }
    }

    /// A frontend of this kind reading and writing through `context`.
    public func make(context: ConsoleContext) throws -> Frontend {
        switch self {
        case .none: return NonInteractiveFrontend(output: context.output)
        case .terminal, .plain: return LineFrontend(context: context)
        case .gui:
            guard let zenity = ZenityDialog.executable else { throw ZenityMissing() }
            return ZenityFrontend(executable: zenity)
        }
    }
}
