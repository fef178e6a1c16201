import Wizard
import Foundation
import PurpleConfig
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
        ProfileRequest(
            accountJID: jid, password: plan.password, connectServer: plan.connectHost, port: plan.connectPort,
            tlsMode: plan.tlsMode,
            proxy: ProxySettings(host: plan.torSOCKS.host, port: plan.torSOCKS.port),
            chat: RoomBookmark(jid: plan.room.jid, alias: plan.room.alias, handle: plan.handle,
                               group: plan.room.group, autojoin: plan.room.autojoin),
            certificatePEM: certificatePEM.isEmpty ? nil : Array(certificatePEM.utf8))
    }

    /// The `prpl-jabber` accounts a profile already has, with their `connect_server`
    /// and bookmarked rooms. A missing profile has none; a malformed file throws (bootstrap
    /// must not add an account to a profile it cannot read).
    public func existingAccounts(in directory: String) throws -> [ExistingAccount] {
        try PurpleProfile(directory: directory).existingXMPPAccounts().map { account in
            let bare = String(account.name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            return ExistingAccount(jid: bare, connectServer: account.connectServer, rooms: account.rooms,
                                   port: account.port, tlsMode: account.directTLS ? .directTLS : .startTLS)
        }
    }
}
