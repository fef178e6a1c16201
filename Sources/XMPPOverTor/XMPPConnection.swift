import FoundationEssentials
import Glibc
import Vocabulary
import Secrets

/// The stream features the server announced after the last (re)start.
struct StreamFeatures {
    let element: XMLElement

    var offersStartTLS: Bool { element.child("starttls", namespace: Namespace.tls) != nil }
    var mechanisms: [String] {
        element.child("mechanisms", namespace: Namespace.sasl)?.children("mechanism").map(\.text) ?? []
    }
    var channelBindingTypes: [String] {
        element.child("sasl-channel-binding", namespace: Namespace.channelBinding)?
            .children("channel-binding").compactMap { $0[attribute: "type"] } ?? []
    }
    var offersInviteToken: Bool { element.child("register", namespace: Namespace.ibrToken) != nil }
}

/// One XMPP client stream over TCP (through SOCKS) and TLS: writes, reads elements
/// within deadlines, restarts. The protocol steps live in `AccountSession`.
final class XMPPConnection {
    let tcp: TCPConnection
    private var transport: ByteStream
    private(set) var tls: TLSSession?
    private let parser: XMLStreamParser
    /// Parsed events not handed out yet: `queue[queueHead...]` (an index, so that taking
    /// one is O(1) however many stanzas one read brought).
    private var queue: [XMLStreamEvent] = []
    private var queueHead = 0
    let domain: String
    let timeouts: Timeouts
    let limits: StreamLimits
    private(set) var isOpen = true
    /// Set once SASL succeeded: from then on the pre-authentication caps no longer apply.
    private(set) var isAuthenticated = false
    private var bytesBeforeAuthentication = 0
    private var stanzasBeforeAuthentication = 0
    /// Who may answer each iq we sent, by its id (RFC 6120 §8.1.2.1).
    private var expectedRepliers: [String: ReplySender] = [:]
    /// The account's bare and full JID, once bound: then they may answer iqs sent without `to`.
    private(set) var boundJID: JID?

    init(tcp: TCPConnection, domain: String, timeouts: Timeouts, limits: StreamLimits = .standard) {
        self.tcp = tcp
        transport = tcp
        self.domain = domain
        self.timeouts = timeouts
        self.limits = limits
        parser = XMLStreamParser(limits: limits)
    }

    /// A fresh, unpredictable id (96 random bits) for an iq sent to `to` (nil: to the
    /// server, on the account's behalf); its reply must come from there.
    func makeID(_ prefix: String, to: String? = nil) -> String {
        let id = prefix + "-" + SecureRandom.bytes(12).lowercaseHex()
        expectedRepliers[id] = ReplySender(to: to)
        return id
    }

    /// SASL succeeded: the caps on what may arrive before authentication are lifted.
    func authenticated() { isAuthenticated = true }

    /// A resource was bound: the account may now answer (or the server on its behalf).
    func bound(to jid: String) { boundJID = JID(jid) }

    var streamHeader: String {
        "<?xml version='1.0'?><stream:stream to='\(XMLElement.escape(domain))' version='1.0' xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
    }

    /// Starts TLS on the socket and restarts the XML stream on top of it.
    func startTLS(context: TLSContext, serverName: String) throws -> TLSSession {
        let session = try TLSSession(context: context, connection: tcp, serverName: serverName)
        try session.handshake(deadline: timeouts.deadline(timeouts.tlsHandshake, "the TLS handshake"))
        tls = session
        transport = session
        restart()
        return session
    }

    /// A new stream follows: forget the old parser state.
    func restart() {
        parser.restart()
        queue.removeAll()
        queueHead = 0
    }

    func send(_ text: String, phase: String) throws {
        try send(bytes: Array(text.utf8), phase: phase)
    }

    func send(bytes: [UInt8], phase: String) throws {
        do {
            try transport.write(bytes, deadline: timeouts.deadline(timeouts.reply, phase))
        } catch {
            isOpen = false
            throw error
        }
    }

    /// Writes `text` with `marker` replaced by the escaped secret; the buffer holding
    /// the secret is wiped after the write.
    func send(_ text: String, replacing marker: String, with secret: SecretBytes, phase: String) throws {
        let parts = text.components(separatedBy: marker)
        var buffer: [UInt8] = []
        defer { wipe(&buffer) }
        try secret.withBytes { raw in
            try SCRAMClient.checkPassword(raw)
            var escaped: [UInt8] = []
            escaped.reserveCapacity(raw.count * 6)
            for byte in raw {
                switch byte {
                case UInt8(ascii: "&"): escaped += Array("&amp;".utf8)
                case UInt8(ascii: "<"): escaped += Array("&lt;".utf8)
                case UInt8(ascii: ">"): escaped += Array("&gt;".utf8)
                case UInt8(ascii: "'"): escaped += Array("&apos;".utf8)
                case UInt8(ascii: "\""): escaped += Array("&quot;".utf8)
                default: escaped.append(byte)
                }
            }
            defer { wipe(&escaped) }
            buffer.reserveCapacity(text.utf8.count + escaped.count * parts.count)
            for (index, part) in parts.enumerated() {
                if index > 0 { buffer += escaped }
                buffer += Array(part.utf8)
            }
        }
        try send(bytes: buffer, phase: phase)
    }

    /// The next parser event, reading from the network as needed. The deadline is checked
    /// on every call and before every read, not only when the socket is idle: a server
    /// that never stops talking cannot hold a phase past its deadline.
    func nextEvent(deadline: Deadline) throws -> XMLStreamEvent {
        do {
            try deadline.check()
            while queueHead == queue.count {
                queue.removeAll(keepingCapacity: true)
                queueHead = 0
                let bytes = try transport.read(maximum: 16 * 1024, deadline: deadline)
                try countBeforeAuthentication(bytes: bytes.count)
                queue += try parser.feed(bytes)
                try deadline.check()
            }
        } catch {
            isOpen = false
            throw error
        }
        queueHead += 1
        return queue[queueHead - 1]
    }

    /// Bytes and stanzas before authentication are capped (`StreamLimits`).
    private func countBeforeAuthentication(bytes: Int = 0, stanzas: Int = 0) throws {
        guard !isAuthenticated else { return }
        bytesBeforeAuthentication += bytes
        stanzasBeforeAuthentication += stanzas
        if bytesBeforeAuthentication > limits.bytesBeforeAuthentication {
            isOpen = false
            throw StreamError.tooMuchBeforeAuthentication("more than \(limits.bytesBeforeAuthentication / 1024) KiB")
        }
        if stanzasBeforeAuthentication > limits.stanzasBeforeAuthentication {
            isOpen = false
            throw StreamError.tooMuchBeforeAuthentication("more than \(limits.stanzasBeforeAuthentication) stanzas")
        }
    }

    /// One deadline for a whole wait, however many stanzas the server sends meanwhile.
    func replyDeadline(_ phase: String) -> Deadline { timeouts.deadline(timeouts.reply, phase) }

    /// The next top-level element; stream errors and the end of the stream throw.
    func nextElement(phase: String) throws -> XMLElement {
        try nextElement(deadline: replyDeadline(phase))
    }

    func nextElement(deadline: Deadline) throws -> XMLElement {
        while true {
            switch try nextEvent(deadline: deadline) {
            case .streamOpened: continue
            case .streamClosed:
                isOpen = false
                throw StreamError.streamClosed
            case .element(let element):
                try countBeforeAuthentication(stanzas: 1)
                if element.name == "error" && element.namespace == Namespace.stream {
                    isOpen = false
                    throw StreamError.serverStreamError(condition: element.definedCondition(namespace: Namespace.streams)
                                                            ?? "undefined-condition",
                                                        text: element.child("text")?.text)
                }
                return element
            }
        }
    }

    /// Reads the server's stream header and its features.
    func readFeatures(phase: String) throws -> StreamFeatures {
        let element = try nextElement(phase: phase)
        guard element.name == "features", element.namespace == Namespace.stream else {
            throw StreamError.unexpected("<\(element.name)> instead of the stream features")
        }
        return StreamFeatures(element: element)
    }

    /// Reads the iq answering `id` (other stanzas in between are skipped).
    func readIQ(id: String, phase: String) throws -> XMLElement {
        try readIQs([id], phase: phase)[id]!
    }

    /// Collects the replies to several pipelined iqs, in whatever order they come (other
    /// stanzas in between are skipped); returns only once every id has its reply. A reply
    /// (`result` or `error`) from an entity that cannot answer that request is refused.
    func readIQs(_ ids: [String], phase: String) throws -> [String: XMLElement] {
        let deadline = replyDeadline(phase)
        var replies: [String: XMLElement] = [:]
        let wanted = Set(ids)
        while replies.count < wanted.count {
            let element = try nextElement(deadline: deadline)
            guard element.name == "iq", let id = element[attribute: "id"], wanted.contains(id),
                  element[attribute: "type"] == "result" || element[attribute: "type"] == "error" else { continue }
            let sender = expectedRepliers[id] ?? ReplySender(to: nil)
            guard sender.accepts(element[attribute: "from"], domain: domain, account: boundJID) else {
                isOpen = false
                throw StreamError.replyFromWrongSender(from: element[attribute: "from"] ?? "", expected: sender.description(domain: domain))
            }
            expectedRepliers[id] = nil
            replies[id] = element
        }
        return replies
    }

    /// Collects the replies to `ids` like `readIQs`, but waits for the `patient` ones only
    /// until `patience` once the others are in (an answer another server gives through
    /// federation may be slow or never come): those still missing then are left out, and
    /// the stream stays usable — a deadline passing consumes nothing of it.
    func readIQs(_ ids: [String], phase: String, patient: Set<String>, patience: Deadline) throws -> [String: XMLElement] {
        let required = Set(ids).subtracting(patient)
        let deadline = replyDeadline(phase)
        var replies: [String: XMLElement] = [:]
        while replies.count < ids.count {
            let waitingOnlyForPatient = required.isSubset(of: replies.keys)
            let element: XMLElement
            do {
                element = try nextElement(deadline: waitingOnlyForPatient ? patience : deadline)
            } catch ConnectionError.timedOut where waitingOnlyForPatient {
                isOpen = true
                return replies
            }
            guard element.name == "iq", let id = element[attribute: "id"], ids.contains(id), replies[id] == nil,
                  element[attribute: "type"] == "result" || element[attribute: "type"] == "error" else { continue }
            let sender = expectedRepliers[id] ?? ReplySender(to: nil)
            guard sender.accepts(element[attribute: "from"], domain: domain, account: boundJID) else {
                isOpen = false
                throw StreamError.replyFromWrongSender(from: element[attribute: "from"] ?? "", expected: sender.description(domain: domain))
            }
            expectedRepliers[id] = nil
            replies[id] = element
        }
        return replies
    }

    /// Reads the next SASL element (challenge, success, failure).
    func readSASL(phase: String) throws -> XMLElement {
        let deadline = replyDeadline(phase)
        while true {
            let element = try nextElement(deadline: deadline)
            if element.namespace == Namespace.sasl { return element }
        }
    }

    /// The stream was closed by a `</stream:stream>` sent with the last request (the
    /// server answers it in the same flight): nothing more to say, just drop the socket.
    func markClosedAfterFinalRequest() {
        isOpen = false
    }

    /// Ends the stream politely; errors are irrelevant at this point.
    func close() {
        guard isOpen else { return }
        isOpen = false
        try? transport.write(Array("</stream:stream>".utf8), deadline: timeouts.deadline(2, "closing"))
        tls?.shutdown()
    }
}
