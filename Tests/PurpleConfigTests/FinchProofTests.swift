import Foundation
@testable import PurpleConfig
import Secrets
import Testing
import TestSupport
import Vocabulary

/// The promise, proven with a real libpurple: finch, pointed at a profile we wrote,
/// logs in to the local world's Prosody through the private Tor network's onion,
/// accepts the server because of our pin (no prompt), does no DNS/SRV lookup, and joins
/// the room (self-presence, status 110). All read from finch's debug log.
@Suite("finch uses the profile we wrote", .serialized)
struct FinchProofTests {
    static let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")

    struct Account {
        let jid: String
        let password: String
    }

    /// A fresh account on the world's server (prosodyctl: a test-only password in argv).
    static func registerAccount(_ world: World) throws -> Account {
        let user = "purple" + SecureRandom.string(length: 8, alphabet: alphabet)
        let password = SecureRandom.string(length: 20, alphabet: alphabet)
        try world.registerAccount(user, password: password)
        return Account(jid: "\(user)@\(world.xmppDomain)", password: password)
    }

    static func request(_ world: World, _ account: Account, handle: String, certificate: [UInt8]) -> ProfileRequest {
        ProfileRequest(accountJID: account.jid, password: SecretBytes(utf8: account.password),
                       connectServer: world.onion, port: world.onionPort, tlsMode: .startTLS,
                       proxy: ProxySettings(host: world.socksHost, port: world.socksPort),
                       chat: RoomBookmark(jid: world.roomJID, alias: "Support", handle: handle),
                       certificatePEM: certificate)
    }

    static func finished(_ world: World) -> @Sendable (FinchEvidence) -> Bool {
        let room = world.roomJID
        return { $0.joinedRoom(room) || $0.certificatePromptShown || $0.peerCertMismatched }
    }

    @Test("Written with the API: logged in over the onion via SOCKS5, pin matched, no DNS, room joined",
          .enabled(if: World.isAvailable || TestSupport.isCI), .timeLimit(.minutes(4)))
    func apiProfile() throws {
        let world = try #require(World.current, "local world not running")
        let account = try Self.registerAccount(world)
        let dir = try TestSupport.makeTemporaryDirectory("purple-proof")
        let handle = "Zoë 日本 & co " + SecureRandom.string(length: 4, alphabet: Self.alphabet)
        try Fixture.profile(dir).write(Self.request(world, account, handle: handle,
                                                    certificate: Fixture.bytes(world.certificatePEM)))

        let run = try Finch.run(profile: dir, timeout: 150, until: Self.finished(world))
        let evidence = run.evidence
        #expect(evidence.loggedIn, Comment(rawValue: run.summary))
        #expect(evidence.peerCertMatchedCached, Comment(rawValue: run.summary))
        #expect(!evidence.certificatePromptShown)
        #expect(evidence.usedSOCKS5Proxy(target: "\(world.onion):\(world.onionPort)",
                                         proxy: "\(world.socksHost):\(world.socksPort)"), Comment(rawValue: run.summary))
        #expect(evidence.abortedDNSLookups, "DNS lookups: \(evidence.realDNSQueries)")
        #expect(evidence.joinedRoom(world.roomJID), Comment(rawValue: run.summary))
        // The handle went out with its special characters intact.
        #expect(evidence.log.contains("<presence to='\(world.roomJID)/\(handle.replacingOccurrences(of: "&", with: "&amp;"))'>"))
    }

    @Test("A wrong pinned certificate: no match, finch asks, no login", .enabled(if: World.isAvailable || TestSupport.isCI),
          .timeLimit(.minutes(4)))
    func wrongPin() throws {
        let world = try #require(World.current, "local world not running")
        let account = try Self.registerAccount(world)
        let dir = try TestSupport.makeTemporaryDirectory("purple-proof-wrong")
        try Fixture.profile(dir).write(Self.request(world, account, handle: "wrongpin",
                                                    certificate: Fixture.makeCertificate(commonName: world.onion)))

        let run = try Finch.run(profile: dir, timeout: 150) { $0.certificatePromptShown }
        #expect(run.evidence.peerCertMismatched, Comment(rawValue: run.summary))
        #expect(!run.evidence.peerCertMatchedCached)
        #expect(run.evidence.certificatePromptShown, Comment(rawValue: run.summary))
        #expect(!run.evidence.loggedIn)
        #expect(!run.evidence.joinedRoom(world.roomJID))
    }

    @Test("`onionboard export` output works the same way", .enabled(if: World.isAvailable || TestSupport.isCI),
          .timeLimit(.minutes(4)))
    func exportProfile() throws {
        let world = try #require(World.current, "local world not running")
        let account = try Self.registerAccount(world)
        let dir = try TestSupport.makeTemporaryDirectory("purple-proof-export")
        let passwordFile = dir.appendingPathComponent("password")
        try Data((account.password + "\n").utf8).write(to: passwordFile)
        let profile = dir.appendingPathComponent("purple")
        let export = try BinaryRun.run([
            "export", "--jid", account.jid, "--password-file", passwordFile.path, "--connect-server", world.onion,
            "--port", String(world.onionPort), "--room", world.roomJID, "--handle", "exported-\(account.jid.prefix(14))",
            "--tor-socks", "\(world.socksHost):\(world.socksPort)", "--certificate", world.certificatePEM.path,
            "--purple-dir", profile.path, "--force"])
        #expect(export.status == 0, "\(export.stderr)")

        let run = try Finch.run(profile: profile, timeout: 150, until: Self.finished(world))
        let evidence = run.evidence
        #expect(evidence.loggedIn, Comment(rawValue: run.summary))
        #expect(evidence.peerCertMatchedCached, Comment(rawValue: run.summary))
        #expect(evidence.usedSOCKS5Proxy(target: "\(world.onion):\(world.onionPort)",
                                         proxy: "\(world.socksHost):\(world.socksPort)"))
        #expect(evidence.abortedDNSLookups, "DNS lookups: \(evidence.realDNSQueries)")
        #expect(evidence.joinedRoom(world.roomJID), Comment(rawValue: run.summary))
    }

    /// finch and tmux are installed (scripts/setup); in CI a missing one fails the test.
    static var finchAvailable: Bool {
        ["/usr/bin/finch", "/usr/bin/tmux"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("libpurple keeps onionboard's mark on the accounts it registered when it rewrites accounts.xml (what bootstrap's decisions rest on)",
          .enabled(if: finchAvailable || TestSupport.isCI), .timeLimit(.minutes(2)))
    func markSurvivesLibpurple() throws {
        let dir = try TestSupport.makeTemporaryDirectory("purple-mark")
        defer { try? FileManager.default.removeItem(at: dir) }
        var registered = Fixture.request(jid: "marked@onionboard.test")
        registered.registeredHere = true
        registered.proxy = ProxySettings(host: "127.0.0.1", port: 1)
        _ = try Fixture.profile(dir).write(registered)
        _ = try Fixture.profile(dir).write(Fixture.request(jid: "brought@onionboard.test"))
        // An old-style setting: libpurple migrates it on load and so saves the file soon after.
        let accounts = dir.appendingPathComponent("accounts.xml")
        let written = try String(contentsOf: accounts, encoding: .utf8)
        try written.replacingOccurrences(of: "<setting name='connection_security' type='string'>require_tls</setting>",
                                         with: "<setting name='require_tls' type='bool'>1</setting>")
            .write(to: accounts, atomically: true, encoding: .utf8)
        #expect(!written.contains("<statuses>"))

        // finch without networking (-n): it loads, migrates and saves, and connects nowhere.
        let session = "onionboard-mark-\(getpid())-\(UUID().uuidString.prefix(6))"
        let started = try runCommand(["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50",
                                      "exec finch -n -c '\(dir.path)' 2>/dev/null"], timeout: 10)
        #expect(started.status == 0, "\(started.output)")
        let pane = try runCommand(["tmux", "display-message", "-p", "-t", "=\(session):", "#{pane_pid}"], timeout: 10)
        defer {
            _ = try? runCommand(["tmux", "kill-session", "-t", "=\(session)"], timeout: 10)
            if let pid = pid_t(pane.output.trimmingCharacters(in: .whitespacesAndNewlines)) {
                Finch.stopProcess(pid, ifArgvContains: dir.path)
            }
        }
        let deadline = Date().addingTimeInterval(60)
        var saved = ""
        while Date() < deadline {
            saved = (try? String(contentsOf: accounts, encoding: .utf8)) ?? ""
            if saved.contains("<statuses>") && saved.contains("connection_security") { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(saved.contains("<statuses>"), "finch did not rewrite accounts.xml:\n\(saved)")
        #expect(saved.components(separatedBy: "<settings ui='onionboard'>").count == 2, "\(saved)")
        let read = try Fixture.profile(dir).existingXMPPAccounts()
        #expect(read.map(\.registeredByOnionboard) == [true, false])
    }
}
