import Wizard
import FoundationEssentials
import Glibc
import Platform
import Secrets
import Vocabulary
import XMPPOverTor
import Localization

/// Registration over Tor through XMPPOverTor's `RegistrationClient`.
///
/// `reach` picks the SOCKS isolation credentials for this provider and, on a background
/// thread, completes a TLS handshake with the onion (`fetchCertificate`, which never
/// prompts). Tor builds the circuit for those credentials then; the registration later
/// uses the same credentials, so it finds the circuit ready, and every CAPTCHA retry is
/// a new stream on that circuit. Both send the onion as SNI, as libpurple does with an
/// onion connect server, so the certificate judged and pinned is the one Pidgin sees.
public final class XMPPRegistrar: AccountRegistrar, @unchecked Sendable {
    private let lock = Lock()
    private var proxies: [String: Proxy] = [:]
    /// Deadlines (seconds) for the onion connect and each server reply; defaults suit Tor.
    public var timeouts = Timeouts()
    /// About how long a CAPTCHA provider waits for a client to log in after it connected:
    /// ejabberd's default negotiation timeout (the providers with a CAPTCHA run ejabberd).
    public var captchaWindowSeconds = 30.0
    /// The whole budget of one live check (seconds); nil: the connect and TLS deadlines
    /// together, the warm-up's budget before checks existed.
    public var probeDeadline: Double?
    /// How long to wait for a room's answer after bind (it comes through federation).
    public var roomPatience = 20.0
    private let limiter: WorkLimiter

    /// `probeConcurrency`: live checks running at once (the others wait for a slot).
    public init(probeConcurrency: Int = 8) {
        limiter = WorkLimiter(limit: probeConcurrency)
    }

    private func key(_ target: ConnectionTarget) -> String {
        "\(target.torSOCKS)|\(target.host)"
    }

    /// One isolation identity per provider and SOCKS port, shared by reach and registration;
    /// `fresh` replaces it (a new circuit after a failure).
    func proxy(for target: ConnectionTarget, fresh: Bool = false) -> Proxy {
        lock.lock()
        defer { lock.unlock() }
        if !fresh, let proxy = proxies[key(target)] { return proxy }
        let proxy = Proxy.tor(host: target.torSOCKS.host, port: UInt16(target.torSOCKS.port))
        proxies[key(target)] = proxy
        return proxy
    }

    static func endpoint(_ target: ConnectionTarget) -> Endpoint {
        Endpoint(domain: target.domain, host: target.host, port: UInt16(target.port),
                 tlsMode: target.tlsMode, pin: target.pinSHA256, spkiPin: target.pinSPKI)
    }

    /// What every connection to the provider shares (the warm-up, the live check, the
    /// registration and the login): the deadlines, the certificate as decided, the SNI.
    func connectionOptions(_ target: ConnectionTarget) -> SessionOptions {
        var options = SessionOptions(timeouts: timeouts,
                                     certificatePolicy: CertificatePolicy(pin: target.pinSHA256, spkiPin: target.pinSPKI,
                                                                          acceptedFingerprint: target.acceptedSHA256))
        options.serverNameOverride = Self.serverName(target)
        return options
    }

    /// SNI: the connect server when it is an onion (what Pidgin sends), else the domain.
    static func serverName(_ target: ConnectionTarget) -> String? {
        target.host.lowercased().hasSuffix(".onion") ? target.host.lowercased() : nil
    }

    public func reach(_ target: ConnectionTarget, freshCircuit: Bool) -> ReachAttempt {
        let proxy = proxy(for: target, fresh: freshCircuit)
        let endpoint = Self.endpoint(target)
        let reachOptions = connectionOptions(target)
        return BackgroundReach(target: target) {
            let started = Date()
            let (info, trust) = try RegistrationClient.fetchCertificate(endpoint: endpoint, proxy: proxy, options: reachOptions)
            return ProviderReach(certificate: Self.summary(info), verdict: Self.verdict(trust),
                                 seconds: Date().timeIntervalSince(started), certificatePEM: info.pem)
        }
    }

    /// The live check of the provider, which is also its warm-up: the same isolation
    /// credentials (so the same circuit) as `reach` and the registration; at most
    /// `probeConcurrency` at a time.
    public func probe(_ target: ConnectionTarget, freshCircuit: Bool) -> ReachAttempt {
        let proxy = proxy(for: target, fresh: freshCircuit)
        let endpoint = Self.endpoint(target)
        let checkOptions = connectionOptions(target)
        let deadline = probeDeadline ?? timeouts.connect + timeouts.tlsHandshake
        let limiter = self.limiter
        return BackgroundReach(target: target) {
            let outcome = limiter.run {
                ProviderProbe.check(endpoint, proxy: proxy, options: checkOptions, depth: .warmUp, deadline: deadline)
            }
            if let error = outcome.error {
                throw ReachFailure(category: error.category, message: String(describing: error),
                                   brief: ProviderProbe.brief(error), torUnavailable: outcome.report.failure?.torUnavailable == true)
            }
            // A pin that does not match refuses the provider, as the warm-up always did.
            if let problem = outcome.certificateProblem { throw problem }
            guard let info = outcome.certificate else { throw ReachFailure(category: .internalError, message: "the check saw no certificate", torUnavailable: false) }
            let trust = outcome.report.mainCertificate?.trust
            let registration = outcome.report.registration
            return ProviderReach(certificate: Self.summary(info), verdict: Self.verdict(trust),
                                 seconds: outcome.report.reachSeconds ?? outcome.report.seconds, certificatePEM: info.pem,
                                 registration: registration.map { Self.registration($0.kind) },
                                 invitationsAdvertised: registration?.invitationsAdvertised ?? false,
                                 extraFields: registration?.extraFields ?? [],
                                 roundTripSeconds: outcome.report.roundTripSeconds)
        }
    }

    static func verdict(_ trust: CertificateTrust?) -> CertificateVerdict {
        switch trust {
        case .pinned?: .pinned
        case .systemCA?: .authority
        case .acceptedFingerprint?: .acceptedInAdvance
        case .confirmedByUser?, nil: .unknown
        }
    }

    /// What the form's kind means for a person.
    public static func registration(_ kind: RegistrationKind) -> ProviderCheck.Registration {
        switch kind {
        case .legacyFields, .dataForm: .open
        case .captcha: .captcha
        case .inviteOnly: .inviteOnly
        case .closed: .closed
        case .webOnly: .webOnly
        case .unknown: .unknown
        }
    }

    public func register(_ target: ConnectionTarget, username: String, usernameWasGenerated: Bool, password: SecretBytes,
                         events: @escaping @Sendable (RunEvent) -> Void,
                         callbacks: RegistrationCallbacks) throws -> RegisteredAccount {
        let box = CallbackBox(callbacks)
        let clock = CAPTCHAClock(window: captchaWindowSeconds)
        var options = sessionOptions(target)
        options.answerFields = { form in
            try box.callbacks.fill(Self.fields(form, webRegistrationURL: target.webRegistrationURL, clock: clock))
        }
        options.roomCheck?.decide = { status in try box.callbacks.roomChecked(status) }
        let socks = target.torSOCKS
        let endpoint = Self.endpoint(target)
        let jid = endpoint.bareJID(username: username)
        do {
            let result = try RegistrationClient.register(
                endpoint: endpoint, proxy: proxy(for: target), username: username, password: password,
                usernameWasGenerated: usernameWasGenerated, options: options) { event in
                    clock.observe(event)
                    // Synchronous, on the registering thread: saved before the login goes on.
                    if case .registered(let created) = event { box.callbacks.accountCreated(jid: created) }
                    if let mapped = Self.event(event, socks: socks, jid: jid) { events(mapped) }
                }
            return RegisteredAccount(jid: result.jid, certificatePEM: result.certificate.pem,
                                     certificateSHA256: result.certificate.sha256, roundTrips: result.roundTrips,
                                     room: result.room?.room, roomStatus: result.room?.status)
        } catch RegistrationError.usernameTaken(let taken, _) {
            throw RegistrarError.usernameTaken(taken)
        }
    }

    public func logIn(_ target: ConnectionTarget, username: String, password: SecretBytes,
                      events: @escaping @Sendable (RunEvent) -> Void, callbacks: RegistrationCallbacks) throws -> RegisteredAccount {
        let socks = target.torSOCKS
        let endpoint = Self.endpoint(target)
        let jid = endpoint.bareJID(username: username)
        let box = CallbackBox(callbacks)
        var options = sessionOptions(target)
        options.roomCheck?.decide = { status in try box.callbacks.roomChecked(status) }
        events(.verifying(jid: jid))
        let result = try RegistrationClient.logIn(endpoint: endpoint, proxy: proxy(for: target), username: username,
                                                  password: password, options: options) { event in
            if let mapped = Self.event(event, socks: socks, jid: jid) { events(mapped) }
        }
        return RegisteredAccount(jid: result.jid, certificatePEM: result.certificate.pem,
                                 certificateSHA256: result.certificate.sha256, roundTrips: result.roundTrips,
                                 room: result.room?.room, roomStatus: result.room?.status)
    }

    /// The certificate was decided before (pin, CA, or the fingerprint the person
    /// accepted), so nobody is asked here: anything else is refused.
    func sessionOptions(_ target: ConnectionTarget) -> SessionOptions {
        var options = connectionOptions(target)
        options.webRegistrationURL = target.webRegistrationURL
        options.preauthToken = target.inviteToken
        options.serverBookmark = target.bookmark
        options.roomCheck = target.room.map { RoomCheck(room: $0, patience: roomPatience) }
        return options
    }

    static func event(_ event: ConnectionEvent, socks: HostPort, jid: String) -> RunEvent? {
        switch event {
        case .connectingToTor: .connectingToTor(socks)
        case .connectingDirectly(let host, let port): .note(translated("Connecting directly to \(host):\(port) (tests only)"))
        case .reachingService(let host, let port): .reachingOnion(host: host, port: Int(port))
        case .connected: nil
        case .tlsEstablished(let version, _): .note(translated("TLS established (\(version))"))
        // Decided once, before registering (the runner says so); this is the same certificate.
        case .certificateChecked: nil
        case .registering: .registering(jid: jid)
        case .registered: nil
        case .verifying: .verifying(jid: jid)
        case .bound: nil
        case .captchaRetry(let attempt, let limit): .captchaRetry(attempt: attempt, of: limit, expired: false)
        case .captchaExpired(let attempt, let limit): .captchaRetry(attempt: attempt, of: limit, expired: true)
        case .storingBookmark(let room): .storingBookmark(room: room)
        case .bookmarkStored(let outcome):
            // A failed bookmark is a warning: the account exists by then.
            outcome.warnings.isEmpty ? nil : .bookmarkWarning(outcome.warnings.joined(separator: "; "))
        case .checkingRoom(let room): .checkingRoom(room)
        case .roomChecked(let status): .roomStatus(status)
        }
    }

    static func summary(_ info: CertificateInfo) -> CertificateSummary {
        var summary = CertificateSummary(subject: info.subject, subjectAltNames: info.subjectAlternativeNames, issuer: info.issuer,
                           notAfter: info.notAfter.map { $0.formatted(.iso8601) } ?? translated("unknown"),
                           sha256: info.sha256, overOnion: info.overOnion)
        summary.sha1 = info.sha1.isEmpty ? nil : info.sha1
        return summary
    }

    /// The fields the server wants beyond username and password; a CAPTCHA carries its
    /// inline image (the frontend shows it), the fallback page (never a fetched URL),
    /// which attempt this is and about how long the server still waits.
    static func fields(_ form: RegistrationForm, webRegistrationURL: String? = nil,
                       clock: CAPTCHAClock? = nil) -> [RegistrationField] {
        let captcha = form.captcha
        return form.fieldsForCaller.map { variable in
            let field = form.dataForm?.field(variable)
            var locations: [String] = []
            for media in field?.media ?? [] {
                for (_, uri) in media.uris where !uri.hasPrefix("cid:") { locations.append(uri) }
            }
            let isCAPTCHA = captcha?.variable == variable
            if isCAPTCHA, let url = captcha?.fallbackURL, !locations.contains(url) { locations.append(url) }
            let kind: RegistrationField.Kind = !(field?.media.isEmpty ?? true) ? .captcha
                : field?.isSecret == true ? .secret : field?.type == "boolean" ? .boolean : .text
            let instructions = [form.dataForm?.instructions.joined(separator: "\n"), field?.description, form.instructions]
                .compactMap { $0 }.filter { !$0.isEmpty }.first
            var result = RegistrationField(name: variable, label: field?.label ?? variable, kind: kind,
                                           required: field?.required ?? true,
                                           instructions: isCAPTCHA ? (captcha?.fallbackText ?? instructions) : instructions,
                                           mediaLocations: locations)
            if isCAPTCHA {
                result.media = captcha?.media
                result.mediaType = captcha?.mimeType
                result.webRegistrationURL = webRegistrationURL
                if let clock {
                    result.secondsLeft = clock.secondsLeft()
                    (result.attempt, result.attempts, result.previousAnswerRejected) = clock.round
                }
            }
            return result
        }
    }
}

/// A reach attempt running on its own thread; the outcome is kept for whoever asks.
final class BackgroundReach: ReachAttempt, @unchecked Sendable {
    let target: ConnectionTarget
    private let task: BackgroundTask<ProviderReach>

    init(target: ConnectionTarget, work: @escaping @Sendable () throws -> ProviderReach) {
        self.target = target
        task = BackgroundTask(work)
    }

    func outcome(waitingUpTo seconds: Double) -> Result<ProviderReach, Error>? {
        task.result(waitingUpTo: seconds)
    }
}

/// When the registration stream reached the server (its clock for the CAPTCHA
/// starts then) and which CAPTCHA round this is. Used on the registering thread only.
final class CAPTCHAClock: @unchecked Sendable {
    let window: Double
    private var connectedAt = Date()
    private(set) var round: (attempt: Int, attempts: Int, previousRejected: Bool) = (1, 1, false)

    init(window: Double) { self.window = window }

    func observe(_ event: ConnectionEvent) {
        switch event {
        case .connected: connectedAt = Date()
        case .captchaRetry(let attempt, let limit), .captchaExpired(let attempt, let limit):
            round = (attempt, limit, true)
        default: break
        }
    }

    func secondsLeft() -> Int { max(0, Int((window - Date().timeIntervalSince(connectedAt)).rounded(.down))) }
}

/// Hands the run's callbacks to XMPPOverTor's @Sendable closures. They are only called
/// on the registering thread (the one that called `register`).
private final class CallbackBox: @unchecked Sendable {
    let callbacks: RegistrationCallbacks
    init(_ callbacks: RegistrationCallbacks) { self.callbacks = callbacks }
}
