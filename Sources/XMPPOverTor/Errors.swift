import Diagnostics
import Vocabulary

/// Reaching the server failed below XMPP: TCP, deadlines, the proxy rule.
public enum ConnectionError: ClassifiedError, Equatable {
    case refused(host: String, port: UInt16, viaTor: Bool)
    case unreachable(host: String, port: UInt16, reason: String)
    case timedOut(phase: String, seconds: Double)
    case closedByPeer(phase: String)
    case io(phase: String, reason: String)
    /// Without a proxy only IP literals on loopback are allowed, so no name is ever resolved.
    case directConnectionNotAllowed(host: String)

    public var category: ErrorCategory {
        switch self {
        case .directConnectionNotAllowed: .invalidData
        default: .unreachable
        }
    }

    public var description: String {
        switch self {
        case .refused(let host, let port, let viaTor):
            viaTor
                ? "nothing listens on \(host):\(port): is Tor running? (start Tor, or pass --tor-socks HOST:PORT)"
                : "nothing listens on \(host):\(port) (connection refused)"
        case .unreachable(let host, let port, let reason):
            "cannot reach \(host):\(port): \(reason)"
        case .timedOut(let phase, let seconds):
            "\(phase) did not finish within \(Self.format(seconds)) s; the server or Tor is not answering (raise the timeout with --connect-timeout / --reply-timeout if Tor is slow)"
        case .closedByPeer(let phase):
            "the server closed the connection during \(phase)"
        case .io(let phase, let reason):
            "network error during \(phase): \(reason)"
        case .directConnectionNotAllowed(let host):
            "refusing to connect to \(host) without Tor: direct connections are only for loopback IP addresses in tests (no name is ever resolved locally)"
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}

/// The XMPP stream broke: the server sent something we cannot or must not accept.
public enum StreamError: ClassifiedError, Equatable {
    case malformedXML(String)
    case doctypeRefused
    case entityRefused
    case stanzaTooLarge(limit: Int)
    case tooDeep(limit: Int)
    /// More attributes than allowed on one element (`inOneElement`) or in one stanza.
    case tooManyAttributes(limit: Int, inOneElement: Bool)
    /// Character data other than whitespace between stanzas.
    case textBetweenStanzas
    /// More bytes or stanzas than allowed before SASL succeeded (what was exceeded).
    case tooMuchBeforeAuthentication(String)
    /// An iq reply came from an entity that cannot answer our request.
    case replyFromWrongSender(from: String, expected: String)
    /// `<stream:error>` from the server: condition and its `<text/>`.
    case serverStreamError(condition: String, text: String?)
    case streamClosed
    case unexpected(String)
    /// The server offered no STARTTLS, so nothing secret can be sent.
    case tlsNotOffered
    case starttlsRefused

    public var category: ErrorCategory {
        switch self {
        case .serverStreamError(let condition, _) where condition == "policy-violation" || condition == "resource-constraint": .tryLater
        default: .protocolViolation
        }
    }

    public var description: String {
        switch self {
        case .malformedXML(let detail): "the server sent malformed XML: \(detail)"
        case .doctypeRefused: "the server sent a DOCTYPE declaration; refused (XMPP forbids DTDs, and they enable entity-expansion attacks)"
        case .entityRefused: "the server sent an entity declaration or reference; refused (possible XML entity bomb)"
        case .stanzaTooLarge(let limit): "the server sent more than \(limit / 1024) KiB without completing a stanza; refused"
        case .tooDeep(let limit): "the server sent XML nested deeper than \(limit) levels; refused"
        case .tooManyAttributes(let limit, let inOneElement):
            "the server sent more than \(limit) attributes \(inOneElement ? "on one element" : "in one stanza"); refused"
        case .textBetweenStanzas: "the server sent text between stanzas (only whitespace is allowed there); refused"
        case .tooMuchBeforeAuthentication(let what):
            "the server sent \(what) before authentication, far more than a registration needs; refused"
        case .replyFromWrongSender(let from, let expected):
            "the server delivered a reply to our request from '\(ServerText.sanitised(from, maximumLength: 100))', which cannot answer it (expected \(expected)); refused"
        case .serverStreamError(let condition, let text):
            "the server ended the stream with the error '\(ServerText.sanitised(condition, maximumLength: 64))'" + ServerText.appended(text)
        case .streamClosed: "the server closed the XMPP stream"
        case .unexpected(let what): "unexpected answer from the server: \(ServerText.sanitised(what))"
        case .tlsNotOffered: "the server does not offer STARTTLS; refusing to continue without encryption (nothing secret was sent)"
        case .starttlsRefused: "the server refused to start TLS; refusing to continue without encryption (nothing secret was sent)"
        }
    }
}
