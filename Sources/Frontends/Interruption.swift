import Glibc

/// Ctrl-C, SIGTERM and SIGHUP (a closed terminal, an ended desktop session), and Cancel
/// in the progress window all end a run the same way: the terminal's settings are put
/// back, our open dialog windows are closed, "cancelled" goes to standard error and the
/// process exits 130. Nothing is half written: the profile write is the last step and
/// atomic (temp file + rename); the GUI refuses a cancel once that write has begun.
enum Interruption {
    /// Dialog windows (zenity processes) to close on the way out. A fixed table, because a
    /// signal handler may only read plain memory and call kill().
    private static let capacity = 8
    nonisolated(unsafe) private static let windows: UnsafeMutablePointer<pid_t> = {
        let table = UnsafeMutablePointer<pid_t>.allocate(capacity: capacity)
        table.initialize(repeating: 0, count: capacity)
        return table
    }()

    static func track(_ pid: pid_t) {
        for slot in 0..<capacity where windows[slot] == 0 {
            windows[slot] = pid
            return
        }
    }

    static func untrack(_ pid: pid_t) {
        for slot in 0..<capacity where windows[slot] == pid { windows[slot] = 0 }
    }

    /// Installs the handlers and unblocks the signals: this process was observed to start
    /// with them blocked on its main thread (a test runner's mask), where Ctrl-C did nothing.
    static func install() {
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            Glibc.signal(signal) { _ in Interruption.exitCancelled() }
        }
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// Async-signal-safe: kill(), tcsetattr(), write(), _exit() only.
    static func exitCancelled() -> Never {
        if var original = TerminalState.saved { tcsetattr(STDIN_FILENO, TCSANOW, &original) }
        for slot in 0..<capacity where windows[slot] > 0 { kill(windows[slot], SIGTERM) }
        let message = "\nonionboard: cancelled; nothing was written to the Pidgin profile.\n"
        _ = message.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
        _exit(130)
    }
}
