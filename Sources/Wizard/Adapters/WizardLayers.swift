import Diagnostics
import Foundation

/// The real layers behind the Wizard's protocols: the provider map (OnionMap), the
/// registration (XMPPOverTor) and the Pidgin profile (PurpleConfig). The executable
/// asks here; tests may build sessions from other conformances.
public enum WizardLayers {
    /// The bundled provider map plus `extraMaps` (later files override earlier ones by domain).
    public static func providers(extraMaps: [String]) throws -> [ProviderChoice] {
        var byDomain: [String: ProviderChoice] = [:]
        var order: [String] = []
        for provider in try bundledProviders() + extraMaps.flatMap(loadProviderFile) {
            if byDomain[provider.domain] == nil { order.append(provider.domain) }
            byDomain[provider.domain] = provider
        }
        return order.map { byDomain[$0]! }
    }

    public static func registrar() -> AccountRegistrar { UnavailableLayer() }

    public static func profileWriter() -> ProfileWriter { UnavailableLayer() }

    static func bundledProviders() throws -> [ProviderChoice] { [] }

    /// A JSON array of `ProviderChoice` (until the OnionMap adapter reads every map format).
    static func loadProviderFile(_ path: String) throws -> [ProviderChoice] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProviderFileError(path: path, reason: "cannot read it")
        }
        do {
            return try JSONDecoder().decode([ProviderChoice].self, from: data)
        } catch {
            throw ProviderFileError(path: path, reason: "not a provider list: \(error)")
        }
    }
}

public struct ProviderFileError: ClassifiedError {
    public let path: String
    public let reason: String
    public var category: ErrorCategory { .invalidData }
    public var description: String { "the provider map \(path): \(reason)" }
}
