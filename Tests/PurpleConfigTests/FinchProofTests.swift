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
}
