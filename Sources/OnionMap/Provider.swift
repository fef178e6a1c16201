// onionboard — GPL-3.0-or-later.

/// Whether a provider lets new users create an account from the client (XEP-0077).
public enum Registration: String, Sendable, Codable, CaseIterable {
    case yes
    case no
    case unknown
    /// Only with an invitation token (XEP-0401/0445).
    case inviteOnly = "invite-only"
}

/// Where a fact about a provider comes from.
public struct ProviderSource: Sendable, Equatable, Codable {
    public let name: String
    public let url: String?
    public let commit: String?
    /// "YYYY-MM-DD" (or "YYYY-MM", "YYYY" when only that is known).
    public let date: String?

    public init(name: String, url: String? = nil, commit: String? = nil, date: String? = nil) {
        self.name = name
        self.url = url
        self.commit = commit
        self.date = date
    }
}

/// When the entry was last checked, and how ("never probed live; listed by X on DATE").
public struct Verification: Sendable, Equatable, Codable {
    public let date: String?
    public let what: String

    public init(date: String?, what: String) {
        self.date = date
        self.what = what
    }
}

/// An XMPP provider reachable over a v3 onion service, with what we know about it.
public struct Provider: Sendable, Equatable {
    /// The XMPP domain (lower case): the part after "@" in the account's JID.
    public let domain: String
    public let onion: OnionAddress
    /// The client-to-server port on the onion (STARTTLS); 5222 unless known otherwise.
    public let clientPort: Int
    /// A direct-TLS (XEP-0368) port on the onion, if known.
    public let directTLSPort: Int?
    public let registration: Registration
    /// Whether in-band registration asks for a CAPTCHA; nil when unknown.
    public let captcha: Bool?
    public let webRegistrationURL: String?
    /// SHA-256 of the server certificate's DER, lower-case hex without colons, if pinned.
    public let pinSHA256: String?
    public let notes: String
    public let sources: [ProviderSource]
    public let lastVerified: Verification?
    /// Which file defined this entry last ("bundled" or the path given with --providers).
    public let origin: String
    /// SHA-256 of the server certificate's SubjectPublicKeyInfo, lower-case hex, if the key
    /// is pinned (it survives renewals that keep the key).
    public let spkiSHA256: String?
    /// The provider's web site.
    public let website: String?
    /// Where its servers are (ISO 3166 alpha-2, lower case), as listed: the jurisdiction,
    /// as far as the data says.
    public let serverLocations: [String]
    /// Server software and version, as listed.
    public let serverSoftware: String?
    /// Who runs it ("private person", "non-governmental", "company"…), as listed.
    public let organization: String?
    /// When the domain is an onion itself (accounts `name@<onion>`): the provider running it.
    public let operatedBy: String?
    /// Where the sources disagree, one sentence each (made visible, never settled by guessing).
    public let disagreements: [String]

    public init(domain: String, onion: OnionAddress, clientPort: Int = 5222, directTLSPort: Int? = nil,
                registration: Registration = .unknown, captcha: Bool? = nil,
                webRegistrationURL: String? = nil, pinSHA256: String? = nil, notes: String = "",
                sources: [ProviderSource] = [], lastVerified: Verification? = nil, origin: String,
                spkiSHA256: String? = nil, website: String? = nil, serverLocations: [String] = [],
                serverSoftware: String? = nil, organization: String? = nil, operatedBy: String? = nil,
                disagreements: [String] = []) {
        self.spkiSHA256 = spkiSHA256
        self.website = website
        self.serverLocations = serverLocations
        self.serverSoftware = serverSoftware
        self.organization = organization
        self.operatedBy = operatedBy
        self.disagreements = disagreements
        self.domain = domain.lowercased()
        self.onion = onion
        self.clientPort = clientPort
        self.directTLSPort = directTLSPort
        self.registration = registration
        self.captcha = captcha
        self.webRegistrationURL = webRegistrationURL
        self.pinSHA256 = pinSHA256
        self.notes = notes
        self.sources = sources
        self.lastVerified = lastVerified
        self.origin = origin
    }

    /// True when a user can create an account from the client without an invitation.
    public var allowsInBandRegistration: Bool { registration == .yes }

    /// True when the XMPP domain is the onion itself (accounts `name@<onion>`).
    public var isOnionDomain: Bool { domain.hasSuffix(".onion") }

    /// "yes, CAPTCHA", "no", "unknown", ... for one-line listings.
    public var registrationSummary: String {
        switch (registration, captcha) {
        case (.yes, true?), (.inviteOnly, true?): "\(registration.rawValue), CAPTCHA"
        case (.yes, false?), (.inviteOnly, false?): "\(registration.rawValue), no CAPTCHA"
        case (.yes, nil), (.inviteOnly, nil): "\(registration.rawValue), CAPTCHA unknown"
        default: registration.rawValue
        }
    }

    /// A copy with another onion (a later map file moved the provider).
    func replacingOnion(_ onion: OnionAddress, origin: String, source: ProviderSource) -> Provider {
        Provider(domain: domain, onion: onion, clientPort: clientPort, directTLSPort: directTLSPort,
                 registration: registration, captcha: captcha, webRegistrationURL: webRegistrationURL,
                 pinSHA256: pinSHA256, notes: notes, sources: sources + [source],
                 lastVerified: lastVerified, origin: origin, spkiSHA256: spkiSHA256, website: website,
                 serverLocations: serverLocations, serverSoftware: serverSoftware, organization: organization,
                 operatedBy: operatedBy, disagreements: disagreements)
    }
}

extension Provider: Encodable {
    private enum CodingKeys: String, CodingKey {
        case domain, onion, clientPort, directTLSPort, registration, captcha, webRegistrationURL
        case certificateSHA256, spkiSHA256, website, serverLocations, serverSoftware, organization, operatedBy
        case disagreements, notes, sources, lastVerified, origin
    }

    /// The metadata file's field names, so a listing can be edited into a metadata file.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(domain, forKey: .domain)
        try container.encode(onion.hostname, forKey: .onion)
        try container.encode(clientPort, forKey: .clientPort)
        try container.encode(directTLSPort, forKey: .directTLSPort)
        try container.encode(registration, forKey: .registration)
        try container.encode(captcha, forKey: .captcha)
        try container.encode(webRegistrationURL, forKey: .webRegistrationURL)
        try container.encode(pinSHA256, forKey: .certificateSHA256)
        try container.encode(spkiSHA256, forKey: .spkiSHA256)
        try container.encode(website, forKey: .website)
        try container.encode(serverLocations, forKey: .serverLocations)
        try container.encode(serverSoftware, forKey: .serverSoftware)
        try container.encode(organization, forKey: .organization)
        try container.encode(operatedBy, forKey: .operatedBy)
        try container.encode(disagreements, forKey: .disagreements)
        try container.encode(notes, forKey: .notes)
        try container.encode(sources, forKey: .sources)
        try container.encode(lastVerified, forKey: .lastVerified)
        try container.encode(origin, forKey: .origin)
    }
}
