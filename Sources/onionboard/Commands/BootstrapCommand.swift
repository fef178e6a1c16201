import ArgumentParser

// Placeholder until its issue lands; replaced by the real command.
struct BootstrapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap",
        abstract: "First-boot setup: idempotent, waits for Tor, uses answers and defaults."
    )

    func run() throws {
        throw ValidationError("'bootstrap' is not available in this build yet")
    }
}
