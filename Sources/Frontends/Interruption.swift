import FoundationEssentials
import Glibc
import Platform
import Localization

/// Ctrl-C, SIGTERM and SIGHUP (a closed terminal, an ended desktop session), and Cancel
/// in the desktop window end a run the same way: the terminal's settings are put back,
/// a private CAPTCHA file is removed, a message goes to standard error and the process exits.
///
/// What the message says depends on the run's phase, because the profile write is the
/// last step: before it, "cancelled; nothing was written" and exit 130; during it (a few
/// milliseconds) the signal waits until the write is complete; after it, the profile is
/// complete, which is said, and the exit status is 0.
///
/// The signal handler only reads fixed storage set up by `install()` and calls unlink(),
/// rmdir(), tcsetattr(), write() and _exit(): all async-signal-safe.
public enum Interruption {
    enum Phase: Int32 {
        case beforeWrite = 0, writing = 1, written = 2, failed = 3
    }

    private struct Storage {
        /// [0] phase, [1] a signal arrived during the write, [2] `terminal` holds saved settings.
        let flags: UnsafeMutablePointer<Int32>
        let terminal: UnsafeMutablePointer<termios>
        /// NUL-terminated paths of a private file and its own directory ("" when none).
        let file: UnsafeMutablePointer<CChar>
        let directory: UnsafeMutablePointer<CChar>
        static let pathCapacity = Int(PATH_MAX)

        init() {
            flags = .allocate(capacity: 3)
            flags.initialize(repeating: 0, count: 3)
            terminal = .allocate(capacity: 1)
            terminal.initialize(to: termios())
            file = .allocate(capacity: Self.pathCapacity)
            file.initialize(repeating: 0, count: Self.pathCapacity)
            directory = .allocate(capacity: Self.pathCapacity)
            directory.initialize(repeating: 0, count: Self.pathCapacity)
        }
    }

    /// Allocated once, before any handler is installed (`install()` touches it first).
    nonisolated(unsafe) private static let storage = Storage()

    /// What the handler writes in each phase, in the person's language: made before any
    /// handler is installed (`install()` touches it first), so the handler only reads bytes.
    nonisolated(unsafe) private static let messages: [UnsafeBufferPointer<UInt8>] = [
        translated("cancelled; nothing was written to the Pidgin profile."),
        translated("interrupted after the Pidgin profile was written; it is complete."),
        translated("interrupted after the error above."),
    ].map { text in
        let bytes = Array("\nonionboard: \(text)\n".utf8)
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        _ = buffer.initialize(from: bytes)
        return UnsafeBufferPointer(buffer)
    }
    private static let lock = Lock()

    // MARK: what the handler needs to know

    /// A private file (the CAPTCHA image) and the directory made for it, removed on the way out.
    static func trackFile(_ path: String, directory: String?) {
        lock.lock()
        defer { lock.unlock() }
        copy(path, to: storage.file)
        copy(directory ?? "", to: storage.directory)
    }

    static func untrackFile() {
        lock.lock()
        defer { lock.unlock() }
        storage.file[0] = 0
        storage.directory[0] = 0
    }

    /// The first byte is written last, so the handler reads either "" or the whole path.
    private static func copy(_ text: String, to buffer: UnsafeMutablePointer<CChar>) {
        buffer[0] = 0
        let bytes = Array(text.utf8.prefix(Storage.pathCapacity - 1))
        for (index, byte) in bytes.enumerated().dropFirst() { buffer[index] = CChar(bitPattern: byte) }
        buffer[bytes.count] = 0
        if let first = bytes.first { buffer[0] = CChar(bitPattern: first) }
    }

    /// The terminal settings to restore (saved before echo goes off).
    static func rememberTerminal(_ settings: termios) {
        storage.flags[2] = 0
        storage.terminal.pointee = settings
        storage.flags[2] = 1 // set last: the handler never reads half-written settings
    }

    static func forgetTerminal() { storage.flags[2] = 0 }

    /// The profile write begins. A signal from now on waits for its end.
    public static func profileWriteBegins() { storage.flags[0] = Phase.writing.rawValue }

    /// The profile is written. A signal that arrived during the write ends the run now.
    public static func profileWritten() {
        storage.flags[0] = Phase.written.rawValue
        if storage.flags[1] != 0 { leave(in: .written) }
    }

    /// The run ended with an error (which has been or is being reported). A signal that
    /// arrived during a failed write ends the run now.
    public static func runFailed() {
        storage.flags[0] = Phase.failed.rawValue
        if storage.flags[1] != 0 { leave(in: .failed) }
    }

    // MARK: the handler

    /// Installs the handlers and unblocks the signals: this process was observed to start
    /// with them blocked on its main thread (a test runner's mask), where Ctrl-C did nothing.
    public static func install() {
        _ = storage
        _ = messages
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            Glibc.signal(signal) { _ in Interruption.signalled() }
        }
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    private static func signalled() {
        if storage.flags[0] == Phase.writing.rawValue {
            storage.flags[1] = 1 // `profileWritten()` exits once the files are complete
            return
        }
        leave(in: Phase(rawValue: storage.flags[0]) ?? .beforeWrite)
    }

    /// The person's Cancel (the desktop window's button, Escape, closing it): what a
    /// signal does in the same phase — before the write exit 130, during it wait for
    /// its end, after it exit 0 (the profile is complete).
    public static func cancel() { signalled() }

    private static func leave(in phase: Phase) -> Never {
        if storage.flags[2] != 0 { tcsetattr(STDIN_FILENO, TCSANOW, storage.terminal) }
        if storage.file[0] != 0 { unlink(storage.file) }
        if storage.directory[0] != 0 { rmdir(storage.directory) }
        // Bytes made in advance: no allocation, no conversion in the handler.
        let message = messages[phase == .written ? 1 : phase == .failed ? 2 : 0]
        _ = Glibc.write(STDERR_FILENO, message.baseAddress, message.count)
        _exit(phase == .written ? 0 : 130)
    }
}
