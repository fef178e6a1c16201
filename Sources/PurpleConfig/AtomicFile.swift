import Secrets
import Foundation

/// An open directory: the anchor for atomic replacement (rename within it, then
/// fsync it) and for the advisory lock that keeps two onionboard runs apart.
final class DirectoryHandle {
    let path: String
    let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw PurpleConfigError.cannotWrite(path: path, reason: AtomicFile.reason(errno)) }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Creates `path` and any missing parents with mode 0700 (existing ones keep theirs).
    static func makePrivateDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o700) == 0 {
                chmod(current, 0o700)  // regardless of the umask
            } else if errno != EEXIST {
                throw PurpleConfigError.cannotWrite(path: current, reason: AtomicFile.reason(errno))
            } else {
                var info = stat()
                guard stat(current, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
                    throw PurpleConfigError.cannotWrite(path: current, reason: "it exists and is not a directory")
                }
            }
        }
    }

    /// An exclusive lock held until this handle is released.
    func lockExclusively() throws {
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { throw PurpleConfigError.profileBusy(path: path) }
    }

    /// Leftovers of an interrupted earlier run; never part of the profile's state.
    func removeStaleTemporaryFiles() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for name in names where name.hasPrefix(".") && name.contains(AtomicFile.temporaryMarker) {
            unlink("\(path)/\(name)")
        }
    }

    func sync() throws {
        guard fsync(fd) == 0 else { throw PurpleConfigError.cannotWrite(path: path, reason: AtomicFile.reason(errno)) }
    }
}

/// Crash-safe file replacement: a private temporary file in the same directory,
/// written and fsynced, then renamed over the target, then the directory fsynced.
/// At every instant the target is either the complete old file or the complete new one.
enum AtomicFile {
    static let temporaryMarker = ".onionboard-tmp-"

    /// The whole file, or nil if it does not exist.
    static func read(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw PurpleConfigError.cannotRead(path: path, reason: reason(errno))
        }
        defer { close(fd) }
        var result: [UInt8] = []
        // Sized up front: a growing array would leave copies of a password in freed memory.
        var info = stat()
        if fstat(fd, &info) == 0 { result.reserveCapacity(Int(info.st_size) + 1) }
        var chunk = [UInt8](repeating: 0, count: 65536)
        defer { wipe(&chunk) }
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw PurpleConfigError.cannotRead(path: path, reason: reason(errno))
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    /// Replaces `name` in `directory` with `bytes` (mode 0600). When `backupName` is
    /// given and the file exists, the old file stays reachable under that name (a
    /// hard link made before the rename, so no instant lacks either version).
    static func replace(_ name: String, in directory: DirectoryHandle, with bytes: [UInt8], backupName: String?) throws {
        let target = "\(directory.path)/\(name)"
        let temporary = "\(directory.path)/.\(name)\(temporaryMarker)\(randomSuffix())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw PurpleConfigError.cannotWrite(path: target, reason: reason(errno)) }
        var failure: Int32 = 0
        if fchmod(fd, 0o600) != 0 { failure = errno }
        var written = 0
        while failure == 0 && written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
            } else {
                written += n
            }
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw PurpleConfigError.cannotWrite(path: target, reason: reason(failure))
        }
        if let backupName {
            let backup = "\(directory.path)/\(backupName)"
            if link(target, backup) == 0 {
                chmod(backup, 0o600)
            } else if errno != ENOENT {
                let code = errno
                unlink(temporary)
                throw PurpleConfigError.cannotWrite(path: backup, reason: reason(code))
            }
        }
        guard rename(temporary, target) == 0 else {
            let code = errno
            unlink(temporary)
            throw PurpleConfigError.cannotWrite(path: target, reason: reason(code))
        }
        try directory.sync()
    }

    static func reason(_ code: Int32) -> String {
        switch code {
        case ENOSPC: "the disk is full"
        case EDQUOT: "the disk quota is exceeded"
        case EACCES, EPERM: "permission denied"
        case EROFS: "the file system is read-only"
        default: String(cString: strerror(code))
        }
    }

    private static func randomSuffix() -> String {
        (0..<8).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
    }
}
