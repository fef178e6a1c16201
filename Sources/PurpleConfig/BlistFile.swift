import CLibXML2
import Secrets
import Vocabulary

/// Merges onionboard's group-chat bookmark and privacy entry into blist.xml, in
/// place. Our chat is the one with our account, room and server, wherever the user
/// moved it; everything else is left as it was.
enum BlistFile {
    static func newDocument() -> XMLDocument {
        let document = XMLDocument(rootName: "purple", attributes: [("version", "1.0")])
        xmlAddChild(document.root!, document.makeElement("blist"))
        return document
    }

    static func findChat(in document: XMLDocument, accountName: String, chat: RoomBookmark) -> xmlNodePtr? {
        guard let root = document.root, let blist = XMLNodes.firstElement(of: root, named: "blist") else { return nil }
        for group in XMLNodes.elements(of: blist, named: "group") {
            for node in XMLNodes.elements(of: group, named: "chat") where isOurChat(node, accountName: accountName, chat: chat) {
                return node
            }
        }
        return nil
    }

    static func merge(_ chat: RoomBookmark?, accountName: String, into document: XMLDocument) throws {
        guard let root = document.root else { return }
        let blist = blistElement(of: document)

        if let chat {
            if let node = findChat(in: document, accountName: accountName, chat: chat) {
                update(node, with: chat, document: document)
            } else {
                add(chat, accountName: accountName, to: blist, document: document)
            }
        }

        // <privacy><account proto name mode='1'/>: allow all, unless the user already chose.
        let privacy = XMLNodes.firstElement(of: root, named: "privacy") ?? {
            let created = document.makeElement("privacy")
            xmlAddNextSibling(blist, created)
            return created
        }()
        let hasEntry = XMLNodes.elements(of: privacy, named: "account").contains {
            XMLNodes.attribute("proto", of: $0) == AccountsFile.protocolID && XMLNodes.attribute("name", of: $0) == accountName
        }
        if !hasEntry {
            xmlAddChild(privacy, document.makeElement("account", attributes: [
                ("proto", AccountsFile.protocolID), ("name", accountName), ("mode", "1"),
            ]))
        }
    }

    /// Adds the room for the account unless the account already has it; nothing else of the
    /// file changes (no privacy entry, no other chat touched). Returns whether it was added.
    static func addChat(_ chat: RoomBookmark, accountName: String, into document: XMLDocument) -> Bool {
        guard findChat(in: document, accountName: accountName, chat: chat) == nil else { return false }
        add(chat, accountName: accountName, to: blistElement(of: document), document: document)
        return true
    }

    /// `<blist>`, made (first in the root) when the file has none.
    private static func blistElement(of document: XMLDocument) -> xmlNodePtr {
        let root = document.root!
        if let existing = XMLNodes.firstElement(of: root, named: "blist") { return existing }
        let blist = document.makeElement("blist")
        if let first = XMLNodes.elements(of: root).first { xmlAddPrevSibling(first, blist) } else { xmlAddChild(root, blist) }
        return blist
    }

    /// A new chat at the end of its group (made at the end of the list when missing).
    private static func add(_ chat: RoomBookmark, accountName: String, to blist: xmlNodePtr, document: XMLDocument) {
        let group = XMLNodes.elements(of: blist, named: "group").first { groupName(of: $0) == chat.group }
            ?? {
                let created = document.makeElement("group", attributes: [("name", chat.group)])
                xmlAddChild(blist, created)
                return created
            }()
        let node = document.makeElement("chat", attributes: [("proto", AccountsFile.protocolID), ("account", accountName)])
        update(node, with: chat, document: document)
        xmlAddChild(group, node)
    }

    /// libpurple saves the default group without a name ("Buddies").
    private static func groupName(of group: xmlNodePtr) -> String {
        XMLNodes.attribute("name", of: group) ?? "Buddies"
    }

    private static func isOurChat(_ node: xmlNodePtr, accountName: String, chat: RoomBookmark) -> Bool {
        guard XMLNodes.attribute("proto", of: node) == AccountsFile.protocolID,
              XMLNodes.attribute("account", of: node) == accountName else { return false }
        return component("room", of: node)?.lowercased() == chat.room.lowercased()
            && component("server", of: node)?.lowercased() == chat.service.lowercased()
    }

    private static func component(_ name: String, of chat: xmlNodePtr) -> String? {
        XMLNodes.elements(of: chat, named: "component").first { XMLNodes.attribute("name", of: $0) == name }
            .map { XMLNodes.text(of: $0) }
    }

    /// Sets alias, components and autojoin settings, keeping existing positions and
    /// anything else the chat holds (a room password, history limits, gtk-persistent).
    private static func update(_ node: xmlNodePtr, with chat: RoomBookmark, document: XMLDocument) {
        if let alias = chat.alias {
            if let existing = XMLNodes.firstElement(of: node, named: "alias") {
                if XMLNodes.text(of: existing) != alias { document.setText(alias, of: existing) }
            } else if let first = XMLNodes.elements(of: node).first {
                xmlAddPrevSibling(first, document.makeElement("alias", text: alias))
            } else {
                xmlAddChild(node, document.makeElement("alias", text: alias))
            }
        }
        if let handle = chat.handle {
            setComponent("handle", handle, in: node, document: document)
        } else if component("handle", of: node)?.isEmpty ?? true {
            setComponent("handle", CredentialGenerator.handle(), in: node, document: document)
        }
        setComponent("room", chat.room, in: node, document: document)
        setComponent("server", chat.service, in: node, document: document)
        let autojoin = chat.autojoin ? "1" : "0"
        AccountsFile.setSetting("gnt-autojoin", type: "bool", value: autojoin, in: node, document: document)
        AccountsFile.setSetting("gtk-autojoin", type: "bool", value: autojoin, in: node, document: document)
    }

    private static func setComponent(_ name: String, _ value: String, in chat: xmlNodePtr, document: XMLDocument) {
        let components = XMLNodes.elements(of: chat, named: "component")
        if let existing = components.first(where: { XMLNodes.attribute("name", of: $0) == name }) {
            if XMLNodes.text(of: existing) != value { document.setText(value, of: existing) }
            return
        }
        let created = document.makeElement("component", text: value, attributes: [("name", name)])
        if let firstSetting = XMLNodes.firstElement(of: chat, named: "setting") {
            xmlAddPrevSibling(firstSetting, created)
        } else {
            xmlAddChild(chat, created)
        }
    }
}
