import Frontends
import ArgumentParser
import Diagnostics
import FoundationEssentials
import Glibc
import Vocabulary
import Wizard
import WizardAdapters
import Localization

/// `onionboard certificates`: checks the certificate each onion account's server shows
/// now against the one pinned in the Pidgin profile, and pins a renewed one that a CA
/// or the provider map vouches for, so Pidgin does not ask (bootstrap does the same at
/// every login).
struct CertificatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certificates",
        abstract: "Check the pinned server certificates of the profile's onion accounts; pin vouched-for renewals.",
        discussion: """
            For every XMPP account whose connect server is an onion and that has a pin in
            certificates/x509/tls_peers/, fetches the server's certificate through Tor (the onion
            as SNI, as Pidgin sends it). A new certificate that a certificate authority vouches
            for (for the XMPP domain) or that the provider map pins replaces the old pin, which
            is kept as a backup. One that nothing vouches for is only pinned when you accept it
            (asked on a terminal, or --accept-fingerprint). Exit 0 when every pin is current,
            78 when a new certificate was left unpinned, 69 when a server could not be reached.
            """
    )

    @Option(name: .customLong("purple-dir"), help: ArgumentHelp("Pidgin profile directory (default: ~/.purple).", valueName: "dir"))
    var purpleDir: String?

    @Option(name: .customLong("tor-socks"), help: ArgumentHelp("Tor's SOCKS port (default: 127.0.0.1:9050).", valueName: "host:port"))
    var torSocks: String?

    @Option(name: .customLong("accept-fingerprint"), help: ArgumentHelp(
        "Pin a new certificate with this SHA-256 fingerprint even though nothing vouches for it.", valueName: "sha256"))
    var acceptFingerprint: String?

    @OptionGroup var providerMap: ProviderMapOptions
    @OptionGroup var deadlines: NetworkDeadlineOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let torSocks { _ = try parseTorSOCKS(torSocks) }
        if let acceptFingerprint, case .failure(let failure) = Validation.fingerprint.check(acceptFingerprint) {
            throw ValidationError("--accept-fingerprint: \(failure.reason)")
        }
    }

    func run() throws {
        try reportingErrors(json: output.json) {
            let context = ConsoleContext.standard(progressToStandardError: output.json)
            let directory = WizardEngine.expandHome(purpleDir ?? "~/.purple", home: homeDirectory)
            let writer = WizardLayers.profileWriter()
            let confirming = context.input.isTerminal && !output.json ? LineFrontend(context: context) : nil
            let outcomes = CertificateRenewal(registrar: WizardLayers.registrar(timeouts: deadlines.timeouts), writer: writer).check(
                directory: directory, accounts: try writer.existingAccounts(in: directory),
                providers: try WizardLayers.providers(extraMaps: providerMap.extraMaps),
                torSOCKS: try torSocks.map(parseTorSOCKS) ?? .torDefault,
                acceptedFingerprint: acceptFingerprint.flatMap { try? Validation.fingerprint.check($0).get() },
                confirm: confirming.map { frontend in { frontend.confirm($0) } },
                events: { [json = output.json] event in if !json { Console.err("• \(event)") } })
            if output.json { try Console.json(CertificateReport(outcomes: outcomes)) }
            if outcomes.isEmpty && !output.json {
                Console.out(translated("No onion account with a pinned certificate in \(directory)."))
            }
            if let code = CertificateReport(outcomes: outcomes).exitCode { throw ExitCode(code) }
        }
    }
}

/// The `--json` shape of a certificate check, and its exit code.
struct CertificateReport: Encodable {
    let outcomes: [CertificateRenewal.Outcome]
    var ok: Bool { exitCode == nil }

    enum CodingKeys: String, CodingKey { case ok, outcomes }
    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ok, forKey: .ok)
        try container.encode(outcomes, forKey: .outcomes)
    }

    /// 69 when a server could not be reached, else 78 when a new certificate stays unpinned.
    var exitCode: Int32? {
        if outcomes.contains(where: { $0.status == .unreachable }) { return ErrorCategory.unreachable.exitCode }
        if outcomes.contains(where: { $0.status == .unvouched }) { return ErrorCategory.untrustedCertificate.exitCode }
        return nil
    }
}
