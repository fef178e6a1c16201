import Vocabulary
import Localization

/// Progress of a run, one event per phase, in words a person understands. Frontends
/// print them; `--json` runs collect them.
public enum RunEvent: Sendable, Equatable, CustomStringConvertible {
    case waitingForTor(HostPort, state: TorState, waitedSeconds: Int, limitSeconds: Int)
    case connectingToTor(HostPort)
    /// Nothing has happened for a while in a slow phase (over Tor, seconds to minutes):
    /// what we are waiting for, and for how long so far.
    case stillWorking(String, seconds: Int)
    /// The onion answered and the certificate is known (the warm-up connection).
    case reached(host: String, seconds: Double)
    /// The server confirmed the new account; its password is safe on disk from here on.
    case accountCreated(jid: String, savedIn: String)
    /// An account a previous run created but could not finish is finished now.
    case resumingAccount(jid: String)
    case reachingOnion(host: String, port: Int)
    case securing(TLSMode)
    case certificate(sha256: String, trust: String)
    case registering(jid: String)
    case verifying(jid: String)
    case usernameTaken(taken: String, next: String?)
    /// A fresh CAPTCHA follows: the last answer was not accepted, or the form expired.
    case captchaRetry(attempt: Int, of: Int, expired: Bool)
    case storingBookmark(room: String)
    case bookmarkWarning(String)
    /// The providers offered are being checked over Tor (the wizard's start).
    case checkingProviders(answered: Int, of: Int, seconds: Int)
    /// Asking the room about itself, after the account exists and before any bookmark.
    case checkingRoom(String)
    case roomStatus(RoomStatus)
    case writingProfile(directory: String)
    case note(String)

    public var description: String {
        switch self {
        case .waitingForTor(let socks, let state, let waited, let limit):
            translated("Waiting for Tor: \(state.explanation(socks)) (\(waited) s of at most \(limit) s)")
        case .connectingToTor(let socks): translated("Connecting to Tor at \(socks)")
        // Translators: {0} is what is being waited for, e.g. "reaching abcdefgh…uvwxyz.onion through Tor".
        case .stillWorking(let what, let seconds): translated("Still \(what) (\(seconds) s so far)")
        case .reached(let host, let seconds):
            translated("Reached \(Self.shortOnion(host)) in \(Int(seconds.rounded())) s")
        case .accountCreated(let jid, let directory):
            translated("The server created \(jid); its password is saved in \(directory) (mode 0600) until the profile is written")
        case .resumingAccount(let jid): translated("Finishing \(jid), which an earlier run created but could not finish")
        case .reachingOnion(let host, let port):
            translated("Reaching \(Self.shortOnion(host)):\(port) — building a circuit can take up to a minute")
        case .securing(let mode):
            mode == .startTLS ? translated("Securing the connection (STARTTLS)") : translated("Securing the connection (direct TLS)")
        case .certificate(let sha, let trust): translated("Server certificate SHA-256 \(sha): \(trust)")
        case .registering(let jid): translated("Registering \(jid)")
        case .verifying(let jid): translated("Verifying \(jid) by logging in")
        case .usernameTaken(let taken, let next):
            next.map { translated("The username \(taken) is taken; trying \($0)") } ?? translated("The username \(taken) is taken")
        case .captchaRetry(let attempt, let limit, let expired):
            expired ? translated("The CAPTCHA form expired before it was answered; fetching a new picture (attempt \(attempt) of \(limit))")
                : translated("That answer was not accepted; fetching a new picture (attempt \(attempt) of \(limit))")
        case .storingBookmark(let room): translated("Bookmarking \(room) on the server (for other clients)")
        case .bookmarkWarning(let text): translated("Warning: \(text)")
        case .checkingProviders(let answered, let total, let seconds):
            answered == total ? translated(one: "Checked \(total) provider over Tor (\(seconds) s)",
                                           other: "Checked \(total) providers over Tor (\(seconds) s)", count: total)
                : translated("Checking the providers over Tor: \(answered) of \(total) answered so far (\(seconds) s)")
        case .checkingRoom(let room): translated("Asking the room \(room) whether it is there")
        case .roomStatus(let status):
            // Translators: {1} is the room's state: "exists, public, 3 people in it", "does not exist"…
            status.problem.map { translated("Warning: \($0)") } ?? translated("The room \(status.jid) \(status.summary)")
        case .writingProfile(let directory): translated("Writing the Pidgin profile to \(directory)")
        case .note(let text): text
        }
    }

    /// `abcdef…xyz.onion`: long enough to compare, short enough for a line.
    static func shortOnion(_ host: String) -> String {
        guard host.hasSuffix(".onion"), host.count > 30 else { return host }
        let name = host.dropLast(6)
        return "\(name.prefix(8))…\(name.suffix(6)).onion"
    }

    /// A stable name for `--json`.
    public var phase: String {
        switch self {
        case .waitingForTor: "wait-tor"
        case .connectingToTor: "connect"
        case .stillWorking: "waiting"
        case .reached: "reach"
        case .accountCreated: "registered"
        case .resumingAccount: "resume"
        case .reachingOnion: "reach"
        case .securing: "tls"
        case .certificate: "identify"
        case .registering: "register"
        case .verifying: "verify"
        case .usernameTaken: "retry"
        case .captchaRetry: "captcha"
        case .storingBookmark, .bookmarkWarning: "bookmark"
        case .checkingProviders: "check"
        case .checkingRoom, .roomStatus: "room"
        case .writingProfile: "write"
        case .note: "note"
        }
    }
}
