import FoundationEssentials
import Glibc
import Platform
import Secrets
import Vocabulary
import Localization

/// A Pidgin (libpurple 2.x) profile directory, `~/.purple` by default: onionboard
/// merges its account into accounts.xml, its group chat into blist.xml and pins the
/// server certificate, leaving everything else as it was.
public struct PurpleProfile: Sendable {
    public let directory: String
    public var environment: TailsEnvironment
    /// Where running Pidgin/finch processes are looked for (tests may point elsewhere).
    public var procRoot: String
    /// How long a write waits for another onionboard run to release the profile.
    public var lockWaitSeconds: Double = 5

    public static let accountsFileName = "accounts.xml"
    public static let blistFileName = "blist.xml"

    public init(directory: String, environment: TailsEnvironment = .system, procRoot: String = "/proc") {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.environment = environment
        self.procRoot = procRoot
    }

    /// `$HOME/.purple`.
    public static var defaultDirectory: String {
        let home = HomeDirectory.current
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
        return try prepare(request, root: try DirectoryHandle.openProfile(directory, create: false)).files.map(\.change)
    }

    /// Merges the request into the profile. Each file is replaced atomically, in the
    /// order certificate, accounts.xml, blist.xml (a chat is only valid once its
    /// account exists), so an interruption leaves every file either old or new.
    public func write(_ request: ProfileRequest, force: Bool = false) throws -> ProfileWriteReport {
        try request.validate()
        let (prepared, backups, written) = try commit(force: force) { root in try prepare(request, root: root) }
        var warnings = written
        if request.certificatePEM == nil {
            warnings.append(ProfileWarning(code: .noCertificatePinned, message:
                translated("no certificate was pinned: Pidgin will ask whether to accept the server's certificate on first connect")))
        }
        warnings += environment.warnings(for: directory)
        return ProfileWriteReport(directory: directory, accountName: prepared.accountName,
                                  changes: prepared.files.map(\.change), backups: backups, warnings: warnings)
    }

    /// Writes what `prepare` makes of the profile as it is now: under the profile's lock,
    /// directories first, each changed file replaced atomically (a backup of the old one
    /// kept), in the order `prepare` lists them. Returns what was prepared, the backups and
    /// the warnings so far.
    func commit(force: Bool, _ prepare: (DirectoryHandle) throws -> Prepared) throws
        -> (prepared: Prepared, backups: [String], warnings: [ProfileWarning]) {
        var warnings: [ProfileWarning] = []
        let clients = RunningClients.find(procRoot: procRoot, profileDirectory: directory)
        if !clients.isEmpty {
            let names = Set(clients.map(\.name)).sorted()
            guard force else { throw PurpleConfigError.clientRunning(names: names, pids: clients.map(\.pid)) }
            let pids = clients.map { String($0.pid) }.joined(separator: ", ")
            warnings.append(ProfileWarning(code: .clientRunningForced, message:
                translated("\(names.joined(separator: ", ")) is running (pid \(pids)); it may overwrite the profile when it exits")))
        }

        let root = try DirectoryHandle.openProfile(directory, create: true)!
        try root.lockExclusively(waiting: lockWaitSeconds)
        root.removeStaleTemporaryFiles()
        if let existing = try? root.subdirectories(CertificatePin.relativeDirectory, create: false) {
            existing.removeStaleTemporaryFiles()
        }

        let prepared = try prepare(root)
        let changing = prepared.files.filter { $0.change.action != .unchanged }
        // Directories before files: a failure here leaves every file as it was.
        if let warning = try root.makePrivate() { warnings.append(warning) }
        var certificates: DirectoryHandle?
        if changing.contains(where: \.isCertificate) {
            var current = root
            for component in CertificatePin.relativeDirectory.split(separator: "/") {
                current = try current.subdirectory(String(component), create: true)!
                if let warning = try current.makePrivate() { warnings.append(warning) }
            }
            certificates = current
        }
        var store: BackupStore?
        if changing.contains(where: { $0.old != nil }) {
            let backupDirectory = try root.subdirectory(BackupStore.directoryName, create: true)!
            if let warning = try backupDirectory.makePrivate() { warnings.append(warning) }
            store = BackupStore(directory: backupDirectory)
        }

        var backups: [String] = []
        var replaced: [String] = []
        for (index, file) in changing.enumerated() {
            let handle = file.isCertificate ? certificates! : root
            let label = BackupStore.label(for: file.name, isCertificate: file.isCertificate)
            do {
                if let backup = try AtomicFile.replace(file.name, in: handle, with: file.bytes, old: file.old,
                                                      backup: store.map { ($0, label) }) {
                    backups.append(backup)
                }
            } catch let error as PurpleConfigError where !replaced.isEmpty {
                // Say which files are new already: the profile is now part old, part new.
                throw PurpleConfigError.incompleteWrite(failure: error.description, alreadyNew: replaced,
                                                        notWritten: changing[index...].map(\.change.path))
            }
            replaced.append(file.change.path)
            if file.old != nil { store?.prune(label) }
        }
        return (prepared, backups, warnings)
    }

    // MARK: - Preparing the new contents

    /// One file's new content, and the old file as read. Holds the password for
    /// accounts.xml: wiped on release.
    final class PreparedFile {
        let directory: String
        let name: String
        var bytes: [UInt8]
        let old: ExistingFile?
        let isCertificate: Bool
        let change: PlannedChange

        init(directory: String, name: String, bytes: [UInt8], old: ExistingFile?, sameAsOld: Bool? = nil,
             isCertificate: Bool = false) {
            self.directory = directory
            self.name = name
            self.bytes = bytes
            self.old = old
            self.isCertificate = isCertificate
            let action: PlannedChange.Action
            if let old {
                action = (sameAsOld ?? (old.bytes == bytes)) ? .unchanged : .update
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

    /// The new contents; `request` has been validated by the caller. `root` is the open
    /// profile directory (nil: it does not exist, so neither does any file).
    func prepare(_ request: ProfileRequest, root: DirectoryHandle?) throws -> Prepared {
        var files: [PreparedFile] = []

        if let pem = request.certificatePEM {
            let pin = try CertificatePin(pemOrDER: pem)
            let pins = try root?.subdirectories(CertificatePin.relativeDirectory, create: false)
            let old = try pins.flatMap { try AtomicFile.read(request.connectServer, in: $0) }
            let same = old.map { pin.matches(existing: $0.bytes) }
            files.append(PreparedFile(directory: certificateDirectory,
                                      name: request.connectServer, bytes: same == true ? old!.bytes : pin.pem,
                                      old: old, sameAsOld: same, isCertificate: true))
        }

        let oldAccounts = try root.flatMap { try AtomicFile.read(Self.accountsFileName, in: $0) }
        let accounts = try Self.parseOrCreate(oldAccounts?.bytes, path: accountsPath, create: AccountsFile.newDocument)
        let credentials = Self.proxyCredentials(request, existing: AccountsFile.existingProxyCredentials(
            in: accounts, jid: request.accountJID))
        let accountName = AccountsFile.merge(request, proxyCredentials: credentials, into: accounts)
        if request.registeredHere { AccountsFile.markRegisteredHere(accountName, in: accounts) }
        let newAccounts = PurpleStyleSerializer.serialize(accounts, capacity: (oldAccounts?.bytes.count ?? 0) * 2 + 16 * 1024)
        files.append(PreparedFile(directory: directory, name: Self.accountsFileName, bytes: newAccounts, old: oldAccounts))
        try Self.checkReadsBack(files.last!.bytes, path: accountsPath)

        let oldBlist = try root.flatMap { try AtomicFile.read(Self.blistFileName, in: $0) }
        let blist = try Self.parseOrCreate(oldBlist?.bytes, path: blistPath, create: BlistFile.newDocument)
        try BlistFile.merge(request.chat, accountName: accountName, into: blist)
        let newBlist = PurpleStyleSerializer.serialize(blist, capacity: (oldBlist?.bytes.count ?? 0) * 9 / 8 + 16 * 1024)
        files.append(PreparedFile(directory: directory, name: Self.blistFileName, bytes: newBlist, old: oldBlist))
        try Self.checkReadsBack(files.last!.bytes, path: blistPath)
        return Prepared(accountName: accountName, files: files)
    }

    /// Every file is read back before it may replace the old one, so that no serializer
    /// bug can ever put a file on disk that Pidgin would move aside (issue 17).
    static func checkReadsBack(_ bytes: [UInt8], path: String) throws {
        do {
            try XMLDocument.checkReadsBack(bytes, path: path)
        } catch let error as PurpleConfigError {
            throw PurpleConfigError.producedUnreadableFile(path: path, message: error.description)
        }
    }

    /// An empty file counts as absent (libpurple loads nothing from it either).
    static func parseOrCreate(_ bytes: [UInt8]?, path: String, create: () -> XMLDocument) throws -> XMLDocument {
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
}
