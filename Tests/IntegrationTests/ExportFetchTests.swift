import Foundation
import Testing
import TestSupport

/// `onionboard export` without --certificate: the certificate is fetched over Tor from the
/// onion, judged by the registration's pinning rules, and the password is checked by
/// logging in — so a typo fails now, with nothing written, instead of later in Pidgin.
@Suite("export fetches the certificate over Tor", .serialized)
struct ExportFetchTests {
    static func export(_ world: World, jid: String, password: String, into profile: URL,
                       extra: [String]) throws -> (status: Int32, output: String) {
        let passwordFile = profile.deletingLastPathComponent().appendingPathComponent("password-\(UUID())")
        try Data((password + "\n").utf8).write(to: passwordFile)
        defer { try? FileManager.default.removeItem(at: passwordFile) }
        return try runCommand([TestSupport.onionboardBinary.path, "export", "--jid", jid,
                               "--password-file", passwordFile.path, "--connect-server", world.onion,
                               "--port", String(world.onionPort), "--room", world.roomJID,
                               "--tor-socks", "\(world.socksHost):\(world.socksPort)",
                               "--purple-dir", profile.path, "--force"] + extra, timeout: 240)
    }

    @Test("The fetched, accepted certificate is pinned and the login is checked",
          .enabled(if: World.isAvailable || TestSupport.isCI))
    func fetchesAndPins() throws {
        let world = try #require(World.current, "local world not running")
        let user = "export\(UInt32.random(in: 100_000...999_999))"
        let password = "pw-\(UUID().uuidString)"
        try world.registerAccount(user, password: password)
        let dir = try TestSupport.makeTemporaryDirectory("export-fetch")
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = dir.appendingPathComponent("purple")

        let result = try Self.export(world, jid: "\(user)@\(world.xmppDomain)", password: password, into: profile,
                                     extra: ["--accept-fingerprint", world.certificateSHA256])
        #expect(result.status == 0, Comment(rawValue: result.output))
        let pinned = try String(contentsOf: profile.appendingPathComponent("certificates/x509/tls_peers/\(world.onion)"),
                                encoding: .utf8)
        let served = try String(contentsOf: world.certificatePEM, encoding: .utf8)
        #expect(pinned.trimmingCharacters(in: .whitespacesAndNewlines)
                == served.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(!result.output.contains(password))
    }

    @Test("A wrong password or an unaccepted certificate writes nothing",
          .enabled(if: World.isAvailable || TestSupport.isCI))
    func refusesWithoutWriting() throws {
        let world = try #require(World.current, "local world not running")
        let user = "export\(UInt32.random(in: 100_000...999_999))"
        try world.registerAccount(user, password: "right-\(UUID().uuidString)")
        let dir = try TestSupport.makeTemporaryDirectory("export-refuse")
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = dir.appendingPathComponent("purple")

        let wrongPassword = try Self.export(world, jid: "\(user)@\(world.xmppDomain)", password: "wrong-password",
                                           into: profile, extra: ["--accept-fingerprint", world.certificateSHA256])
        #expect(wrongPassword.status == 77, Comment(rawValue: wrongPassword.output))
        #expect(!FileManager.default.fileExists(atPath: profile.appendingPathComponent("accounts.xml").path))

        let otherFingerprint = String(repeating: "ab", count: 32)
        let untrusted = try Self.export(world, jid: "\(user)@\(world.xmppDomain)", password: "irrelevant",
                                        into: profile, extra: ["--pin", otherFingerprint])
        #expect(untrusted.status == 78, Comment(rawValue: untrusted.output))
        // Both fingerprints are shown (as AB:CD:… pairs).
        #expect(untrusted.output.replacingOccurrences(of: ":", with: "").lowercased().contains(world.certificateSHA256))
        #expect(!FileManager.default.fileExists(atPath: profile.appendingPathComponent("accounts.xml").path))
    }
}
