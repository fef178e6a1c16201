import Glibc

/// A file of onionboard's own state outside the Pidgin profile (the live checks of the
/// providers): mode 0600 in a 0700 directory, replaced atomically (temp + fsync + rename),
/// no backup (it is a cache: a lost one is made again).
public enum PrivateStateFile {
    /// Replaces `directory/name` with `bytes`, creating the directory (0700) if needed.
    public static func write(_ bytes: [UInt8], name: String, in directory: String) throws {
        try DirectoryHandle.makePrivateDirectories(directory)
        // Ours alone, whatever mode an earlier version or the umask left.
        _ = directory.withCString { chmod($0, 0o700) }
        let handle = try DirectoryHandle(path: directory)
        try AtomicFile.replace(name, in: handle, with: bytes, backupName: nil)
    }

    /// The file's bytes, nil when it does not exist.
    public static func read(_ path: String) throws -> [UInt8]? { try AtomicFile.read(path) }
}
