import Secrets
import Foundation

/// A file of the profile as it was read: its bytes, and the open descriptor that says
/// which file it was (to check that nothing replaced it before the rename, and to make
/// its backup 0600 without following any link).
final class ExistingFile {
    let fd: Int32
    var bytes: [UInt8]
    let device: UInt64
    let inode: UInt64
    let owner: FileOwner

    init(fd: Int32, bytes: [UInt8], info: stat) {
        self.fd = fd
        self.bytes = bytes
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        owner = FileOwner(info)
    }

    deinit {
        wipe(&bytes)
        close(fd)
    }

    /// Whether `name` in `directory` is still this file.
    func isStill(_ name: String, in directory: DirectoryHandle) -> Bool {
        var info = stat()
        return fstatat(directory.fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0
            && UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}

/// Crash-safe file replacement: a private temporary file in the same directory,
/// written and fsynced, then renamed over the target, then the directory fsynced.
/// At every instant the target is either the complete old file or the complete new one.
enum AtomicFile {
    static let temporaryMarker = ".onionboard-tmp-"

    /// The file `name` in `directory`, or nil if it does not exist. Anything but a
    /// regular file (a symbolic link, a FIFO ...) is refused, never followed.
    static func read(_ name: String, in directory: DirectoryHandle) throws -> ExistingFile? {
        let path = "\(directory.path)/\(name)"
        // O_NONBLOCK: opening a FIFO must not hang; it is refused below.
        let fd = openat(directory.fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            if code == ELOOP {
                throw PurpleConfigError.unexpectedFileType(path: path, found: "a symbolic link", expected: "a regular file")
            }
            throw PurpleConfigError.cannotRead(path: path, reason: reason(code))
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw PurpleConfigError.cannotRead(path: path, reason: reason(code))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw PurpleConfigError.unexpectedFileType(path: path, found: DirectoryHandle.describe(mode: info.st_mode),
                                                       expected: "a regular file")
        }
        var result: [UInt8] = []
        // Sized up front: a growing array would leave copies of a password in freed memory.
        result.reserveCapacity(Int(info.st_size) + 1)
        var chunk = [UInt8](repeating: 0, count: 65536)
        defer { wipe(&chunk) }
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                wipe(&result)
                throw PurpleConfigError.cannotRead(path: path, reason: reason(code))
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return ExistingFile(fd: fd, bytes: result, info: info)
    }

    /// Replaces `name` in `directory` with `bytes` (mode 0600, the old file's owner, or
    /// the directory's for a new file). `old` is the file as read (nil: there was none);
    /// if the name no longer holds it, nothing is replaced. `backup`, when given, keeps
    /// the old file (a hard link made before the rename, so no instant lacks either
    /// version). Returns the backup's path.
    @discardableResult
    static func replace(_ name: String, in directory: DirectoryHandle, with bytes: [UInt8], old: ExistingFile?,
                        backup: (store: BackupStore, label: String)?) throws -> String? {
        let target = "\(directory.path)/\(name)"
        let temporary = ".\(name)\(temporaryMarker)\(randomSuffix())"
        let fd = openat(directory.fd, temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw PurpleConfigError.cannotWrite(path: target, reason: reason(errno)) }
        var failure: Int32 = 0
        if fchmod(fd, 0o600) != 0 { failure = errno }
        if failure == 0 {
            do { try (old?.owner ?? directory.owner).apply(to: fd, path: target) } catch {
                close(fd)
                unlinkat(directory.fd, temporary, 0)
                throw error
            }
        }
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
            unlinkat(directory.fd, temporary, 0)
            throw PurpleConfigError.cannotWrite(path: target, reason: reason(failure))
        }
        do {
            // Nothing may have taken the name's place since it was read (the directory is
            // private, but a link planted before that must not be overwritten blindly).
            if let old {
                guard old.isStill(name, in: directory) else {
                    throw PurpleConfigError.cannotWrite(path: target, reason: "it changed while onionboard was writing it")
                }
            } else {
                var info = stat()
                guard fstatat(directory.fd, name, &info, AT_SYMLINK_NOFOLLOW) != 0, errno == ENOENT else {
                    throw PurpleConfigError.cannotWrite(path: target, reason: "it appeared while onionboard was writing it")
                }
            }
            var backupPath: String?
            if let old, let backup {
                backupPath = try backup.store.keep(name, label: backup.label, in: directory, file: old)
            }
            guard renameat(directory.fd, temporary, directory.fd, name) == 0 else {
                throw PurpleConfigError.cannotWrite(path: target, reason: reason(errno))
            }
            try directory.sync()
            return backupPath
        } catch {
            unlinkat(directory.fd, temporary, 0)
            throw error
        }
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
