import ArgumentParser

// Placeholder until its issue lands; replaced by the real command.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a Pidgin profile for an account that already exists."
    )

    func run() throws {
        throw ValidationError("'export' is not available in this build yet")
    }
}
