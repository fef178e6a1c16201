import Foundation

/// Finds Pidgin and finch processes of one user. They save accounts.xml and
/// blist.xml on exit (and on a 5 s timer), which would undo our write.
public struct RunningClient: Sendable, Equatable {
    public let name: String
    public let pid: Int32
}

public enum RunningClients {
    static let clientNames: Set<String> = ["pidgin", "finch"]

    /// Processes named pidgin or finch (`/proc/<pid>/comm`) owned by `uid`.
    public static func find(procRoot: String = "/proc", uid: uid_t = geteuid()) -> [RunningClient] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: procRoot) else { return [] }
        var found: [RunningClient] = []
        for entry in entries {
            guard let pid = Int32(entry) else { continue }
            var info = stat()
            guard stat("\(procRoot)/\(entry)", &info) == 0, info.st_uid == uid else { continue }
            guard let comm = try? String(contentsOfFile: "\(procRoot)/\(entry)/comm", encoding: .utf8) else { continue }
            let name = comm.trimmingCharacters(in: .whitespacesAndNewlines)
            if clientNames.contains(name), !isZombie("\(procRoot)/\(entry)/stat") {
                found.append(RunningClient(name: name, pid: pid))
            }
        }
        return found.sorted { $0.pid < $1.pid }
    }

    /// A zombie (state `Z`: exited, not yet reaped by its parent) writes nothing any more.
    /// The state follows the `(comm)` field, whose name may itself contain `)`.
    static func isZombie(_ statPath: String) -> Bool {
        guard let stat = try? String(contentsOfFile: statPath, encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
