import Diagnostics
import Vocabulary
import Localization

/// The `pidgin` path, decided: which of the Pidgin profile's accounts joins which room,
/// where its room check logs in (always through Tor), and whether the account is switched
/// to Tor. Nothing else of the profile changes.
public struct JoinPlan: Sendable {
    public var templateID: String
    /// The account as the profile holds it.
    public var account: ExistingAccount
    /// The room, with the nickname to use in it (`handle`).
    public var room: RoomBookmark
    /// Rooms to offer when the planned one is missing or closed (the template's).
    public var roomAlternatives: [RoomBookmark]
    public var profileDirectory: String
    /// Where the room check connects: the account's onion, or its own server through Tor.
    public var target: ConnectionTarget
    /// The account goes through Tor from now on, to `target` (its provider's onion): its
    /// connection settings and the onion's certificate are written too.
    public var switchesToTor: Bool
    public var pinPolicy: PinPolicy
    /// Every answer that led here (never a password).
    public var answers: AnswerSet

    public init(templateID: String, account: ExistingAccount, room: RoomBookmark, roomAlternatives: [RoomBookmark],
                profileDirectory: String, target: ConnectionTarget, switchesToTor: Bool, pinPolicy: PinPolicy,
                answers: AnswerSet) {
        self.templateID = templateID
        self.account = account
        self.room = room
        self.roomAlternatives = roomAlternatives
        self.profileDirectory = profileDirectory
        self.target = target
        self.switchesToTor = switchesToTor
        self.pinPolicy = pinPolicy
        self.answers = answers
    }

    /// The nickname in the room.
    public var handle: String { room.handle ?? "" }

    /// After the room is added, Pidgin reaches this account through Tor.
    public var throughTorAfterwards: Bool { account.throughTor || switchesToTor }
}

/// What a wizard run does, once the questions are answered.
public enum WizardPlan: Sendable {
    /// Register a new account, or log in to one the person has, and write it into the profile.
    case onboarding(OnboardingPlan)
    /// Add the room to an account the profile already holds.
    case join(JoinPlan)
}

public enum JoinPlanError: ClassifiedError, Equatable {
    /// The account named is not in the profile (or none was named).
    case noSuchAccount(String?, directory: String, accounts: [String])

    public var category: ErrorCategory { .invalidData }
    public var description: String {
        switch self {
        case .noSuchAccount(let jid, let directory, let accounts):
            if let jid {
                accounts.isEmpty ? translated("the Pidgin profile \(directory) holds no XMPP account \(jid); it holds no XMPP account at all")
                    : translated("the Pidgin profile \(directory) holds no XMPP account \(jid); it holds \(accounts.joined(separator: ", "))")
            } else {
                accounts.isEmpty ? translated("no Pidgin account was chosen; the Pidgin profile \(directory) holds no XMPP account at all")
                    : translated("no Pidgin account was chosen; the Pidgin profile \(directory) holds \(accounts.joined(separator: ", "))")
            }
        }
    }
}
