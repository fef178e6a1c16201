import CProcessControl
import Glibc

/// A core dump of this process would hold whatever secret memory was readable at that
/// instant (a password being escaped into a request, SCRAM keys being derived), and core
/// files outlive the run. The executable turns them off first thing.
public enum CoreDumps {
    /// Makes the process non-dumpable (no core file, no ptrace by other users, /proc/PID
    /// owned by root) and sets the core size limit to 0 for it and its children.
    /// Returns false if either could not be done (it cannot fail on Linux ≥ 2.6).
    @discardableResult
    public static func disable() -> Bool {
        var limit = rlimit(rlim_cur: 0, rlim_max: 0)
        let limited = setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit) == 0
        let undumpable = cprocess_set_dumpable(0) == 0
        return limited && undumpable
    }

    /// Whether a core dump could be written now (the dumpable flag and a non-zero limit).
    public static var areEnabled: Bool {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit)
        return cprocess_get_dumpable() != 0 && limit.rlim_cur != 0
    }
}
