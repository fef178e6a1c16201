import FoundationEssentials
import Glibc
import Platform
import Vocabulary
import Secrets

/// An account the server has created whose Pidgin profile is not written yet, saved
/// the moment the server confirms it: `<profile>/onionboard/pending-account`, mode
/// 0600 in a 0700 directory, written atomically. It holds the password (as accounts.xml
/// will), so a failure or an interruption after registration never loses the account:
/// the next run finishes it. libpurple ignores the subdirectory.
public enum PendingAccountFile {
    public static let directoryName = "onionboard"
    public static let fileName = "pending-account"

    public static func path(in profile: String) -> String { "\(profile)/\(directoryName)/\(fileName)" }

    /// Saves `account` (replacing an older one); returns the path.
    @discardableResult
    public static func save(_ account: PendingAccount, in profile: String) throws -> String {
        // Through directory descriptors, never following a link (as every profile write).
        let root = try DirectoryHandle.openProfile(profile, create: true)!
        let handle = try root.subdirectory(Self.directoryName, create: true)!
        _ = try handle.makePrivate()
        var bytes = Array("""
            # onionboard: an account the server created; the next run finishes it. Do not share: it holds the password.
            jid=\(account.jid)
            connect-server=\(account.connectHost)
            port=\(account.port)
            tls=\(account.tlsMode.rawValue)
            password-base64=
            """.utf8)
        account.password.withBytes { bytes += Array(Data($0).base64EncodedString().utf8) }
        bytes.append(UInt8(ascii: "\n"))
        defer { wipe(&bytes) }
        let old = try AtomicFile.read(Self.fileName, in: handle)
        try AtomicFile.replace(Self.fileName, in: handle, with: bytes, old: old, backup: nil)
        return Self.path(in: profile)
    }

    /// The saved account, or nil when there is none; a damaged file is an error naming it.
    public static func load(from profile: String) throws -> PendingAccount? {
        let path = path(in: profile)
        guard let root = try DirectoryHandle.openProfile(profile, create: false),
              let handle = try root.subdirectory(Self.directoryName, create: false),
              let file = try AtomicFile.read(Self.fileName, in: handle) else { return nil }
        // Read in place: `file` wipes its bytes when it goes (a copy here would escape that).
        var fields: [String: String] = [:]
        var password: SecretBytes?
        for line in file.bytes.split(separator: UInt8(ascii: "\n")) where line.first != UInt8(ascii: "#") {
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = String(decoding: line[line.startIndex..<equals], as: UTF8.self)
            if key == "password-base64" {
                guard var decoded = Data(base64Encoded: Data(line[(equals + 1)...])).map(Array.init) else { break }
                password = SecretBytes(consuming: &decoded)
            } else {
                fields[key] = String(decoding: line[(equals + 1)...], as: UTF8.self)
            }
        }
        guard let jid = fields["jid"], jid.contains("@"), let server = fields["connect-server"],
              let port = fields["port"].flatMap(Int.init), let tls = fields["tls"].flatMap(TLSMode.init(rawValue:)),
              let password, password.count > 0 else {
            throw PurpleConfigError.unexpectedStructure(path: path, message:
                "it should hold the account an earlier run created (jid, connect-server, port, tls, password); move it aside to start over")
        }
        return PendingAccount(jid: jid, password: password, connectHost: server, port: port, tlsMode: tls)
    }

    /// Once the profile holds the account.
    public static func remove(from profile: String) {
        guard let root = try? DirectoryHandle.openProfile(profile, create: false),
              let handle = try? root.subdirectory(directoryName, create: false) else { return }
        unlinkat(handle.fd, fileName, 0)
        unlinkat(root.fd, directoryName, AT_REMOVEDIR)
    }
}

extension PurpleProfile {
    /// What can be checked before any question: no Pidgin/finch writes this profile
    /// (unless `force`), the existing files are readable libpurple files, and the
    /// directory (or its nearest existing parent) can be written.
    public func checkWritable(force: Bool) throws {
        if !force {
            // Only a client on this profile: a finch on another directory overwrites nothing here.
            let clients = RunningClients.find(procRoot: procRoot, profileDirectory: directory)
            if !clients.isEmpty {
                throw PurpleConfigError.clientRunning(names: Set(clients.map(\.name)).sorted(), pids: clients.map(\.pid))
            }
        }
        _ = try existingXMPPAccounts()
        var existing = directory
        while !FileManager.default.fileExists(atPath: existing) && existing != "/" && !existing.isEmpty {
            existing = Paths.parent(of: existing)
        }
        guard access(existing, W_OK | X_OK) == 0 else {
            throw PurpleConfigError.cannotWrite(path: existing, reason: AtomicFile.reason(errno))
        }
    }

    /// On Tails, why this profile would not survive a shutdown, if it would not.
    public var persistenceWarning: ProfileWarning? {
        environment.warnings(for: directory).first { $0.code == .notPersistent || $0.code == .persistentStorageLocked }
    }
}
