import Foundation
import Glibc

/// One zenity window: spawned with an argv (never through a shell), its answer read
/// from its standard output. Secrets come back on stdout too, never via argv or env.
struct ZenityDialog {
    /// zenity's exit status: 0 OK/Yes, 1 Cancel/No/closed, 5 timeout, -1 error.
    struct Outcome {
        var status: Int32
        var output: [UInt8]
        var accepted: Bool { status == 0 }
    }

    static let searchPath = ["/usr/bin/zenity", "/usr/local/bin/zenity", "/bin/zenity"]

    /// The zenity binary, or nil when it is not installed.
    static var executable: String? {
        if let override = ProcessInfo.processInfo.environment["ONIONBOARD_ZENITY"],
           FileManager.default.isExecutableFile(atPath: override) { return override }
        return searchPath.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    let executable: String

    /// Runs the dialog to its end. `started` sees the process (so a cancel elsewhere can end it).
    func run(_ arguments: [String], started: (Process) -> Void = { _ in }) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardInput = FileHandle.nullDevice
        try process.run()
        started(process)
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let descriptor = stdout.fileHandleForReading.fileDescriptor
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        // The buffer may have held a secret.
        buffer.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
        try? stdout.fileHandleForReading.close()
        process.waitUntilExit()
        // Drop the final newline zenity prints after an answer.
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        return Outcome(status: process.terminationStatus, output: bytes)
    }
}

/// The pulsating progress window of the Tor phases, fed "# message" lines on its
/// standard input. Its Cancel button ends zenity with status 1, which `onCancel` hears.
final class ZenityProgress: @unchecked Sendable {
    private let pid: pid_t
    private let input: Int32
    private let lock = NSLock()
    private var closing = false

    /// Spawned with posix_spawn and watched with waitpid on its own thread: Foundation's
    /// Process did not report this child's exit while the main thread sat in a dialog.
    init(executable: String, title: String, text: String, onCancel: @escaping @Sendable () -> Void) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CocoaError(.fileWriteUnknown) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        let arguments = [executable, "--progress", "--pulsate", "--auto-close", "--no-markup", "--width=520",
                         "--title=\(title)", "--text=\(text)"]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child = pid_t()
        let result = posix_spawn(&child, executable, &actions, nil, argv, environ)
        Glibc.close(fds[0])
        guard result == 0 else { Glibc.close(fds[1]); throw CocoaError(.executableLoad) }
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        pid = child
        input = fds[1]
        let watched = child, descriptor = fds[1]
        Thread.detachNewThread { [self] in
            // zenity gone = the write end of its input reports POLLERR. Foundation's
            // Process machinery may reap the child first, so its exit status is not used:
            // before close() we never end the window, so any exit is the Cancel button.
            var entry = pollfd(fd: descriptor, events: 0, revents: 0)
            while true {
                lock.lock()
                let expected = closing
                lock.unlock()
                if expected { return }
                entry.revents = 0
                if poll(&entry, 1, 200) > 0, entry.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { break }
            }
            var status: Int32 = 0
            _ = waitpid(watched, &status, WNOHANG)
            lock.lock()
            let expected = closing
            lock.unlock()
            if !expected { onCancel() }
        }
    }

    /// Shows `text` as the window's message.
    func show(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        guard !closing else { return }
        let line = "# " + text.replacingOccurrences(of: "\n", with: " ") + "\n"
        _ = line.withCString { Glibc.write(input, $0, strlen($0)) }
    }

    /// Closes the window (100 % with --auto-close).
    func close() {
        lock.lock()
        defer { lock.unlock() }
        if closing { return }
        closing = true
        let line = "100\n"
        _ = line.withCString { Glibc.write(input, $0, strlen($0)) }
        Glibc.close(input)
    }
}
