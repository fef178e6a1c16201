import CLibXML2
import FoundationEssentials
import Glibc
import Secrets
import Vocabulary
import Localization

/// A room added to an account the profile already holds (the wizard's "join with an
/// account Pidgin already has", and bootstrap putting back a room that went missing):
/// only its chat goes into blist.xml. With `torRoute`, the account is also sent through
/// Tor to its provider's onion (its connection settings, its proxy, the onion's pin).
public struct RoomRequest: Sendable {
    /// The account's name as accounts.xml has it (`user@domain/`), or its bare address.
    public var accountName: String
    public var chat: RoomBookmark
    public var torRoute: TorRoute?

    public init(accountName: String, chat: RoomBookmark, torRoute: TorRoute? = nil) {
        self.accountName = accountName
        self.chat = chat
        self.torRoute = torRoute
    }

    func validate() throws {
        guard !chat.room.isEmpty, !chat.service.isEmpty, !chat.jid.contains("/") else {
            throw PurpleConfigError.invalidRequest(translated("the room '\(chat.jid)' is not of the form room@server"))
        }
        guard chat.handle?.isEmpty != true, !chat.group.isEmpty else {
            throw PurpleConfigError.invalidRequest(translated("the chat handle and group must not be empty"))
        }
        for (text, problem) in [(chat.jid, translated("the room contains a character that a Pidgin file cannot hold")),
                                (chat.handle, translated("the chat handle contains a character that a Pidgin file cannot hold")),
                                (chat.alias, translated("the chat alias contains a character that a Pidgin file cannot hold")),
                                (chat.group, translated("the group contains a character that a Pidgin file cannot hold"))] {
            if text?.unicodeScalars.contains(where: { ($0.value < 0x20 && ![0x09, 0x0A, 0x0D].contains($0.value))
                || $0.value == 0xFFFE || $0.value == 0xFFFF }) == true {
                throw PurpleConfigError.invalidRequest(problem)
            }
        }
        if let route = torRoute {
            guard CertificatePin.isSafeFileName(route.connectServer), (1...65535).contains(route.port),
                  (1...65535).contains(route.proxy.port), HostPort.ipLiteral(route.proxy.host) == route.proxy.host else {
                throw PurpleConfigError.invalidRequest(translated("the Tor route to '\(route.connectServer)' is not usable"))
            }
        }
    }
}

/// Where an account goes once it is sent through Tor: its provider's onion, through
/// Pidgin's Tor proxy type, with the onion's certificate pinned.
public struct TorRoute: Sendable {
    public var connectServer: String
    public var port: Int
    public var tlsMode: TLSMode
    public var proxy: ProxySettings
    /// The onion's leaf certificate, pinned so that Pidgin does not ask.
    public var certificatePEM: [UInt8]?

    public init(connectServer: String, port: Int = 5222, tlsMode: TLSMode = .startTLS, proxy: ProxySettings = ProxySettings(),
                certificatePEM: [UInt8]? = nil) {
        self.connectServer = connectServer
        self.port = port
        self.tlsMode = tlsMode
        self.proxy = proxy
        self.certificatePEM = certificatePEM
    }
}

extension PurpleProfile {
    /// A dry run of `addRoom`: reads (and so checks) the files, writes nothing.
    public func plannedRoomChanges(_ request: RoomRequest) throws -> [PlannedChange] {
        try request.validate()
        return try prepareRoom(request, root: try DirectoryHandle.openProfile(directory, create: false)).prepared.files.map(\.change)
    }

    /// Adds the room to the account, leaving every other byte of the profile as it was:
    /// blist.xml gets the chat (nothing when the account has it already), accounts.xml and
    /// the certificates change only for a `torRoute`. Atomic, with backups, like `write`.
    public func addRoom(_ request: RoomRequest, force: Bool = false) throws -> ProfileWriteReport {
        try request.validate()
        var reformatted = false
        let (prepared, backups, written) = try commit(force: force) { root in
            let result = try prepareRoom(request, root: root)
            reformatted = result.reformatted
            return result.prepared
        }
        var warnings = written
        if reformatted {
            warnings.append(ProfileWarning(code: .reformatted, message: translated("""
                blist.xml was not laid out the way Pidgin writes it; it was written in Pidgin's layout \
                (same content plus the room; the old file is kept as a backup)
                """)))
        }
        warnings += environment.warnings(for: directory)
        return ProfileWriteReport(directory: directory, accountName: prepared.accountName,
                                  changes: prepared.files.map(\.change), backups: backups, warnings: warnings)
    }

    /// The new blist.xml (and, for a Tor route, accounts.xml and the pin). `reformatted`:
    /// the old blist.xml was not in libpurple's layout, so more than the chat changed.
    func prepareRoom(_ request: RoomRequest, root: DirectoryHandle?) throws -> (prepared: Prepared, reformatted: Bool) {
        guard let oldAccounts = try root.flatMap({ try AtomicFile.read(Self.accountsFileName, in: $0) }), !oldAccounts.bytes.isEmpty else {
            throw PurpleConfigError.invalidRequest(translated("the Pidgin profile \(directory) holds no accounts (no accounts.xml)"))
        }
        let accounts = try XMLDocument.parse(oldAccounts.bytes, path: accountsPath)
        let jid = AccountsFile.bareJID(of: request.accountName)
        guard let (account, accountName) = AccountsFile.findAccount(in: accounts, jid: jid) else {
            throw PurpleConfigError.invalidRequest(translated("the Pidgin profile \(directory) holds no XMPP account \(jid)"))
        }
        var files: [PreparedFile] = []
        if let route = request.torRoute {
            if let pem = route.certificatePEM {
                let pin = try CertificatePin(pemOrDER: pem)
                let pins = try root?.subdirectories(CertificatePin.relativeDirectory, create: false)
                let old = try pins.flatMap { try AtomicFile.read(route.connectServer, in: $0) }
                let same = old.map { pin.matches(existing: $0.bytes) }
                files.append(PreparedFile(directory: certificateDirectory, name: route.connectServer,
                                          bytes: same == true ? old!.bytes : pin.pem, old: old, sameAsOld: same, isCertificate: true))
            }
            let credentials = Self.torCredentials(route.proxy, existing: AccountsFile.existingProxyCredentials(in: accounts, jid: jid))
            AccountsFile.routeThroughTor(account, route, proxyCredentials: credentials, document: accounts)
            let newAccounts = PurpleStyleSerializer.serialize(accounts, capacity: oldAccounts.bytes.count * 2 + 16 * 1024)
            files.append(PreparedFile(directory: directory, name: Self.accountsFileName, bytes: newAccounts, old: oldAccounts))
            try Self.checkReadsBack(files.last!.bytes, path: accountsPath)
        }

        let oldBlist = try root.flatMap { try AtomicFile.read(Self.blistFileName, in: $0) }
        let blist = try Self.parseOrCreate(oldBlist?.bytes, path: blistPath, create: BlistFile.newDocument)
        let added = BlistFile.addChat(request.chat, accountName: accountName, into: blist)
        let newBlist = added ? PurpleStyleSerializer.serialize(blist, capacity: (oldBlist?.bytes.count ?? 0) * 9 / 8 + 16 * 1024)
            : oldBlist?.bytes ?? PurpleStyleSerializer.serialize(blist)
        files.append(PreparedFile(directory: directory, name: Self.blistFileName, bytes: newBlist, old: oldBlist))
        try Self.checkReadsBack(files.last!.bytes, path: blistPath)
        let reformatted = added && oldBlist.map { !Self.isInsertion(of: $0.bytes, into: newBlist) } ?? false
        return (Prepared(accountName: accountName, files: files), reformatted)
    }

    /// Whether `new` is `old` with one stretch of bytes put in somewhere (and nothing else changed).
    static func isInsertion(of old: [UInt8], into new: [UInt8]) -> Bool {
        guard new.count >= old.count else { return false }
        var prefix = 0
        while prefix < old.count && old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix && old[old.count - 1 - suffix] == new[new.count - 1 - suffix] { suffix += 1 }
        return prefix + suffix == old.count
    }

    /// The account's Tor isolation credentials: the given ones, else the ones it has, else
    /// new random ones (as `write` does).
    static func torCredentials(_ proxy: ProxySettings, existing: (username: String, password: String)?)
        -> (username: String, password: String) {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return (proxy.username ?? existing?.username ?? "onionboard-" + SecureRandom.string(length: 12, alphabet: alphabet),
                proxy.password ?? existing?.password ?? SecureRandom.string(length: 24, alphabet: alphabet))
    }

    /// The password Pidgin keeps for the account (nil when it keeps none, or keeps it in a
    /// keyring), copied from the parsed file straight into guarded memory.
    public func savedPassword(of accountName: String) throws -> SecretBytes? {
        guard let root = try DirectoryHandle.openProfile(directory, create: false),
              let file = try AtomicFile.read(Self.accountsFileName, in: root), !file.bytes.isEmpty else { return nil }
        let accounts = try XMLDocument.parse(file.bytes, path: accountsPath)
        guard let account = AccountsFile.findAccount(in: accounts, jid: AccountsFile.bareJID(of: accountName))?.node,
              let password = XMLNodes.firstElement(of: account, named: "password"),
              XMLNodes.attribute("keyring_id", of: password) == nil,
              let content = xmlNodeGetContent(password) else { return nil }
        defer { cxml_free(content) }
        let length = strlen(content)
        defer { memset(content, 0, length) }
        guard length > 0 else { return nil }
        return SecretBytes(copying: UnsafeRawBufferPointer(start: content, count: length))
    }
}
