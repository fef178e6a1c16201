import FoundationEssentials
import Glibc
import CLibXML2
import Vocabulary

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
    /// The `port` setting, if any.
    public var port: Int? = nil
    /// `connection_security` is `old_ssl`: TLS from the first byte.
    public var directTLS = false
    /// `<proxy><type>`: `tor`, `socks5`, `none`, `global` …; nil when the account has none.
    public var proxyType: String? = nil
    public var proxyHost: String? = nil
    public var proxyPort: Int? = nil
    /// onionboard registered it (`<settings ui='onionboard'>`, `registered`).
    public var registeredByOnionboard = false
    /// Pidgin keeps its password in the file ("remember password").
    public var passwordSaved = false
}

extension PurpleProfile {
    /// The `prpl-jabber` accounts of accounts.xml with their bookmarked rooms. Missing
    /// or empty files mean none; a malformed file throws like `write` would. Walks the
    /// parsed documents directly (a blist can hold many thousands of buddies).
    public func existingXMPPAccounts() throws -> [ExistingXMPPAccount] {
        // The documents own the nodes: both stay alive until the end of this function.
        guard let accountsFile = try Self.document(accountsPath), let accounts = accountsFile.root else { return [] }
        let blist = try Self.document(blistPath)
        defer { withExtendedLifetime(accountsFile) {}; withExtendedLifetime(blist) {} }
        var rooms: [String: [String]] = [:]
        if let root = blist?.root, let list = XMLNodes.firstElement(of: root, named: "blist") {
            for group in XMLNodes.elements(of: list, named: "group") {
                for chat in XMLNodes.elements(of: group, named: "chat")
                where XMLNodes.attribute("proto", of: chat) == AccountsFile.protocolID {
                    guard let account = XMLNodes.attribute("account", of: chat) else { continue }
                    var components: [String: String] = [:]
                    for component in XMLNodes.elements(of: chat, named: "component") {
                        if let key = XMLNodes.attribute("name", of: component), components[key] == nil {
                            components[key] = XMLNodes.ownText(of: component)
                        }
                    }
                    if let room = components["room"], let server = components["server"] {
                        rooms[account, default: []].append("\(room)@\(server)")
                    }
                }
            }
        }
        return XMLNodes.elements(of: accounts, named: "account").compactMap { account in
            guard let proto = XMLNodes.firstElement(of: account, named: "protocol"),
                  XMLNodes.ownText(of: proto) == AccountsFile.protocolID,
                  let nameNode = XMLNodes.firstElement(of: account, named: "name") else { return nil }
            let name = XMLNodes.ownText(of: nameNode)
            let settings = XMLNodes.elements(of: account, named: "settings")
                .filter { XMLNodes.attribute("ui", of: $0) == nil }
                .flatMap { XMLNodes.elements(of: $0, named: "setting") }
            func setting(_ key: String) -> String? {
                settings.first { XMLNodes.attribute("name", of: $0) == key }.map { XMLNodes.ownText(of: $0) }
            }
            var found = ExistingXMPPAccount(name: name, connectServer: setting("connect_server"), rooms: rooms[name] ?? [])
            found.port = setting("port").flatMap(Int.init)
            found.directTLS = setting("connection_security") == TLSMode.directTLS.purpleConnectionSecurity
            if let proxy = XMLNodes.firstElement(of: account, named: "proxy") {
                func value(_ name: String) -> String? {
                    XMLNodes.firstElement(of: proxy, named: name).map { XMLNodes.ownText(of: $0) }.flatMap { $0.isEmpty ? nil : $0 }
                }
                found.proxyType = value("type")
                found.proxyHost = value("host")
                found.proxyPort = value("port").flatMap(Int.init)
            }
            found.registeredByOnionboard = XMLNodes.elements(of: account, named: "settings")
                .filter { XMLNodes.attribute("ui", of: $0) == AccountsFile.onionboardUI }
                .flatMap { XMLNodes.elements(of: $0, named: "setting") }
                .contains { XMLNodes.attribute("name", of: $0) == AccountsFile.registeredSetting && XMLNodes.ownText(of: $0) == "1" }
            found.passwordSaved = XMLNodes.firstElement(of: account, named: "password").map { password in
                XMLNodes.attribute("keyring_id", of: password) == nil && XMLNodes.children(of: password).contains {
                    $0.pointee.type == XML_TEXT_NODE && $0.pointee.content.map { $0.pointee != 0 } == true
                }
            } ?? false
            return found
        }
    }

    /// The parsed file, nil when it is missing, unreadable or empty.
    private static func document(_ path: String) throws -> XMLDocument? {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
        return try XMLDocument.parse(Array(data), path: path)
    }
}
