import CLibXML2
import Secrets
import Vocabulary

/// Merges onionboard's account into accounts.xml, in place: every other account and
/// every part of ours that we do not set (statuses, alias, other settings, unknown
/// elements) stays exactly as it was.
enum AccountsFile {
    static let protocolID = "prpl-jabber"
    static let uiIDs = ["gtk-gaim", "gnt-purple"]

    static func newDocument() -> XMLDocument {
        XMLDocument(rootName: "account", attributes: [("version", "1.0")])
    }

    /// Finds the account libpurple would treat as ours: same protocol, same bare JID
    /// (the resource and case of the domain aside). Returns it and its exact name.
    static func findAccount(in document: XMLDocument, jid: String) -> (node: xmlNodePtr, name: String)? {
        guard let root = document.root else { return nil }
        for account in XMLNodes.elements(of: root, named: "account") {
            guard let proto = XMLNodes.firstElement(of: account, named: "protocol"),
                  XMLNodes.text(of: proto) == protocolID,
                  let nameNode = XMLNodes.firstElement(of: account, named: "name") else { continue }
            let name = XMLNodes.text(of: nameNode)
            let bare = name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            if bare.lowercased() == jid.lowercased() { return (account, name) }
        }
        return nil
    }

    /// Adds or updates our account. Returns the exact account name in the file (an
    /// existing account keeps its name, so its buddies stay attached to it).
    @discardableResult
    static func merge(_ request: ProfileRequest, proxyCredentials: (username: String, password: String),
                      into document: XMLDocument) -> String {
        let root = document.root!
        let account: xmlNodePtr
        let name: String
        if let existing = findAccount(in: document, jid: request.accountJID) {
            account = existing.node
            name = existing.name
        } else {
            account = document.makeElement("account")
            xmlAddChild(root, account)
            name = request.accountName
            xmlAddChild(account, document.makeElement("protocol", text: protocolID))
            xmlAddChild(account, document.makeElement("name", text: name))
        }

        // <password>: plaintext, no keyring_id (= "remember password").
        let password = request.password.withBytes { document.makeElement("password", secretText: $0) }
        replaceOrInsert(password, named: "password", in: account, document: document)

        let settings = settingsElement(ui: nil, in: account, document: document)
        setSetting("connection_security", type: "string", value: request.tlsMode.purpleConnectionSecurity, in: settings, document: document)
        setSetting("connect_server", type: "string", value: request.connectServer, in: settings, document: document)
        setSetting("port", type: "int", value: String(request.port), in: settings, document: document)
        setSetting("auth_plain_in_clear", type: "bool", value: "0", in: settings, document: document)
        for ui in uiIDs {
            let uiSettings = settingsElement(ui: ui, in: account, document: document)
            setSetting("auto-login", type: "bool", value: "1", in: uiSettings, document: document)
        }

        let proxy = document.makeElement("proxy")
        xmlAddChild(proxy, document.makeElement("type", text: "tor"))
        xmlAddChild(proxy, document.makeElement("host", text: request.proxy.host))
        xmlAddChild(proxy, document.makeElement("port", text: String(request.proxy.port)))
        xmlAddChild(proxy, document.makeElement("username", text: proxyCredentials.username))
        xmlAddChild(proxy, document.makeElement("password", text: proxyCredentials.password))
        replaceOrInsert(proxy, named: "proxy", in: account, document: document)

        if XMLNodes.firstElement(of: account, named: "current_error") == nil {
            insertInOrder(document.makeElement("current_error"), into: account)
        }
        return name
    }

    /// The UI id of onionboard's own account settings (libpurple keeps every UI's settings).
    static let onionboardUI = "onionboard"
    static let registeredSetting = "registered"

    /// Marks the account named `name` as registered by onionboard.
    static func markRegisteredHere(_ name: String, in document: XMLDocument) {
        guard let account = findAccount(in: document, jid: bareJID(of: name))?.node else { return }
        setSetting(registeredSetting, type: "bool", value: "1",
                   in: settingsElement(ui: onionboardUI, in: account, document: document), document: document)
    }

    static func bareJID(of name: String) -> String {
        name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? name
    }

    /// Sends the account through Pidgin's Tor proxy type to `route`'s onion: its connection
    /// settings and proxy change; its password, its other settings and everything else stay.
    static func routeThroughTor(_ account: xmlNodePtr, _ route: TorRoute, proxyCredentials: (username: String, password: String),
                                document: XMLDocument) {
        let settings = settingsElement(ui: nil, in: account, document: document)
        setSetting("connection_security", type: "string", value: route.tlsMode.purpleConnectionSecurity, in: settings, document: document)
        setSetting("connect_server", type: "string", value: route.connectServer, in: settings, document: document)
        setSetting("port", type: "int", value: String(route.port), in: settings, document: document)
        let proxy = document.makeElement("proxy")
        xmlAddChild(proxy, document.makeElement("type", text: "tor"))
        xmlAddChild(proxy, document.makeElement("host", text: route.proxy.host))
        xmlAddChild(proxy, document.makeElement("port", text: String(route.proxy.port)))
        xmlAddChild(proxy, document.makeElement("username", text: proxyCredentials.username))
        xmlAddChild(proxy, document.makeElement("password", text: proxyCredentials.password))
        replaceOrInsert(proxy, named: "proxy", in: account, document: document)
    }

    /// The Tor isolation credentials already saved for this account, if any.
    static func existingProxyCredentials(in document: XMLDocument, jid: String) -> (username: String, password: String)? {
        guard let account = findAccount(in: document, jid: jid)?.node,
              let proxy = XMLNodes.firstElement(of: account, named: "proxy"),
              let type = XMLNodes.firstElement(of: proxy, named: "type"), XMLNodes.text(of: type) == "tor",
              let user = XMLNodes.firstElement(of: proxy, named: "username"),
              let pass = XMLNodes.firstElement(of: proxy, named: "password") else { return nil }
        let username = XMLNodes.text(of: user), password = XMLNodes.text(of: pass)
        guard !username.isEmpty, !password.isEmpty else { return nil }
        return (username, password)
    }

    // MARK: - Element order (account.c account_to_xmlnode)

    /// The position of each child of `<account>` as libpurple writes it.
    private static func rank(of node: xmlNodePtr) -> Int? {
        switch XMLNodes.name(of: node) {
        case "protocol": 0
        case "name": 1
        case "password": 2
        case "alias": 3
        case "statuses": 4
        case "userinfo": 5
        case "buddyicon": 6
        case "settings": XMLNodes.attribute("ui", of: node) == nil ? 7 : 8
        case "proxy": 9
        case "current_error": 10
        default: nil
        }
    }

    /// Inserts `node` before the first known sibling that libpurple writes after it.
    private static func insertInOrder(_ node: xmlNodePtr, into account: xmlNodePtr) {
        let myRank = rank(of: node) ?? Int.max
        for child in XMLNodes.elements(of: account) {
            if let other = rank(of: child), other > myRank {
                xmlAddPrevSibling(child, node)
                return
            }
        }
        xmlAddChild(account, node)
    }

    private static func replaceOrInsert(_ node: xmlNodePtr, named name: String, in account: xmlNodePtr, document: XMLDocument) {
        if let existing = XMLNodes.firstElement(of: account, named: name) {
            xmlAddPrevSibling(existing, node)
            document.remove(existing)
        } else {
            insertInOrder(node, into: account)
        }
    }

    private static func settingsElement(ui: String?, in account: xmlNodePtr, document: XMLDocument) -> xmlNodePtr {
        if let found = XMLNodes.elements(of: account, named: "settings").first(where: { XMLNodes.attribute("ui", of: $0) == ui }) {
            return found
        }
        let created = document.makeElement("settings", attributes: ui.map { [("ui", $0)] } ?? [])
        // After the other <settings ui=...> so the UIs keep the order they had.
        if ui != nil, let lastUI = XMLNodes.elements(of: account, named: "settings").last(where: { XMLNodes.attribute("ui", of: $0) != nil }) {
            xmlAddNextSibling(lastUI, created)
        } else {
            insertInOrder(created, into: account)
        }
        return created
    }

    /// Sets `<setting name type>value</setting>`, keeping its position if it exists.
    static func setSetting(_ name: String, type: String, value: String, in settings: xmlNodePtr, document: XMLDocument) {
        if let existing = XMLNodes.elements(of: settings, named: "setting").first(where: { XMLNodes.attribute("name", of: $0) == name }) {
            if XMLNodes.attribute("type", of: existing) != type { xmlSetProp(existing, "type", type) }
            if XMLNodes.text(of: existing) != value { document.setText(value, of: existing) }
            return
        }
        xmlAddChild(settings, document.makeElement("setting", text: value, attributes: [("name", name), ("type", type)]))
    }
}
