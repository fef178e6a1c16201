import ArgumentParser
import Frontends

extension FrontendKind: ExpressibleByArgument {}

struct FrontendOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The user interface: gui (the desktop window, onionboard-gtk), terminal, plain or none (default: chosen automatically).",
                               valueName: "kind"))
    var frontend: FrontendKind?

    /// The frontend for this run. `nonInteractive` forces none; inside onionboard-gtk the
    /// default is its window.
    func make(nonInteractive: Bool, automatic: FrontendKind? = nil, context: ConsoleContext) throws -> Frontend {
        let kind = nonInteractive ? .none : (frontend ?? (DesktopWindow.isProvided ? .gui : automatic ?? FrontendKind.automatic()))
        do {
            return try kind.make(context: context)
        } catch let missing as DesktopWindow.Missing {
            throw ValidationError(missing.description)
        }
    }
}
