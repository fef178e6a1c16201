import FoundationEssentials
import OnionMap
import Vocabulary
import Wizard
import XMPPOverTor

/// `onionboard providers check`: live checks of providers over Tor (XMPPOverTor's
/// `ProviderProbe` at full depth), concurrently — each on a circuit of its own (fresh SOCKS
/// isolation credentials), at most `concurrency` at a time, each within its own
/// `deadline` from the moment it starts — so one silent onion delays nothing but its own
/// line. Creates nothing on any server.
public struct ProviderChecker {
    public var timeouts: Timeouts
    /// One check's whole budget, seconds.
    public var deadline: Double
    public var concurrency: Int

    public init(timeouts: Timeouts = Timeouts(), deadline: Double = 60, concurrency: Int = 8) {
        self.timeouts = timeouts
        self.deadline = deadline
        self.concurrency = max(1, concurrency)
    }

    /// Checks `providers` through Tor at `torSOCKS`; the reports come in the given order.
    /// `finished` hears of each report as it comes in (from this thread).
    public func check(_ providers: [Provider], torSOCKS: HostPort,
                      finished: (ProbeReport, _ done: Int, _ total: Int) -> Void = { _, _, _ in }) -> [ProbeReport] {
        let limiter = WorkLimiter(limit: concurrency)
        var options = SessionOptions(timeouts: timeouts)
        // Each phase may take the whole deadline; the deadline bounds them together.
        options.timeouts.connect = min(options.timeouts.connect, deadline)
        let budget = deadline
        let tasks = providers.map { provider in
            let endpoint = Endpoint(domain: provider.domain, host: provider.onion.hostname, port: UInt16(provider.clientPort),
                                    tlsMode: .startTLS, pin: provider.pinSHA256, spkiPin: provider.spkiSHA256)
            let directTLS = provider.directTLSPort.map { UInt16($0) }
            let proxy = Proxy.tor(host: torSOCKS.host, port: UInt16(torSOCKS.port))
            let checkOptions = options
            return BackgroundTask<ProbeReport> {
                limiter.run {
                    ProviderProbe.run(endpoint, directTLSPort: directTLS, proxy: proxy, options: checkOptions,
                                      depth: .full, deadline: budget)
                }
            }
        }
        // Every check ends by its own deadline; the waves of the bounded concurrency, plus a
        // margin, bound the whole run in case one does not.
        let waves = Double((providers.count + concurrency - 1) / concurrency)
        let giveUp = Date().addingTimeInterval(waves * (deadline + 2) + 5)
        var reports: [ProbeReport?] = Array(repeating: nil, count: providers.count)
        var done = 0
        while done < providers.count {
            for (index, task) in tasks.enumerated() where reports[index] == nil {
                guard let result = task.result(waitingUpTo: 0) else { continue }
                let report = (try? result.get()) ?? Self.abandoned(providers[index], deadline: deadline)
                reports[index] = report
                done += 1
                finished(report, done, providers.count)
            }
            guard done < providers.count else { break }
            if Date() >= giveUp {
                for index in reports.indices where reports[index] == nil {
                    let report = Self.abandoned(providers[index], deadline: deadline)
                    reports[index] = report
                    done += 1
                    finished(report, done, providers.count)
                }
                break
            }
            if let waiting = tasks.indices.first(where: { reports[$0] == nil }) {
                _ = tasks[waiting].result(waitingUpTo: 0.1)
            }
        }
        return reports.map { $0! }
    }

    /// A check that did not come back in time (it never should: every phase has a deadline).
    static func abandoned(_ provider: Provider, deadline: Double) -> ProbeReport {
        ProbeReport.unanswered(domain: provider.domain, host: provider.onion.hostname, port: provider.clientPort,
                               deadline: deadline)
    }
}
