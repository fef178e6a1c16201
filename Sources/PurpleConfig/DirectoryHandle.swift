import FoundationEssentials
import Glibc
import Vocabulary
import Localization

/// Who a file or directory belongs to.
struct FileOwner: Equatable {
    let uid: uid_t
    let gid: gid_t

    init(_ info: stat) {
        uid = info.st_uid
        gid = info.st_gid
    }

    /// Gives `fd` this owner when onionboard runs as root (on another user's profile, the
    /// files must stay that user's); for anyone else a new file is theirs anyway.
    func apply(to fd: Int32, path: String) throws {
        guard geteuid() == 0, fchown(fd, uid, gid) != 0 else { return }
        throw PurpleConfigError.cannotWrite(path: path, reason: "cannot give it to its owner (uid \(uid)): "
                                            + AtomicFile.reason(errno))
    }
}

/// An open directory of the profile: the anchor of every file operation in it
/// (`openat`, `linkat`, `renameat`, relative to the descriptor, never following a
/// symbolic link below the profile directory), and of the lock that keeps two
/// onionboard runs apart.
final class DirectoryHandle {
    let path: String
    let fd: Int32
    /// The owner of the directory: owner of what onionboard creates in it.
    let owner: FileOwner
    let mode: mode_t

    private init(path: String, fd: Int32) throws {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw PurpleConfigError.cannotRead(path: path, reason: AtomicFile.reason(code))
        }
        self.path = path
        self.fd = fd
        owner = FileOwner(info)
        mode = info.st_mode & 0o7777
    }

    deinit { close(fd) }

    // MARK: - Opening

    /// The profile directory itself. With `create`, it and missing parents are made
    /// (0700, belonging to the owner of the directory they are made in); without, nil
    /// when it does not exist. The path the person gave may be or pass through a
    /// symbolic link (their choice); below it nothing is followed.
    static func openProfile(_ path: String, create: Bool) throws -> DirectoryHandle? {
        if create { try makeDirectories(path) }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT && !create { return nil }
            if code == ENOTDIR {
                throw PurpleConfigError.unexpectedFileType(path: path, found: describe(at: path), expected: "a directory")
            }
            throw create ? PurpleConfigError.cannotWrite(path: path, reason: AtomicFile.reason(code))
                : PurpleConfigError.cannotRead(path: path, reason: AtomicFile.reason(code))
        }
        return try DirectoryHandle(path: path, fd: fd)
    }

    /// `mkdir -p` for the profile path: each directory made is 0700 and, when root makes
    /// it, belongs to the owner of its parent.
    private static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        var parentOwner: FileOwner?
        for component in path.split(separator: "/") {
            let parent = current.isEmpty ? "/" : current
            current += "/" + component
            if mkdir(current, 0o700) == 0 {
                if parentOwner == nil {
                    var info = stat()
                    guard stat(parent, &info) == 0 else { continue }
                    parentOwner = FileOwner(info)
                }
                let fd = open(current, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard fd >= 0 else { throw PurpleConfigError.cannotWrite(path: current, reason: AtomicFile.reason(errno)) }
                defer { close(fd) }
                fchmod(fd, 0o700)  // regardless of the umask
                try parentOwner!.apply(to: fd, path: current)
            } else if errno != EEXIST {
                throw PurpleConfigError.cannotWrite(path: current, reason: AtomicFile.reason(errno))
            } else {
                var info = stat()
                guard stat(current, &info) == 0 else { throw PurpleConfigError.cannotWrite(path: current, reason: AtomicFile.reason(errno)) }
                guard (info.st_mode & S_IFMT) == S_IFDIR else {
                    throw PurpleConfigError.unexpectedFileType(path: current, found: describe(at: current), expected: "a directory")
                }
                parentOwner = FileOwner(info)
            }
        }
    }

    /// The directory `name` in this one, never through a symbolic link. With `create` it
    /// is made if missing (0700, this directory's owner); without, nil when missing.
    func subdirectory(_ name: String, create: Bool) throws -> DirectoryHandle? {
        let childPath = "\(path)/\(name)"
        var fd = openat(self.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 && errno == ENOENT {
            guard create else { return nil }
            let created = mkdirat(self.fd, name, 0o700) == 0
            if !created && errno != EEXIST {
                throw PurpleConfigError.cannotWrite(path: childPath, reason: AtomicFile.reason(errno))
            }
            fd = openat(self.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd >= 0 && created {
                fchmod(fd, 0o700)  // regardless of the umask
                do { try owner.apply(to: fd, path: childPath) } catch {
                    close(fd)
                    throw error
                }
            }
        }
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP || code == ENOTDIR {
                throw PurpleConfigError.unexpectedFileType(path: childPath, found: describe(name), expected: "a directory")
            }
            throw create ? PurpleConfigError.cannotWrite(path: childPath, reason: AtomicFile.reason(code))
                : PurpleConfigError.cannotRead(path: childPath, reason: AtomicFile.reason(code))
        }
        return try DirectoryHandle(path: childPath, fd: fd)
    }

    /// A path of directories below this one (`certificates/x509/tls_peers`).
    func subdirectories(_ relative: String, create: Bool) throws -> DirectoryHandle? {
        var current: DirectoryHandle = self
        for component in relative.split(separator: "/") {
            guard let next = try current.subdirectory(String(component), create: create) else { return nil }
            current = next
        }
        return current
    }

    // MARK: - Privacy and locking

    /// Makes the directory 0700 if others may read, enter or write it (Pidgin creates its
    /// directories 0700; a world-writable one would let anyone plant links in the profile).
    /// Returns what was changed, to tell the person; throws if it cannot be changed.
    func makePrivate() throws -> ProfileWarning? {
        guard mode & 0o077 != 0 else { return nil }
        guard fchmod(fd, 0o700) == 0 else {
            let code = errno
            let who = owner.uid == geteuid() ? "" : " and belongs to uid \(owner.uid), not to the user running onionboard"
            throw PurpleConfigError.unsafeDirectory(path: path, reason: "its mode is \(Self.octal(mode))\(who); "
                                                    + "onionboard cannot make it 0700 (\(AtomicFile.reason(code)))")
        }
        return ProfileWarning(code: .permissionsTightened, message:
            translated("\(path) was open to other users (mode \(Self.octal(mode))); onionboard made it 0700, as Pidgin creates it"))
    }

    static func octal(_ mode: mode_t) -> String {
        "0" + String(mode & 0o7777, radix: 8)
    }

    /// An exclusive lock held until this handle is released. Another onionboard run holding
    /// it gets `waiting` seconds to finish (a write takes well under a second).
    func lockExclusively(waiting: Double) throws {
        let deadline = Date().addingTimeInterval(waiting)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw PurpleConfigError.cannotWrite(path: path, reason: "cannot lock it: " + AtomicFile.reason(errno))
            }
            guard Date() < deadline else {
                throw PurpleConfigError.profileBusy(path: path, waitedSeconds: Int(waiting.rounded(.up)))
            }
            usleep(50_000)
        }
    }

    // MARK: - Entries

    /// The names in the directory (read through the descriptor, not the path).
    func names() -> [String] {
        let copy = dup(fd)
        guard copy >= 0, let stream = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            return []
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var result: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { result.append(name) }
        }
        return result
    }

    /// What `name` is, without following a link: "a symbolic link", "a directory" ...
    func describe(_ name: String) -> String {
        var info = stat()
        guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return "not readable" }
        return Self.describe(mode: info.st_mode)
    }

    static func describe(at path: String) -> String {
        var info = stat()
        guard lstat(path, &info) == 0 else { return "not readable" }
        return describe(mode: info.st_mode)
    }

    static func describe(mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFLNK: "a symbolic link"
        case S_IFDIR: "a directory"
        case S_IFREG: "a regular file"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR, S_IFBLK: "a device"
        default: "an unknown kind of file"
        }
    }

    /// Leftovers of an interrupted earlier run; never part of the profile's state.
    func removeStaleTemporaryFiles() {
        for name in names() where name.hasPrefix(".") && name.contains(AtomicFile.temporaryMarker) {
            unlinkat(fd, name, 0)
        }
    }

    func sync() throws {
        guard fsync(fd) == 0 else { throw PurpleConfigError.cannotWrite(path: path, reason: AtomicFile.reason(errno)) }
    }
}
