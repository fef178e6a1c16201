import Wizard
import Foundation
import PurpleConfig

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

    public func write(_ plan: OnboardingPlan, account: RegisteredAccount, force: Bool) throws -> Wizard.ProfileWriteReport {
        let report = try PurpleProfile(directory: plan.profileDirectory)
            .write(request(plan, jid: account.jid, certificatePEM: account.certificatePEM), force: force)
        return Wizard.ProfileWriteReport(directory: report.directory, filesWritten: report.written, backups: report.backups,
                                  warnings: report.warnings.map(\.message))
    }

    func request(_ plan: OnboardingPlan, jid: String, certificatePEM: String) -> ProfileRequest {
        ProfileRequest(
            accountJID: jid, password: plan.password, connectServer: plan.connectHost, port: plan.connectPort,
            tlsMode: plan.tlsMode == .directTLS ? PurpleConfig.TLSMode.directTLS : PurpleConfig.TLSMode.startTLS,
            proxy: ProxySettings(host: plan.torSOCKS.host, port: plan.torSOCKS.port),
            chat: ChatBookmark(roomJID: plan.room.jid, handle: plan.handle, alias: plan.room.alias,
                               group: plan.room.group, autojoin: plan.room.autojoin),
            certificatePEM: certificatePEM.isEmpty ? nil : Array(certificatePEM.utf8))
    }

    /// The `prpl-jabber` accounts a profile already has, with their `connect_server`
    /// and bookmarked rooms. A missing profile has none; a malformed file throws (bootstrap
    /// must not add an account to a profile it cannot read).
    public func existingAccounts(in directory: String) throws -> [ExistingAccount] {
        try PurpleProfile(directory: directory).existingXMPPAccounts().map { account in
            let bare = String(account.name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            return ExistingAccount(jid: bare, connectServer: account.connectServer, rooms: account.rooms)
        }
    }
}
