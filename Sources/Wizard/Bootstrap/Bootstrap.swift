import Diagnostics
import FoundationEssentials
import Platform
import Vocabulary
import Localization

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

    /// What bootstrap does with a profile.
    public enum Decision: Sendable, Equatable {
        /// No account of the person's on a provider of the map: register one.
        case register
        /// onionboard's own account has the room (or one of the template's alternatives).
        case alreadySetUp(ExistingAccount)
        /// onionboard's own account lost the room (the person deleted it, or Pidgin dropped
        /// it): it is added again, nothing else changes.
        case restoreRoom(ExistingAccount)
        /// An account the person made elsewhere: never joined to a room without asking
        /// (it may carry their identity), and no second account is created either.
        case madeElsewhere(ExistingAccount)
    }

    /// The decision for a profile holding `accounts`, given the rooms that count as the
    /// template's (its room, or the one asked for, and its alternatives).
    public static func decide(_ accounts: [ExistingAccount], providers: [ProviderChoice], preferredDomain: String? = nil,
                              rooms: [String]) -> Decision {
        let wanted = Set(rooms.map { $0.lowercased() })
        let own = accounts.filter(\.madeByOnionboard)
        if let joined = own.first(where: { $0.rooms.contains { wanted.contains($0.lowercased()) } }) { return .alreadySetUp(joined) }
        if let first = own.first { return .restoreRoom(first) }
        if let existing = existingSetup(in: accounts, providers: providers, preferredDomain: preferredDomain) {
            return .madeElsewhere(existing)
        }
        return .register
    }

    /// The provider bootstrap uses when none is given: the first offered one with open
    /// registration and no CAPTCHA, else one whose CAPTCHA status is unknown. Never a
    /// CAPTCHA provider: nobody is there to solve it.
    public static func defaultProvider(_ offered: [ProviderChoice]) -> ProviderChoice? {
        offered.first { $0.registration == .open && $0.captcha == false }
            ?? offered.first { $0.registration == .open && $0.captcha == nil }
    }

    /// The best provider by live state: open registration without a CAPTCHA first, then
    /// (when a person is there) with a CAPTCHA; within a rank, the offered order. Nil when
    /// no check found one.
    public static func liveDefault(_ statuses: [(ProviderChoice, ProviderLiveStatus)], needsPerson allowed: Bool)
        -> ProviderChoice? {
        let limit = allowed ? 1 : 0
        return statuses.enumerated()
            .filter { $0.element.1.rank <= limit && $0.element.1.check != nil }
            .min { ($0.element.1.rank, $0.offset) < ($1.element.1.rank, $1.offset) }?.element.0
    }

    /// Waits until Tor is connected (`probe` says `.ready`), reporting what it waits
    /// for every `reportEvery` seconds; throws `BootstrapError.torNotReady` after `limitSeconds`.
    public static func waitForTor(_ address: HostPort, limitSeconds: Int, reportEvery: Int = 10,
                                  probe: (HostPort) -> TorState,
                                  sleep: (Double) -> Void = { Threads.sleep(seconds: $0) },
                                  now: () -> Double = { Date().timeIntervalSince1970 },
                                  events: (RunEvent) -> Void) throws {
        let start = now()
        var lastReport = -reportEvery
        var lastState = TorState.notRunning("not probed yet")
        while true {
            lastState = probe(address)
            if lastState == .ready { return }
            let waited = Int(now() - start)
            if waited >= limitSeconds {
                throw BootstrapError.torNotReady(address: address, waitedSeconds: waited, last: lastState)
            }
            if waited - lastReport >= reportEvery {
                events(.waitingForTor(address, state: lastState, waitedSeconds: waited, limitSeconds: limitSeconds))
                lastReport = waited
            }
            sleep(1)
        }
    }
}

/// How far Tor is, as a probe of the machine can tell (the probe is an adapter:
/// WizardAdapters' `TorStatusProbe`, so this target does no I/O).
public enum TorState: Sendable, Equatable {
    /// Tor accepts connections and (where the system can tell) has finished connecting.
    case ready
    /// Nothing answers on the SOCKS port: Tor is not running, or its network is still
    /// off (Tails starts Tor disabled until the person connects in Tor Connection).
    case notRunning(String)
    /// Tor answers but has not finished connecting to the Tor network yet.
    case connecting(String)

    /// In words a person understands, for progress lines and errors.
    public func explanation(_ socks: HostPort) -> String {
        switch self {
        case .ready: translated("Tor is connected")
        case .notRunning(let detail):
            translated("Tor is not running or not connected yet — connect to Tor first (on Tails: the Tor Connection assistant) [\(socks): \(detail)]")
        case .connecting(let detail): translated("Tor is still connecting to the Tor network (\(detail))")
        }
    }
}

public enum BootstrapError: ClassifiedError, Equatable {
    case torNotReady(address: HostPort, waitedSeconds: Int, last: TorState)

    public var category: ErrorCategory { .unreachable }
    public var description: String {
        switch self {
        case .torNotReady(let address, let waited, let last):
            translated("Tor was not ready after \(waited) s: \(last.explanation(address)). Nothing was registered or written; once Tor is connected, run onionboard again.")
        }
    }
}
