import Secrets
import Vocabulary

/// Everything the runner needs, decided: which provider, which account, how to
/// connect, which certificate to trust, which room, where to write. A value; the
/// only secret in it is the password, in guarded memory.
public struct OnboardingPlan: Sendable {
    public var templateID: String
    public var provider: ProviderChoice
    public var username: String
    /// True when the username was made up: on `conflict` the runner picks another itself.
    public var usernameWasGenerated: Bool
    public var password: SecretBytes
    public var passwordWasGenerated: Bool
    /// The host dialled through Tor: the provider's onion.
    public var connectHost: String
    public var connectPort: Int
    public var tlsMode: TLSMode
    public var pinPolicy: PinPolicy
    public var room: RoomBookmark
    public var handle: String
    /// Absolute path of the Pidgin profile directory (`~` expanded).
    public var profileDirectory: String
    public var torSOCKS: HostPort
    /// Every answer that led here, with its source (never the password).
    public var answers: AnswerSet
    /// An invite token (XEP-0445) from `--invite`, sent before registering.
    public var inviteToken: String? = nil
    /// Also bookmark the room on the server (XEP-0402/0049) after registering.
    public var serverBookmark = true
    /// Ask the room about itself after registering, before any bookmark is written.
    public var checksRoom = true
    /// Rooms to offer when the planned one is missing or closed (the template's).
    public var roomAlternatives: [RoomBookmark] = []
    /// The account exists already: an earlier run created it and saved it, but did not
    /// finish. The run logs in to it instead of registering another.
    public var resumesPendingAccount = false
    /// The person's own account (the `existing` path): logged in to, never registered. A
    /// refused login means a wrong address or password; nothing is saved before it succeeds.
    public var usesExistingAccount = false

    public var jid: String { "\(username)@\(provider.domain)" }
}

/// Which server certificate the run accepts.
public enum PinPolicy: Sendable, Equatable, Codable {
    /// The provider map pins this SHA-256 (of the DER): anything else is refused.
    case pinned(sha256: String)
    /// The provider map pins the certificate's key (SPKI SHA-256): a renewed certificate
    /// with that key is accepted, another key refused.
    case pinnedKey(spkiSHA256: String)
    /// Not pinned; the user accepted this fingerprint in advance (`--accept-fingerprint`).
    case acceptFingerprint(sha256: String)
    /// Not pinned; a certificate that does not chain to a trusted CA is shown to the
    /// person, who decides (interactive runs).
    case askOnFirstUse
    /// Not pinned, nobody to ask: only a CA-valid certificate is accepted.
    case requireValidChain

    public var summary: String {
        switch self {
        case .pinned(let sha): "pinned by the provider map (SHA-256 \(sha))"
        case .pinnedKey(let key): "key pinned by the provider map (SPKI SHA-256 \(key))"
        case .acceptFingerprint(let sha): "accept SHA-256 \(sha) (given on the command line)"
        case .askOnFirstUse: "ask before trusting an unknown certificate"
        case .requireValidChain: "CA-valid certificates only (non-interactive)"
        }
    }
}
