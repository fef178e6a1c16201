import Diagnostics
import FoundationEssentials
import Vocabulary

/// Asking a room whether a newcomer will find it (XEP-0045 §6.4 disco#info), after
/// binding and before any bookmark is written, and settling on the room to bookmark.
/// `AccountSession.roomStatus(_:)` alone is the piece other flows reuse (an existing
/// account joining a room).
public struct RoomCheck: Sendable {
    /// The room the run means to join.
    public var room: RoomBookmark
    /// Sees a room's status (each one checked); returns another room to check and join
    /// instead, or nil to keep this one. Runs on the session's thread (it may ask a person).
    public var decide: @Sendable (RoomStatus) throws -> RoomBookmark?
    /// How long to wait for the room's answer once the rest is in: it comes through
    /// federation from another server, which may be slow or unreachable.
    public var patience: Double

    public init(room: RoomBookmark, patience: Double = 20, decide: @escaping @Sendable (RoomStatus) throws -> RoomBookmark? = { _ in nil }) {
        self.room = room
        self.patience = patience
        self.decide = decide
    }
}

/// What the room check found and did.
public struct RoomCheckOutcome: Sendable, Equatable, Codable {
    /// The room settled on (the planned one, or the alternative chosen instead).
    public var room: RoomBookmark
    public var status: RoomStatus
    /// Every room asked, in order (the planned one first).
    public var checked: [RoomStatus]
}

enum MUCNamespace {
    static let discoInfo = "http://jabber.org/protocol/disco#info"
    static let roomInfo = "http://jabber.org/protocol/muc#roominfo"
}

extension RoomStatus {
    /// From a disco#info answer (nil: none came in time).
    init(jid: String, discoReply reply: XMLElement?, waited: Double) {
        guard let reply else {
            self.init(jid: jid, existence: .unknown, detail: "no answer within \(Int(waited)) s")
            return
        }
        if reply[attribute: "type"] == "error" {
            let error = StanzaError(iq: reply)
            if error.condition == "item-not-found" {
                self.init(jid: jid, existence: .missing)
            } else {
                self.init(jid: jid, existence: .unknown,
                          detail: ServerText.sanitised("\(error.type)/\(error.condition)", maximumLength: 80))
            }
            return
        }
        let query = reply.child("query", namespace: MUCNamespace.discoInfo)
        let identities = query?.children("identity") ?? []
        guard let room = identities.first(where: { $0[attribute: "category"] == "conference" }) else {
            self.init(jid: jid, existence: .unknown, detail: "it does not describe itself as a group chat")
            return
        }
        let features = Set(query?.children("feature").compactMap { $0[attribute: "var"] } ?? [])
        func flag(_ on: String, _ off: String) -> Bool? {
            features.contains(on) ? true : features.contains(off) ? false : nil
        }
        var occupants: Int?
        for form in query?.children("x", namespace: Namespace.dataForms) ?? [] {
            for field in form.children("field") where field[attribute: "var"] == "muc#roominfo_occupants" {
                occupants = field.child("value").flatMap { Int($0.text.trimmingWhitespace()) }
            }
        }
        let name = room[attribute: "name"].flatMap { $0.isEmpty ? nil : $0 }
        self.init(jid: jid, existence: .exists, name: name, isPublic: flag("muc_public", "muc_hidden"),
                  membersOnly: flag("muc_membersonly", "muc_open"),
                  passwordProtected: flag("muc_passwordprotected", "muc_unsecured"), occupants: occupants)
    }
}

extension AccountSession {
    /// The room's status, in one round trip (after bind). An answer that does not come
    /// within `patience` seconds gives `.unknown`; the stream stays usable.
    public func roomStatus(_ roomJID: String, patience: Double = 20) throws -> RoomStatus {
        let id = connection.makeID("room", to: roomJID)
        try connection.send(Self.roomDiscoRequest(id: id, room: roomJID), phase: "asking the room \(roomJID) about itself")
        let replies = try connection.readIQs([id], phase: "waiting for the room's answer", patient: [id],
                                             patience: Deadline(seconds: patience, phase: "waiting for the room's answer"))
        return RoomStatus(jid: roomJID, discoReply: replies[id], waited: patience)
    }

    static func roomDiscoRequest(id: String, room: String) -> String {
        "<iq type='get' id='\(id)' to='\(XMLElement.escape(room))'><query xmlns='\(MUCNamespace.discoInfo)'/></iq>"
    }

    /// The room check, then the bookmark on the server (when `serverBookmark` is given):
    /// one flight asks the room's disco#info together with what the bookmark step reads
    /// (the account's features and its private storage); `check.decide` sees the status and
    /// may switch to another room (asked in one more round trip); only then is the bookmark
    /// written, for the room settled on. Never throws for the bookmark: its failures are
    /// the outcome's warnings (the account exists by then).
    func checkRoom(_ check: RoomCheck, serverBookmark: RoomBookmark?, accountJID: String) throws
        -> (room: RoomCheckOutcome, bookmark: BookmarkOutcome?) {
        let start = roundTrips
        events(.checkingRoom(room: check.room.jid))
        var flight = ""
        var ids: [String] = []
        let roomID = connection.makeID("room", to: check.room.jid)
        flight += Self.roomDiscoRequest(id: roomID, room: check.room.jid)
        ids.append(roomID)
        var accountDiscoID: String?
        var privateID: String?
        if serverBookmark != nil {
            accountDiscoID = connection.makeID("disco", to: accountJID)
            privateID = connection.makeID("private")
            flight += "<iq type='get' id='\(accountDiscoID!)' to='\(XMLElement.escape(accountJID))'><query xmlns='\(BookmarkNamespace.discoInfo)'/></iq>"
                + BookmarkPayloads.privateStorageGet(id: privateID!)
            ids += [accountDiscoID!, privateID!]
        }
        try connection.send(flight, phase: "asking the room \(check.room.jid) about itself")
        let replies = try connection.readIQs(ids, phase: "waiting for the room's answer", patient: [roomID],
                                             patience: Deadline(seconds: check.patience, phase: "waiting for the room's answer"))
        var room = check.room
        var status = RoomStatus(jid: room.jid, discoReply: replies[roomID], waited: check.patience)
        var checked = [status]
        events(.roomChecked(status))
        // A person may try several alternatives; each is asked once.
        while checked.count <= 8, let other = try check.decide(status) {
            guard other.jid.lowercased() != room.jid.lowercased() else { break }
            room = other
            events(.checkingRoom(room: room.jid))
            status = try roomStatus(room.jid, patience: check.patience)
            checked.append(status)
            events(.roomChecked(status))
        }
        let settled = RoomCheckOutcome(room: room, status: status, checked: checked)
        guard var bookmark = serverBookmark else { return (settled, nil) }
        bookmark.jid = room.jid
        if room.jid.lowercased() != check.room.jid.lowercased() { bookmark.alias = room.alias ?? bookmark.alias }
        events(.storingBookmark(room: bookmark.jid))
        var outcome: BookmarkOutcome
        do {
            let known = BookmarkServerState(discoReply: accountDiscoID.flatMap { replies[$0] },
                                            privateReply: privateID.flatMap { replies[$0] })
            outcome = try storeBookmark(bookmark, known: known)
            outcome.roundTrips = roundTrips - start
        } catch {
            outcome = BookmarkOutcome(publishedPEP: false, serverMirrorsLegacy: false, wroteLegacy: false, roundTrips: 0,
                                      warnings: ["the room bookmark could not be stored: \(error)"])
        }
        events(.bookmarkStored(outcome))
        return (settled, outcome)
    }
}
