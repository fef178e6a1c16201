import OnionMap
import Vocabulary
import Wizard
import XMPPOverTor
import Localization

/// The real layers behind the Wizard's protocols: the provider map (OnionMap), the
/// registration (XMPPOverTor) and the Pidgin profile (PurpleConfig). The executable
/// asks here; tests may build sessions from other conformances.
public enum WizardLayers {
    /// The bundled provider map plus `extraMaps` (`--providers`, later files win by domain).
    public static func providers(extraMaps: [String]) throws -> [ProviderChoice] {
        try OnionMapProviders(extraFiles: extraMaps).allProviders()
    }

    /// `timeouts`: the deadlines of the network phases (`--connect-timeout` …).
    public static func registrar(timeouts: Timeouts = Timeouts()) -> AccountRegistrar {
        let registrar = XMPPRegistrar()
        registrar.timeouts = timeouts
        return registrar
    }

    /// Whether this build has the registration layer wired in (end-to-end tests need it).
    public static let registrationAvailable = !(registrar() is UnavailableLayer)

    public static func profileWriter() -> ProfileWriter { PurpleProfileWriter() }

    /// Where live checks of providers are kept between runs (the user's state directory).
    public static func checkStore() -> ProviderCheckStore { ProviderCheckFile.standard() }

    /// Why a typed onion address is not a v3 onion (its checksum, a typo), or nil.
    public static let onionCheck: @Sendable (String) -> String? = { text in
        do throws(OnionAddressError) {
            _ = try OnionAddress(text)
            return nil
        } catch {
            return error.reason == .badChecksum
                ? translated("this onion address has a typo (its checksum does not match): check it letter by letter")
                : translated("not an onion address: \(error.reasonText)")
        }
    }

    /// How far Tor is on this machine (Tails: its bootstrapped target; elsewhere the SOCKS port).
    public static let torState: @Sendable (HostPort) -> TorState = { TorStatusProbe().state($0) }
}
