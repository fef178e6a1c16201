import Foundation
import Secrets
import Vocabulary

/// A Pidgin (libpurple 2.x) profile directory, `~/.purple` by default: onionboard
/// merges its account into accounts.xml, its group chat into blist.xml and pins the
/// server certificate, leaving everything else as it was.
public struct PurpleProfile: Sendable {
    public let directory: String
    public var environment: TailsEnvironment
    /// Where running Pidgin/finch processes are looked for (tests may point elsewhere).
    public var procRoot: String

    public static let accountsFileName = "accounts.xml"
    public static let blistFileName = "blist.xml"

    public init(directory: String, environment: TailsEnvironment = .system, procRoot: String = "/proc") {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.environment = environment
        self.procRoot = procRoot
    }

    /// `$HOME/.purple`.
    public static var defaultDirectory: String {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return home + "/.purple"
    }

    public var accountsPath: String { "\(directory)/\(Self.accountsFileName)" }
    public var blistPath: String { "\(directory)/\(Self.blistFileName)" }
    /// certificates/x509/tls_peers, where Pidgin keeps pinned server certificates.
    var certificateDirectory: String { "\(directory)/\(CertificatePin.relativeDirectory)" }
    public func certificatePath(for connectServer: String) -> String { "\(certificateDirectory)/\(connectServer)" }

    /// A dry run: which files `write` would create, change or leave alone. Reads
    /// (and so also validates) the existing files; writes nothing.
    public func plannedChanges(_ request: ProfileRequest) throws -> [PlannedChange] {
        try request.validate()
        return try prepare(request).files.map(\.change)
    }

    /// Merges the request into the profile. Each file is replaced atomically, in the
    /// order certificate, accounts.xml, blist.xml (a chat is only valid once its
    /// account exists), so an interruption leaves every file either old or new.
    public func write(_ request: ProfileRequest, force: Bool = false) throws -> ProfileWriteReport {
        try request.validate()
        var warnings: [ProfileWarning] = []
        let clients = RunningClients.find(procRoot: procRoot)
        if !clients.isEmpty {
            let names = Set(clients.map(\.name)).sorted()
            guard force else { throw PurpleConfigError.clientRunning(names: names, pids: clients.map(\.pid)) }
            warnings.append(ProfileWarning(code: .clientRunningForced, message:
                "\(names.joined(separator: " and ")) is running (pid \(clients.map { String($0.pid) }.joined(separator: ", "))); "
                + "it may overwrite the profile when it exits"))
        }

        try DirectoryHandle.makePrivateDirectories(directory)
        let profileDirectory = try DirectoryHandle(path: directory)
        try profileDirectory.lockExclusively()
        profileDirectory.removeStaleTemporaryFiles()
        if let existing = try? DirectoryHandle(path: certificateDirectory) { existing.removeStaleTemporaryFiles() }

        let prepared = try prepare(request)
        let stamp = Self.backupTimestamp()
        var backups: [String] = []
        for file in prepared.files where file.change.action != .unchanged {
            try DirectoryHandle.makePrivateDirectories(file.directory)
            let handle = file.directory == directory ? profileDirectory : try DirectoryHandle(path: file.directory)
            var backupName: String?
            if file.change.action == .update {
                backupName = Self.freeBackupName(for: file.name, in: file.directory, stamp: stamp)
            }
            try AtomicFile.replace(file.name, in: handle, with: file.bytes, backupName: backupName)
            if let backupName { backups.append("\(file.directory)/\(backupName)") }
        }

        if request.certificatePEM == nil {
            warnings.append(ProfileWarning(code: .noCertificatePinned, message:
                "no certificate was pinned: Pidgin will ask whether to accept the server's certificate on first connect"))
        }
        warnings += environment.warnings(for: directory)
        return ProfileWriteReport(directory: directory, accountName: prepared.accountName,
                                  changes: prepared.files.map(\.change), backups: backups, warnings: warnings)
    }

    // MARK: - Preparing the new contents

    /// One file's new content. Holds the password for accounts.xml: wiped on release.
    final class PreparedFile {
        let directory: String
        let name: String
        var bytes: [UInt8]
        let change: PlannedChange

        init(directory: String, name: String, bytes: [UInt8], old: [UInt8]?, sameAsOld: Bool? = nil) {
            self.directory = directory
            self.name = name
            self.bytes = bytes
            let action: PlannedChange.Action
            if let old {
                action = (sameAsOld ?? (old == bytes)) ? .unchanged : .update
            } else {
                action = .create
            }
            change = PlannedChange(path: "\(directory)/\(name)", action: action)
        }

        deinit { wipe(&bytes) }
    }

    struct Prepared {
        let accountName: String
        let files: [PreparedFile]
    }

    /// The new contents; `request` has been validated by the caller.
    func prepare(_ request: ProfileRequest) throws -> Prepared {
        var files: [PreparedFile] = []

        if let pem = request.certificatePEM {
            let pin = try CertificatePin(pemOrDER: pem)
            let path = certificatePath(for: request.connectServer)
            let old = try AtomicFile.read(path)
            let same = old.map { pin.matches(existing: $0) }
            files.append(PreparedFile(directory: certificateDirectory,
                                      name: request.connectServer, bytes: same == true ? old! : pin.pem,
                                      old: old, sameAsOld: same))
        }

        var oldAccounts = try AtomicFile.read(accountsPath)
        defer { if oldAccounts != nil { wipe(&oldAccounts!) } }
        let accounts = try Self.parseOrCreate(oldAccounts, path: accountsPath, create: AccountsFile.newDocument)
        let credentials = Self.proxyCredentials(request, existing: AccountsFile.existingProxyCredentials(
            in: accounts, jid: request.accountJID))
        let accountName = AccountsFile.merge(request, proxyCredentials: credentials, into: accounts)
        files.append(PreparedFile(directory: directory, name: Self.accountsFileName,
                                  bytes: PurpleStyleSerializer.serialize(accounts, capacity: (oldAccounts?.count ?? 0) * 2 + 16 * 1024),
                                  old: oldAccounts))

        let oldBlist = try AtomicFile.read(blistPath)
        let blist = try Self.parseOrCreate(oldBlist, path: blistPath, create: BlistFile.newDocument)
        try BlistFile.merge(request.chat, accountName: accountName, into: blist)
        files.append(PreparedFile(directory: directory, name: Self.blistFileName,
                                  bytes: PurpleStyleSerializer.serialize(blist, capacity: (oldBlist?.count ?? 0) * 9 / 8 + 16 * 1024),
                                  old: oldBlist))
        return Prepared(accountName: accountName, files: files)
    }

    /// An empty file counts as absent (libpurple loads nothing from it either).
    private static func parseOrCreate(_ bytes: [UInt8]?, path: String, create: () -> XMLDocument) throws -> XMLDocument {
        guard let bytes, !bytes.isEmpty else { return create() }
        return try XMLDocument.parse(bytes, path: path)
    }

    /// Given ones win; else the account keeps the ones it has (so a second run
    /// changes nothing); else new random ones, so Tor isolates this account.
    static func proxyCredentials(_ request: ProfileRequest, existing: (username: String, password: String)?)
        -> (username: String, password: String) {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let username = request.proxy.username ?? existing?.username
            ?? "onionboard-" + SecureRandom.string(length: 12, alphabet: alphabet)
        let password = request.proxy.password ?? existing?.password
            ?? SecureRandom.string(length: 24, alphabet: alphabet)
        return (username, password)
    }

    static func backupTimestamp(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    static func freeBackupName(for name: String, in directory: String, stamp: String) -> String {
        let base = "\(name).onionboard-backup-\(stamp)"
        var candidate = base
        var counter = 2
        while FileManager.default.fileExists(atPath: "\(directory)/\(candidate)") {
            candidate = "\(base)-\(counter)"
            counter += 1
        }
        return candidate
    }
}
