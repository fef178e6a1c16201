import Foundation
import Secrets
import Glibc

/// One child process started with posix_spawn: an argv (never a shell), chosen standard
/// streams, and a clean signal state — an empty signal mask and default dispositions.
/// That matters: a desktop session or a test runner may start us with signals blocked,
/// and a child inherits both the mask and ignored signals (we ignore SIGPIPE), so a
/// dialog we spawned could not be closed with SIGTERM. The owner reaps it (`wait`).
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
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Every spawn of this process goes through here, one at a time (see `.pipe`).
    private static let spawning = NSLock()

    /// A window closed by `Interruption` on the way out: tracked from spawn to reaping.
    private let closedOnInterrupt: Bool
    private var exited = false

    /// - Parameters:
    ///   - newSession: start it in its own session (a program that outlives us).
    ///   - closedOnInterrupt: a dialog window that a cancel or signal must close.
    init(_ argv: [String], stdin: Stream = .null, stdout: Stream = .inherit, stderr: Stream = .inherit,
         newSession: Bool = false, closedOnInterrupt: Bool = false) throws {
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

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // POSIX_SPAWN_SETSID (0x80, glibc >= 2.26) is not imported into Swift.
        let setsid: Int32 = 0x80
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (newSession ? setsid : 0)))

        let arguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var child = pid_t()
        let result = posix_spawn(&child, argv[0], &actions, &attributes, arguments, environ)
        guard result == 0 else {
            [parentInput, parentOutput].compactMap { $0 }.forEach { Glibc.close($0) }
            throw SpawnFailure(program: argv[0], code: result)
        }
        pid = child
        input = parentInput
        output = parentOutput
        self.closedOnInterrupt = closedOnInterrupt
        if closedOnInterrupt { Interruption.track(child) }
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

    /// Reads standard output to its end (the pipe closes when the child exits). The
    /// read buffer is zeroed afterwards: it may have held a secret.
    func readAllOutput() -> [UInt8] {
        guard let output else { return [] }
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(output, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        wipe(&buffer)
        return bytes
    }

    /// Waits for the exit; the exit code, 128 + the signal that ended it, or -1 when the
    /// status cannot be known (never taken for a dialog's OK).
    @discardableResult
    func wait() -> Int32 {
        lock.lock()
        if let exitStatus { lock.unlock(); return exitStatus }
        lock.unlock()
        // Wait without reaping first: until waitpid the pid cannot be reused, so neither
        // `terminate` nor the interrupt handler can hit another process.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        lock.lock()
        exited = true
        lock.unlock()
        if closedOnInterrupt { Interruption.untrack(pid) }
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &status, 0) } while result < 0 && errno == EINTR
        let decoded = result == pid ? Self.decode(status) : -1
        lock.lock()
        exitStatus = decoded
        lock.unlock()
        return decoded
    }

    /// Asks it to end (SIGTERM) unless it has already ended.
    func terminate() {
        lock.lock()
        defer { lock.unlock() }
        if !exited { kill(pid, SIGTERM) }
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
        Thread.detachNewThread { program.wait() }
        return true
    }
}
