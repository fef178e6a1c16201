import ArgumentParser
import Frontends

extension FrontendKind: ExpressibleByArgument {}

struct FrontendOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The user interface: gui (zenity windows), terminal, plain or none (default: chosen automatically).",
                               valueName: "kind"))
    var frontend: FrontendKind?

    /// The frontend for this run. `nonInteractive` forces none.
    func make(nonInteractive: Bool, automatic: FrontendKind? = nil, context: ConsoleContext) throws -> Frontend {
        let kind = nonInteractive ? .none : (frontend ?? automatic ?? FrontendKind.automatic())
        do {
            return try kind.make(context: context)
        } catch let missing as FrontendKind.ZenityMissing {
            throw ValidationError(missing.description)
        }
    }
}
