import FoundationEssentials
import Glibc
import Secrets
import Vocabulary

/// One connection to an XMPP server, set up to the point where the certificate is
/// trusted and the post-TLS features are known. Registration may be retried on the
/// same session after `RegistrationError.usernameTaken` while `isOpen` is true (the
/// server decides; otherwise reconnect). Use from one thread.
public final class AccountSession {
    public enum Intent: Sendable {
        /// Register then log in: the registration form get is pipelined with the restart.
        case register
        /// Log in to an existing account.
        case login
        /// Only TLS and the certificate (for export).
        case certificateOnly
        /// A live check (`ProviderProbe`): TLS, the certificate (recorded, never refused), the
        /// features after TLS and the registration form, fetched with the restart and never
        /// submitted.
        case probe
        /// A live check of the certificate alone (another server name, another port).
        case probeCertificate

        /// The certificate is looked at, not decided on.
        var recordsCertificate: Bool { self == .certificateOnly || self == .probe || self == .probeCertificate }
        /// Asks for the registration form with the restart.
        var prefetchesForm: Bool { self == .register || self == .probe }
    }

    public let endpoint: Endpoint
    public let certificate: CertificateInfo
    /// Nil only for `.certificateOnly` and probe sessions when nothing vouched for the certificate.
    public let certificateTrust: CertificateTrust?
    /// Why the certificate would have been refused (probe sessions only).
    public private(set) var certificateProblem: CertificateError?
    /// How long the steps took, for a probe's round-trip estimate.
    public private(set) var timings = SessionTimings()
    public let tlsVersion: String
    public let tlsCipher: String

    let connection: XMPPConnection
    let options: SessionOptions
    let events: (ConnectionEvent) -> Void
    private(set) var features: StreamFeatures?
    private(set) var prefetchedFormID: String?
    /// The caller answered a CAPTCHA on this stream.
    var answeredCAPTCHA = false
    /// A SCRAM exchange started in the same write as the registration, and its first answer.
    private var pendingSASL: (client: SCRAMClient, reply: XMLElement)?
    private let tls: TLSSession

    public var isOpen: Bool { connection.isOpen }
    /// Round trips so far (TCP connect to the service = 1; SOCKS negotiation excluded).
    public var roundTrips: Int { connection.tcp.roundTrips }

    /// Connects (through Tor unless `proxy` is `.none`), secures the stream with TLS,
    /// applies the certificate policy before anything else is sent, and reads the features.
    public static func open(endpoint: Endpoint, proxy: Proxy, options: SessionOptions = SessionOptions(),
                            intent: Intent, events: @escaping (ConnectionEvent) -> Void = { _ in }) throws -> AccountSession {
        let tcp = try connect(endpoint: endpoint, proxy: proxy, timeouts: options.timeouts, events: events)
        events(.connected)
        return try AccountSession(tcp: tcp, endpoint: endpoint, options: options, intent: intent, events: events)
    }

    static func connect(endpoint: Endpoint, proxy: Proxy, timeouts: Timeouts,
                        events: (ConnectionEvent) -> Void) throws -> TCPConnection {
        switch proxy {
        case .socks5(let host, let port, let credentials):
            // One budget for the TCP connect to Tor and the SOCKS exchange (circuit building) together.
            let deadline = timeouts.deadline(timeouts.connect, "connecting to Tor at \(host):\(port)")
            events(.connectingToTor(host: host, port: port))
            let tcp = try TCPConnection(host: host, port: port, deadline: deadline, isTorProxy: true)
            events(.reachingService(host: endpoint.host, port: endpoint.port))
            try SOCKS5Client.connect(over: tcp, host: endpoint.host, port: endpoint.port, credentials: credentials,
                                     deadline: deadline.continued(as: "reaching \(endpoint.host):\(endpoint.port) through Tor"))
            tcp.resetRoundTrips()
            return tcp
        case .none:
            guard TCPConnection.isLoopback(endpoint.host) else {
                throw ConnectionError.directConnectionNotAllowed(host: endpoint.host)
            }
            events(.connectingDirectly(host: endpoint.host, port: endpoint.port))
            return try TCPConnection(host: endpoint.host, port: endpoint.port,
                                     deadline: timeouts.deadline(timeouts.connect, "connecting to \(endpoint.host):\(endpoint.port)"))
        }
    }

    init(tcp: TCPConnection, endpoint: Endpoint, options: SessionOptions, intent: Intent,
         events: @escaping (ConnectionEvent) -> Void) throws {
        self.endpoint = endpoint
        self.options = options
        self.events = events
        let connection = XMPPConnection(tcp: tcp, domain: endpoint.domain, timeouts: options.timeouts, limits: options.limits)
        self.connection = connection

        if endpoint.tlsMode == .startTLS {
            // Header and <starttls/> in one write: nothing secret goes before TLS anyway.
            let sent = Deadline.now()
            try connection.send(connection.streamHeader + "<starttls xmlns='\(Namespace.tls)'/>",
                                phase: "opening the XMPP stream")
            let plainFeatures = try connection.readFeatures(phase: "waiting for the server's stream features")
            timings.streamOpened = Deadline.seconds(since: sent)
            guard plainFeatures.offersStartTLS else {
                connection.close()
                throw StreamError.tlsNotOffered
            }
            let answer = try connection.nextElement(phase: "waiting for the answer to STARTTLS")
            guard answer.name == "proceed", answer.namespace == Namespace.tls else {
                connection.close()
                throw StreamError.starttlsRefused
            }
        }
        let context = try TLSContext()
        let handshakeStarted = Deadline.now()
        tls = try connection.startTLS(context: context, serverName: options.serverNameOverride ?? endpoint.domain)
        timings.tlsHandshake = Deadline.seconds(since: handshakeStarted)
        tlsVersion = tls.protocolVersion
        tlsCipher = tls.cipher
        events(.tlsEstablished(version: tlsVersion, cipher: tlsCipher))

        let peer = try tls.peerCertificate()
        certificate = peer.info(domain: endpoint.domain, chainVerified: tls.chainVerified, overOnion: endpoint.isOnion)
        var policy = options.certificatePolicy
        if let pin = endpoint.pin { policy.pin = pin }
        if let spkiPin = endpoint.spkiPin { policy.spkiPin = spkiPin }
        do {
            // Decided before anything at all is sent over the TLS channel.
            let trust = try policy.evaluate(certificate)
            certificateTrust = trust
            events(.certificateChecked(trust: trust, sha256: certificate.sha256))
        } catch CertificateError.notTrusted where intent.recordsCertificate {
            certificateTrust = nil
        } catch let problem as CertificateError where intent == .probe || intent == .probeCertificate {
            // A probe reports a pin mismatch; it never sends anything that needs trust.
            certificateTrust = nil
            certificateProblem = problem
        } catch {
            connection.close()
            throw error
        }
        if intent == .certificateOnly || intent == .probeCertificate { return }

        var restart = connection.streamHeader
        if intent.prefetchesForm && options.preauthToken == nil {
            // The form get is harmless, so it rides along with the restart (saves a round trip).
            let id = connection.makeID("form")
            prefetchedFormID = id
            restart += "<iq type='get' id='\(id)'><query xmlns='\(Namespace.register)'/></iq>"
        }
        let restarted = Deadline.now()
        try connection.send(restart, phase: "restarting the stream over TLS")
        features = try connection.readFeatures(phase: "waiting for the stream features after TLS")
        timings.streamRestarted = Deadline.seconds(since: restarted)
    }

    public func close() { connection.close() }

    /// The server's answer to the registration form get sent with the restart (probe and
    /// register sessions), read now; nil when none was sent.
    func readPrefetchedFormReply() throws -> XMLElement? {
        guard let id = prefetchedFormID else { return nil }
        prefetchedFormID = nil
        return try connection.readIQ(id: id, phase: "waiting for the registration form")
    }

    deinit { connection.close() }

    // MARK: - Registration (XEP-0077)

    /// Creates the account `username` with `password`; `logIn` then proves it.
    ///
    /// With `usernameWasGenerated`, the SCRAM `<auth>` rides in the same write as the
    /// registration (one round trip less): a generated name practically never exists
    /// already. A name a person chose may well exist, and then that pipelined `<auth>` is a
    /// failed login for someone else's account — counted by per-address limits such as
    /// ejabberd's mod_fail2ban against every user of the onion (they all arrive from one
    /// address). So for a chosen name the registration result comes first.
    public func register(username rawUsername: String, password: SecretBytes, usernameWasGenerated: Bool = false) throws {
        let username = rawUsername.lowercased()
        events(.registering(username: username))
        // Refuse early (before the server sees the password) if we could not verify it after.
        let scram = try makeSCRAM(username: username)
        let formID: String
        if let prefetched = prefetchedFormID {
            formID = prefetched
            prefetchedFormID = nil
        } else {
            formID = connection.makeID("form")
            var request = "<iq type='get' id='\(formID)'><query xmlns='\(Namespace.register)'/></iq>"
            var preauthID: String?
            if let token = options.preauthToken, features?.offersInviteToken == true {
                // The invitation goes first; the form get may ride along (it changes nothing).
                let id = connection.makeID("preauth", to: endpoint.domain)
                preauthID = id
                request = "<iq type='set' id='\(id)' to='\(XMLElement.escape(endpoint.domain))'><preauth xmlns='\(Namespace.preauth)' token='\(XMLElement.escape(token))'/></iq>" + request
            }
            try connection.send(request, phase: "asking for the registration form")
            if let preauthID {
                let reply = try connection.readIQ(id: preauthID, phase: "waiting for the server to accept the invitation")
                if reply[attribute: "type"] == "error" { throw RegistrationError.inviteRejected(serverText: StanzaError(iq: reply).text) }
            }
        }
        let formReply = try connection.readIQ(id: formID, phase: "waiting for the registration form")
        if formReply[attribute: "type"] == "error" {
            throw StanzaError(iq: formReply).registrationError(username: username,
                                                               webRegistrationURL: options.webRegistrationURL, hadCAPTCHA: false)
        }
        let form = RegistrationForm(iq: formReply)
        if form.isWebOnly {
            throw RegistrationError.webRegistrationOnly(url: form.outOfBandURL ?? options.webRegistrationURL,
                                                        instructions: form.instructions)
        }
        var answers: [String: String] = [:]
        if !form.fieldsForCaller.isEmpty {
            guard let answerFields = options.answerFields else {
                if let captcha = form.captcha {
                    throw RegistrationError.captchaRequired(webRegistrationURL: options.webRegistrationURL ?? captcha.fallbackURL)
                }
                throw RegistrationError.unansweredFields(form.fieldsForCaller)
            }
            answers = try answerFields(form)
            answeredCAPTCHA = answeredCAPTCHA || form.captcha != nil
        }
        let marker = "onionboard-secret-" + SecureRandom.bytes(16).lowercaseHex()
        let query = try RegistrationSubmission.query(form: form, username: username, passwordMarker: marker, answers: answers)
        let setID = connection.makeID("register")
        let submission = "<iq type='set' id='\(setID)'>" + query.serialized(parentNamespace: Namespace.client) + "</iq>"
        if !usernameWasGenerated {
            try connection.send(submission, replacing: marker, with: password, phase: "registering")
            let reply = try connection.readIQ(id: setID, phase: "waiting for the registration result")
            if reply[attribute: "type"] == "result" {
                events(.registered(jid: "\(username)@\(endpoint.domain)"))
                return
            }
            throw StanzaError(iq: reply).registrationError(username: username, webRegistrationURL: options.webRegistrationURL,
                                                           hadCAPTCHA: form.hasCAPTCHA)
        }
        // Registration and the SASL initial message in one write; a failed registration
        // fails SASL too, so both answers are read.
        try connection.send(submission + Self.authRequest(scram), replacing: marker, with: password, phase: "registering")
        let reply = try connection.readIQ(id: setID, phase: "waiting for the registration result")
        let saslReply = try connection.readSASL(phase: "waiting for the SASL challenge")
        if reply[attribute: "type"] == "result" {
            pendingSASL = (scram, saslReply)
            events(.registered(jid: "\(username)@\(endpoint.domain)"))
            return
        }
        if saslReply.name == "challenge" {
            // The name exists after all: abandon that exchange cleanly.
            try? connection.send("<abort xmlns='\(Namespace.sasl)'/>", phase: "aborting SASL")
            _ = try? connection.readSASL(phase: "waiting for the SASL abort")
        }
        throw StanzaError(iq: reply).registrationError(username: username, webRegistrationURL: options.webRegistrationURL,
                                                       hadCAPTCHA: form.hasCAPTCHA)
    }

    // MARK: - SASL SCRAM and bind

    func makeSCRAM(username: String) throws -> SCRAMClient {
        try Self.chooseSCRAM(username: username, offered: features?.mechanisms ?? [],
                             bindingTypes: features?.channelBindingTypes ?? [],
                             exporter: { [tls] in tls.exporterChannelBinding() },
                             serverEndPoint: { [tls] in try? tls.peerCertificate().serverEndPointChannelBinding })
    }

    /// Picks the SCRAM mechanism and the GS2 channel-binding flag from everything the
    /// server offers (RFC 5802 §6, XEP-0440):
    /// 1. a -PLUS mechanism (SHA-256 first) when the server names a binding type we can
    ///    produce (`tls-exporter`, `tls-server-end-point`): `p=type`;
    /// 2. otherwise the strongest plain SCRAM, with `y` ("we could bind, you offered no
    ///    -PLUS") only when the server offers no -PLUS mechanism at all, and `n` when it
    ///    offers one we cannot use — with or without a type list: without one, the implied
    ///    type is tls-unique, which we do not implement (it does not exist in TLS 1.3), and
    ///    `y` would make a server that binds fail the login.
    static func chooseSCRAM(username: String, offered: [String], bindingTypes: [String],
                            exporter: () -> [UInt8]?, serverEndPoint: () -> [UInt8]?) throws -> SCRAMClient {
        let hashes = [SCRAMHash.sha256, .sha1]
        for hash in hashes where offered.contains("SCRAM-\(hash.rawValue)-PLUS") {
            if bindingTypes.contains("tls-exporter"), let data = exporter() {
                return SCRAMClient(hash: hash, username: username, binding: .bound(type: "tls-exporter", data: data))
            }
            if bindingTypes.contains("tls-server-end-point"), let data = serverEndPoint() {
                return SCRAMClient(hash: hash, username: username, binding: .bound(type: "tls-server-end-point", data: data))
            }
        }
        let offersPlus = offered.contains { $0.hasPrefix("SCRAM-") && $0.hasSuffix("-PLUS") }
        for hash in hashes where offered.contains("SCRAM-\(hash.rawValue)") {
            return SCRAMClient(hash: hash, username: username, binding: offersPlus ? .unsupported : .supportedButNotOffered)
        }
        throw AuthenticationError.noSupportedMechanism(offered: offered)
    }

    /// Completes (or starts) SCRAM, verifies the server's signature, restarts the stream
    /// and binds a resource. Returns the bound full JID and the mechanism used. With
    /// `thenClose`, `</stream:stream>` rides along with the bind request, so closing costs
    /// no extra round trip; the session is closed afterwards.
    public func logIn(username rawUsername: String, password: SecretBytes,
                      thenClose: Bool = false) throws -> (boundJID: String, mechanism: String) {
        let username = rawUsername.lowercased()
        var exchange = pendingSASL
        pendingSASL = nil
        if exchange?.reply.name == "failure" { exchange = nil } // retry once on a fresh exchange
        if exchange == nil {
            let scram = try makeSCRAM(username: username)
            try connection.send(Self.authRequest(scram), phase: "starting authentication")
            exchange = (scram, try connection.readSASL(phase: "waiting for the SASL challenge"))
        }
        let (scram, challenge) = exchange!
        events(.verifying(mechanism: scram.mechanism))
        guard challenge.name == "challenge" else { throw Self.saslFailure(challenge) }
        guard let serverFirstData = Data(base64Encoded: challenge.text), let serverFirst = String(data: serverFirstData, encoding: .utf8) else {
            throw AuthenticationError.malformedChallenge("the challenge is not base64 text")
        }
        let clientFinal = try scram.clientFinalMessage(serverFirst: serverFirst, password: password)
        try connection.send("<response xmlns='\(Namespace.sasl)'>\(Data(clientFinal.utf8).base64EncodedString())</response>",
                            phase: "answering the SASL challenge")
        let outcome = try connection.readSASL(phase: "waiting for the authentication result")
        guard outcome.name == "success" else { throw Self.saslFailure(outcome) }
        guard let finalData = Data(base64Encoded: outcome.text), let serverFinal = String(data: finalData, encoding: .utf8) else {
            throw AuthenticationError.serverSignatureMismatch
        }
        try scram.verifyServerFinal(serverFinal)
        connection.authenticated()

        // Restart and bind in one write, only now that <success/> has arrived.
        connection.restart()
        let bindID = connection.makeID("bind")
        try connection.send(connection.streamHeader + "<iq type='set' id='\(bindID)'><bind xmlns='\(Namespace.bind)'/></iq>"
                                + (thenClose ? "</stream:stream>" : ""),
                            phase: "restarting the stream after authentication")
        features = try connection.readFeatures(phase: "waiting for the stream features after authentication")
        let reply = try connection.readIQ(id: bindID, phase: "waiting for resource binding")
        guard reply[attribute: "type"] == "result",
              let jid = reply.child("bind", namespace: Namespace.bind)?.child("jid")?.text, !jid.isEmpty else {
            let error = StanzaError(iq: reply)
            throw AuthenticationError.bindFailed(ServerText.sanitised("\(error.type)/\(error.condition)", maximumLength: 100)
                                                     + ServerText.appended(error.text))
        }
        connection.bound(to: jid)
        if thenClose { connection.markClosedAfterFinalRequest() }
        events(.bound(jid: jid))
        return (jid, scram.mechanism)
    }

    /// After bind: the room check (when asked for) before any bookmark, then the bookmark.
    /// Neither fails the run: the account exists by then (a failed check keeps the planned
    /// room, with its status unknown).
    func afterBind(_ result: inout RegistrationResult, options: SessionOptions) {
        if let check = options.roomCheck {
            do {
                let (room, bookmark) = try checkRoom(check, serverBookmark: options.serverBookmark, accountJID: result.jid)
                result.room = room
                result.bookmark = bookmark
            } catch {
                let status = RoomStatus(jid: check.room.jid, existence: .unknown, detail: "the check failed: \(error)")
                result.room = RoomCheckOutcome(room: check.room, status: status, checked: [status])
                if options.serverBookmark != nil {
                    result.bookmark = BookmarkOutcome(publishedPEP: false, serverMirrorsLegacy: false, wroteLegacy: false,
                                                      roundTrips: 0, warnings: ["the room bookmark could not be stored: \(error)"])
                }
            }
        } else if let bookmark = options.serverBookmark {
            result.bookmark = storeBookmarkReportingFailure(bookmark, accountJID: result.jid)
        }
    }

    /// The bookmark step never fails the run: the account exists by then.
    func storeBookmarkReportingFailure(_ bookmark: RoomBookmark, accountJID: String) -> BookmarkOutcome {
        events(.storingBookmark(room: bookmark.jid))
        let outcome: BookmarkOutcome
        do {
            outcome = try storeBookmark(bookmark, accountJID: accountJID)
        } catch {
            outcome = BookmarkOutcome(publishedPEP: false, serverMirrorsLegacy: false, wroteLegacy: false, roundTrips: 0,
                                      warnings: ["the room bookmark could not be stored: \(error)"])
        }
        events(.bookmarkStored(outcome))
        return outcome
    }

    /// SASL's `<auth/>` with the SCRAM client-first message.
    static func authRequest(_ scram: SCRAMClient) -> String {
        "<auth xmlns='\(Namespace.sasl)' mechanism='\(scram.mechanism)'>\(Data(scram.clientFirstMessage().utf8).base64EncodedString())</auth>"
    }

    static func saslFailure(_ element: XMLElement) -> AuthenticationError {
        .failure(condition: element.definedCondition() ?? "undefined", text: element.errorText)
    }

    func result(username: String, boundJID: String, mechanism: String, registered: Bool) -> RegistrationResult {
        RegistrationResult(jid: endpoint.bareJID(username: username), boundJID: boundJID, registered: registered,
                           certificate: certificate, certificateTrust: certificateTrust ?? .confirmedByUser,
                           roundTrips: roundTrips, tlsVersion: tlsVersion, tlsCipher: tlsCipher, saslMechanism: mechanism)
    }
}

/// The one-call entry points.
public enum RegistrationClient {
    /// Registers `username` in-band, then proves the credentials by logging in and binding,
    /// all on one stream. Throws `RegistrationError.usernameTaken` when the name exists.
    /// `usernameWasGenerated` lets the login ride with the registration (see `AccountSession.register`).
    public static func register(endpoint: Endpoint, proxy: Proxy, username: String, password: SecretBytes,
                                usernameWasGenerated: Bool = false, options: SessionOptions = SessionOptions(),
                                events: @escaping (ConnectionEvent) -> Void = { _ in }) throws -> RegistrationResult {
        let limit = max(1, options.captchaAttempts)
        var attempt = 1
        while true {
            // The same proxy credentials: a fresh stream on the circuit already built.
            let session = try AccountSession.open(endpoint: endpoint, proxy: proxy, options: options, intent: .register, events: events)
            defer { session.close() }
            do {
                try session.register(username: username, password: password, usernameWasGenerated: usernameWasGenerated)
            } catch let error where session.answeredCAPTCHA && Self.isCAPTCHARetryable(error) {
                // A challenge allows one answer (and ejabberd drops a client that has not
                // logged in ~30 s after connecting): a fresh form needs a fresh stream.
                let expired = !(error is RegistrationError)
                guard attempt < limit else {
                    throw RegistrationError.captchaAttemptsExhausted(
                        attempts: attempt, webRegistrationURL: options.webRegistrationURL,
                        serverText: { if case RegistrationError.captchaFailed(let text) = error { return text }; return nil }())
                }
                attempt += 1
                events(expired ? .captchaExpired(attempt: attempt, of: limit) : .captchaRetry(attempt: attempt, of: limit))
                continue
            }
            let (jid, mechanism) = try session.logIn(username: username, password: password,
                                                     thenClose: options.serverBookmark == nil && options.roomCheck == nil)
            var result = session.result(username: username, boundJID: jid, mechanism: mechanism, registered: true)
            result.captchaAttempts = session.answeredCAPTCHA ? attempt : 0
            session.afterBind(&result, options: options)
            return result
        }
    }

    /// A wrong answer, or the server closing the stream while the person was still
    /// solving the CAPTCHA (the form expired).
    static func isCAPTCHARetryable(_ error: Error) -> Bool {
        switch error {
        case RegistrationError.captchaFailed: true
        case StreamError.streamClosed, StreamError.serverStreamError(condition: "connection-timeout", _): true
        case ConnectionError.closedByPeer, TLSError.io: true
        default: false
        }
    }

    /// Logs in to an existing account (SCRAM + bind) and, when the options name one,
    /// stores the room bookmark — what finishing an account created earlier needs.
    public static func logIn(endpoint: Endpoint, proxy: Proxy, username: String, password: SecretBytes,
                             options: SessionOptions = SessionOptions(),
                             events: @escaping (ConnectionEvent) -> Void = { _ in }) throws -> RegistrationResult {
        let session = try AccountSession.open(endpoint: endpoint, proxy: proxy, options: options, intent: .login, events: events)
        defer { session.close() }
        let (jid, mechanism) = try session.logIn(username: username, password: password,
                                                 thenClose: options.serverBookmark == nil && options.roomCheck == nil)
        var result = session.result(username: username, boundJID: jid, mechanism: mechanism, registered: false)
        session.afterBind(&result, options: options)
        return result
    }

    /// Logs in to an existing account and stores a room bookmark (the bookmark step alone).
    public static func storeBookmark(_ bookmark: RoomBookmark, endpoint: Endpoint, proxy: Proxy, username: String,
                                     password: SecretBytes, options: SessionOptions = SessionOptions(),
                                     events: @escaping (ConnectionEvent) -> Void = { _ in }) throws -> BookmarkOutcome {
        let session = try AccountSession.open(endpoint: endpoint, proxy: proxy, options: options, intent: .login, events: events)
        defer { session.close() }
        _ = try session.logIn(username: username, password: password)
        return session.storeBookmarkReportingFailure(bookmark, accountJID: endpoint.bareJID(username: username))
    }

    /// Logs in to an existing account (SCRAM + bind) to check the credentials.
    public static func verify(endpoint: Endpoint, proxy: Proxy, username: String, password: SecretBytes,
                              options: SessionOptions = SessionOptions(),
                              events: @escaping (ConnectionEvent) -> Void = { _ in }) throws -> RegistrationResult {
        let session = try AccountSession.open(endpoint: endpoint, proxy: proxy, options: options, intent: .login, events: events)
        defer { session.close() }
        let (jid, mechanism) = try session.logIn(username: username, password: password, thenClose: true)
        return session.result(username: username, boundJID: jid, mechanism: mechanism, registered: false)
    }

    /// Connects and completes TLS only, to read the server certificate (for a pin file).
    /// `trust` is nil when no pin, CA or confirmation vouched for it; a pin mismatch throws.
    public static func fetchCertificate(endpoint: Endpoint, proxy: Proxy, options: SessionOptions = SessionOptions(),
                                        events: @escaping (ConnectionEvent) -> Void = { _ in })
        throws -> (certificate: CertificateInfo, trust: CertificateTrust?) {
        let session = try AccountSession.open(endpoint: endpoint, proxy: proxy, options: options,
                                              intent: .certificateOnly, events: events)
        defer { session.close() }
        return (session.certificate, session.certificateTrust)
    }
}
