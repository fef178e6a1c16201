import Foundation
@testable import PurpleConfig
import Secrets
import Testing
import TestSupport

/// The promise, proven with a real libpurple: finch, pointed at a profile we wrote,
/// logs in to the local world's Prosody through the private Tor network's onion,
/// accepts the server because of our pin (no prompt), does no DNS/SRV lookup, and joins
/// the room. Read from finch's debug log.
///
/// Uses the local world (`testbed/world up`). Until TestSupport's `World`/`Finch`
/// harness lands on main, this file carries a minimal reader of world.env and a finch
/// runner of its own (`ProofWorld`, `ProofFinch`); switch to TestSupport's when merging.
@Suite("finch uses the profile we wrote", .serialized)
struct FinchProofTests {
    @Test("Written with the API: logged in over the onion via SOCKS5, pin matched, no DNS, room joined",
          .enabled(if: ProofWorld.isAvailable || TestSupport.isCI), .timeLimit(.minutes(4)))
    func apiProfile() throws {
        let world = try #require(ProofWorld.current, "local world not running")
        let account = try world.registerAccount()
        let dir = try TestSupport.makeTemporaryDirectory("purple-proof")
        let handle = "Zoë 日本 & co " + SecureRandom.string(length: 4, alphabet: Array("abcdefghijkmnpqrstuvwxyz"))
        try Fixture.profile(dir).write(world.request(account, handle: handle, certificate: world.certificate()))

        let run = try ProofFinch.run(profile: dir, until: { $0.joinedRoom(world.roomJID) || $0.failedToJoin(world.roomJID) || $0.certificatePromptShown })
        #expect(run.loggedIn, "\(run.tail)")
        #expect(!run.failedToJoin(world.roomJID), "\(run.tail)")
        #expect(run.peerCertMatchedCached)
        #expect(!run.certificatePromptShown)
        #expect(run.usedSOCKS5Proxy(to: world.onion))
        #expect(run.abortedDNSLookups)
        #expect(run.realDNSLookups.isEmpty, "DNS lookups: \(run.realDNSLookups)")
        #expect(run.joinedRoom(world.roomJID))
        #expect(run.log.contains("<presence to='\(world.roomJID)/\(handle.replacingOccurrences(of: "&", with: "&amp;"))'>"))
    }

    @Test("A wrong pinned certificate: no match, finch asks", .enabled(if: ProofWorld.isAvailable || TestSupport.isCI),
          .timeLimit(.minutes(4)))
    func wrongPin() throws {
        let world = try #require(ProofWorld.current, "local world not running")
        let account = try world.registerAccount()
        let dir = try TestSupport.makeTemporaryDirectory("purple-proof-wrong")
        try Fixture.profile(dir).write(world.request(account, handle: "h", certificate: Fixture.makeCertificate()))

        let run = try ProofFinch.run(profile: dir, until: { $0.certificatePromptShown || $0.joinedRoom(world.roomJID) || $0.failedToJoin(world.roomJID) })
        #expect(!run.peerCertMatchedCached)
        #expect(run.log.contains("Peer cert did NOT match cached"))
        #expect(run.certificatePromptShown)
        #expect(!run.joinedRoom(world.roomJID))
    }

    @Test("`onionboard export` output works the same way", .enabled(if: ProofWorld.isAvailable || TestSupport.isCI),
          .timeLimit(.minutes(4)))
    func exportProfile() throws {
        let world = try #require(ProofWorld.current, "local world not running")
        let account = try world.registerAccount()
        let dir = try TestSupport.makeTemporaryDirectory("purple-proof-export")
        let process = Process()
        process.executableURL = TestSupport.onionboardBinary
        process.arguments = ["export", "--jid", account.jid, "--password-file", "-", "--connect-server", world.onion,
                             "--port", String(world.onionPort), "--room", world.roomJID, "--handle", "exported-" + account.jid.prefix(9),
                             "--tor-socks", "\(world.socksHost):\(world.socksPort)", "--certificate", world.certificatePath,
                             "--purple-dir", dir.path, "--force"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data((account.password + "\n").utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let run = try ProofFinch.run(profile: dir, until: { $0.joinedRoom(world.roomJID) || $0.failedToJoin(world.roomJID) || $0.certificatePromptShown })
        #expect(run.loggedIn, "\(run.tail)")
        #expect(!run.failedToJoin(world.roomJID), "\(run.tail)")
        #expect(run.peerCertMatchedCached)
        #expect(run.usedSOCKS5Proxy(to: world.onion))
        #expect(run.abortedDNSLookups)
        #expect(run.joinedRoom(world.roomJID))
    }
}

// MARK: - Minimal world reader and finch runner (to be replaced by TestSupport's)

struct ProofWorld {
    let values: [String: String]

    static var envFile: String? {
        if let path = ProcessInfo.processInfo.environment["ONIONBOARD_WORLD_ENV"], !path.isEmpty { return path }
        let local = TestSupport.packageRoot.appendingPathComponent(".world/world.env").path
        return FileManager.default.fileExists(atPath: local) ? local : nil
    }

    static var current: ProofWorld? {
        guard let path = envFile, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            var value = String(line[line.index(after: equals)...])
            if value.count >= 2, let first = value.first, first == value.last, first == "'" || first == "\"" {
                value = String(value.dropFirst().dropLast())
            }
            values[String(line[..<equals])] = value
        }
        let world = ProofWorld(values: values)
        return world.values["ONION"] != nil && world.values["SOCKS_PORT"] != nil ? world : nil
    }

    static var isAvailable: Bool { current != nil }

    var onion: String { values["ONION"]! }
    var onionPort: Int { Int(values["ONION_PORT"] ?? "") ?? 5222 }
    var socksHost: String { values["SOCKS_HOST"] ?? "127.0.0.1" }
    var socksPort: Int { Int(values["SOCKS_PORT"]!)! }
    var roomJID: String { values["ROOM_JID"]! }
    var domain: String { values["XMPP_DOMAIN"]! }
    var certificatePath: String { values["CERT_PEM"]! }

    func certificate() throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: certificatePath))) }

    struct Account { let jid: String; let password: String }

    /// A fresh account, registered with prosodyctl (test-only: the password is in its argv).
    func registerAccount() throws -> Account {
        let user = "proof" + SecureRandom.string(length: 8, alphabet: Array("abcdefghijkmnpqrstuvwxyz23456789"))
        let password = SecureRandom.string(length: 20, alphabet: Array("abcdefghijkmnpqrstuvwxyz23456789"))
        let status = Spawn.run("/bin/sh", ["-c", "\(values["PROSODYCTL"]!) register \(user) \(domain) \(password)"])
        guard status == 0 else { throw CocoaError(.executableLoad) }
        return Account(jid: "\(user)@\(domain)", password: password)
    }

    func request(_ account: Account, handle: String, certificate: [UInt8]) -> ProfileRequest {
        ProfileRequest(accountJID: account.jid, password: SecretBytes(utf8: account.password), connectServer: onion,
                       port: onionPort, tlsMode: .startTLS, proxy: ProxySettings(host: socksHost, port: socksPort),
                       chat: ChatBookmark(roomJID: roomJID, handle: handle, alias: "Support"),
                       certificatePEM: certificate)
    }
}

/// finch -d under tmux on a copy of a profile; the answers come from its debug log.
struct ProofFinch {
    let log: String
    let pane: String

    var tail: String { String(log.suffix(3000)) }
    var loggedIn: Bool { log.contains("Connection established") || log.range(of: #"jabber: Sending \(ssl\) \([^)]+/[^)]+\)"#, options: .regularExpression) != nil }
    var peerCertMatchedCached: Bool { log.contains("Peer cert matched cached") }
    var abortedDNSLookups: Bool { log.contains("Aborting SRV lookup in Tor Proxy mode.") }
    var certificatePromptShown: Bool { pane.contains("SSL Certificate Verification") || pane.contains("Accept certificate") }
    func usedSOCKS5Proxy(to host: String) -> Bool { log.contains("proxy: Connecting to \(host):") && log.contains("using SOCKS5") }
    /// Name lookups other than of IP literals (the proxy's own address).
    var realDNSLookups: [String] {
        log.split(separator: "\n").filter { $0.contains("dnsquery: Performing DNS lookup for ") }
            .map { String($0.split(separator: " ").last ?? "") }.filter { inet_addr($0) == INADDR_NONE }
    }
    /// Received presences from the room (one chunk per `<presence`, up to its end).
    private func presences(from room: String) -> [Substring] {
        log.components(separatedBy: "<presence").dropFirst().compactMap { chunk in
            let stanza = chunk.prefix { $0 != "\n" }
            let end = stanza.range(of: "</presence>").map { stanza[..<$0.upperBound] } ?? stanza
            let head = end.prefix { $0 != ">" }
            return head.contains("from='\(room)/") ? end : nil
        }
    }

    /// The room refused the join (the stop condition must not wait for a join that cannot come).
    func failedToJoin(_ room: String) -> Bool {
        presences(from: room).contains { $0.prefix { $0 != ">" }.contains("type='error'") }
    }

    /// Our own presence came back from the room with status 110 ("this is you").
    func joinedRoom(_ room: String) -> Bool {
        presences(from: room).contains { $0.contains("code='110'") }
    }

    static func run(profile: URL, timeout: TimeInterval = 150, until done: (ProofFinch) -> Bool) throws -> ProofFinch {
        let copy = try TestSupport.makeTemporaryDirectory("purple-finch-run")
        let config = copy.appendingPathComponent("purple")
        try FileManager.default.copyItem(at: profile, to: config)
        let logFile = copy.appendingPathComponent("finch.log")
        let session = "onionboard-proof-\(UUID().uuidString.prefix(8))"
        try TmuxFinch.tmux(["new-session", "-d", "-s", session, "-x", "200", "-y", "50",
                            "exec finch -c '\(config.path)' -d 2>'\(logFile.path)'"])
        defer { try? TmuxFinch.tmux(["kill-session", "-t", session]) }
        let deadline = Date().addingTimeInterval(timeout)
        var state = ProofFinch(log: "", pane: "")
        while Date() < deadline {
            usleep(500_000)
            state = ProofFinch(log: (try? String(contentsOf: logFile, encoding: .utf8)) ?? "", pane: capture(session))
            if done(state) { break }
        }
        usleep(300_000)
        return ProofFinch(log: (try? String(contentsOf: logFile, encoding: .utf8)) ?? "", pane: capture(session))
    }

    private static func capture(_ session: String) -> String {
        Spawn.output("/usr/bin/tmux", ["capture-pane", "-p", "-t", session])
    }
}
