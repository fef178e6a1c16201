import Wizard
import OnionMap

/// The provider map (OnionMap's catalog: the bundled map and metadata plus any
/// `--providers` files) as the wizard's provider choices.
public struct OnionMapProviders: ProviderListing {
    public let extraFiles: [String]

    public init(extraFiles: [String]) {
        self.extraFiles = extraFiles
    }

    public func allProviders() throws -> [ProviderChoice] {
        try ProviderCatalog.load(extraFiles: extraFiles).providers.map(Self.choice)
    }

    public static func choice(_ provider: Provider) -> ProviderChoice {
        let registration: ProviderChoice.Registration = switch provider.registration {
        case .yes: .open
        case .no: .closed
        case .inviteOnly: .invite
        case .unknown: .unknown
        }
        return ProviderChoice(domain: provider.domain, onion: provider.onion.hostname, clientPort: provider.clientPort,
                              directTLSPort: provider.directTLSPort, registration: registration,
                              captcha: provider.captcha, webRegistrationURL: provider.webRegistrationURL,
                              pinSHA256: provider.pinSHA256, notes: provider.notes.isEmpty ? nil : provider.notes,
                              spkiSHA256: provider.spkiSHA256, details: details(provider))
    }

    static func details(_ provider: Provider) -> ProviderDetails {
        ProviderDetails(website: provider.website, serverLocations: provider.serverLocations,
                        serverSoftware: provider.serverSoftware, organization: provider.organization,
                        operatedBy: provider.operatedBy, disagreements: provider.disagreements,
                        sources: provider.sources.map { .init(name: $0.name, url: $0.url, date: $0.date) },
                        lastVerified: provider.lastVerified.map { ($0.date.map { "\($0): " } ?? "") + $0.what })
    }
}
