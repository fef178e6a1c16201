import Foundation
import Glibc
import Vocabulary

/// One zenity window: spawned with an argv (never through a shell), its answer read
/// from its standard output. Secrets come back on stdout too, never via argv or env.
public struct ZenityDialog {
    /// zenity's exit status: 0 OK/Yes, 1 Cancel/No/closed, 5 timeout, -1 error.
    struct Outcome {
        var status: Int32
        var output: [UInt8]
        var accepted: Bool { status == 0 }
    }

    static let searchPath = ["/usr/bin/zenity", "/usr/local/bin/zenity", "/bin/zenity"]

    /// The zenity binary, or nil when it is not installed.
    public static var executable: String? {
        if let override = ProcessInfo.processInfo.environment["ONIONBOARD_ZENITY"],
           FileManager.default.isExecutableFile(atPath: override) { return override }
        return searchPath.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    let executable: String

    /// Text for a window's `--text`: zenity passes it through `g_strcompress` (so `\n` in
    /// it would become a line break) and, in entry windows, reads `_` as a mnemonic; this
    /// escapes both so the text shows as it is.
    static func literal(_ text: String, inEntryWindow: Bool) -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\")
        return inEntryWindow ? escaped.replacingOccurrences(of: "_", with: "__") : escaped
    }

    /// Server text (sanitised, marked as the server's) for a window's `--text`.
    static func serverText(_ text: String, inEntryWindow: Bool) -> String {
        literal(ServerText.quoted(text), inEntryWindow: inEntryWindow)
    }

    /// Runs the dialog to its end. While it is open, a cancel (signal or progress window)
    /// closes it on the way out.
    func run(_ arguments: [String]) throws -> Outcome {
        let window = try ChildProcess([executable] + arguments, stdin: .null, stdout: .pipe, closedOnInterrupt: true)
        var bytes = window.readAllOutput()
        window.closeOutput()
        let status = window.wait()
        // Drop the final newline zenity prints after an answer.
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        return Outcome(status: status, output: bytes)
    }
}

/// The pulsating progress window of the Tor phases, fed "# message" lines on its
/// standard input. Until `close()`, its end with status 1 is the person's Cancel (the
/// button, Escape or closing the window), which `onCancel` hears.
final class ZenityProgress: @unchecked Sendable {
    private let window: ChildProcess
    private let lock = NSLock()
    private var closing = false

    init(executable: String, title: String, text: String, onCancel: @escaping @Sendable () -> Void) throws {
        window = try ChildProcess([executable, "--progress", "--pulsate", "--auto-close", "--no-markup", "--width=520",
                                   "--title=\(title)", "--text=\(ZenityDialog.literal(text, inEntryWindow: false))"],
                                  stdin: .pipe, stdout: .null,
                                  closedOnInterrupt: true)
        // Its own waiter: waiting on this one child returns exactly when the window ends.
        Thread.detachNewThread { [self] in
            let status = window.wait()
            lock.lock()
            let expected = closing
            lock.unlock()
            // Cancel, Escape and closing the window all end zenity with 1; anything else (a
            // crash, a lost display) only takes the progress display away, the run goes on.
            if !expected && status == 1 { onCancel() }
        }
    }

    /// Shows `text` as the window's message.
    func show(_ text: String) {
        send("# " + ZenityDialog.literal(text.replacingOccurrences(of: "\n", with: " "), inEntryWindow: false) + "\n")
    }

    private func send(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        guard !closing || line == "100\n", let input = window.input else { return }
        _ = line.withCString { Glibc.write(input, $0, strlen($0)) }
    }

    /// Closes the window (100 % with --auto-close).
    func close() {
        lock.lock()
        if closing { lock.unlock(); return }
        closing = true
        lock.unlock()
        send("100\n")
        window.closeInput()
    }
}
