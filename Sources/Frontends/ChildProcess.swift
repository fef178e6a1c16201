import FoundationEssentials
import Glibc
import Platform

/// One child process started with posix_spawn: an argv (never a shell), chosen standard
/// streams, and a clean signal state — an empty signal mask and default dispositions.
/// That matters: a desktop session or a test runner may start us with signals blocked,
/// and a child inherits both the mask and ignored signals (we ignore SIGPIPE), so a
/// Pidgin we started could not be ended with SIGTERM. The owner reaps it (`wait`).
final class ChildProcess: @unchecked Sendable {
    enum Stream {
        case null
        case inherit
        /// A pipe whose other end the parent holds (`input` for stdin, `output` for stdout).
        case pipe
    }

    struct SpawnFailure: Error, CustomStringConvertible {
        let program: String
        let code: Int32
        var description: String { "cannot start \(program): \(String(cString: strerror(code)))" }
    }

    let pid: pid_t
    /// Write end of the child's standard input, when it is `.pipe`.
    private(set) var input: Int32?
    /// Read end of the child's standard output, when it is `.pipe`.
    private(set) var output: Int32?
    private let lock = Lock()
    private var exitStatus: Int32?

    /// Every spawn of this process goes through here, one at a time (see `.pipe`).
    private static let spawning = Lock()


    /// - Parameters:
    ///   - newSession: start it in its own session (a program that outlives us).
    init(_ argv: [String], stdin: Stream = .null, stdout: Stream = .inherit, stderr: Stream = .inherit,
         newSession: Bool = false) throws {
        Self.keepChildrenWaitable()
        Self.spawning.lock()
        defer { Self.spawning.unlock() }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var childEnds: [Int32] = []
        defer { childEnds.forEach { Glibc.close($0) } }
        var parentInput: Int32?, parentOutput: Int32?

        func plan(_ stream: Stream, _ target: Int32) throws {
            switch stream {
            case .inherit: return
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
            case .pipe:
                // Close-on-exec: no other child may inherit either end (an inherited read end
                // would hide this child's exit). pipe2 is not imported; `spawning` keeps
                // our other spawns out of the gap between pipe() and fcntl().
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else {
                    let code = errno
                    [parentInput, parentOutput].compactMap { $0 }.forEach { Glibc.close($0) }
                    throw SpawnFailure(program: argv[0], code: code)
                }
                ends.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
                let (childEnd, parentEnd) = target == STDIN_FILENO ? (ends[0], ends[1]) : (ends[1], ends[0])
                posix_spawn_file_actions_adddup2(&actions, childEnd, target) // dup2 clears CLOEXEC
                childEnds.append(childEnd)
                if target == STDIN_FILENO { parentInput = parentEnd } else { parentOutput = parentEnd }
            }
        }
        try plan(stdin, STDIN_FILENO)
        try plan(stdout, STDOUT_FILENO)
        try plan(stderr, STDERR_FILENO)

        var child = pid_t()
        let result = SpawnAttributes(newSession: newSession).spawn(&child, argv[0], &actions, argv)
        guard result == 0 else {
            [parentInput, parentOutput].compactMap { $0 }.forEach { Glibc.close($0) }
            throw SpawnFailure(program: argv[0], code: result)
        }
        pid = child
        input = parentInput
        output = parentOutput
    }

    /// With SIGCHLD ignored (it stays so across exec) the kernel reaps children itself and
    /// waitpid fails: a dialog's status would be lost. Only an ignored SIGCHLD is reset.
    private static func keepChildrenWaitable() {
        var current = sigaction()
        // SIG_IGN is the handler value 1.
        guard sigaction(SIGCHLD, nil, &current) == 0,
              unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == 1 else { return }
        signal(SIGCHLD, SIG_DFL)
    }

    deinit {
        closeInput()
        closeOutput()
    }

    func closeInput() {
        lock.lock()
        defer { lock.unlock() }
        if let input { Glibc.close(input) }
        input = nil
    }

    func closeOutput() {
        lock.lock()
        defer { lock.unlock() }
        if let output { Glibc.close(output) }
        output = nil
    }

    /// Waits for the exit; the exit code, 128 + the signal that ended it, or -1 when the
    /// status cannot be known.
    @discardableResult
    func wait() -> Int32 {
        lock.lock()
        if let exitStatus { lock.unlock(); return exitStatus }
        lock.unlock()
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &status, 0) } while result < 0 && errno == EINTR
        let decoded = result == pid ? Self.decode(status) : -1
        lock.lock()
        exitStatus = decoded
        lock.unlock()
        return decoded
    }

    static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Starts a program that may outlive us (Pidgin, an image viewer): its own session, no
    /// inherited standard streams; a thread reaps it if it ends first. False if it cannot start.
    @discardableResult
    static func startDetached(_ argv: [String]) -> Bool {
        guard let program = try? ChildProcess(argv, stdin: .null, stdout: .null, stderr: .null, newSession: true)
        else { return false }
        Threads.detach(name: "reaper") { program.wait() }
        return true
    }
}
