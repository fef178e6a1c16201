import Vocabulary
import Diagnostics
import Localization

/// What reaching a provider found out before the account is asked for: the onion
/// answered, TLS is up, and this is the certificate Pidgin will be shown (the server
/// chose it for the connect server, the onion, as libpurple sends it). No account
/// question has been put to the server yet, so no server clock (ejabberd closes a
/// client that has not authenticated within ~30 s) runs while the person reads it.
public struct ProviderReach: Sendable, Equatable {
    public var certificate: CertificateSummary
    public var verdict: CertificateVerdict
    /// From the start of the attempt to the end of the TLS handshake.
    public var seconds: Double
    /// The leaf as PEM (to pin it when a renewal is vouched for).
    public var certificatePEM: String
    /// What the registration form said, when the attempt fetched it (a probe); nil otherwise.
    public var registration: ProviderCheck.Registration?
    /// The server supports invitations (XEP-0445), so it may want one.
    public var invitationsAdvertised = false
    /// Fields the form asks for beyond username, password and a CAPTCHA.
    public var extraFields: [String] = []
    /// A round trip over the circuit (single-flight exchanges), when measured.
    public var roundTripSeconds: Double?

    public init(certificate: CertificateSummary, verdict: CertificateVerdict, seconds: Double, certificatePEM: String = "",
                registration: ProviderCheck.Registration? = nil, invitationsAdvertised: Bool = false,
                extraFields: [String] = [], roundTripSeconds: Double? = nil) {
        self.certificate = certificate
        self.verdict = verdict
        self.seconds = seconds
        self.certificatePEM = certificatePEM
        self.registration = registration
        self.invitationsAdvertised = invitationsAdvertised
        self.extraFields = extraFields
        self.roundTripSeconds = roundTripSeconds
    }
}

/// What vouches for a certificate, decided without asking anyone. A pin mismatch is
/// not a verdict: the attempt fails with the registration layer's error.
public enum CertificateVerdict: String, Sendable, Equatable, Codable {
    /// It matches the provider map's pin.
    case pinned
    /// Valid for the XMPP domain through a certificate authority this computer trusts.
    case authority
    /// It matches `--accept-fingerprint`.
    case acceptedInAdvance = "accepted-in-advance"
    /// Nothing vouches for it: a person decides (trust on first use).
    case unknown
}

/// A connection attempt started as soon as the provider is known (the warm-up): it
/// builds the Tor circuit and reads the certificate while the person answers the
/// other questions. Thread-safe; the work runs in the background.
public protocol ReachAttempt: AnyObject, Sendable {
    /// The target it reaches (the runner reuses it only for the same target).
    var target: ConnectionTarget { get }
    /// The outcome once the attempt has ended, waiting at most `seconds` for it; nil
    /// while it still runs.
    func outcome(waitingUpTo seconds: Double) -> Result<ProviderReach, Error>?
}

extension ReachAttempt {
    /// The outcome if the attempt has already ended, without waiting.
    public var finishedOutcome: Result<ProviderReach, Error>? { outcome(waitingUpTo: 0) }
}

/// An unknown certificate in a run that has nobody to ask (non-interactive).
public struct UnconfirmedCertificate: ClassifiedError, Equatable {
    public let sha256: String
    public let domain: String

    public init(sha256: String, domain: String) {
        self.sha256 = sha256
        self.domain = domain
    }

    public var category: ErrorCategory { .untrustedCertificate }
    public var description: String {
        translated("""
            the certificate of \(domain) is not pinned by the provider map and no certificate authority vouches for it \
            (SHA-256 \(sha256)); a run without questions cannot ask you. Check the fingerprint with the provider, \
            then pass --accept-fingerprint \(sha256). Nothing was registered or written.
            """)
    }
}
