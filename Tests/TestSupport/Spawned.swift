import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process for tests, started with posix_spawn rather than Foundation's Process:
/// - Process sometimes never reported the exit of a `tmux new-session -d` client (the
///   client forks the tmux server), and a test then waited forever;
/// - Process passes on the calling thread's signal mask, and Swift Testing's threads
///   block SIGTERM and SIGHUP: an Xvfb started that way could not be stopped, a finch
///   survived its killed tmux session. Here the child starts with an empty mask and
///   default dispositions.
public final class Spawned: @unchecked Sendable {
    public let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?

    /// `argv[0]` is looked up in PATH (through /usr/bin/env). Standard input is the given
    /// file or /dev/null; stdout and stderr go to the given files (created 0600, truncated)
    /// or /dev/null.
    public init(_ argv: [String], environment: [String: String]? = nil, stdin: URL? = nil, stdout: URL? = nil,
                stderr: URL? = nil, stderrToStdout: Bool = false) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin?.path ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout?.path ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if stderrToStdout {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderr?.path ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let arguments: [UnsafeMutablePointer<CChar>?] = (["/usr/bin/env"] + argv).map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        let variables: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { variables?.forEach { free($0) } }
        var child = pid_t()
        let result = variables.map { posix_spawn(&child, "/usr/bin/env", &actions, &attributes, arguments, $0) }
            ?? posix_spawn(&child, "/usr/bin/env", &actions, &attributes, arguments, environ)
        guard result == 0 else {
            throw WorldError("cannot start \(argv.first ?? "?"): \(String(cString: strerror(result)))")
        }
        pid = child
    }

    /// The exit code (128 + signal when a signal ended it), or nil while it runs.
    public var exitStatus: Int32? {
        lock.lock()
        defer { lock.unlock() }
        if status == nil {
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid {
                let signal = raw & 0x7f
                status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
            } else if result < 0 && errno == ECHILD {
                status = -1 // reaped elsewhere
            }
        }
        return status
    }

    public var isRunning: Bool { exitStatus == nil }

    /// Blocks in waitpid until it ends (no polling).
    private func waitForExit() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard status == nil else { return true }
        var raw: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &raw, 0) } while result < 0 && errno == EINTR
        let signal = raw & 0x7f
        status = result == pid ? (signal == 0 ? (raw >> 8) & 0xff : 128 + signal) : -1
        return true
    }

    /// Waits up to `timeout`; true when it has ended.
    @discardableResult
    public func wait(timeout: TimeInterval) -> Bool {
        if timeout == .infinity { return waitForExit() }
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning {
            if Date() >= deadline { return false }
            usleep(10_000)
        }
        return true
    }

    /// SIGTERM, and SIGKILL when it has not ended after `grace` seconds; then reaped.
    public func stop(grace: TimeInterval = 2) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        if wait(timeout: grace) { return }
        kill(pid, SIGKILL)
        wait(timeout: 10)
    }
}

/// The built onionboard binary, run as a person or a script would: standard input from a
/// string, standard output and error captured in files (no pipe can fill up and block).
/// ONIONBOARD_* variables of the test environment are not passed on (they would answer the
/// wizard's questions), except ONIONBOARD_WORLD_ENV; nor is the language (LANGUAGE, LC_ALL,
/// LC_MESSAGES, LANG): a run speaks English unless the test gives it one.
public struct BinaryRun: Sendable {
    /// The variables that choose the language of messages.
    public static let localeVariables: Set<String> = ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"]

    public let status: Int32
    public let stdout: String
    public let stderr: String
    public var stdoutData: Data { Data(stdout.utf8) }

    public static func run(_ arguments: [String], stdin: String = "", environment: [String: String] = [:],
                           binary: URL = TestSupport.onionboardBinary) throws -> BinaryRun {
        let directory = try TestSupport.makeTemporaryDirectory("onionboard-run")
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in"), output = directory.appendingPathComponent("out"),
            error = directory.appendingPathComponent("err")
        try Data(stdin.utf8).write(to: input)
        var variables = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ONIONBOARD_") || $0.key == "ONIONBOARD_WORLD_ENV" }
            .filter { !Self.localeVariables.contains($0.key) }
        // Each run keeps its provider checks to itself (never the user's state directory).
        variables["XDG_STATE_HOME"] = directory.appendingPathComponent("state").path
        variables.merge(environment) { $1 }
        let process = try Spawned([binary.path] + arguments, environment: variables, stdin: input, stdout: output, stderr: error)
        process.wait(timeout: .infinity)
        return BinaryRun(status: process.exitStatus ?? -1, stdout: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOf: error, encoding: .utf8)) ?? "")
    }
}
