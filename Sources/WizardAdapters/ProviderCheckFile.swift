import Foundation
import PurpleConfig
import Wizard
import XMPPOverTor

/// The live checks kept between runs, in the user's state directory:
/// `$XDG_STATE_HOME/onionboard/provider-checks.json` (else `~/.local/state/onionboard/…`),
/// 0600 in a 0700 directory. Written by `providers check` and by the wizard's own checks;
/// read by the wizard to say "checked 2 minutes ago" until its own check is in.
public struct ProviderCheckFile: ProviderCheckStore {
    public static let fileName = "provider-checks.json"
    /// Checks older than this are dropped when the file is written (a week).
    public static let keepSeconds: Double = 7 * 86_400

    public let directory: String
    public var path: String { "\(directory)/\(Self.fileName)" }

    public init(directory: String) {
        self.directory = directory
    }

    /// The state directory the XDG rules name for this environment.
    public static func standardDirectory(environment: [String: String] = ProcessInfo.processInfo.environment,
                                         home: String = NSHomeDirectory()) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/onionboard" }
        return (environment["HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home) + "/.local/state/onionboard"
    }

    public static func standard() -> ProviderCheckFile { ProviderCheckFile(directory: standardDirectory()) }

    struct Contents: Codable {
        var version = 1
        var checks: [ProviderCheck]
    }

    public func load() -> [String: ProviderCheck] {
        guard let bytes = try? PrivateStateFile.read(name: Self.fileName, in: directory),
              let contents = try? JSONDecoder().decode(Contents.self, from: Data(bytes)) else { return [:] }
        var newest: [String: ProviderCheck] = [:]
        for check in contents.checks where (newest[check.domain]?.checkedAt ?? -.infinity) < check.checkedAt {
            newest[check.domain] = check
        }
        return newest
    }

    public func save(_ checks: [ProviderCheck]) {
        guard !checks.isEmpty else { return }
        var merged = load()
        for check in checks { merged[check.domain] = check }
        let cutoff = Date().timeIntervalSince1970 - Self.keepSeconds
        let kept = merged.values.filter { $0.checkedAt >= cutoff }.sorted { $0.domain < $1.domain }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(Contents(checks: kept)) else { return }
        try? PrivateStateFile.write(Array(data), name: Self.fileName, in: directory)
    }
}

extension ProviderCheck {
    /// What `providers check` found, as the wizard keeps it.
    public init(report: ProbeReport, checkedAt: Double) {
        if let failure = report.failure, report.mainCertificate == nil || failure.torUnavailable {
            self.init(domain: report.domain, onion: report.host,
                      outcome: failure.torUnavailable ? .torUnavailable : .unreachable,
                      reason: failure.brief, checkedAt: checkedAt)
            return
        }
        let registration = report.registration
        self.init(domain: report.domain, onion: report.host, outcome: .reachable, reason: report.failure?.brief,
                  seconds: report.reachSeconds, registration: registration.map { XMPPRegistrar.registration($0.kind) },
                  invitationsAdvertised: registration?.invitationsAdvertised ?? false,
                  extraFields: registration?.extraFields ?? [], roundTripSeconds: report.roundTripSeconds,
                  certificateSHA256: report.mainCertificate?.sha256, checkedAt: checkedAt)
        certificateSHA1 = report.mainCertificate?.sha1
    }
}
