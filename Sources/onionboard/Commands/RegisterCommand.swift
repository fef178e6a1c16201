import ArgumentParser

// Placeholder until its issue lands; replaced by the real command.
struct RegisterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register an account in-band over Tor (plumbing for scripts)."
    )

    func run() throws {
        throw ValidationError("'register' is not available in this build yet")
    }
}
