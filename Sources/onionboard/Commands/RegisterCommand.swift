import Frontends
import ArgumentParser
import Diagnostics
import FoundationEssentials
import Glibc
import Vocabulary
import OnionMap
import Secrets
import XMPPOverTor

/// `onionboard register`: plumbing for scripts and tests. Registers an account in-band
/// (over Tor by default), logs in with SCRAM to prove it, and prints what it learnt.
struct RegisterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register an account in-band over Tor (plumbing for scripts).",
        discussion: """
            The password is read from a file or from standard input (--password-file -), never
            from the command line. Prints the JID, the certificate fingerprint and the number
            of network round trips. See docs/registration.md.
            """
    )

    @OptionGroup var output: OutputOptions
    @OptionGroup var maps: ProviderMapOptions

    @Option(help: ArgumentHelp(
        "The provider's XMPP domain, looked up in the provider map (onion, ports, pin, web page).", valueName: "domain"))
    var provider: String?

    @Option(help: ArgumentHelp("The XMPP domain, without the provider map (scripts and tests).", valueName: "domain"))
    var domain: String?

    @Option(help: ArgumentHelp("Host to connect to: the onion (or a loopback IP with --no-proxy); overrides the map.", valueName: "host"))
    var host: String?

    @Option(help: ArgumentHelp("Port to connect to (default: the map's, else 5222, or 5223 with --direct-tls).", valueName: "port"))
    var port: UInt16?

    @Option(help: ArgumentHelp(
        "The account name to register (the part before @); default: a generated one, whose login rides with the registration (a round trip less).",
        valueName: "name"))
    var username: String?

    @Option(name: .customLong("password-file"), help: ArgumentHelp(
        "A file holding the password, or - for standard input.", valueName: "file"))
    var passwordFile: String

    @Option(name: .customLong("tor-socks"), help: ArgumentHelp("Tor's SOCKS port.", valueName: "host:port"))
    var torSocks: String = "127.0.0.1:9050"

    @Flag(name: [.customLong("no-proxy"), .customLong("no-tor")], help: "Connect directly instead of through Tor (loopback IP addresses only; for tests and benchmarks).")
    var noTor = false

    @Flag(name: .customLong("direct-tls"), help: "TLS from the first byte (XEP-0368) instead of STARTTLS.")
    var directTLS = false

    @Option(name: .customLong("pin"), help: ArgumentHelp("Require this SHA-256 certificate fingerprint.", valueName: "sha256"))
    var pin: String?

    @Option(name: .customLong("accept-fingerprint"), help: ArgumentHelp(
        "Accept a certificate no CA vouches for if its SHA-256 fingerprint is this.", valueName: "sha256"))
    var acceptFingerprint: String?

    @Option(name: .customLong("web-registration-url"), help: ArgumentHelp(
        "Shown when in-band registration is closed.", valueName: "url"))
    var webRegistrationURL: String?

    @OptionGroup var deadlines: NetworkDeadlineOptions

    @Flag(name: .customLong("verify-only"), help: "Do not register: only log in to an existing account.")
    var verifyOnly = false

    func validate() throws {
        if provider != nil && domain != nil {
            throw ValidationError("give either --provider (from the map) or --domain with --host, not both")
        }
        guard provider != nil || (domain != nil && host != nil) else {
            throw ValidationError("give --provider DOMAIN, or --domain and --host (and --port unless it is the default)")
        }
        if !noTor { _ = try parseTorSOCKS(torSocks) }
        try validateFingerprints(pin: pin, accepted: acceptFingerprint)
        if verifyOnly && username == nil { throw ValidationError("--verify-only logs in to an existing account: give its --username") }
    }

    struct Report: Encodable {
        let ok = true
        let jid: String
        let boundJID: String
        let registered: Bool
        let certificateSHA256: String
        let certificateTrust: String
        let roundTrips: Int
        let tlsVersion: String
        let tlsCipher: String
        let saslMechanism: String
        let certificatePEM: String
        /// Wall-clock seconds from the first connect to the bound session.
        let seconds: Double
    }

    func run() throws {
        try reportingErrors(json: output.json) {
            let entry = try provider.map { name -> Provider in
                let catalog = try ProviderCatalog.load(extraFiles: maps.extraMaps)
                guard let found = catalog.provider(for: name) else {
                    throw ValidationError("no provider '\(name)' in the provider map; see 'onionboard providers list', or add one with --providers FILE")
                }
                return found
            }
            let mapPort = directTLS ? entry?.directTLSPort : entry?.clientPort
            let endpoint = Endpoint(domain: entry?.domain ?? domain!, host: host ?? entry!.onion.hostname,
                                    port: port ?? mapPort.map(UInt16.init) ?? (directTLS ? 5223 : 5222),
                                    tlsMode: directTLS ? .directTLS : .startTLS, pin: pin ?? entry?.pinSHA256)
            let password = try readPasswordFile(passwordFile, prompt: "Password")
            // A generated name practically never exists: its login may be pipelined.
            let generated = username == nil && !verifyOnly
            let username = self.username ?? CredentialGenerator.username()
            let proxy: Proxy
            if noTor {
                proxy = .none
            } else {
                let socks = try parseTorSOCKS(torSocks)
                proxy = .tor(host: socks.host, port: UInt16(socks.port))
            }
            let options = SessionOptions(
                timeouts: deadlines.timeouts,
                certificatePolicy: CertificatePolicy(acceptedFingerprint: acceptFingerprint,
                                                     confirm: certificatePrompt(passwordFromStdin: passwordFile == "-" && !passwordTypedAtTerminal(passwordFile))),
                webRegistrationURL: webRegistrationURL ?? entry?.webRegistrationURL)
            let json = output.json
            let events: (ConnectionEvent) -> Void = { event in
                if !json { Console.err("… \(event)") }
            }
            let started = Date()
            let result = verifyOnly
                ? try RegistrationClient.verify(endpoint: endpoint, proxy: proxy, username: username, password: password,
                                                options: options, events: events)
                : try RegistrationClient.register(endpoint: endpoint, proxy: proxy, username: username, password: password,
                                                  usernameWasGenerated: generated, options: options, events: events)
            if json {
                try Console.json(Report(jid: result.jid, boundJID: result.boundJID, registered: result.registered,
                                        certificateSHA256: result.certificate.sha256,
                                        certificateTrust: result.certificateTrust.rawValue, roundTrips: result.roundTrips,
                                        tlsVersion: result.tlsVersion, tlsCipher: result.tlsCipher,
                                        saslMechanism: result.saslMechanism, certificatePEM: result.certificate.pem,
                                        seconds: (Date().timeIntervalSince(started) * 1000).rounded() / 1000))
            } else {
                Console.out("\(result.registered ? "registered" : "verified") \(result.jid) (bound as \(result.boundJID))")
                Console.out("certificate SHA-256 \(result.certificate.sha256) (\(result.certificateTrust.explanation))")
                Console.out("round trips: \(result.roundTrips) in \(Date().timeIntervalSince(started).decimalText(fractionDigits: 2)) s; \(result.tlsVersion) \(result.tlsCipher); \(result.saslMechanism)")
            }
        }
    }
}
