import Diagnostics
import FoundationEssentials
import Localization
import Vocabulary

/// What a live check of a provider over Tor found (the wizard checks every provider it
/// offers when it starts; `onionboard providers check` does the same on request and both
/// keep the result with its time). Nothing was created on the provider.
public struct ProviderCheck: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Equatable, Codable {
        /// The onion answered and TLS is up.
        case reachable
        /// The onion or the server did not answer (or refused the certificate's pin).
        case unreachable
        /// Tor itself was not there (its SOCKS port refused): the provider was not checked.
        case torUnavailable = "tor-unavailable"
    }

    /// What the registration form (fetched, never submitted) said.
    public enum Registration: String, Sendable, Equatable, Codable {
        /// A form without a challenge: an account can be created without a person.
        case open
        /// A form with a CAPTCHA: a person must solve it.
        case captcha
        case inviteOnly = "invite-only"
        /// No in-band registration.
        case closed
        /// Registration happens on a web page.
        case webOnly = "web-only"
        case unknown
    }

    public var domain: String
    public var onion: String
    public var outcome: Outcome
    /// Why it is unreachable, in words (the same as a failed connection says).
    public var reason: String?
    /// From the start of the check to the end of the TLS handshake.
    public var seconds: Double?
    public var registration: Registration?
    /// The server supports invitations (it may refuse registrations without one).
    public var invitationsAdvertised: Bool
    /// Fields the form asks for beyond username and password (and the CAPTCHA's).
    public var extraFields: [String]
    /// A round trip over the circuit, estimated from single-flight exchanges.
    public var roundTripSeconds: Double?
    public var certificateSHA256: String?
    /// SHA-1 of the same certificate: the only fingerprint Pidgin's certificate dialog shows
    /// (the generated guide asks the person to compare it). Nil in checks kept by older versions.
    public var certificateSHA1: String?
    /// When it was checked (seconds since 1970).
    public var checkedAt: Double

    public init(domain: String, onion: String, outcome: Outcome, reason: String? = nil, seconds: Double? = nil,
                registration: Registration? = nil, invitationsAdvertised: Bool = false, extraFields: [String] = [],
                roundTripSeconds: Double? = nil, certificateSHA256: String? = nil, checkedAt: Double) {
        self.domain = domain
        self.onion = onion
        self.outcome = outcome
        self.reason = reason
        self.seconds = seconds
        self.registration = registration
        self.invitationsAdvertised = invitationsAdvertised
        self.extraFields = extraFields
        self.roundTripSeconds = roundTripSeconds
        self.certificateSHA256 = certificateSHA256
        self.checkedAt = checkedAt
    }

    /// From the outcome of a reach attempt that checked the registration form too.
    public init(provider: ProviderChoice, outcome result: Result<ProviderReach, Error>, checkedAt: Double) {
        switch result {
        case .success(let reach):
            self.init(domain: provider.domain, onion: provider.onion, outcome: .reachable, seconds: reach.seconds,
                      registration: reach.registration, invitationsAdvertised: reach.invitationsAdvertised,
                      extraFields: reach.extraFields, roundTripSeconds: reach.roundTripSeconds,
                      certificateSHA256: reach.certificate.sha256, checkedAt: checkedAt)
            certificateSHA1 = reach.certificate.sha1
        case .failure(let error):
            let failure = error as? ReachFailure
            self.init(domain: provider.domain, onion: provider.onion,
                      outcome: failure?.torUnavailable == true ? .torUnavailable : .unreachable,
                      reason: failure?.brief ?? String(describing: error), checkedAt: checkedAt)
        }
    }

    /// Whether an account can be created here without a person (no CAPTCHA, no other field
    /// to fill, no sign that an invitation is wanted).
    public var registersWithoutPerson: Bool {
        outcome == .reachable && registration == .open && extraFields.isEmpty && !invitationsAdvertised
    }
    /// Whether an account can be created here at all (perhaps with a CAPTCHA).
    public var registers: Bool { outcome == .reachable && (registration == .open || registration == .captcha) }

    /// Lower is better: open without CAPTCHA, with CAPTCHA, answered but unclear, not checked,
    /// answered but registers nobody, unreachable.
    public var rank: Int {
        if registersWithoutPerson { return 0 }
        return switch (outcome, registration) {
        case (.reachable, .open?) where !invitationsAdvertised: 1
        case (.reachable, .captcha?): 1
        case (.reachable, .open?), (.reachable, .unknown?), (.reachable, nil): 2
        case (.torUnavailable, _): 3
        case (.reachable, _): 4
        case (.unreachable, _): 5
        }
    }

    /// "reached in 4 s: open registration, no CAPTCHA", "unreachable: …".
    public var summary: String {
        switch outcome {
        case .torUnavailable: return translated("not checked: Tor is not connected")
        case .unreachable: return translated("unreachable: \(reason ?? translated("no answer"))")
        case .reachable:
            var text = seconds.map { translated("reachable in \(Self.duration($0))") } ?? translated("reachable")
            text += translated(", ")
            switch registration {
            case .open?: text += translated("open registration, no CAPTCHA")
            case .captcha?: text += translated("open registration with a CAPTCHA")
            case .inviteOnly?: text += translated("registration by invitation only")
            case .closed?: text += translated("no in-app registration")
            case .webOnly?: text += translated("registration on its web page only")
            case .unknown?, nil: text += translated("registration unclear")
            }
            // Translators: {0} lists the names of form fields, as the server sent them.
            if !extraFields.isEmpty { text += " " + translated("(it also asks for \(extraFields.joined(separator: translated(", "))))") }
            if invitationsAdvertised && registration == .open { text += " " + translated("(invitations supported: it may want one)") }
            return text
        }
    }

    /// `summary`, prefixed with how long ago when the check is not this run's own.
    public func summary(now: Double, own: Bool) -> String {
        // Translators: {0} is how long ago, e.g. "2 minutes".
        own ? summary : translated("checked \(Self.age(now - checkedAt)) ago: \(summary)")
    }

    /// "2 minutes", "1 hour", "3 days".
    public static func age(_ seconds: Double) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return translated(one: "\(s) second", other: "\(s) seconds", count: s) }
        if s < 3600 { return translated(one: "\(s / 60) minute", other: "\(s / 60) minutes", count: s / 60) }
        if s < 86400 { return translated(one: "\(s / 3600) hour", other: "\(s / 3600) hours", count: s / 3600) }
        return translated(one: "\(s / 86400) day", other: "\(s / 86400) days", count: s / 86400)
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 10 ? seconds.decimalText(fractionDigits: 1) + " s" : "\(Int(seconds.rounded())) s"
    }
}

/// A failed reach attempt, as the registration layer reported it (category and words kept).
public struct ReachFailure: ClassifiedError {
    public let category: ErrorCategory
    public let message: String
    /// The same in a few words (for a line in a list).
    public let brief: String
    /// Tor's SOCKS port was not there: the provider itself was not checked.
    public let torUnavailable: Bool

    public init(category: ErrorCategory, message: String, brief: String? = nil, torUnavailable: Bool) {
        self.category = category
        self.message = message
        self.brief = brief ?? message
        self.torUnavailable = torUnavailable
    }

    public var description: String { message }
}

/// Where the checks are kept between runs (an adapter: the user's state directory), so a
/// run can say "checked 2 minutes ago" before its own check is in.
public protocol ProviderCheckStore: Sendable {
    /// The kept checks by domain (newest per domain); empty when there are none.
    func load() -> [String: ProviderCheck]
    /// Keeps `checks` (replacing older ones of the same domains); failures are ignored.
    func save(_ checks: [ProviderCheck])
}
