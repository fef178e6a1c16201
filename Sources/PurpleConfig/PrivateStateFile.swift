import Glibc

/// A file of onionboard's own state outside the Pidgin profile (the live checks of the
/// providers): mode 0600 in a 0700 directory, replaced atomically (temp + fsync + rename)
/// through a directory descriptor, no link followed below the directory, no backup (it is a
/// cache: a lost one is made again).
public enum PrivateStateFile {
    /// Replaces `directory/name` with `bytes`, creating the directory (0700) if needed.
    public static func write(_ bytes: [UInt8], name: String, in directory: String) throws {
        let handle = try DirectoryHandle.openProfile(directory, create: true)!
        _ = try handle.makePrivate()
        let old = try AtomicFile.read(name, in: handle)
        try AtomicFile.replace(name, in: handle, with: bytes, old: old, backup: nil)
    }

    /// The file's bytes, nil when it (or its directory) does not exist.
    public static func read(name: String, in directory: String) throws -> [UInt8]? {
        guard let handle = try DirectoryHandle.openProfile(directory, create: false),
              let file = try AtomicFile.read(name, in: handle) else { return nil }
        return file.bytes
    }
}
