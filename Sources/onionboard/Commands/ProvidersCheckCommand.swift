import ArgumentParser
import Diagnostics
import FoundationEssentials
import OnionMap
import Vocabulary
import Wizard
import WizardAdapters
import XMPPOverTor

extension ProvidersCommand {
    /// `onionboard providers check [DOMAIN…] [--all]`: live checks over Tor, nothing created.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check providers over Tor now: reachable, TLS, certificate, registration form (nothing is created).",
            discussion: """
                Each provider is checked on a Tor circuit of its own (fresh SOCKS isolation \\
                credentials), at most --concurrency at a time, each within --deadline seconds from \\
                its start. The registration form is fetched, never submitted. Without DOMAIN it checks \\
                the providers the wizard offers; --all checks every provider of the map. The results \\
                are kept (with their time) in $XDG_STATE_HOME/onionboard, else \\
                ~/.local/state/onionboard, so the wizard can show them. Exit 0 when the checks ran, \\
                whatever they found; 69 when Tor itself could not be reached; 66 for an unknown DOMAIN.
                """)

        @Argument(help: ArgumentHelp("Providers to check (XMPP domains).", valueName: "domain"))
        var domains: [String] = []

        @Flag(name: .long, help: "Check every provider of the map, not only those the wizard offers.")
        var all = false

        @Option(name: .customLong("tor-socks"), help: ArgumentHelp("Tor's SOCKS port (default: 127.0.0.1:9050).", valueName: "host:port"))
        var torSocks: String?

        @Option(help: ArgumentHelp("Seconds one provider's check may take in all (at most 3600).", valueName: "seconds"))
        var deadline: Double = 60

        @Option(help: ArgumentHelp("Providers checked at the same time (1–64).", valueName: "n"))
        var concurrency: Int = 8

        @OptionGroup var maps: ProviderMapOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let torSocks { _ = try parseTorSOCKS(torSocks) }
            try validateDurations([("--deadline", deadline)])
            guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency is 1 to 64 (got \(concurrency))") }
            if all && !domains.isEmpty { throw ValidationError("give DOMAINs or --all, not both") }
        }

        struct Report: Encodable {
            let checkedAt: String
            let torSOCKS: String
            let deadlineSeconds: Double
            let concurrency: Int
            /// Wall time of the whole check.
            let seconds: Double
            let keptIn: String?
            let providers: [ProbeReport]
            let warnings: [String]
        }

        func run() throws {
            try reportingErrors(json: output.json) {
                let catalog = try ProviderCatalog.load(extraFiles: maps.extraMaps)
                var chosen: [Provider] = []
                for domain in domains {
                    guard let provider = catalog.provider(for: domain) else { throw UnknownProviderError(domain: domain) }
                    chosen.append(provider)
                }
                if domains.isEmpty { chosen = all ? catalog.providers : ProvidersCommand.offered(catalog) }
                if !output.json { catalog.warnings.forEach { Console.err("warning: \($0)") } }
                let socks = try torSocks.map(parseTorSOCKS) ?? .torDefault
                let checker = ProviderChecker(deadline: deadline, concurrency: concurrency)
                if !output.json {
                    Console.err("Checking \(chosen.count) provider\(chosen.count == 1 ? "" : "s") over Tor at \(socks) "
                                + "(at most \(concurrency) at a time, \(Int(deadline)) s each; nothing is created)…")
                }
                let started = Date()
                let reports = checker.check(chosen, torSOCKS: socks) { report, done, total in
                    if !output.json { Console.err("  [\(done)/\(total)] \(report.domain): \(Self.verdict(report))") }
                }
                let seconds = Date().timeIntervalSince(started)
                let store = ProviderCheckFile.standard()
                let checkedAt = started.timeIntervalSince1970
                store.save(reports.map { ProviderCheck(report: $0, checkedAt: checkedAt) })
                let kept = FileManager.default.fileExists(atPath: store.path) ? store.path : nil
                if output.json {
                    try Console.json(Report(checkedAt: started.formatted(.iso8601), torSOCKS: socks.description,
                                            deadlineSeconds: deadline, concurrency: concurrency, seconds: seconds,
                                            keptIn: kept, providers: reports, warnings: catalog.warnings))
                } else {
                    printTable(reports)
                    Console.out("")
                    Console.out("\(reports.count) provider(s) checked in \(seconds.decimalText(fractionDigits: 1)) s"
                                + (kept.map { "; kept in \($0) for the wizard" } ?? "") + ".")
                }
                if !reports.isEmpty, reports.allSatisfy({ $0.failure?.torUnavailable == true }) {
                    throw TorUnreachable(socks: socks, detail: reports[0].failure?.message ?? "")
                }
            }
        }

        /// One line: what a person needs first.
        static func verdict(_ report: ProbeReport) -> String {
            if let failure = report.failure, report.mainCertificate == nil {
                if failure.torUnavailable { return "not checked: " + failure.message }
                if failure.timedOut {
                    return (report.reachable ? "silent: the onion took the connection, then " : "unreachable: ")
                        + "no answer within the check's deadline of \(Int(report.deadlineSeconds)) s (during \(failure.phase); --deadline)"
                }
                return "unreachable: " + failure.message
            }
            let check = ProviderCheck(report: report, checkedAt: 0)
            return check.summary + (report.failure.map { " (then: \($0.message))" } ?? "")
        }

        private func printTable(_ reports: [ProbeReport]) {
            let width = columnWidth(reports.map(\.domain))
            Console.out("")
            Console.out(pad("DOMAIN", width) + "  " + pad("CONNECT", 9) + "  " + pad("RTT", 7) + "  " + pad("TLS", 20) + "  "
                        + pad("REGISTRATION", 28) + "  CERTIFICATE (SNI = the onion)")
            for report in reports {
                let reached = report.connectSeconds.map { $0.decimalText(fractionDigits: 1) + " s" } ?? "no"
                let rtt = report.roundTripSeconds.map { ($0 * 1000).decimalText(fractionDigits: 0) + " ms" } ?? "-"
                var tls: [String] = []
                if let startTLS = report.startTLS { tls.append(startTLS ? "STARTTLS" : "no STARTTLS") }
                if let direct = report.directTLS { tls.append(direct ? "direct TLS" : "no direct TLS") }
                let registration = report.registration.map { observation in
                    observation.kind.rawValue + (observation.advertised ? "" : " (not advertised)")
                        + (observation.invitationsAdvertised ? " +invites" : "")
                } ?? "-"
                Console.out(pad(shortened(report.domain), width) + "  " + pad(reached, 9) + "  " + pad(rtt, 7) + "  "
                            + pad(tls.isEmpty ? "-" : tls.joined(separator: ", "), 20) + "  " + pad(registration, 28) + "  "
                            + (report.mainCertificate.map(Self.certificateLine) ?? "-"))
            }
            for report in reports {
                Console.out("")
                Console.out("\(report.domain) (\(report.host):\(report.port)): \(Self.verdict(report))")
                if let registration = report.registration {
                    if !registration.fields.isEmpty { Console.out("  form fields: \(registration.fields.joined(separator: ", "))") }
                    if let error = registration.error {
                        Console.out("  form refused: \(error)" + ServerText.appended(registration.errorText))
                    }
                    if let url = registration.webURL { Console.out("  web registration: \(ServerText.sanitised(url))") }
                }
                for certificate in report.certificates {
                    let head = "  \(certificate.tls) port \(certificate.port), SNI \(Self.shortName(certificate.serverName)): "
                    if let failure = certificate.failure {
                        Console.out(head + "no certificate: \(failure)")
                        continue
                    }
                    Console.out(head + Self.certificateLine(certificate))
                    if let sha = certificate.sha256 { Console.out("      SHA-256 \(sha)") }
                    if let spki = certificate.spkiSHA256 { Console.out("      SPKI SHA-256 \(spki)") }
                    if !certificate.subjectAltNames.isEmpty {
                        Console.out("      names: " + certificate.subjectAltNames.map { ServerText.sanitised($0, maximumLength: 100) }
                            .joined(separator: ", "))
                    }
                    if let problem = certificate.problem { Console.out("      \(problem)") }
                }
                if let failure = report.failure, report.mainCertificate != nil {
                    Console.out("  stopped during \(failure.phase): \(failure.message)")
                }
            }
        }

        /// `abcdefgh…uvwxyz.onion` for an onion, else the name.
        static func shortName(_ name: String) -> String {
            guard name.hasSuffix(".onion"), name.count > 30 else { return name }
            let id = name.dropLast(6)
            return "\(id.prefix(8))…\(id.suffix(6)).onion"
        }

        static func certificateLine(_ certificate: CertificateObservation) -> String {
            var parts: [String] = []
            if let sha = certificate.sha256 { parts.append(String(sha.prefix(16)) + "…") }
            parts.append(certificate.validForDomainByCA == true ? "valid for the domain (CA)" : "no CA vouches for the domain")
            if let trust = certificate.trust { parts.append(trust == .pinned ? "matches the map's pin" : trust.rawValue) }
            if certificate.problem != nil { parts.append("PIN MISMATCH") }
            if let notAfter = certificate.notAfter {
                let days = Int(notAfter.timeIntervalSinceNow / 86_400)
                parts.append(days >= 0 ? "expires in \(days) d" : "EXPIRED \(-days) d ago")
            }
            return parts.joined(separator: ", ")
        }
    }

    /// Every check found Tor's SOCKS port missing: nothing about the providers is known.
    struct TorUnreachable: ClassifiedError {
        let socks: HostPort
        let detail: String
        var category: ErrorCategory { .unreachable }
        var description: String { "no provider could be checked: \(detail)" }
    }
}

/// Left-aligns `text` in a column of `width` characters.
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
