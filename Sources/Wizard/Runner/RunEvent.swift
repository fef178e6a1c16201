import Vocabulary

/// Progress of a run, one event per phase, in words a person understands. Frontends
/// print them; `--json` runs collect them.
public enum RunEvent: Sendable, Equatable, CustomStringConvertible {
    case waitingForTor(HostPort, waitedSeconds: Int, limitSeconds: Int)
    case connectingToTor(HostPort)
    case reachingOnion(host: String, port: Int)
    case securing(TLSMode)
    case certificate(sha256: String, trust: String)
    case registering(jid: String)
    case verifying(jid: String)
    case usernameTaken(taken: String, next: String?)
    case captchaRetry(attempt: Int, of: Int)
    case storingBookmark(room: String)
    case bookmarkWarning(String)
    case writingProfile(directory: String)
    case note(String)

    public var description: String {
        switch self {
        case .waitingForTor(let socks, let waited, let limit):
            "Waiting for Tor's SOCKS port \(socks) (\(waited) s of at most \(limit) s)"
        case .connectingToTor(let socks): "Connecting to Tor at \(socks)"
        case .reachingOnion(let host, let port):
            "Reaching \(Self.shortOnion(host)):\(port) — building a circuit can take up to a minute"
        case .securing(let mode): mode == .startTLS ? "Securing the connection (STARTTLS)" : "Securing the connection (direct TLS)"
        case .certificate(let sha, let trust): "Server certificate SHA-256 \(sha): \(trust)"
        case .registering(let jid): "Registering \(jid)"
        case .verifying(let jid): "Verifying \(jid) by logging in"
        case .usernameTaken(let taken, let next):
            next.map { "The username \(taken) is taken; trying \($0)" } ?? "The username \(taken) is taken"
        case .captchaRetry(let attempt, let limit): "The CAPTCHA answer was not accepted; fetching a new one (attempt \(attempt) of \(limit))"
        case .storingBookmark(let room): "Bookmarking \(room) on the server (for other clients)"
        case .bookmarkWarning(let text): "Warning: \(text)"
        case .writingProfile(let directory): "Writing the Pidgin profile to \(directory)"
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
        case .reachingOnion: "reach"
        case .securing: "tls"
        case .certificate: "identify"
        case .registering: "register"
        case .verifying: "verify"
        case .usernameTaken: "retry"
        case .captchaRetry: "captcha"
        case .storingBookmark, .bookmarkWarning: "bookmark"
        case .writingProfile: "write"
        case .note: "note"
        }
    }
}
