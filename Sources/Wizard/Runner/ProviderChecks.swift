import FoundationEssentials
import Localization
import Platform

/// A provider's live state as the wizard shows it: this run's own check once it is in,
/// else the one kept from an earlier run (with its age), and whether a check is running.
public struct ProviderLiveStatus: Sendable, Equatable {
    public var check: ProviderCheck?
    /// `check` is this run's own (not one kept from an earlier run).
    public var own: Bool
    /// This run's check is still under way.
    public var checking: Bool
    /// When the status was read (seconds since 1970), for "checked 2 minutes ago".
    public var now: Double

    public init(check: ProviderCheck?, own: Bool, checking: Bool, now: Double) {
        self.check = check
        self.own = own
        self.checking = checking
        self.now = now
    }

    /// No check at all, none running.
    public static func unknown(now: Double) -> ProviderLiveStatus { .init(check: nil, own: false, checking: false, now: now) }

    /// `ProviderCheck.rank`; 3 (between "answered" and "registers nobody") while unknown.
    public var rank: Int { check?.rank ?? 3 }

    /// One line for a list, or nil when there is nothing live to say.
    public var summary: String? {
        guard let check else { return checking ? translated("checking over Tor…") : nil }
        let text = check.summary(now: now, own: own)
        return checking && !own ? translated("\(text) (checking again…)") : text
    }
}

/// The live checks of one wizard run. One attempt per provider, and that same attempt is
/// the provider's warm-up, so each provider has one circuit (the registrar keys its Tor
/// isolation by provider); what earlier runs found (the store) stands in until this
/// run's check is in. Thread-safe.
final class ProviderChecks: @unchecked Sendable {
    private let lock = Lock()
    private var attempts: [String: ReachAttempt] = [:]
    private var providers: [String: ProviderChoice] = [:]
    private var ended: [String: Double] = [:]
    private var kept: [String: ProviderCheck] = [:]
    private(set) var startedAt: Double?
    let now: () -> Double

    init(now: @escaping () -> Double) { self.now = now }

    /// The checks earlier runs kept (shown with their age until this run's are in).
    func keep(_ checks: [String: ProviderCheck]) {
        lock.lock()
        kept = checks
        lock.unlock()
    }

    func attempt(for domain: String) -> ReachAttempt? {
        lock.lock()
        defer { lock.unlock() }
        return attempts[domain]
    }

    /// The attempt now standing for `provider` (a new one replaces a failed one).
    func set(_ attempt: ReachAttempt, for provider: ProviderChoice) {
        lock.lock()
        defer { lock.unlock() }
        if startedAt == nil { startedAt = now() }
        attempts[provider.domain] = attempt
        providers[provider.domain] = provider
        ended[provider.domain] = nil
    }

    /// This run's check of `provider`, once its attempt has ended.
    func ownCheck(_ provider: ProviderChoice) -> ProviderCheck? {
        lock.lock()
        defer { lock.unlock() }
        return ownCheckLocked(provider.domain)
    }

    private func ownCheckLocked(_ domain: String) -> ProviderCheck? {
        guard let attempt = attempts[domain], let provider = providers[domain],
              let outcome = attempt.finishedOutcome else { return nil }
        let at = ended[domain] ?? now()
        ended[domain] = at
        return ProviderCheck(provider: provider, outcome: outcome, checkedAt: at)
    }

    func status(_ provider: ProviderChoice) -> ProviderLiveStatus {
        lock.lock()
        defer { lock.unlock() }
        let time = now()
        if let own = ownCheckLocked(provider.domain) {
            return ProviderLiveStatus(check: own, own: true, checking: false, now: time)
        }
        let checking = attempts[provider.domain] != nil
        let earlier = kept[provider.domain].flatMap { $0.onion == provider.onion ? $0 : nil }
        return ProviderLiveStatus(check: earlier, own: false, checking: checking, now: time)
    }

    /// How many of this run's checks have ended, of how many.
    var progress: (ended: Int, total: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (attempts.values.filter { $0.finishedOutcome != nil }.count, attempts.count)
    }

    /// Every check of this run that has ended.
    var ownChecks: [ProviderCheck] {
        lock.lock()
        defer { lock.unlock() }
        return attempts.keys.sorted().compactMap { ownCheckLocked($0) }
    }

    /// Waits until every running check has ended, `until` (seconds since 1970) has passed or
    /// `enough` says so, calling `report` about every `reportEvery` seconds.
    func wait(until: Double, reportEvery: Double = 5, enough: () -> Bool = { false },
              report: (_ ended: Int, _ total: Int) -> Void) {
        var lastReport = now()
        while now() < until && !enough() {
            lock.lock()
            let running = attempts.values.first { $0.finishedOutcome == nil }
            lock.unlock()
            guard let running else { return }
            _ = running.outcome(waitingUpTo: min(1, max(0.05, until - now())))
            if now() - lastReport >= reportEvery {
                lastReport = now()
                let (ended, total) = progress
                report(ended, total)
            }
        }
    }
}
