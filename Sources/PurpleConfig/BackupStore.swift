import Foundation

/// Where the previous versions of replaced files are kept: `onionboard-backups/` in the
/// profile directory (0700), outside `tls_peers/` (libpurple takes every file there for
/// a pinned host). Names sort in time order: `accounts.xml.20261125T170302.123456Z`,
/// `-01` … `-99` appended if a name is taken. Only the newest `kept` of each file stay:
/// every backup of accounts.xml holds every account's password.
final class BackupStore {
    static let directoryName = "onionboard-backups"
    /// Backups kept per file.
    static let kept = 3

    let directory: DirectoryHandle
    let stamp: String

    init(directory: DirectoryHandle, stamp: String = BackupStore.stamp()) {
        self.directory = directory
        self.stamp = stamp
    }

    /// The backup name prefix of a file: its name, or `tls_peers-<name>` for a pin.
    static func label(for name: String, isCertificate: Bool) -> String {
        isCertificate ? "tls_peers-\(name)" : name
    }

    /// UTC to the microsecond, fixed width, so names sort as times do.
    static func stamp(_ date: Date = Date()) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let micro = min(999_999, Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded(.down)))
        return String(format: "%04d%02d%02dT%02d%02d%02d.%06dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micro)
    }

    /// Keeps `file` (the current `name` in `source`) as a new backup of `label`: a hard
    /// link under the first free name (taken names are skipped, whatever they are: the
    /// link never replaces anything), made 0600 through the open file. Returns its path.
    func keep(_ name: String, label: String, in source: DirectoryHandle, file: ExistingFile) throws -> String {
        adoptLegacyBackups(of: name, label: label, in: source)
        for attempt in 0...99 {
            let candidate = attempt == 0 ? "\(label).\(stamp)" : "\(label).\(stamp)-\(String(format: "%02d", attempt))"
            if linkat(source.fd, name, directory.fd, candidate, 0) == 0 {
                guard file.isStill(candidate, in: directory) else {
                    unlinkat(directory.fd, candidate, 0)
                    throw PurpleConfigError.cannotWrite(path: "\(source.path)/\(name)",
                                                        reason: "it changed while onionboard was writing it")
                }
                fchmod(file.fd, 0o600)
                return "\(directory.path)/\(candidate)"
            }
            guard errno == EEXIST else {
                throw PurpleConfigError.cannotWrite(path: "\(directory.path)/\(candidate)",
                                                    reason: "cannot keep the previous version there: \(AtomicFile.reason(errno))")
            }
        }
        throw PurpleConfigError.cannotWrite(path: "\(directory.path)/\(label).\(stamp)",
                                            reason: "a hundred backup names of this moment are taken")
    }

    /// Removes all but the newest `kept` backups of `label`.
    func prune(_ label: String, kept: Int = BackupStore.kept) {
        let backups = directory.names().filter { Self.isBackup($0, of: label) }.sorted()
        for name in backups.dropLast(kept) { unlinkat(directory.fd, name, 0) }
    }

    /// `label.YYYYMMDDTHHMMSS.ffffffZ` with an optional `-NN`.
    static func isBackup(_ name: String, of label: String) -> Bool {
        guard name.hasPrefix(label + ".") else { return false }
        let rest = Array(name.utf8.dropFirst(label.utf8.count + 1))
        guard rest.count == 23 || (rest.count >= 26 && rest[23] == UInt8(ascii: "-")) else { return false }
        return fits(rest.prefix(23), "ddddddddTdddddd.ddddddZ") && rest.dropFirst(24).allSatisfy(isDigit)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Whether `bytes` has `shape`, where `d` stands for any digit.
    private static func fits(_ bytes: some Collection<UInt8>, _ shape: String) -> Bool {
        bytes.count == shape.utf8.count
            && zip(bytes, shape.utf8).allSatisfy { $1 == UInt8(ascii: "d") ? isDigit($0) : $0 == $1 }
    }

    /// Backups of the earlier scheme, `<file>.onionboard-backup-YYYYMMDDTHHMMSSZ[-N]` next
    /// to the file (for the pin: inside tls_peers/): moved here under the new names, so
    /// pruning covers them too; ones that cannot be moved are removed.
    private func adoptLegacyBackups(of name: String, label: String, in source: DirectoryHandle) {
        let prefix = "\(name).onionboard-backup-"
        for legacy in source.names() where legacy.hasPrefix(prefix) {
            var info = stat()
            guard fstatat(source.fd, legacy, &info, AT_SYMLINK_NOFOLLOW) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let rest = legacy.dropFirst(prefix.count)
            let parts = rest.split(separator: "-", maxSplits: 1)
            let time = parts.first.map(String.init) ?? ""
            let counter = parts.count > 1 ? Int(parts[1]) ?? 0 : 1
            if Self.fits(time.utf8, "ddddddddTddddddZ"), (1...100).contains(counter) {
                let adopted = "\(label).\(time.dropLast()).000000Z" + (counter > 1 ? String(format: "-%02d", counter - 1) : "")
                _ = linkat(source.fd, legacy, directory.fd, adopted, 0)
            }
            unlinkat(source.fd, legacy, 0)
        }
    }
}
