import Diagnostics
import FoundationEssentials
import Vocabulary
import Localization

/// A live check of one provider over Tor that creates nothing: reach the onion (on the
/// circuit of the given isolation credentials), secure the stream, record the certificate,
/// read the stream features and fetch — never submit — the registration form. The same
/// SOCKS, TLS and stream code as registration (`AccountSession`), so what it sees is what
/// a registration would meet. Every phase ends by the probe's own deadline.
public enum ProviderProbe {
    /// `.warmUp`: the one connection the wizard makes ahead of registration (SNI = the
    /// onion, the route the run will take). `.full`: that, plus the certificate shown for
    /// SNI = the domain, and direct TLS on its port when one is known (`providers check`).
    public enum Depth: Sendable { case warmUp, full }

    /// Probes `endpoint` (its port and TLS mode are the main route; its pins are checked,
    /// never enforced). `directTLSPort`: also tried at `.full` depth. `deadline`: the whole
    /// probe's budget in seconds; `options.timeouts` still bound each phase within it.
    public static func run(_ endpoint: Endpoint, directTLSPort: UInt16? = nil, proxy: Proxy,
                           options: SessionOptions = SessionOptions(), depth: Depth = .full,
                           deadline seconds: Double) -> ProbeReport {
        check(endpoint, directTLSPort: directTLSPort, proxy: proxy, options: options, depth: depth, deadline: seconds).report
    }

    /// `run`'s report with what a warm-up needs besides: the error that ended the probe
    /// (its own type, for the caller's messages and exit codes), and the main certificate
    /// in full with why it would be refused.
    public struct Outcome: Sendable {
        public var report: ProbeReport
        public var error: Error?
        public var certificate: CertificateInfo?
        public var certificateProblem: CertificateError?
    }

    public static func check(_ endpoint: Endpoint, directTLSPort: UInt16? = nil, proxy: Proxy,
                             options: SessionOptions = SessionOptions(), depth: Depth = .full,
                             deadline seconds: Double) -> Outcome {
        var outcome = Outcome(report: ProbeReport(domain: endpoint.domain, host: endpoint.host, port: Int(endpoint.port),
                                                  directTLSPort: directTLSPort.map(Int.init), deadlineSeconds: seconds))
        let started = Deadline.now()
        outcome.report = probe(endpoint, directTLSPort: directTLSPort, proxy: proxy, options: options, depth: depth,
                               deadline: seconds, outcome: &outcome)
        outcome.report.seconds = Deadline.seconds(since: started)
        return outcome
    }

    private static func probe(_ endpoint: Endpoint, directTLSPort: UInt16?, proxy: Proxy, options: SessionOptions,
                              depth: Depth, deadline seconds: Double, outcome: inout Outcome) -> ProbeReport {
        let started = Deadline.now()
        let limit = Deadline(seconds: seconds, phase: "the probe")
        var options = options
        options.timeouts.limit = limit.capped(by: options.timeouts.limit)
        if endpoint.isOnion, options.serverNameOverride == nil { options.serverNameOverride = endpoint.host.lowercased() }
        var report = ProbeReport(domain: endpoint.domain, host: endpoint.host, port: Int(endpoint.port),
                                 directTLSPort: directTLSPort.map(Int.init), deadlineSeconds: seconds)

        // The main stream: the route the registration will take, SNI as Pidgin sends it.
        var main = CertificateObservation(port: Int(endpoint.port), tls: endpoint.tlsMode,
                                          serverName: options.serverNameOverride ?? endpoint.domain)
        var phase = "reaching the onion through Tor"
        do {
            let tcp = try AccountSession.connect(endpoint: endpoint, proxy: proxy, timeouts: options.timeouts, events: { _ in })
            report.connectSeconds = Deadline.seconds(since: started)
            report.reachable = true
            phase = endpoint.tlsMode == .startTLS ? "opening the stream and STARTTLS" : "the direct-TLS handshake"
            let session = try AccountSession(tcp: tcp, endpoint: endpoint, options: options, intent: .probe, events: { _ in })
            defer { session.close() }
            report.reachSeconds = Deadline.seconds(since: started)
            if endpoint.tlsMode == .startTLS { report.startTLS = true } else { report.directTLS = true }
            main.record(session)
            report.certificates.append(main)
            outcome.certificate = session.certificate
            outcome.certificateProblem = session.certificateProblem
            report.mechanisms = session.features?.mechanisms ?? []
            phase = "the registration form"
            let reply = try session.readPrefetchedFormReply()
            report.registration = observe(formReply: reply, features: session.features)
            report.roundTripSeconds = median(session.timings.roundTrips)
        } catch {
            if report.certificates.isEmpty, main.sha256 == nil, report.reachable {
                main.failure = String(describing: error)
                report.certificates.append(main)
            }
            if endpoint.tlsMode == .startTLS, case StreamError.tlsNotOffered = error { report.startTLS = false }
            report.failure = failure(error, phase: phase, limit: limit)
            outcome.error = error
            return report
        }
        guard depth == .full else { return report }

        // The same circuit (same credentials): each further stream costs a round trip or two.
        var others: [(port: UInt16, mode: TLSMode, serverName: String?)] = []
        if endpoint.tlsMode == .startTLS, endpoint.isOnion { others.append((endpoint.port, .startTLS, nil)) }
        if let directTLSPort, directTLSPort != endpoint.port || endpoint.tlsMode != .directTLS {
            if endpoint.isOnion { others.append((directTLSPort, .directTLS, endpoint.host.lowercased())) }
            others.append((directTLSPort, .directTLS, nil))
        }
        for other in others {
            guard limit.secondsLeft > 0 else { break }
            var target = endpoint
            target.port = other.port
            target.tlsMode = other.mode
            var otherOptions = options
            otherOptions.serverNameOverride = other.serverName
            var observation = CertificateObservation(port: Int(other.port), tls: other.mode,
                                                     serverName: other.serverName ?? endpoint.domain)
            do {
                let session = try AccountSession.open(endpoint: target, proxy: proxy, options: otherOptions,
                                                      intent: .probeCertificate)
                defer { session.close() }
                observation.record(session)
                if other.mode == .directTLS { report.directTLS = true }
            } catch {
                observation.failure = String(describing: error)
                if other.mode == .directTLS, report.directTLS == nil { report.directTLS = false }
            }
            report.certificates.append(observation)
        }
        return report
    }

    /// What the answer to the form get says (XEP-0077 §3.1; Prosody's and ejabberd's real answers).
    static func observe(formReply reply: XMLElement?, features: StreamFeatures?) -> RegistrationObservation {
        let advertised = features?.element.child("register", namespace: ProbeNamespace.registerFeature) != nil
        let invitations = features?.offersInviteToken == true
            || features?.element.child("register", namespace: ProbeNamespace.invite) != nil
        var observation = RegistrationObservation(kind: .unknown, advertised: advertised, invitationsAdvertised: invitations)
        guard let reply else { return observation }
        if reply[attribute: "type"] == "error" {
            let error = StanzaError(iq: reply)
            observation.error = "\(error.type)/\(error.condition)"
            observation.errorText = error.text
            switch error.condition {
            case "not-acceptable" where error.text?.lowercased().contains("invit") == true:
                observation.kind = .inviteOnly
            case "service-unavailable", "not-allowed", "forbidden", "feature-not-implemented", "registration-required":
                observation.kind = .closed
            default:
                observation.kind = .unknown
            }
            return observation
        }
        let form = RegistrationForm(iq: reply)
        observation.instructions = form.dataForm?.instructions.first { !$0.isEmpty } ?? form.instructions
        observation.webURL = form.outOfBandURL
        if let dataForm = form.dataForm {
            observation.fields = dataForm.fields.compactMap { field in
                guard let variable = field.variable, !field.isHidden, field.type != "fixed" else { return nil }
                return variable
            }
        } else {
            observation.fields = form.legacyFields
        }
        observation.kind = form.isWebOnly ? .webOnly : form.hasCAPTCHA ? .captcha : form.dataForm != nil ? .dataForm : .legacyFields
        return observation
    }

    static func failure(_ error: Error, phase: String, limit: Deadline) -> ProbeFailure {
        var torUnavailable = false
        switch error {
        case ConnectionError.refused(_, _, viaTor: true): torUnavailable = true
        case SOCKS5Error.notSOCKS5, SOCKS5Error.noAcceptableMethod, SOCKS5Error.authenticationRejected,
             SOCKS5Error.unofferedMethodChosen: torUnavailable = true
        default: break
        }
        var timedOut = false
        if case ConnectionError.timedOut = error { timedOut = limit.secondsLeft <= 0 }
        return ProbeFailure(phase: phase, message: String(describing: error), brief: brief(error),
                            category: error.category, torUnavailable: torUnavailable, timedOut: timedOut)
    }

    /// A failure in a few words, without the onion address (a list names the provider).
    public static func brief(_ error: Error) -> String {
        switch error {
        case SOCKS5Error.reply(let code, _):
            switch code {
            case 0xF0: return translated("not in the Tor network (no descriptor: offline, or a wrong address)")
            case 0xF1: return translated("its descriptor is invalid")
            case 0xF2, 0xF7: return translated("the introduction failed: probably offline")
            case 0xF3: return translated("the rendezvous failed")
            case 0x01: return translated("Tor could not connect (general failure)")
            case 0x04: return translated("unreachable through Tor")
            case 0x05: return translated("nothing listens on that port")
            case 0x06: return translated("timed out inside Tor")
            default: return translated("Tor could not connect (SOCKS reply 0x\(String(code, radix: 16)))")
            }
        case ConnectionError.timedOut(let phase, let seconds):
            // Translators: {1} names the step that timed out, in English (for a report).
            return translated("no answer within \(Int(seconds)) s (\(phase))")
        case ConnectionError.closedByPeer(let phase):
            return translated("the server closed the connection (\(phase))")
        case ConnectionError.refused(_, _, viaTor: true):
            return translated("Tor is not running")
        default:
            return String(describing: error)
        }
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

private enum ProbeNamespace {
    static let registerFeature = "http://jabber.org/features/iq-register"
    /// Prosody's mod_invites_register advertises it next to `urn:xmpp:ibr-token:0`.
    static let invite = "urn:xmpp:invite"
}
