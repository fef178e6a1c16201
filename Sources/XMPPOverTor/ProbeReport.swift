import Diagnostics
import Foundation
import Vocabulary

/// How long the steps of one session took (seconds): a probe's round-trip estimate.
public struct SessionTimings: Sendable, Equatable, Codable {
    /// Stream header (+ `<starttls/>`) sent → the server's features read: one round trip.
    public var streamOpened: Double?
    /// The TLS handshake (one round trip in TLS 1.3, two in 1.2).
    public var tlsHandshake: Double?
    /// The restart over TLS (+ the form get) sent → the features read: one round trip.
    public var streamRestarted: Double?

    public init() {}

    /// The single-round-trip flights measured, in order.
    public var roundTrips: [Double] { [streamOpened, streamRestarted].compactMap { $0 } }
}

/// What the server's answer to the registration form get (XEP-0077 §3.1) says about
/// creating an account from a client. The form is fetched, never submitted.
public enum RegistrationKind: String, Sendable, Equatable, Codable, CaseIterable {
    /// Plain fields (`<username/><password/>`): open.
    case legacyFields = "legacy-fields"
    /// An XEP-0004 form without a challenge: open.
    case dataForm = "data-form"
    /// A form with a challenge (XEP-0158): open, but a person must solve it.
    case captcha
    /// The server says registration is by invitation only.
    case inviteOnly = "invite-only"
    /// Refused (`service-unavailable`, `not-allowed`, `forbidden`, …): no in-band registration.
    case closed
    /// Only instructions or an out-of-band URL: registration on a web page.
    case webOnly = "web-only"
    /// Another answer.
    case unknown

    /// Whether a client may create an account here (a person may have to solve a CAPTCHA).
    public var isOpen: Bool { self == .legacyFields || self == .dataForm || self == .captcha }
}

/// The registration form as a probe saw it.
public struct RegistrationObservation: Sendable, Equatable, Codable {
    public var kind: RegistrationKind
    /// The stream feature `http://jabber.org/features/iq-register` after TLS (only a MAY).
    public var advertised: Bool
    /// `urn:xmpp:ibr-token:0` or `urn:xmpp:invite` advertised: invitations work here (a
    /// server may then refuse registrations without one only at submission).
    public var invitationsAdvertised: Bool
    /// The fields the form asks for (data-form variables or legacy names, hidden ones left out).
    public var fields: [String]
    /// The server's instructions (server text: sanitise before showing).
    public var instructions: String?
    /// An out-of-band (web) registration URL the server gave.
    public var webURL: String?
    /// `type/condition` of an error answer.
    public var error: String?
    /// The server's text of an error answer.
    public var errorText: String?

    public init(kind: RegistrationKind, advertised: Bool, invitationsAdvertised: Bool, fields: [String] = [],
                instructions: String? = nil, webURL: String? = nil, error: String? = nil, errorText: String? = nil) {
        self.kind = kind
        self.advertised = advertised
        self.invitationsAdvertised = invitationsAdvertised
        self.fields = fields
        self.instructions = instructions
        self.webURL = webURL
        self.error = error
        self.errorText = errorText
    }

    /// Fields beyond username and password and the CAPTCHA's own (an e-mail address…).
    public var extraFields: [String] {
        let ours: Set<String> = ["username", "password", "ocr", "captcha-fallback-url", "captcha-fallback-text", "url",
                                 "captchahidden", "qa", "picture_recog", "audio_recog"]
        return fields.filter { !ours.contains($0) }
    }
}

/// The certificate one TLS handshake showed (a port, a TLS mode, a server name).
public struct CertificateObservation: Sendable, Equatable, Codable {
    public var port: Int
    public var tls: String
    /// The SNI sent: the onion (what Pidgin sends for an onion connect server) or the domain.
    public var serverName: String
    public var sha256: String?
    public var spkiSHA256: String?
    /// What Pidgin's certificate dialog shows (its only fingerprint); for people to compare.
    public var sha1: String?
    public var subject: String?
    public var issuer: String?
    public var subjectAltNames: [String]
    public var notAfter: Date?
    /// The chain is valid against this computer's CAs and names the XMPP domain.
    public var validForDomainByCA: Bool?
    /// How it would be trusted now (nil: nothing vouches: a person would be asked).
    public var trust: CertificateTrust?
    /// Why it would be refused (a pin that does not match).
    public var problem: String?
    public var tlsVersion: String?
    /// The handshake failed for this server name (e.g. Prosody's direct TLS and an onion SNI).
    public var failure: String?

    init(port: Int, tls: TLSMode, serverName: String) {
        self.port = port
        self.tls = tls.rawValue
        self.serverName = serverName
        subjectAltNames = []
    }

    mutating func record(_ session: AccountSession) {
        sha256 = session.certificate.sha256
        spkiSHA256 = session.certificate.spkiSHA256
        sha1 = session.certificate.sha1.isEmpty ? nil : session.certificate.sha1
        subject = session.certificate.subject
        issuer = session.certificate.issuer
        subjectAltNames = session.certificate.subjectAlternativeNames
        notAfter = session.certificate.notAfter
        validForDomainByCA = session.certificate.validForDomainBySystemCAs
        trust = session.certificateTrust
        problem = session.certificateProblem.map(String.init(describing:))
        tlsVersion = session.tlsVersion
    }
}

/// Why a probe ended early.
public struct ProbeFailure: Sendable, Equatable, Codable {
    /// What the probe was doing ("reaching the onion", "TLS", "the registration form").
    public var phase: String
    public var message: String
    /// The same in a few words, for a line in a list ("not in the Tor network …").
    public var brief: String
    public var category: ErrorCategory
    /// The failure is Tor's SOCKS port (not running, not Tor), not the provider: the
    /// provider was not checked at all.
    public var torUnavailable: Bool
    /// The probe's own deadline passed.
    public var timedOut: Bool
}

/// One provider checked live over Tor, without creating anything.
public struct ProbeReport: Sendable, Equatable, Codable {
    public var domain: String
    public var host: String
    public var port: Int
    public var directTLSPort: Int?
    /// Connected through Tor (the SOCKS CONNECT succeeded) and spoke XMPP.
    public var reachable: Bool
    /// TCP to Tor + SOCKS CONNECT (descriptor, introduction, rendezvous on a fresh circuit).
    public var connectSeconds: Double?
    /// From the start to the end of the first TLS handshake.
    public var reachSeconds: Double?
    /// The server offered STARTTLS on the client port (nil: not tried).
    public var startTLS: Bool?
    /// A direct-TLS handshake succeeded on the direct-TLS port (nil: not tried).
    public var directTLS: Bool?
    /// Every handshake made: the main one first (SNI = the onion), then the others (full probes).
    public var certificates: [CertificateObservation]
    public var registration: RegistrationObservation?
    /// SASL mechanisms offered after TLS.
    public var mechanisms: [String]
    /// Single-round-trip flights over the circuit (median), a round-trip estimate.
    public var roundTripSeconds: Double?
    public var seconds: Double
    /// The deadline the probe had.
    public var deadlineSeconds: Double
    public var failure: ProbeFailure?

    init(domain: String, host: String, port: Int, directTLSPort: Int?, deadlineSeconds: Double) {
        self.domain = domain
        self.host = host
        self.port = port
        self.directTLSPort = directTLSPort
        self.deadlineSeconds = deadlineSeconds
        reachable = false
        certificates = []
        mechanisms = []
        seconds = 0
    }

    /// A check that gave no result by `deadline` (its runner stopped waiting).
    public static func unanswered(domain: String, host: String, port: Int, deadline: Double) -> ProbeReport {
        var report = ProbeReport(domain: domain, host: host, port: port, directTLSPort: nil, deadlineSeconds: deadline)
        report.seconds = deadline
        report.failure = ProbeFailure(phase: "the check", message: "no result within its deadline of \(Int(deadline)) s",
                                      brief: "no answer within \(Int(deadline)) s", category: .unreachable,
                                      torUnavailable: false, timedOut: true)
        return report
    }

    /// The certificate of the main handshake (what Pidgin is shown), if it got that far.
    public var mainCertificate: CertificateObservation? { certificates.first { $0.sha256 != nil } }
}
