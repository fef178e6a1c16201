import ArgumentParser
import Foundation
import Glibc

/// `--frontend gui|terminal|plain|none`, or the automatic choice: gui on a desktop
/// (DISPLAY or WAYLAND_DISPLAY, standard input not a terminal, zenity installed),
/// terminal when standard input is a terminal, plain otherwise; none with --non-interactive.
enum FrontendKind: String, CaseIterable, ExpressibleByArgument {
    case gui, terminal, plain, none

    static func automatic(environment: [String: String] = ProcessInfo.processInfo.environment,
                          stdinIsTerminal: Bool = isatty(STDIN_FILENO) == 1,
                          zenityInstalled: Bool = ZenityDialog.executable != nil) -> FrontendKind {
        let desktop = !(environment["DISPLAY"] ?? "").isEmpty || !(environment["WAYLAND_DISPLAY"] ?? "").isEmpty
        if desktop && !stdinIsTerminal && zenityInstalled { return .gui }
        return stdinIsTerminal ? .terminal : .plain
    }
}

struct FrontendOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The user interface: gui (zenity windows), terminal, plain or none (default: chosen automatically).",
                               valueName: "kind"))
    var frontend: FrontendKind?

    struct ZenityMissing: Error, CustomStringConvertible {
        var description: String { "--frontend gui needs zenity (apt install zenity), which was not found in /usr/bin" }
    }

    /// The frontend for this run. `nonInteractive` forces none.
    func make(nonInteractive: Bool, automatic: FrontendKind? = nil, context: ConsoleContext) throws -> Frontend {
        let kind = nonInteractive ? .none : (frontend ?? automatic ?? FrontendKind.automatic())
        switch kind {
        case .none: return NonInteractiveFrontend(output: context.output)
        case .terminal, .plain: return LineFrontend(context: context)
        case .gui:
            guard let zenity = ZenityDialog.executable else { throw ValidationError(ZenityMissing().description) }
            return ZenityFrontend(executable: zenity)
        }
    }
}
