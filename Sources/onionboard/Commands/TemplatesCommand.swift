import ArgumentParser

// Placeholder until its issue lands; replaced by the real command.
struct TemplatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "templates",
        abstract: "List, show and check wizard templates."
    )

    func run() throws {
        throw ValidationError("'templates' is not available in this build yet")
    }
}
