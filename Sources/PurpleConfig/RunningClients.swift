import Foundation

/// Finds Pidgin and finch processes of one user. They save accounts.xml and
/// blist.xml on exit (and on a 5 s timer), which would undo our write.
public struct RunningClient: Sendable, Equatable {
    public let name: String
    public let pid: Int32
}

public enum RunningClients {
    static let clientNames: Set<String> = ["pidgin", "finch"]

    /// Processes named pidgin or finch (`/proc/<pid>/comm`) owned by `uid`. Given a
    /// `profileDirectory`, only those whose configuration directory is that directory
    /// count (`-c DIR` / `--config=DIR`, else `$HOME/.purple` of the process), and every
    /// one whose directory cannot be told for sure (an unreadable command line or
    /// environment, an option this parser does not know) counts too.
    public static func find(procRoot: String = "/proc", uid: uid_t = geteuid(),
                            profileDirectory: String? = nil) -> [RunningClient] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: procRoot) else { return [] }
        let profile = profileDirectory.map(ProfileIdentity.init)
        var found: [RunningClient] = []
        for entry in entries {
            guard let pid = Int32(entry) else { continue }
            let processDirectory = "\(procRoot)/\(entry)"
            var info = stat()
            guard stat(processDirectory, &info) == 0, info.st_uid == uid else { continue }
            guard let comm = try? String(contentsOfFile: "\(processDirectory)/comm", encoding: .utf8) else { continue }
            let name = comm.trimmingCharacters(in: .whitespacesAndNewlines)
            guard clientNames.contains(name), !isZombie("\(processDirectory)/stat") else { continue }
            if let profile, let directory = ClientProcess(directory: processDirectory, name: name).configDirectory(),
               !profile.isSame(as: directory, seenFrom: processDirectory) {
                continue
            }
            found.append(RunningClient(name: name, pid: pid))
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

/// The profile directory onionboard is about to write, as this process sees it.
struct ProfileIdentity {
    /// Absolute, with `.` and `..` resolved textually.
    let path: String
    /// Device and inode, when the directory exists.
    let identity: (dev: UInt64, ino: UInt64)?

    init(_ directory: String) {
        path = Self.absolute(directory, relativeTo: FileManager.default.currentDirectoryPath)
        var info = stat()
        identity = stat(path, &info) == 0 ? (UInt64(info.st_dev), UInt64(info.st_ino)) : nil
    }

    /// Whether `directory` (absolute, in the mount namespace of the process at
    /// `processDirectory`) is this profile. Unsure counts as the same.
    func isSame(as directory: String, seenFrom processDirectory: String) -> Bool {
        var info = stat()
        // Through the process's own root: right even if it runs in another mount namespace or chroot.
        if stat("\(processDirectory)/root\(directory)", &info) == 0 {
            guard let identity else { return false }  // it exists for the client, ours does not: different
            return UInt64(info.st_dev) == identity.dev && UInt64(info.st_ino) == identity.ino
        }
        switch errno {
        case ENOENT, ENOTDIR:
            // The client's directory does not exist (yet): the same only if ours does not either
            // and the names agree.
            return identity == nil && Self.absolute(directory, relativeTo: "/") == path
        default:
            return true  // cannot look (EACCES, a vanished process ...): count it
        }
    }

    static func absolute(_ path: String, relativeTo base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// What a Pidgin or finch process uses as its configuration directory, read from
/// `/proc/<pid>/cmdline`, `environ` and `cwd` the way the program's getopt would.
struct ClientProcess {
    /// `/proc/<pid>` (or a test's stand-in).
    let directory: String
    /// `pidgin` or `finch`.
    let name: String

    enum Argument { case none, required, optional }

    /// getopt_long's options of Pidgin 2.14 (gtkmain.c) and finch 2.14 (finch.c).
    static let longOptions: [String: [(name: String, argument: Argument, isConfig: Bool)]] = [
        "pidgin": [("config", .required, true), ("debug", .none, false), ("force-online", .none, false),
                   ("help", .none, false), ("login", .optional, false), ("multiple", .none, false),
                   ("nologin", .none, false), ("session", .required, false), ("display", .required, false),
                   ("sync", .none, false), ("version", .none, false)],
        "finch": [("config", .required, true), ("debug", .none, false), ("help", .none, false),
                  ("nologin", .none, false), ("version", .none, false)],
    ]
    /// Their short options ("c:dfhmnl::s:v" and "c:dhnv").
    static let shortOptions: [String: [Character: Argument]] = [
        "pidgin": ["c": .required, "d": .none, "f": .none, "h": .none, "m": .none, "n": .none,
                   "l": .optional, "s": .required, "v": .none],
        "finch": ["c": .required, "d": .none, "h": .none, "n": .none, "v": .none],
    ]

    /// The absolute configuration directory, or nil when it cannot be told for sure.
    func configDirectory() -> String? {
        guard let arguments = Self.nulSeparated(at: "\(directory)/cmdline"), !arguments.isEmpty else { return nil }
        guard let option = configOption(Array(arguments.dropFirst())) else { return nil }
        let configured: String
        switch option {
        case .given(let path):
            guard !path.isEmpty else { return nil }
            configured = path
        case .absent:
            guard let home = home(), home.hasPrefix("/") else { return nil }
            configured = home + "/.purple"
        }
        if configured.hasPrefix("/") { return ProfileIdentity.absolute(configured, relativeTo: "/") }
        // A relative -c is relative to the process's working directory.
        guard let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/cwd"),
              cwd.hasPrefix("/") else { return nil }
        return ProfileIdentity.absolute(configured, relativeTo: cwd)
    }

    enum ConfigOption: Equatable { case absent, given(String) }

    /// The last `-c`/`--config` of the arguments (getopt permutes, so options may follow
    /// operands until `--`); nil for anything this parser does not know.
    func configOption(_ arguments: [String]) -> ConfigOption? {
        guard let shorts = Self.shortOptions[name], let longs = Self.longOptions[name] else { return nil }
        var result = ConfigOption.absent
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" { break }
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                let (key, value) = body.firstIndex(of: "=").map { (body[..<$0], Optional(String(body[body.index(after: $0)...]))) }
                    ?? (body, nil)
                // An exact name, or an abbreviation that fits one option only.
                let candidates = longs.filter { $0.name == key }.isEmpty ? longs.filter { $0.name.hasPrefix(key) } : longs.filter { $0.name == key }
                guard !key.isEmpty, candidates.count == 1, let option = candidates.first else { return nil }
                var optionValue = value
                switch option.argument {
                case .none:
                    if value != nil { return nil }
                case .required:
                    if optionValue == nil {
                        guard index < arguments.count else { return nil }
                        optionValue = arguments[index]
                        index += 1
                    }
                case .optional:
                    break
                }
                if option.isConfig, let optionValue { result = .given(optionValue) }
            } else if argument.hasPrefix("-") && argument.count > 1 {
                var letters = Substring(argument.dropFirst())
                while let letter = letters.first {
                    letters = letters.dropFirst()
                    guard let argumentKind = shorts[letter] else { return nil }
                    switch argumentKind {
                    case .none:
                        continue
                    case .optional:
                        letters = ""
                    case .required:
                        let value: String
                        if !letters.isEmpty {
                            value = String(letters)
                        } else {
                            guard index < arguments.count else { return nil }
                            value = arguments[index]
                            index += 1
                        }
                        letters = ""
                        if letter == "c" { result = .given(value) }
                    }
                }
            }
            // Anything else is an operand; getopt skips it and goes on.
        }
        return result
    }

    /// `HOME` of the process (GLib's g_get_home_dir prefers it), else its user's home.
    private func home() -> String? {
        if let environment = Self.nulSeparated(at: "\(directory)/environ") {
            if let entry = environment.last(where: { $0.hasPrefix("HOME=") }) {
                let value = String(entry.dropFirst(5))
                if !value.isEmpty { return value }
            }
        } else {
            return nil  // environment unreadable: cannot know
        }
        var info = stat()
        guard stat(directory, &info) == 0, let entry = getpwuid(info.st_uid), let dir = entry.pointee.pw_dir else { return nil }
        return String(cString: dir)
    }

    /// A `\0`-separated /proc file (cmdline, environ), or nil if unreadable.
    static func nulSeparated(at path: String) -> [String]? {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
        return data.split(separator: 0, omittingEmptySubsequences: false).dropLast(data.last == 0 ? 1 : 0)
            .map { String(decoding: $0, as: UTF8.self) }
    }
}
