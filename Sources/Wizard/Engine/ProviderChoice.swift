import Localization

/// A provider as the wizard sees it: what it needs to offer it, order it and plan a
/// connection. The adapter from the provider map (OnionMap) builds these.
public struct ProviderChoice: Sendable, Equatable, Codable {
    public enum Registration: String, Sendable, Equatable, Codable, CaseIterable {
        /// In-band registration (XEP-0077) from the client.
        case open
        /// Registration needs an invitation token.
        case invite
        /// No in-band registration (use the web registration URL, if any).
        case closed
        case unknown
    }

    /// The XMPP domain (`example.org`); the part after @ of the new address.
    public var domain: String
    /// The v3 onion to dial (`…56 chars….onion`).
    public var onion: String
    /// The STARTTLS client port on the onion (5222 unless the map says otherwise).
    public var clientPort: Int
    /// The direct-TLS port (XEP-0368), when the provider has one.
    public var directTLSPort: Int?
    public var registration: Registration
    /// Whether in-band registration shows a CAPTCHA; nil when unknown.
    public var captcha: Bool?
    public var webRegistrationURL: String?
    /// SHA-256 of the server certificate's DER, lower-case hex, when the map pins it.
    public var pinSHA256: String?
    public var notes: String?
    /// SHA-256 of the certificate's SubjectPublicKeyInfo, when the map pins the key (it
    /// survives renewals that keep the key).
    public var spkiSHA256: String?
    /// What a person may want to know before choosing (details on request).
    public var details: ProviderDetails?

    public init(domain: String, onion: String, clientPort: Int = 5222, directTLSPort: Int? = nil,
                registration: Registration, captcha: Bool? = nil, webRegistrationURL: String? = nil,
                pinSHA256: String? = nil, notes: String? = nil, spkiSHA256: String? = nil, details: ProviderDetails? = nil) {
        self.spkiSHA256 = spkiSHA256
        self.details = details
        self.domain = domain
        self.onion = onion
        self.clientPort = clientPort
        self.directTLSPort = directTLSPort
        self.registration = registration
        self.captcha = captcha
        self.webRegistrationURL = webRegistrationURL
        self.pinSHA256 = pinSHA256
        self.notes = notes
    }

    /// "open registration", "registration with a CAPTCHA", ... for choice lists.
    public var registrationSummary: String {
        switch registration {
        case .open:
            switch captcha {
            case false?: translated("open registration, no CAPTCHA")
            case true?: translated("open registration with a CAPTCHA")
            case nil: translated("open registration, CAPTCHA unknown")
            }
        case .invite: translated("registration by invitation only")
        case .closed: webRegistrationURL.map { translated("no in-app registration (sign up at \($0))") } ?? translated("no in-app registration")
        case .unknown: translated("registration status unknown")
        }
    }
}

/// The facts about a provider the data has beyond what registration needs: shown on
/// request (the terminal's `details N`, the window's details pane).
public struct ProviderDetails: Sendable, Equatable, Codable {
    public struct Source: Sendable, Equatable, Codable {
        public var name: String
        public var url: String?
        public var date: String?

        public init(name: String, url: String? = nil, date: String? = nil) {
            self.name = name
            self.url = url
            self.date = date
        }
    }

    public var website: String?
    /// Where the servers are (ISO 3166 codes, as XMPP Providers lists them): the
    /// jurisdiction, as far as the data says.
    public var serverLocations: [String]
    /// Server software and version, as last listed.
    public var serverSoftware: String?
    /// Who runs it ("private person", "non-governmental", "company"…), as listed.
    public var organization: String?
    /// For an onion's own domain (accounts `name@….onion`): the provider that runs it.
    public var operatedBy: String?
    /// Where sources disagree, in words (never settled by guessing).
    public var disagreements: [String]
    public var sources: [Source]
    /// When and how the entry was last checked, in words.
    public var lastVerified: String?

    public init(website: String? = nil, serverLocations: [String] = [], serverSoftware: String? = nil,
                organization: String? = nil, operatedBy: String? = nil, disagreements: [String] = [],
                sources: [Source] = [], lastVerified: String? = nil) {
        self.website = website
        self.serverLocations = serverLocations
        self.serverSoftware = serverSoftware
        self.organization = organization
        self.operatedBy = operatedBy
        self.disagreements = disagreements
        self.sources = sources
        self.lastVerified = lastVerified
    }
}

/// Where the wizard gets its providers from (the provider map, through an adapter).
/// (Not called `ProviderSource`: OnionMap has a type of that name.)
public protocol ProviderListing: Sendable {
    /// Every provider with a usable onion, in map order.
    func allProviders() throws -> [ProviderChoice]
}

extension ProviderFilter {
    public func admits(_ provider: ProviderChoice) -> Bool {
        switch self {
        case .all: true
        case .inBandRegistration: provider.registration == .open || provider.registration == .unknown
        case .noCaptcha: provider.registration == .open && provider.captcha == false
        }
    }
}

extension ProviderOrder {
    public func sorted(_ providers: [ProviderChoice]) -> [ProviderChoice] {
        switch self {
        case .map:
            return providers
        case .alphabetical:
            return providers.sorted { $0.domain < $1.domain }
        case .noCaptchaFirst:
            return providers.sorted {
                let (a, b) = ($0.orderRank, $1.orderRank)
                return a != b ? a < b : $0.domain < $1.domain
            }
        }
    }
}

extension ProviderChoice {
    /// Open without CAPTCHA, open with CAPTCHA unknown, open with CAPTCHA, unknown, invite, closed.
    var orderRank: Int {
        switch (registration, captcha) {
        case (.open, false?): 0
        case (.open, nil): 1
        case (.open, true?): 2
        case (.unknown, _): 3
        case (.invite, _): 4
        case (.closed, _): 5
        }
    }
}
