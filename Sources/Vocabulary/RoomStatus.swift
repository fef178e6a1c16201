import Localization

/// What a group chat's service says about a room (its disco#info, XEP-0045 §6.4), asked
/// before the room is bookmarked: whether a newcomer will find anyone there.
public struct RoomStatus: Sendable, Equatable, Codable {
    public enum Existence: String, Sendable, Equatable, Codable {
        /// The service describes the room.
        case exists
        /// `item-not-found`: no such room (joining would create an empty one).
        case missing
        /// No answer that tells (the service is unreachable from the account's server, an
        /// error other than item-not-found, or no answer in time).
        case unknown
    }

    /// The room's JID.
    public var jid: String
    public var existence: Existence
    /// The room's own name, if it gives one (server text: sanitise before showing).
    public var name: String?
    /// `muc_public` (listed) / `muc_hidden`; nil when not said.
    public var isPublic: Bool?
    /// `muc_membersonly`: only members may enter.
    public var membersOnly: Bool?
    /// `muc_passwordprotected`: a password is needed to enter.
    public var passwordProtected: Bool?
    /// `muc#roominfo_occupants`, when the service says.
    public var occupants: Int?
    /// For `unknown`: why (`cancel/remote-server-not-found`, "no answer within 15 s"…).
    public var detail: String?

    public init(jid: String, existence: Existence, name: String? = nil, isPublic: Bool? = nil, membersOnly: Bool? = nil,
                passwordProtected: Bool? = nil, occupants: Int? = nil, detail: String? = nil) {
        self.jid = jid
        self.existence = existence
        self.name = name
        self.isPublic = isPublic
        self.membersOnly = membersOnly
        self.passwordProtected = passwordProtected
        self.occupants = occupants
        self.detail = detail
    }

    /// Why a newcomer could not use this room (missing, members only, a password), or nil
    /// when nothing stands in the way (an unknown answer is not a problem: it says nothing).
    public var problem: String? {
        switch existence {
        case .missing: return translated("the room \(jid) does not exist (its service answered item-not-found); joining it would create a new, empty room")
        case .unknown: return nil
        case .exists:
            if membersOnly == true { return translated("the room \(jid) is members-only: a new account cannot enter it") }
            if passwordProtected == true { return translated("the room \(jid) needs a password to enter") }
            return nil
        }
    }

    /// One line for a person: "exists, public, 3 people in it".
    public var summary: String {
        switch existence {
        // Translators: the room's state, after "The room ROOM …" (see the next entries).
        case .missing: return translated("does not exist")
        case .unknown: return detail.map { translated("could not be checked (\($0))") } ?? translated("could not be checked")
        case .exists:
            var parts = [translated("exists")]
            if let isPublic { parts.append(isPublic ? translated("public") : translated("hidden")) }
            if membersOnly == true { parts.append(translated("members only")) }
            if passwordProtected == true { parts.append(translated("password-protected")) }
            if let occupants { parts.append(translated(one: "\(occupants) person in it", other: "\(occupants) people in it", count: occupants)) }
            return parts.joined(separator: translated(", "))
        }
    }
}
