/// A group chat to join: the template's room, the chat Pidgin joins on start (blist.xml)
/// and the bookmark stored on the server (XEP-0402/0049) are all this. Never a room password.
public struct RoomBookmark: Sendable, Equatable, Codable {
    /// `room@conference.example.org`.
    public var jid: String
    /// The name the bookmark shows ("Tails support"); nil: none (Pidgin keeps the one an
    /// existing chat has).
    public var alias: String?
    /// The nickname in the room; nil: Pidgin keeps the one an existing chat has, or makes one.
    public var handle: String?
    /// The buddy-list group the chat goes into (Pidgin only).
    public var group: String
    public var autojoin: Bool

    public init(jid: String, alias: String? = nil, handle: String? = nil, group: String = "Chats", autojoin: Bool = true) {
        self.jid = jid
        self.alias = alias
        self.handle = handle
        self.group = group
        self.autojoin = autojoin
    }

    /// The part before `@` (libpurple's `room` component).
    public var room: String { String(jid.split(separator: "@", maxSplits: 1).first ?? "") }

    /// The part after `@`, the MUC service (libpurple's `server` component).
    public var service: String {
        let parts = jid.split(separator: "@", maxSplits: 1)
        return parts.count == 2 ? String(parts[1]) : ""
    }
}
