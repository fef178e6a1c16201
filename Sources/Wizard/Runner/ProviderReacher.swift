import Vocabulary
import Diagnostics
import FoundationEssentials
import Localization
import Platform

/// Waits for a reach attempt (the warm-up when it goes to the same place, else a new
/// one), with "still reaching…" lines, and tries again on a fresh circuit after a
/// transient failure: once, or — while Tor may still be connecting (bootstrap's
/// `--wait-tor`) — until `retryUntil`.
struct ProviderReacher {
    let registrar: AccountRegistrar
    let retryUntil: Double?
    let now: () -> Double

    func reach(_ target: ConnectionTarget, warmUp: ReachAttempt?, heartbeat: Heartbeat) throws -> ProviderReach {
        var attempt = warmUp.flatMap { $0.target.sameRoute(as: target) ? $0 : nil }
            ?? registrar.reach(target, freshCircuit: false)
        var retried = false
        while true {
            if attempt.finishedOutcome == nil {
                heartbeat.send(.reachingOnion(host: target.host, port: target.port))
            }
            var outcome: Result<ProviderReach, Error>?
            while outcome == nil { outcome = attempt.outcome(waitingUpTo: 1) }
            switch outcome! {
            case .success(let reach):
                return reach
            case .failure(let error):
                guard Self.mayBeTransient(error) else { throw error }
                if let retryUntil {
                    guard now() < retryUntil else { throw error }
                    heartbeat.send(.note(translated("Could not reach \(RunEvent.shortOnion(target.host)) yet (\(error)); Tor may still be connecting, trying again")))
                    Threads.sleep(seconds: 2)
                } else {
                    guard !retried else { throw error }
                    retried = true
                    heartbeat.send(.note(translated("Could not reach \(RunEvent.shortOnion(target.host)) (\(error)); trying once more on a new Tor circuit")))
                }
                attempt = registrar.reach(target, freshCircuit: true)
            }
        }
    }

    /// Tor and onions fail now and then for reasons that a new circuit fixes.
    static func mayBeTransient(_ error: Error) -> Bool {
        error.category == .unreachable || error.category == .tryLater
    }
}

extension ConnectionTarget {
    /// Same server, port, TLS mode and Tor port: a connection made for one serves the other.
    public func sameRoute(as other: ConnectionTarget) -> Bool {
        domain == other.domain && host == other.host && port == other.port && tlsMode == other.tlsMode
            && torSOCKS == other.torSOCKS
    }
}
