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
    private let process = Process()
    private let input = Pipe()
    private let lock = NSLock()
    private var closing = false

    init(executable: String, title: String, text: String, onCancel: @escaping @Sendable () -> Void) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--progress", "--pulsate", "--auto-close", "--no-markup", "--width=520",
                             "--title=\(title)", "--text=\(text)"]
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.terminationHandler = { [weak self] finished in
            guard let self else { return }
            self.lock.lock()
            let expected = self.closing
            self.lock.unlock()
            if !expected && finished.terminationStatus != 0 { onCancel() }
        }
        try process.run()
    }

    /// Shows `text` as the window's message.
    func show(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        guard !closing else { return }
        let line = "# " + text.replacingOccurrences(of: "\n", with: " ") + "\n"
        _ = line.withCString { Glibc.write(input.fileHandleForWriting.fileDescriptor, $0, strlen($0)) }
    }

    /// Closes the window (100 % with --auto-close) and waits for zenity to end.
    func close() {
        lock.lock()
        if closing { lock.unlock(); return }
        closing = true
        let line = "100\n"
        _ = line.withCString { Glibc.write(input.fileHandleForWriting.fileDescriptor, $0, strlen($0)) }
        try? input.fileHandleForWriting.close()
        lock.unlock()
        process.waitUntilExit()
    }
}
