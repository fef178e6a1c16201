import Foundation

/// An XMPP account already in a profile, as `onionboard bootstrap` needs to see it to
/// decide "already set up". Read-only; holds no password.
/// (Added by the wizard branch: a read-only view over this module's own parser.)
public struct ExistingXMPPAccount: Sendable, Equatable {
    /// The account name as saved (`user@domain/`).
    public let name: String
    /// The `connect_server` setting (the onion), if any.
    public let connectServer: String?
    /// `room@server` of every chat bookmarked for this account in blist.xml.
    public let rooms: [String]
}

extension PurpleProfile {
    /// The `prpl-jabber` accounts of accounts.xml with their bookmarked rooms. Missing
    /// or empty files mean none; a malformed file throws like `write` would.
    public func existingXMPPAccounts() throws -> [ExistingXMPPAccount] {
        guard let accounts = try Self.tree(accountsPath) else { return [] }
        var rooms: [String: [String]] = [:]
        if let blist = try Self.tree(blistPath) {
            for group in blist.first("blist")?.elements("group") ?? [] {
                for chat in group.elements("chat") where chat.attributes["proto"] == AccountsFile.protocolID {
                    guard let account = chat.attributes["account"] else { continue }
                    var components: [String: String] = [:]
                    for component in chat.elements("component") {
                        if let key = component.attributes["name"], components[key] == nil { components[key] = component.text }
                    }
                    if let room = components["room"], let server = components["server"] {
                        rooms[account, default: []].append("\(room)@\(server)")
                    }
                }
            }
        }
        return accounts.elements("account").compactMap { account in
            guard account.first("protocol")?.text == AccountsFile.protocolID,
                  let name = account.first("name")?.text else { return nil }
            let connectServer = account.elements("settings").filter { $0.attributes["ui"] == nil }
                .flatMap { $0.elements("setting") }
                .first { $0.attributes["name"] == "connect_server" }?.text
            return ExistingXMPPAccount(name: name, connectServer: connectServer, rooms: rooms[name] ?? [])
        }
    }

    private static func tree(_ path: String) throws -> XMLTree? {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
        return try XMLTree.parse(Array(data), path: path)
    }
}
