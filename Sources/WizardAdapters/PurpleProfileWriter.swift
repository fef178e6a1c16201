import Wizard
import FoundationEssentials
import Glibc
import PurpleConfig
import Secrets
import Vocabulary

/// Writes the plan into a Pidgin profile through PurpleConfig (merge, pin, atomic
/// replace, running-client guard) and lists the XMPP accounts a profile already has.
public struct PurpleProfileWriter: ProfileWriter {
    public init() {}

    public func preflight(_ plan: OnboardingPlan, force: Bool) throws {
        if !force {
            let clients = RunningClients.find(profileDirectory: plan.profileDirectory)
            if !clients.isEmpty {
                throw PurpleConfigError.clientRunning(names: Array(Set(clients.map(\.name))).sorted(), pids: clients.map(\.pid))
            }
        }
        // Reads and validates the existing files and the request, writes nothing.
        _ = try PurpleProfile(directory: plan.profileDirectory).plannedChanges(request(plan, jid: plan.jid, certificatePEM: ""))
    }

    public func checkProfileDirectory(_ directory: String, force: Bool) throws {
        try PurpleProfile(directory: directory).checkWritable(force: force)
    }

    public func persistenceNotice(for directory: String) -> String? {
        PurpleProfile(directory: directory).persistenceWarning.map { OnboardingReport.note($0.message) }
    }

    public func savePendingAccount(_ account: PendingAccount, in directory: String) throws -> String {
        try PendingAccountFile.save(account, in: directory)
    }

    public func pendingAccount(in directory: String) throws -> PendingAccount? {
        try PendingAccountFile.load(from: directory)
    }

    public func removePendingAccount(in directory: String) {
        PendingAccountFile.remove(from: directory)
    }

    public func pinnedCertificateSHA256(for host: String, in directory: String) throws -> String? {
        try PurpleProfile(directory: directory).pinnedCertificateSHA256(for: host)
    }

    public func replacePinnedCertificate(_ pem: String, for host: String, in directory: String) throws -> String? {
        try PurpleProfile(directory: directory).replacePinnedCertificate(for: host, pem: Array(pem.utf8))
    }

    public func write(_ plan: OnboardingPlan, account: RegisteredAccount, force: Bool) throws -> ProfileWriteReport {
        try PurpleProfile(directory: plan.profileDirectory)
            .write(request(plan, jid: account.jid, certificatePEM: account.certificatePEM), force: force)
    }

    func request(_ plan: OnboardingPlan, jid: String, certificatePEM: String) -> ProfileRequest {
        var request = ProfileRequest(
            accountJID: jid, password: plan.password, connectServer: plan.connectHost, port: plan.connectPort,
            tlsMode: plan.tlsMode,
            proxy: ProxySettings(host: plan.torSOCKS.host, port: plan.torSOCKS.port),
            chat: RoomBookmark(jid: plan.room.jid, alias: plan.room.alias, handle: plan.handle,
                               group: plan.room.group, autojoin: plan.room.autojoin),
            certificatePEM: certificatePEM.isEmpty ? nil : Array(certificatePEM.utf8))
        // Marked as onionboard's own, so that bootstrap may put its room back without asking.
        request.registeredHere = !plan.usesExistingAccount
        return request
    }

    public func savedPassword(of accountName: String, in directory: String) throws -> SecretBytes? {
        try PurpleProfile(directory: directory).savedPassword(of: accountName)
    }

    public func preflightJoin(_ plan: JoinPlan, force: Bool) throws {
        if !force {
            let clients = RunningClients.find(profileDirectory: plan.profileDirectory)
            if !clients.isEmpty {
                throw PurpleConfigError.clientRunning(names: Array(Set(clients.map(\.name))).sorted(), pids: clients.map(\.pid))
            }
        }
        _ = try PurpleProfile(directory: plan.profileDirectory).plannedRoomChanges(roomRequest(plan, room: plan.room, certificatePEM: nil))
    }

    public func writeJoin(_ plan: JoinPlan, room: RoomBookmark, certificatePEM: String?, force: Bool) throws -> ProfileWriteReport {
        try PurpleProfile(directory: plan.profileDirectory).addRoom(roomRequest(plan, room: room, certificatePEM: certificatePEM),
                                                                   force: force)
    }

    func roomRequest(_ plan: JoinPlan, room: RoomBookmark, certificatePEM: String?) -> RoomRequest {
        var chat = room
        chat.handle = plan.handle
        let route = plan.switchesToTor
            ? TorRoute(connectServer: plan.target.host, port: plan.target.port, tlsMode: plan.target.tlsMode,
                       proxy: ProxySettings(host: plan.target.torSOCKS.host, port: plan.target.torSOCKS.port),
                       certificatePEM: certificatePEM.map { Array($0.utf8) })
            : nil
        return RoomRequest(accountName: plan.account.name, chat: chat, torRoute: route)
    }

    /// The `prpl-jabber` accounts a profile already has, with their `connect_server`
    /// and bookmarked rooms. A missing profile has none; a malformed file throws (bootstrap
    /// must not add an account to a profile it cannot read).
    public func existingAccounts(in directory: String) throws -> [ExistingAccount] {
        try PurpleProfile(directory: directory).existingXMPPAccounts().map { account in
            let bare = String(account.name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            return ExistingAccount(jid: bare, connectServer: account.connectServer, rooms: account.rooms,
                                   port: account.port, tlsMode: account.directTLS ? .directTLS : .startTLS,
                                   name: account.name, proxyType: account.proxyType, proxyHost: account.proxyHost,
                                   proxyPort: account.proxyPort, madeByOnionboard: account.registeredByOnionboard,
                                   passwordSaved: account.passwordSaved)
        }
    }
}
