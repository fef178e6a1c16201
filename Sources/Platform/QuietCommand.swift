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
        var child = pid_t()
        guard SpawnAttributes().spawn(&child, program, &actions, argv) == 0 else { return nil }
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
