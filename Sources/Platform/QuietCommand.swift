import Glibc

/// A program run for its exit status only (what Foundation's Process served for, e.g.
/// `systemctl --quiet is-active …`): no shell, standard streams on /dev/null, a deadline
/// after which it is killed. For conversations with a child, see Frontends' ChildProcess.
public enum QuietCommand {
    /// The exit status of `argv` (argv[0] a path), or nil when it could not be started,
    /// was ended by a signal, or was still running after `seconds` (then it is killed).
    public static func exitStatus(_ argv: [String], within seconds: Double) -> Int32? {
        guard let program = argv.first else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        let arguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        // A clean signal state: whatever we block or ignore, the child gets defaults.
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
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child = pid_t()
        guard posix_spawn(&child, program, &actions, &attributes, arguments, environ) == 0 else { return nil }
        let deadline = MonotonicInstant.now.adding(seconds: seconds)
        var status: Int32 = 0
        while true {
            let result = waitpid(child, &status, WNOHANG)
            if result == child { break }
            if result < 0 && errno != EINTR { return nil }
            if MonotonicInstant.now >= deadline {
                kill(child, SIGKILL)
                while waitpid(child, &status, 0) < 0 && errno == EINTR {}
                return nil
            }
            Threads.sleep(seconds: 0.02)
        }
        // Exited normally: the status's low seven bits are 0 and the code is in the next byte.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : nil
    }
}
