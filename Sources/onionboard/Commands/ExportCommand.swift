import Frontends
import ArgumentParser
import FoundationEssentials
import Glibc
import Vocabulary
import PurpleConfig
import Secrets
import XMPPOverTor
import Localization

/// `onionboard export`: write the Pidgin profile for an account that already exists.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a Pidgin profile for an account that already exists.",
        discussion: """
            Merges the account (through Tor, TLS required), the group chat and the pinned
            server certificate into the Pidgin profile, keeping everything else in it.
            The password is read from a file or standard input (-), never from the command line.
            """
    )

    @Option(help: "The account's address, user@domain.")
    var jid: String

    @Option(name: .customLong("password-file"), help: ArgumentHelp(
        "A file holding the password, or - for standard input.", valueName: "file"))
    var passwordFile: String

    @Option(name: .customLong("connect-server"), help: "The server's onion address (the host Pidgin dials and pins).")
    var connectServer: String

    @Option(help: "The client port on the onion.")
    var port: Int = 5222

    @Flag(name: .customLong("direct-tls"), help: "TLS from the first byte (usually port 5223) instead of STARTTLS.")
    var directTLS = false

    @Option(help: "The group chat to join, room@server.")
    var room: String = "tails@chat.disroot.org"

    @Option(help: "The nickname in the room (default: the bookmark's current one, or a random one unrelated to the account).")
    var handle: String?

    @Option(help: "The name the chat has in the buddy list.")
    var alias: String?

    @Option(help: "The buddy-list group of the chat.")
    var group: String = "Chats"

    @Option(name: .customLong("purple-dir"), help: ArgumentHelp("The Pidgin profile directory (default ~/.purple).", valueName: "dir"))
    var purpleDirectory: String?

    @Option(name: .customLong("tor-socks"), help: ArgumentHelp("Tor's SOCKS port, written into the account's proxy settings.", valueName: "host:port"))
    var torSocks: String = "127.0.0.1:9050"

    @Option(help: ArgumentHelp(
        "The server's certificate (PEM) to pin. Without it, it is fetched over Tor with the pinning rules of `register`.",
        valueName: "pem-file"))
    var certificate: String?

    @Option(name: .customLong("pin"), help: ArgumentHelp("When fetching: require this SHA-256 certificate fingerprint.", valueName: "sha256"))
    var pin: String?

    @Option(name: .customLong("accept-fingerprint"), help: ArgumentHelp(
        "When fetching: accept a certificate no CA vouches for if its SHA-256 fingerprint is this.", valueName: "sha256"))
    var acceptFingerprint: String?

    @Flag(name: .customLong("no-login-check"), help: "When fetching: only fetch the certificate, do not log in to check the password.")
    var noLoginCheck = false

    @OptionGroup var deadlines: NetworkDeadlineOptions

    @Flag(help: "Write even while Pidgin or finch runs (they may overwrite the files when they exit).")
    var force = false

    @Flag(name: .customLong("dry-run"), help: "Show which files would change; write nothing.")
    var dryRun = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try parseTorSOCKS(torSocks)
        try validateFingerprints(pin: pin, accepted: acceptFingerprint)
    }

    func run() throws {
        try reportingErrors(json: output.json) {
            let password = try readPasswordFile(passwordFile, prompt: translated("Password for \(jid)"))
            let socks = try parseTorSOCKS(torSocks)
            let profile = PurpleProfile(directory: purpleDirectory ?? PurpleProfile.defaultDirectory)
            func request(certificate: [UInt8]?) -> ProfileRequest {
                ProfileRequest(
                accountJID: jid,
                password: password,
                connectServer: connectServer,
                port: port,
                tlsMode: directTLS ? .directTLS : .startTLS,
                proxy: ProxySettings(host: socks.host, port: socks.port),
                chat: RoomBookmark(jid: room, alias: alias, handle: handle, group: group),
                certificatePEM: certificate)
            }
            if dryRun {
                let changes = try profile.plannedChanges(request(certificate: try certificateFromFile()))
                if output.json {
                    try Console.json(DryRunReport(changes: changes))
                } else {
                    for change in changes { Console.out("\(change.action.rawValue): \(change.path)") }
                }
                return
            }
            // Refuse a malformed profile before going to the network, not after.
            _ = try profile.plannedChanges(request(certificate: nil))
            let pem = try certificateFromFile() ?? fetchCertificate(password: password, socks: socks)
            let report = try profile.write(request(certificate: pem), force: force)
            if output.json {
                try Console.json(ExportReport(report))
            } else {
                for change in report.changes { Console.out("\(change.action.rawValue): \(change.path)") }
                for backup in report.backups { Console.out(translated("backup: \(backup)")) }
                for warning in report.warnings { Console.err(translated("warning: \(warning.message)")) }
                Console.out(translated("Pidgin profile ready for \(report.accountName) in \(report.directory)."))
            }
        }
    }

    /// The certificate to pin, from --certificate.
    private func certificateFromFile() throws -> [UInt8]? {
        guard let certificate else { return nil }
        guard let data = FileManager.default.contents(atPath: certificate) else {
            throw PurpleConfigError.cannotRead(path: certificate, reason: "no such file or not readable")
        }
        return Array(data)
    }

    /// Fetches the server's leaf certificate over Tor, judged by the same rules as a
    /// registration (pin, then CA, then --accept-fingerprint or a prompt at a terminal), and
    /// by default logs in with the password so a typo shows now, not in Pidgin.
    private func fetchCertificate(password: SecretBytes, socks: HostPort) throws -> [UInt8] {
        let parts = jid.split(separator: "@", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ValidationError("--jid must look like user@domain")
        }
        let (username, domain) = (String(parts[0]), String(parts[1].split(separator: "/").first ?? ""))
        let endpoint = Endpoint(domain: domain, host: connectServer, port: UInt16(clamping: port),
                                tlsMode: directTLS ? .directTLS : .startTLS, pin: pin)
        let options = SessionOptions(
            timeouts: deadlines.timeouts,
            certificatePolicy: CertificatePolicy(
                acceptedFingerprint: acceptFingerprint,
                confirm: certificatePrompt(passwordFromStdin: passwordFile == "-" && !passwordTypedAtTerminal(passwordFile))),
            webRegistrationURL: nil)
        let json = output.json
        let events: (ConnectionEvent) -> Void = { event in if !json { Console.err("… \(event)") } }
        // As the wizard does: an onion that fails for a reason a new circuit may fix
        // (Tor's "general failure", a timeout) is tried once more on a fresh circuit (a new
        // Proxy.tor has new isolation credentials). Nothing is created, so a retry is harmless.
        var retried = false
        while true {
            let proxy = Proxy.tor(host: socks.host, port: UInt16(socks.port))
            do {
                if noLoginCheck {
                    return Array(try RegistrationClient.fetchCertificate(endpoint: endpoint, proxy: proxy, options: options,
                                                                         events: events).certificate.pem.utf8)
                }
                let result = try RegistrationClient.verify(endpoint: endpoint, proxy: proxy, username: username,
                                                           password: password, options: options, events: events)
                return Array(result.certificate.pem.utf8)
            } catch where !retried && (error.category == .unreachable || error.category == .tryLater) {
                retried = true
                if !json { Console.err(translated("… could not reach \(connectServer) (\(error)); trying once more on a new Tor circuit")) }
            }
        }
    }
}

private struct DryRunReport: Encodable {
    let ok = true
    let dryRun = true
    let changes: [PlannedChange]
}

private struct ExportReport: Encodable {
    let ok = true
    let directory: String
    let accountName: String
    let changes: [PlannedChange]
    let backups: [String]
    let warnings: [ProfileWarning]

    init(_ report: ProfileWriteReport) {
        directory = report.directory
        accountName = report.accountName
        changes = report.changes
        backups = report.backups
        warnings = report.warnings
    }
}
