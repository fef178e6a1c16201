import ArgumentParser

// Placeholder until its issue lands; replaced by the real command.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a wizard: choose a provider, register over Tor, write the Pidgin profile."
    )

    func run() throws {
        throw ValidationError("'run' is not available in this build yet")
    }
}
