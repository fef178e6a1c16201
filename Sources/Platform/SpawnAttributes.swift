import Glibc

/// posix_spawn's attributes for every child we start, owned and freed here: a clean signal
/// state — whatever the spawning thread blocks or ignores (Swift Testing's threads block
/// SIGTERM and SIGHUP), the child gets an empty mask and default dispositions — and, when
/// asked, a session of its own.
public final class SpawnAttributes {
    private var attributes = posix_spawnattr_t()

    public init(newSession: Bool = false) {
        posix_spawnattr_init(&attributes)
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
    }

    deinit { posix_spawnattr_destroy(&attributes) }

    /// posix_spawn with these attributes: 0, or the error number.
    public func spawn(_ child: inout pid_t, _ program: String, _ actions: inout posix_spawn_file_actions_t,
                      _ argv: [String]) -> Int32 {
        let arguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        return posix_spawn(&child, program, &actions, &attributes, arguments, environ)
    }
}
