import Diagnostics
import FoundationEssentials
import Glibc
import Vocabulary

/// What the bookmark step did.
public struct BookmarkOutcome: Sendable, Equatable, Codable {
    /// Published as a XEP-0402 item (`urn:xmpp:bookmarks:1`).
    public var publishedPEP: Bool
    /// The server advertises `urn:xmpp:bookmarks:1#compat` (it mirrors PEP to private storage itself).
    public var serverMirrorsLegacy: Bool
    /// Written to XEP-0049 private storage (`storage:bookmarks`) by us.
    public var wroteLegacy: Bool
    /// Round trips the step added after bind.
    public var roundTrips: Int
    /// Why a part failed (the account exists regardless): shown as a warning.
    public var warnings: [String]
}

/// A failure of the bookmark step (reported as a warning by callers: the account exists).
public struct BookmarkError: ClassifiedError, Equatable {
    public let step: String
    public let condition: String
    public let serverText: String?
    public var category: ErrorCategory { .refused }
    public var description: String {
        "the server did not store the room bookmark (\(step): \(ServerText.sanitised(condition, maximumLength: 64)))"
            + ServerText.appended(serverText)
            + "; the account works, add the room by hand in other clients"
    }

    init(step: String, condition: String, serverText: String?) {
        self.step = step
        self.condition = condition
        self.serverText = serverText
    }

    /// From the server's error reply to `step` (nil: there was no reply).
    init(step: String, _ error: StanzaError?) {
        self.init(step: step, condition: error?.condition ?? "no reply", serverText: error?.text)
    }
}

/// What the bookmark step needs to know of the server before it writes: whether it mirrors
/// XEP-0402 into XEP-0049 (`#compat`), and the private storage as it is (`.none`: it could
/// not be read, so it must not be overwritten).
struct BookmarkServerState {
    let mirrorsLegacy: Bool
    let storage: XMLElement??
    let privateReply: XMLElement?

    init(discoReply: XMLElement?, privateReply: XMLElement?) {
        let features = discoReply?.child("query", namespace: BookmarkNamespace.discoInfo)?.children("feature")
            .compactMap { $0[attribute: "var"] } ?? []
        mirrorsLegacy = features.contains(BookmarkNamespace.compat)
        self.privateReply = privateReply
        storage = privateReply?[attribute: "type"] == "result" ? .some(BookmarkPayloads.storage(inPrivateReply: privateReply)) : .none
    }
}

enum BookmarkNamespace {
    static let pep = "urn:xmpp:bookmarks:1"
    static let compat = "urn:xmpp:bookmarks:1#compat"
    static let pubsub = "http://jabber.org/protocol/pubsub"
    static let pubsubErrors = "http://jabber.org/protocol/pubsub#errors"
    static let discoInfo = "http://jabber.org/protocol/disco#info"
    static let privateStorage = "jabber:iq:private"
    static let legacy = "storage:bookmarks"
}

/// Builds and edits bookmark payloads (pure; unit-tested).
public enum BookmarkPayloads {
    /// The XEP-0402 publish with the publish-options the XEP requires (whitelist, persistent, unbounded).
    /// `essentialOptionsOnly` keeps just persistence and the whitelist (the privacy-critical
    /// one): ejabberd 23.01 refuses `pubsub#max_items` and `pubsub#send_last_published_item`
    /// (`wait/resource-constraint`, "Unknown field …").
    public static func publish(_ bookmark: RoomBookmark, essentialOptionsOnly: Bool = false) -> XMLElement {
        var conference = XMLElement("conference", namespace: BookmarkNamespace.pep,
                                    attributes: [("autojoin", bookmark.autojoin ? "true" : "false")],
                                    children: bookmark.handle.map { [XMLElement("nick", text: $0)] } ?? [])
        if let name = bookmark.alias { conference.attributes.insert((name: "name", value: name), at: 0) }
        func field(_ variable: String, _ value: String, hidden: Bool = false) -> XMLElement {
            XMLElement("field", attributes: hidden ? [("var", variable), ("type", "hidden")] : [("var", variable)],
                       children: [XMLElement("value", text: value)])
        }
        var fields = [
            field("FORM_TYPE", "http://jabber.org/protocol/pubsub#publish-options", hidden: true),
            field("pubsub#persist_items", "true"),
            field("pubsub#max_items", "max"),
            field("pubsub#send_last_published_item", "never"),
            field("pubsub#access_model", "whitelist"),
        ]
        if essentialOptionsOnly { fields.remove(at: 3); fields.remove(at: 2) }
        let options = XMLElement("x", namespace: Namespace.dataForms, attributes: [("type", "submit")], children: fields)
        return XMLElement("pubsub", namespace: BookmarkNamespace.pubsub, children: [
            XMLElement("publish", attributes: [("node", BookmarkNamespace.pep)], children: [
                XMLElement("item", attributes: [("id", bookmark.jid)], children: [conference]),
            ]),
            XMLElement("publish-options", children: [options]),
        ])
    }

    /// Whether a failed publish is worth one retry with only the essential options: the
    /// error says the options could not be applied, not that publishing is impossible.
    /// Decided on conditions, never on the (translatable) text: XEP-0060 §7.1.5's
    /// `conflict` + `precondition-not-met`, and what servers answer for options they do not
    /// know (`resource-constraint` from ejabberd 23.01, `bad-request`, `not-acceptable`).
    static func retryWithEssentialOptions(after error: StanzaError) -> Bool {
        if error.applicationCondition == "\(BookmarkNamespace.pubsubErrors)#precondition-not-met"
            || error.applicationCondition == "\(BookmarkNamespace.pubsubErrors)#invalid-options" {
            return true
        }
        return ["resource-constraint", "bad-request", "not-acceptable"].contains(error.condition)
    }

    /// `storage:bookmarks` with our room replaced or added and every other entry kept as it was.
    public static func mergedLegacy(existing: XMLElement?, adding bookmark: RoomBookmark) -> XMLElement {
        var storage = existing ?? XMLElement("storage", namespace: BookmarkNamespace.legacy)
        storage.children.removeAll { $0.name == "conference" && $0[attribute: "jid"]?.lowercased() == bookmark.jid.lowercased() }
        var attributes: [(String, String)] = [("jid", bookmark.jid), ("autojoin", bookmark.autojoin ? "true" : "false")]
        if let name = bookmark.alias { attributes.insert(("name", name), at: 0) }
        // No <password/>: a room password must never be stored on the server.
        storage.children.append(XMLElement("conference", namespace: BookmarkNamespace.legacy, attributes: attributes,
                                           children: bookmark.handle.map { [XMLElement("nick", namespace: BookmarkNamespace.legacy, text: $0)] } ?? []))
        return storage
    }

    /// Bookmarks in a XEP-0402 items reply or a `storage:bookmarks` element.
    public static func parse(pepItems iq: XMLElement) -> [RoomBookmark] {
        let items = iq.child("pubsub", namespace: BookmarkNamespace.pubsub)?.child("items")?.children("item") ?? []
        return items.compactMap { item in
            guard let jid = item[attribute: "id"], let conference = item.child("conference", namespace: BookmarkNamespace.pep)
            else { return nil }
            return bookmark(jid, conference)
        }
    }

    public static func parse(legacyStorage storage: XMLElement?) -> [RoomBookmark] {
        (storage?.children("conference") ?? []).compactMap { conference in
            conference[attribute: "jid"].map { bookmark($0, conference) }
        }
    }

    /// A `<conference/>` of either format (XEP-0402 keeps the room in the item id).
    private static func bookmark(_ roomJID: String, _ conference: XMLElement) -> RoomBookmark {
        let autojoin = conference[attribute: "autojoin"]
        return RoomBookmark(jid: roomJID, alias: conference[attribute: "name"], handle: conference.child("nick")?.text,
                            autojoin: autojoin == "true" || autojoin == "1")
    }

    /// The private-storage (XEP-0049) read, and the `<storage/>` in its reply.
    static func privateStorageGet(id: String) -> String {
        "<iq type='get' id='\(id)'><query xmlns='\(BookmarkNamespace.privateStorage)'><storage xmlns='\(BookmarkNamespace.legacy)'/></query></iq>"
    }

    static func storage(inPrivateReply reply: XMLElement?) -> XMLElement? {
        reply?.child("query", namespace: BookmarkNamespace.privateStorage)?.child("storage", namespace: BookmarkNamespace.legacy)
    }

    /// The private-storage write of `storage` (an empty one when nil).
    static func privateStorageSet(id: String, _ storage: XMLElement?) -> String {
        "<iq type='set' id='\(id)'><query xmlns='\(BookmarkNamespace.privateStorage)'>"
            + (storage ?? XMLElement("storage", namespace: BookmarkNamespace.legacy))
                .serialized(parentNamespace: BookmarkNamespace.privateStorage) + "</query></iq>"
    }
}

extension AccountSession {
    /// Stores `bookmark` on the server after bind. One flight carries the disco#info on
    /// the account, the XEP-0402 publish and a private-storage get (all harmless to
    /// pipeline); only when the server does not mirror PEP bookmarks itself does a
    /// second flight write the merged XEP-0049 storage. Then the stream is closed.
    public func storeBookmark(_ bookmark: RoomBookmark, accountJID: String) throws -> BookmarkOutcome {
        let start = roundTrips
        let discoID = connection.makeID("disco", to: accountJID)
        let publishID = connection.makeID("bookmark")
        let privateID = connection.makeID("private")
        let bare = XMLElement.escape(accountJID)
        try connection.send(
            "<iq type='get' id='\(discoID)' to='\(bare)'><query xmlns='\(BookmarkNamespace.discoInfo)'/></iq>"
                + "<iq type='set' id='\(publishID)'>" + BookmarkPayloads.publish(bookmark).serialized(parentNamespace: Namespace.client) + "</iq>"
                + BookmarkPayloads.privateStorageGet(id: privateID),
            phase: "storing the room bookmark")
        let replies = try connection.readIQs([discoID, publishID, privateID], phase: "waiting for the bookmark replies")
        var outcome = BookmarkOutcome(publishedPEP: false, serverMirrorsLegacy: false, wroteLegacy: false, roundTrips: 0, warnings: [])
        let features = replies[discoID]?.child("query", namespace: BookmarkNamespace.discoInfo)?.children("feature")
            .compactMap { $0[attribute: "var"] } ?? []
        outcome.serverMirrorsLegacy = features.contains(BookmarkNamespace.compat)
        var publishError = replies[publishID].flatMap { $0[attribute: "type"] == "result" ? nil : StanzaError(iq: $0) }
        outcome.publishedPEP = publishError == nil

        let current = replies[privateID]
        // .none: the storage could not be read, so it must not be overwritten.
        let storage: XMLElement?? = current?[attribute: "type"] == "result" ? .some(BookmarkPayloads.storage(inPrivateReply: current)) : .none
        /// The XEP-0049 write of the stored bookmarks plus ours, with its id; nil when unreadable.
        func legacySet() -> (id: String, request: String)? {
            guard case .some(let existing) = storage else { return nil }
            let id = connection.makeID("private")
            return (id, BookmarkPayloads.privateStorageSet(id: id, BookmarkPayloads.mergedLegacy(existing: existing, adding: bookmark)))
        }

        // Second flight, only when needed: the publish again with the essential options (ejabberd),
        // and the XEP-0049 write when the server does not mirror PEP bookmarks itself.
        var flight = ""
        var retryID: String?
        if let error = publishError, BookmarkPayloads.retryWithEssentialOptions(after: error) {
            retryID = connection.makeID("bookmark")
            flight += "<iq type='set' id='\(retryID!)'>"
                + BookmarkPayloads.publish(bookmark, essentialOptionsOnly: true).serialized(parentNamespace: Namespace.client) + "</iq>"
        }
        var setID: String?
        if !outcome.serverMirrorsLegacy || (publishError != nil && retryID == nil), let set = legacySet() {
            setID = set.id
            flight += set.request
        }
        if !flight.isEmpty {
            try connection.send(flight, phase: "storing the room bookmark")
            let second = try connection.readIQs([retryID, setID].compactMap { $0 }, phase: "waiting for the bookmark replies")
            if let retryID, let reply = second[retryID] {
                publishError = reply[attribute: "type"] == "result" ? nil : StanzaError(iq: reply)
                outcome.publishedPEP = publishError == nil
            }
            if let setID, let reply = second[setID] {
                if reply[attribute: "type"] == "result" { outcome.wroteLegacy = true } else {
                    outcome.warnings.append(BookmarkError(step: "private storage set", StanzaError(iq: reply)).description)
                }
            }
        }
        if let error = publishError {
            outcome.warnings.append(BookmarkError(step: "XEP-0402 publish", error).description)
            // The server mirrors, but the publish failed: write the legacy store ourselves.
            if setID == nil, let set = legacySet() {
                try connection.send(set.request, phase: "writing the legacy room bookmark")
                let reply = try connection.readIQ(id: set.id, phase: "waiting for the legacy bookmark write")
                outcome.wroteLegacy = reply[attribute: "type"] == "result"
            }
        }
        if case .none = storage, !outcome.serverMirrorsLegacy || !outcome.publishedPEP {
            outcome.warnings.append(BookmarkError(step: "private storage get", current.map(StanzaError.init(iq:))).description)
        }
        outcome.roundTrips = roundTrips - start
        return outcome
    }

    /// Stores `bookmark` when the server's state is already known (read in the room check's
    /// flight): the XEP-0402 publish and, when the server does not mirror it, the merged
    /// XEP-0049 storage go in one flight; a publish refused for its options is retried once
    /// with the essential ones, as in `storeBookmark(_:accountJID:)`.
    func storeBookmark(_ bookmark: RoomBookmark, known: BookmarkServerState) throws -> BookmarkOutcome {
        let start = roundTrips
        var outcome = BookmarkOutcome(publishedPEP: false, serverMirrorsLegacy: known.mirrorsLegacy, wroteLegacy: false,
                                      roundTrips: 0, warnings: [])
        func legacySet() -> (id: String, request: String)? {
            guard case .some(let existing) = known.storage else { return nil }
            let id = connection.makeID("private")
            return (id, BookmarkPayloads.privateStorageSet(id: id, BookmarkPayloads.mergedLegacy(existing: existing, adding: bookmark)))
        }
        func publish(essentialOnly: Bool) -> (id: String, request: String) {
            let id = connection.makeID("bookmark")
            return (id, "<iq type='set' id='\(id)'>"
                + BookmarkPayloads.publish(bookmark, essentialOptionsOnly: essentialOnly).serialized(parentNamespace: Namespace.client) + "</iq>")
        }
        let first = publish(essentialOnly: false)
        var flight = first.request
        var setID: String?
        if !known.mirrorsLegacy, let set = legacySet() {
            setID = set.id
            flight += set.request
        }
        try connection.send(flight, phase: "storing the room bookmark")
        let replies = try connection.readIQs([first.id, setID].compactMap { $0 }, phase: "waiting for the bookmark replies")
        var publishError = replies[first.id].flatMap { $0[attribute: "type"] == "result" ? nil : StanzaError(iq: $0) }
        if let setID, let reply = replies[setID] {
            if reply[attribute: "type"] == "result" { outcome.wroteLegacy = true } else {
                outcome.warnings.append(BookmarkError(step: "private storage set", StanzaError(iq: reply)).description)
            }
        }
        if let error = publishError, BookmarkPayloads.retryWithEssentialOptions(after: error) {
            let retry = publish(essentialOnly: true)
            try connection.send(retry.request, phase: "storing the room bookmark")
            let reply = try connection.readIQ(id: retry.id, phase: "waiting for the bookmark replies")
            publishError = reply[attribute: "type"] == "result" ? nil : StanzaError(iq: reply)
        }
        outcome.publishedPEP = publishError == nil
        if let error = publishError {
            outcome.warnings.append(BookmarkError(step: "XEP-0402 publish", error).description)
            // The server mirrors, but the publish failed: write the legacy store ourselves.
            if setID == nil, let set = legacySet() {
                try connection.send(set.request, phase: "writing the legacy room bookmark")
                let reply = try connection.readIQ(id: set.id, phase: "waiting for the legacy bookmark write")
                outcome.wroteLegacy = reply[attribute: "type"] == "result"
            }
        }
        if case .none = known.storage, !outcome.serverMirrorsLegacy || !outcome.publishedPEP {
            outcome.warnings.append(BookmarkError(step: "private storage get", known.privateReply.map(StanzaError.init(iq:))).description)
        }
        outcome.roundTrips = roundTrips - start
        return outcome
    }

    /// Reads the account's bookmarks back: XEP-0402 items and XEP-0049 storage (one flight).
    public func readBookmarks() throws -> (pep: [RoomBookmark], legacy: [RoomBookmark]) {
        let itemsID = connection.makeID("items")
        let privateID = connection.makeID("private")
        try connection.send(
            "<iq type='get' id='\(itemsID)'><pubsub xmlns='\(BookmarkNamespace.pubsub)'><items node='\(BookmarkNamespace.pep)'/></pubsub></iq>"
                + BookmarkPayloads.privateStorageGet(id: privateID),
            phase: "reading the bookmarks")
        let replies = try connection.readIQs([itemsID, privateID], phase: "waiting for the bookmarks")
        let pep = replies[itemsID].map(BookmarkPayloads.parse(pepItems:)) ?? []
        return (pep, BookmarkPayloads.parse(legacyStorage: BookmarkPayloads.storage(inPrivateReply: replies[privateID])))
    }

    /// Replaces the private storage outright (tests set up pre-existing bookmarks with it).
    public func writeLegacyBookmarks(_ bookmarks: [RoomBookmark]) throws {
        var storage: XMLElement?
        for bookmark in bookmarks { storage = BookmarkPayloads.mergedLegacy(existing: storage, adding: bookmark) }
        let setID = connection.makeID("private")
        try connection.send(BookmarkPayloads.privateStorageSet(id: setID, storage), phase: "writing bookmarks")
        let reply = try connection.readIQ(id: setID, phase: "waiting for the bookmark write")
        guard reply[attribute: "type"] == "result" else {
            throw BookmarkError(step: "private storage set", StanzaError(iq: reply))
        }
    }
}
