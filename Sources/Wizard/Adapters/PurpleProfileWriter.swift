import Diagnostics
import Foundation
import FoundationXML
import PurpleConfig

/// Writes the plan into a Pidgin profile through PurpleConfig (merge, pin, atomic
/// replace, running-client guard) and lists the XMPP accounts a profile already has.
public struct PurpleProfileWriter: ProfileWriter {
    public init() {}

    public func write(_ plan: OnboardingPlan, account: RegisteredAccount, force: Bool) throws -> ProfileWriteReport {
        let request = ProfileRequest(
            accountJID: account.jid, password: plan.password, connectServer: plan.connectHost, port: plan.connectPort,
            tlsMode: plan.tlsMode == .directTLS ? PurpleConfig.TLSMode.directTLS : PurpleConfig.TLSMode.startTLS,
            proxy: ProxySettings(host: plan.torSOCKS.host, port: plan.torSOCKS.port),
            chat: ChatBookmark(roomJID: plan.room.jid, handle: plan.handle, alias: plan.room.alias,
                               group: plan.room.group, autojoin: plan.room.autojoin),
            certificatePEM: account.certificatePEM.isEmpty ? nil : Array(account.certificatePEM.utf8))
        let report = try PurpleProfile(directory: plan.profileDirectory).write(request, force: force)
        return ProfileWriteReport(directory: report.directory, filesWritten: report.written, backups: report.backups,
                                  warnings: report.warnings.map(\.message))
    }

    /// Reads accounts.xml and blist.xml (without changing them): the `prpl-jabber`
    /// accounts with their `connect_server` and bookmarked rooms. A missing file means
    /// no accounts; an unreadable one is an error (bootstrap must not guess).
    public func existingAccounts(in directory: String) throws -> [ExistingAccount] {
        let profile = PurpleProfile(directory: directory)
        guard let accountsXML = try Self.document(profile.accountsPath) else { return [] }
        var rooms: [String: [String]] = [:]
        if let blist = try Self.document(profile.blistPath) {
            for case let chat as XMLElement in try blist.nodes(forXPath: "//chat[@proto='prpl-jabber']") {
                guard let account = chat.attribute(forName: "account")?.stringValue else { continue }
                let components = Dictionary(chat.elements(forName: "component").compactMap { element in
                    element.attribute(forName: "name")?.stringValue.map { ($0, element.stringValue ?? "") }
                }, uniquingKeysWith: { first, _ in first })
                if let room = components["room"], let server = components["server"] {
                    rooms[account, default: []].append("\(room)@\(server)")
                }
            }
        }
        var accounts: [ExistingAccount] = []
        for case let account as XMLElement in try accountsXML.nodes(forXPath: "/*/account") {
            guard account.elements(forName: "protocol").first?.stringValue == "prpl-jabber",
                  let name = account.elements(forName: "name").first?.stringValue else { continue }
            let connectServer = try account.nodes(forXPath: "settings[not(@ui)]/setting[@name='connect_server']")
                .first?.stringValue
            let bare = String(name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            accounts.append(ExistingAccount(jid: bare, connectServer: connectServer, rooms: rooms[name] ?? rooms[bare] ?? []))
        }
        return accounts
    }

    static func document(_ path: String) throws -> XMLDocument? {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
        // XMLDocument recovers from broken XML; the SAX parser says whether it is well-formed.
        let strict = XMLParser(data: data)
        strict.shouldResolveExternalEntities = false
        guard strict.parse(), strict.parserError == nil else { throw ProfileReadError(path: path) }
        do {
            return try XMLDocument(data: data, options: [])
        } catch {
            throw ProfileReadError(path: path)
        }
    }
}

public struct ProfileReadError: ClassifiedError {
    public let path: String
    public var category: ErrorCategory { .invalidData }
    public var description: String {
        "\(path) is not well-formed XML; bootstrap will not add an account to a profile it cannot read (fix or move the file)"
    }
}
