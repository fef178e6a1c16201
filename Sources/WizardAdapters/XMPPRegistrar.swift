import Wizard
import Foundation
import Secrets
import Vocabulary
import XMPPOverTor

/// Registration over Tor through XMPPOverTor's `RegistrationClient`.
///
/// Warm-up: `prepare` picks the SOCKS isolation credentials for this provider and, on a
/// background thread, completes a TLS handshake with the onion (`fetchCertificate`, which
/// never prompts). Tor builds the circuit to the onion for those credentials then; the
/// registration later uses the same credentials, so it finds the circuit ready.
public final class XMPPRegistrar: AccountRegistrar, @unchecked Sendable {
    private let lock = NSLock()
    private var proxies: [String: Proxy] = [:]
    /// Deadlines (seconds) for the onion connect and each server reply; defaults suit Tor.
    public var timeouts = Timeouts()

    public init() {}

    private func key(_ target: ConnectionTarget) -> String {
        "\(target.torSOCKS)|\(target.host)"
    }

    /// One isolation identity per provider and SOCKS port, shared by warm-up and registration.
    func proxy(for target: ConnectionTarget) -> Proxy {
        lock.lock()
        defer { lock.unlock() }
        if let proxy = proxies[key(target)] { return proxy }
        let proxy = Proxy.tor(host: target.torSOCKS.host, port: UInt16(target.torSOCKS.port))
        proxies[key(target)] = proxy
        return proxy
    }

    static func endpoint(_ target: ConnectionTarget) -> Endpoint {
        Endpoint(domain: target.domain, host: target.host, port: UInt16(target.port),
                 tlsMode: target.tlsMode, pin: target.pinSHA256)
    }

    public func prepare(_ target: ConnectionTarget) {
        let proxy = proxy(for: target)
        let endpoint = Self.endpoint(target)
        let options = SessionOptions(timeouts: timeouts)
        Thread.detachNewThread {
            // Only the circuit matters here; errors show up again, with context, in `register`.
            _ = try? RegistrationClient.fetchCertificate(endpoint: endpoint, proxy: proxy, options: options)
        }
    }

    public func register(_ target: ConnectionTarget, username: String, usernameWasGenerated: Bool, password: SecretBytes,
                         events: @escaping @Sendable (RunEvent) -> Void,
                         callbacks: RegistrationCallbacks) throws -> RegisteredAccount {
        let box = CallbackBox(callbacks)
        var options = SessionOptions(
            timeouts: timeouts,
            certificatePolicy: CertificatePolicy(pin: target.pinSHA256, acceptedFingerprint: target.acceptedSHA256, confirm: { info in
                box.callbacks.confirm(Self.summary(info))
            }),
            webRegistrationURL: target.webRegistrationURL, preauthToken: target.inviteToken,
            answerFields: { form in try box.callbacks.fill(Self.fields(form, webRegistrationURL: target.webRegistrationURL)) })
        options.serverBookmark = target.bookmark
        let socks = target.torSOCKS
        let endpoint = Self.endpoint(target)
        let jid = endpoint.bareJID(username: username)
        do {
            let result = try RegistrationClient.register(
                endpoint: endpoint, proxy: proxy(for: target), username: username, password: password,
                usernameWasGenerated: usernameWasGenerated, options: options) { event in
                    if let mapped = Self.event(event, socks: socks, jid: jid) { events(mapped) }
                }
            return RegisteredAccount(jid: result.jid, certificatePEM: result.certificate.pem,
                                     certificateSHA256: result.certificate.sha256, roundTrips: result.roundTrips)
        } catch RegistrationError.usernameTaken(let taken, _) {
            throw RegistrarError.usernameTaken(taken)
        }
    }

    static func event(_ event: ConnectionEvent, socks: HostPort, jid: String) -> RunEvent? {
        switch event {
        case .connectingToTor: .connectingToTor(socks)
        case .connectingDirectly(let host, let port): .note("Connecting directly to \(host):\(port) (tests only)")
        case .reachingService(let host, let port): .reachingOnion(host: host, port: Int(port))
        case .connected: nil
        case .tlsEstablished(let version, _): .note("TLS established (\(version))")
        case .certificateChecked(let trust, let sha256): .certificate(sha256: sha256, trust: trust.explanation)
        case .registering: .registering(jid: jid)
        case .registered: nil
        case .verifying: .verifying(jid: jid)
        case .bound: nil
        case .captchaRetry(let attempt, let limit): .captchaRetry(attempt: attempt, of: limit)
        case .storingBookmark(let room): .storingBookmark(room: room)
        case .bookmarkStored(let outcome):
            // A failed bookmark is a warning: the account exists by then.
            outcome.warnings.isEmpty ? nil : .bookmarkWarning(outcome.warnings.joined(separator: "; "))
        }
    }

    static func summary(_ info: CertificateInfo) -> CertificateSummary {
        CertificateSummary(subject: info.subject, subjectAltNames: info.subjectAlternativeNames, issuer: info.issuer,
                           notAfter: info.notAfter.map { ISO8601DateFormatter().string(from: $0) } ?? "unknown",
                           sha256: info.sha256, overOnion: info.overOnion)
    }

    /// The fields the server wants beyond username and password; a CAPTCHA carries its
    /// inline image (the frontend shows it) and the fallback page, never a fetched URL.
    static func fields(_ form: RegistrationForm, webRegistrationURL: String? = nil) -> [RegistrationField] {
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
            }
            return result
        }
    }
}

/// Hands the run's callbacks to XMPPOverTor's @Sendable closures. They are only called
/// on the registering thread (the one that called `register`).
private final class CallbackBox: @unchecked Sendable {
    let callbacks: RegistrationCallbacks
    init(_ callbacks: RegistrationCallbacks) { self.callbacks = callbacks }
}
