import FoundationEssentials
import Glibc
import Platform
import Vocabulary
import Localization

/// Where the Tails facts live; injectable so tests can describe any machine.
public struct TailsEnvironment: Sendable {
    /// Present (a mount point) while the Persistent Storage is unlocked.
    public var persistenceRoot: String
    /// The mounts of this process, to see whether the profile directory is on the
    /// persistent volume (a bind mount) or on the amnesic overlay/tmpfs.
    public var mountInfoPath: String
    /// Present only on Tails.
    public var tailsMarker: String
    public var pidginExecutable: String

    public init(persistenceRoot: String = "/live/persistence/TailsData_unlocked",
                mountInfoPath: String = "/proc/self/mountinfo",
                tailsMarker: String = "/etc/amnesia/version",
                pidginExecutable: String = "/usr/bin/pidgin") {
        self.persistenceRoot = persistenceRoot
        self.mountInfoPath = mountInfoPath
        self.tailsMarker = tailsMarker
        self.pidginExecutable = pidginExecutable
    }

    /// This machine (or the simulated Tails layout `ONIONBOARD_TAILS_ROOT` names).
    public static let system: TailsEnvironment = {
        let layout = TailsLayout(environment: ProcessInfo.processInfo.environment)
        return TailsEnvironment(persistenceRoot: layout.persistenceRoot, tailsMarker: layout.versionFile)
    }()

    static let volatileFileSystems: Set<String> = ["overlay", "tmpfs", "aufs", "squashfs", "ramfs"]

    func warnings(for purpleDirectory: String) -> [ProfileWarning] {
        var warnings: [ProfileWarning] = []
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: persistenceRoot) {
            if !isPersistent(purpleDirectory) {
                warnings.append(ProfileWarning(code: .notPersistent, message: translated("""
                    \(purpleDirectory) is not on the Persistent Storage, so this profile will vanish at shutdown. \
                    Turn on the "Pidgin Internet Messenger" feature in Persistent Storage settings, \
                    then run onionboard again.
                    """)))
            }
        } else if fileManager.fileExists(atPath: tailsMarker) {
            warnings.append(ProfileWarning(code: .persistentStorageLocked, message: translated("""
                the Persistent Storage is not unlocked, so this profile will vanish at shutdown. \
                Create or unlock it with the "Pidgin Internet Messenger" feature to keep the account.
                """)))
        }
        if !fileManager.isExecutableFile(atPath: pidginExecutable) {
            warnings.append(ProfileWarning(code: .pidginNotInstalled, message: translated("""
                Pidgin is not installed (\(pidginExecutable) is missing). The profile was written anyway; \
                any libpurple client (Pidgin 2.x, finch) reads it from \(purpleDirectory).
                """)))
        }
        return warnings
    }

    /// On Tails, whether a profile in `directory` survives a restart, in words (the desktop
    /// window's introduction); nil elsewhere.
    public func persistenceState(of directory: String) -> String? {
        if FileManager.default.fileExists(atPath: persistenceRoot) {
            return isPersistent(directory)
                ? translated("The Persistent Storage is unlocked and \(directory) is on it: the account and the Pidgin settings are kept when Tails restarts.")
                : translated("""
                    The Persistent Storage is unlocked, but \(directory) is not on it, so the account will vanish when Tails shuts down. \
                    To keep it, turn on the "Pidgin Internet Messenger" feature in the Persistent Storage settings first.
                    """)
        }
        if FileManager.default.fileExists(atPath: tailsMarker) {
            return translated("""
                The Persistent Storage is not unlocked, so the account will vanish when Tails shuts down. \
                To keep it, restart and unlock the Persistent Storage with the "Pidgin Internet Messenger" feature turned on.
                """)
        }
        return nil
    }

    /// What we can know without privileges: the directory lies inside the unlocked
    /// volume, or the mount that holds it is not the amnesic root (Tails bind-mounts
    /// TailsData_unlocked/pidgin onto /home/amnesia/.purple when the feature is on).
    /// persistence.conf is not readable by the amnesia user, so it is not consulted.
    func isPersistent(_ directory: String) -> Bool {
        let resolved = Self.resolveExistingPrefix(directory)
        let root = Self.resolveExistingPrefix(persistenceRoot)
        if resolved == root || resolved.hasPrefix(root + "/") { return true }
        guard let mount = Self.deepestMount(covering: resolved, mountInfo: mountInfoPath) else { return false }
        return !Self.volatileFileSystems.contains(mount.fileSystem)
    }

    struct Mount { let mountPoint: String; let fileSystem: String }

    static func deepestMount(covering path: String, mountInfo: String) -> Mount? {
        guard let text = try? String(contentsOfFile: mountInfo, encoding: .utf8) else { return nil }
        var best: Mount?
        for line in text.split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            guard halves.count >= 2 else { continue }
            let fields = halves[0].split(separator: " ")
            let tail = halves[1].split(separator: " ")
            guard fields.count >= 5, let fileSystem = tail.first else { continue }
            let mountPoint = unescape(String(fields[4]))
            let covers = mountPoint == "/" || path == mountPoint || path.hasPrefix(mountPoint + "/")
            if covers, mountPoint.count >= (best?.mountPoint.count ?? -1) {
                best = Mount(mountPoint: mountPoint, fileSystem: String(fileSystem))
            }
        }
        return best
    }

    /// mountinfo escapes space, tab, newline and backslash as \ooo.
    private static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 4 <= utf8.count,
               let value = UInt8(String(decoding: utf8[(i + 1)..<(i + 4)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                i += 4
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The real path of the deepest existing ancestor, plus the rest as given.
    static func resolveExistingPrefix(_ path: String) -> String {
        var existing = path
        var rest: [String] = []
        while !existing.isEmpty && existing != "/" && !FileManager.default.fileExists(atPath: existing) {
            rest.insert(Paths.lastComponent(of: existing), at: 0)
            existing = Paths.parent(of: existing)
        }
        var resolved = existing
        if let real = realpath(existing, nil) {
            resolved = String(cString: real)
            free(real)
        }
        return ([resolved] + rest).joined(separator: "/").replacing("//", with: "/")
    }
}
