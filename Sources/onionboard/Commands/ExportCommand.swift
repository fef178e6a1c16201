import ArgumentParser
import Foundation
import PurpleConfig
import Secrets

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

    @Option(help: ArgumentHelp("The server's certificate (PEM) to pin.", valueName: "pem-file"))
    var certificate: String?

    @Flag(help: "Write even while Pidgin or finch runs (they may overwrite the files when they exit).")
    var force = false

    @Flag(name: .customLong("dry-run"), help: "Show which files would change; write nothing.")
    var dryRun = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard socksEndpoint != nil else {
            throw ValidationError("--tor-socks must be HOST:PORT, e.g. 127.0.0.1:9050")
        }
    }

    private var socksEndpoint: (host: String, port: Int)? {
        guard let colon = torSocks.lastIndex(of: ":"), let port = Int(torSocks[torSocks.index(after: colon)...]),
              colon != torSocks.startIndex else { return nil }
        return (String(torSocks[..<colon]), port)
    }

    func run() throws {
        try reportingErrors(json: output.json) {
            let request = ProfileRequest(
                accountJID: jid,
                password: try SecretBytes.read(path: passwordFile),
                connectServer: connectServer,
                port: port,
                tlsMode: directTLS ? .directTLS : .startTLS,
                proxy: ProxySettings(host: socksEndpoint!.host, port: socksEndpoint!.port),
                chat: ChatBookmark(roomJID: room, handle: handle,
                                   alias: alias, group: group),
                certificatePEM: try certificateBytes())
            let profile = PurpleProfile(directory: purpleDirectory ?? PurpleProfile.defaultDirectory)
            if dryRun {
                let changes = try profile.plannedChanges(request)
                if output.json {
                    try Console.json(DryRunReport(changes: changes))
                } else {
                    for change in changes { Console.out("\(change.action.rawValue): \(change.path)") }
                }
                return
            }
            let report = try profile.write(request, force: force)
            if output.json {
                try Console.json(ExportReport(report))
            } else {
                for change in report.changes { Console.out("\(change.action.rawValue): \(change.path)") }
                for backup in report.backups { Console.out("backup: \(backup)") }
                for warning in report.warnings { Console.err("warning: \(warning.message)") }
                Console.out("Pidgin profile ready for \(report.accountName) in \(report.directory).")
            }
        }
    }

    /// The certificate to pin. Seam for the registration layer: once XMPPOverTor can
    /// fetch the server's leaf over Tor with its pinning rules, a missing
    /// --certificate is answered here by that fetch. Until then: a file, or no pin.
    private func certificateBytes() throws -> [UInt8]? {
        guard let certificate else { return nil }
        guard let data = FileManager.default.contents(atPath: certificate) else {
            throw PurpleConfigError.cannotRead(path: certificate, reason: "no such file or not readable")
        }
        return Array(data)
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
