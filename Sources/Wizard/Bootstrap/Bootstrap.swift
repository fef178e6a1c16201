import Diagnostics
import Foundation
import Vocabulary

/// First boot, as decided for `onionboard bootstrap` (docs/wizard.md):
///
/// - Already set up: the profile has an XMPP account on a provider of the map —
///   matched by the JID's domain or by `connect_server` being that provider's onion.
///   Then bootstrap does nothing and exits 0, whatever room the template names: it
///   never creates a second account for the same person.
/// - Otherwise it waits for Tor's SOCKS port (up to a limit), then runs the wizard
///   non-interactively from an answers file and the template's defaults.
public enum Bootstrap {
    /// The account that makes this profile "already set up", if any.
    public static func existingSetup(in accounts: [ExistingAccount], providers: [ProviderChoice],
                                     preferredDomain: String? = nil) -> ExistingAccount? {
        let domains = Set(providers.map(\.domain) + (preferredDomain.map { [$0.lowercased()] } ?? []))
        let onions = Set(providers.map { $0.onion.lowercased() })
        return accounts.first { account in
            domains.contains(account.domain.lowercased())
                || account.connectServer.map { onions.contains($0.lowercased()) } == true
        }
    }

    /// The provider bootstrap uses when none is given: the first offered one with open
    /// registration and no CAPTCHA, else one whose CAPTCHA status is unknown. Never a
    /// CAPTCHA provider: nobody is there to solve it.
    public static func defaultProvider(_ offered: [ProviderChoice]) -> ProviderChoice? {
        offered.first { $0.registration == .open && $0.captcha == false }
            ?? offered.first { $0.registration == .open && $0.captcha == nil }
    }

    /// Waits until a SOCKS5 proxy answers at `address`, reporting progress every
    /// `reportEvery` seconds; throws `BootstrapError.torNotReady` after `limitSeconds`.
    public static func waitForTor(_ address: HostPort, limitSeconds: Int, reportEvery: Int = 10,
                                  probe: (HostPort) -> TorReadiness,
                                  sleep: (Double) -> Void = { Thread.sleep(forTimeInterval: $0) },
                                  now: () -> Double = { Date().timeIntervalSince1970 },
                                  events: (RunEvent) -> Void) throws {
        let start = now()
        var lastReport = -reportEvery
        var lastReason = ""
        while true {
            switch probe(address) {
            case .ready: return
            case .notReady(let reason): lastReason = reason
            }
            let waited = Int(now() - start)
            if waited >= limitSeconds {
                throw BootstrapError.torNotReady(address: address, waitedSeconds: waited, lastReason: lastReason)
            }
            if waited - lastReport >= reportEvery {
                events(.waitingForTor(address, waitedSeconds: waited, limitSeconds: limitSeconds))
                lastReport = waited
            }
            sleep(1)
        }
    }
}

/// What a probe of Tor's SOCKS port found (the probe itself is an adapter: WizardAdapters'
/// `TorSOCKSProbe`, so this target does no network I/O).
public enum TorReadiness: Sendable, Equatable {
    case ready
    /// Nothing listens, or what listens is not a SOCKS5 proxy; why, in words.
    case notReady(String)
}

public enum BootstrapError: ClassifiedError, Equatable {
    case torNotReady(address: HostPort, waitedSeconds: Int, lastReason: String)

    public var category: ErrorCategory { .unreachable }
    public var description: String {
        switch self {
        case .torNotReady(let address, let waited, let reason):
            "Tor's SOCKS port \(address) was not ready after \(waited) s (\(reason)); is Tor running and connected? Raise the limit with --wait-tor SECONDS."
        }
    }
}
