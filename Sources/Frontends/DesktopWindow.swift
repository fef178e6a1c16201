import Diagnostics
import FoundationEssentials
import Glibc
import Platform
import Localization

/// The desktop frontend is the window of `onionboard-gtk`, a program of its own so that
/// `onionboard` links no GTK. It runs the same commands with the same flags; `onionboard`
/// hands a desktop run over to it by exec (same process id, arguments and environment,
/// so a logout's SIGTERM, the exit status and the output are the window's).
public enum DesktopWindow {
    private static let lock = Lock()
    nonisolated(unsafe) private static var provider: (@Sendable () -> Frontend)?

    /// Called by onionboard-gtk before it runs a command: the frontend it provides.
    public static func provide(_ make: @escaping @Sendable () -> Frontend) {
        lock.lock()
        provider = make
        lock.unlock()
    }

    /// The window's frontend, inside onionboard-gtk (nil in `onionboard`).
    static var provided: (@Sendable () -> Frontend)? {
        lock.lock()
        defer { lock.unlock() }
        return provider
    }

    /// This process is onionboard-gtk.
    public static var isProvided: Bool { provided != nil }

    public static let programName = "onionboard-gtk"

    /// onionboard-gtk installed next to this executable, else the first on PATH.
    public static func executable(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        var directories: [String] = []
        if let mine = ProgramLocation.directory { directories.append(mine) }
        directories += (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        return directories.lazy.map { Paths.join($0, programName) }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public struct Missing: ClassifiedError {
        public var category: ErrorCategory { .missingInput }
        public var description: String {
            translated("--frontend gui needs \(DesktopWindow.programName) (the desktop window), installed next to onionboard or on PATH; it was not found")
        }
    }

    struct HandOverFailed: ClassifiedError {
        let program: String
        let code: Int32
        var category: ErrorCategory { .internalError }
        var description: String { "cannot start \(program): \(String(cString: strerror(code)))" }
    }

    /// Replaces this process with onionboard-gtk, passing this run's arguments. Returns
    /// only by throwing (exec failed).
    static func handOver(to program: String, arguments: [String] = Array(CommandLine.arguments.dropFirst())) throws -> Never {
        StandardStreams.synchronizeOutput()
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        execv(program, argv)
        let code = errno
        argv.forEach { free($0) }
        throw HandOverFailed(program: program, code: code)
    }
}
