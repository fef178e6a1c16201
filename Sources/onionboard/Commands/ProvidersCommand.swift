import ArgumentParser

// Placeholder until its issue lands; replaced by the real command.
struct ProvidersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "List, inspect and import onion provider maps."
    )

    func run() throws {
        throw ValidationError("'providers' is not available in this build yet")
    }
}
