import Foundation
import Testing
import TestSupport
import Wizard
import WizardAdapters

/// End to end through the local world: the built binary registers over the private Tor
/// network's onion, writes the profile, and finch (a real libpurple) proves it.
@Suite("Wizard end to end (local world)", .serialized)
struct WizardWorldTests {
    /// The world's provider in OnionMap's metadata format, without the certificate pin
    /// that the world's own PROVIDERS_JSON carries: so these runs exercise the certificate
    /// decision (`--accept-fingerprint`, the terminal prompt) instead of the pin.
    static func providerFile(_ world: World) throws -> String {
        let url = world.worldDirectory.appendingPathComponent("wizard-providers.json")
        let json = """
            {"\(world.xmppDomain)": {"onion": "\(world.onion)", "clientPort": \(world.onionPort),
              "directTLSPort": \(world.onionTLSPort), "registration": "yes", "captcha": false}}
            """
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static func flags(_ world: World, profile: URL) throws -> [String] {
        ["--providers", try providerFile(world), "--provider", world.xmppDomain,
         "--tor-socks", "\(world.socksHost):\(world.socksPort)", "--purple-dir", profile.path, "--room", world.roomJID,
         // Other suites may run finch at the same time (same user); it never touches these profiles.
         "--force"]
    }

    static func finchJoins(_ profile: URL, world: World) throws -> FinchRun {
        let room = world.roomJID
        return try Finch.run(profile: profile, timeout: 120, world: world) { $0.joinedRoom(room) }
    }

    @Test("non-interactive run with every flag: profile written, finch logs in through Tor and joins the room",
          .enabled(if: (World.isAvailable || TestSupport.isCI) && WizardLayers.registrationAvailable))
    func nonInteractive() throws {
        let world = try #require(World.current, "local world not running")
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let profile = directory.appendingPathComponent("purple")
        let saved = directory.appendingPathComponent("saved.answers")
        let run = try BinaryRun.run(["run", "--non-interactive", "--json", "--accept-fingerprint", world.certificateSHA256,
                                     "--save-answers", saved.path] + (try Self.flags(world, profile: profile)))
        #expect(run.status == 0, "stderr: \(run.stderr)")
        struct Report: Decodable {
            let jid: String
            let onion: String
            let certificateSHA256: String
            let usernameGenerated: Bool
            let passwordGenerated: Bool
            let registrationSeconds: Double
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        #expect(report.jid.hasSuffix("@\(world.xmppDomain)"))
        #expect(report.onion == world.onion)
        #expect(report.certificateSHA256 == world.certificateSHA256)
        #expect(report.usernameGenerated && report.passwordGenerated)
        #expect(run.stderr.contains("Reaching "))
        #expect(run.stderr.contains("Writing the Pidgin profile"))
        let answers = try String(contentsOf: saved, encoding: .utf8)
        #expect(answers.contains("username = \(report.jid.split(separator: "@")[0])"))
        #expect(!answers.split(separator: "\n").contains { $0.hasPrefix("password") })
        print("wizard e2e: registration over the onion took \(String(format: "%.1f", report.registrationSeconds)) s")

        let finch = try Self.finchJoins(profile, world: world)
        #expect(finch.evidence.loggedIn, "\(finch.summary)")
        #expect(finch.evidence.peerCertMatchedCached)
        #expect(finch.evidence.usedSOCKS5Proxy)
        #expect(finch.evidence.abortedDNSLookups)
        #expect(finch.evidence.realDNSQueries.isEmpty)
        #expect(finch.evidence.joinedRoom(world.roomJID))
    }

    @Test("a chosen username that is taken is asked again without starting over (plain frontend)",
          .enabled(if: (World.isAvailable || TestSupport.isCI) && WizardLayers.registrationAvailable))
    func takenUsername() throws {
        let world = try #require(World.current, "local world not running")
        let taken = "taken\(Int.random(in: 10000...99999))"
        try world.registerAccount(taken, password: "some-long-password")
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let profile = directory.appendingPathComponent("purple")
        let fresh = "fresh\(Int.random(in: 10000...99999))"
        // Plain mode (stdin is a pipe): the handle takes its default, then the conflict asks again.
        let run = try BinaryRun.run(["run", "--username", taken, "--accept-fingerprint", world.certificateSHA256]
                                    + (try Self.flags(world, profile: profile)), stdin: "\nBad Name\n\(fresh)\n")
        #expect(run.status == 0, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        #expect(run.stdout.contains("The username \(taken) is already taken on this server."))
        #expect(run.stdout.contains("✗ “ ” is not allowed in a username"))
        #expect(run.stdout.contains("Done. Your new account: \(fresh)@\(world.xmppDomain)"))
        let accounts = try String(contentsOf: profile.appendingPathComponent("accounts.xml"), encoding: .utf8)
        #expect(accounts.contains("\(fresh)@\(world.xmppDomain)/"))
        #expect(!accounts.contains(taken))
    }

    @Test("bootstrap twice: the second run changes nothing",
          .enabled(if: (World.isAvailable || TestSupport.isCI) && WizardLayers.registrationAvailable))
    func bootstrapTwice() throws {
        let world = try #require(World.current, "local world not running")
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let profile = directory.appendingPathComponent("purple")
        let arguments = ["bootstrap", "--wait-tor", "60", "--providers", try Self.providerFile(world),
                         "--tor-socks", "\(world.socksHost):\(world.socksPort)", "--purple-dir", profile.path,
                         "--room", world.roomJID, "--accept-fingerprint", world.certificateSHA256, "--force"]
        let first = try BinaryRun.run(arguments)
        #expect(first.status == 0, "stderr: \(first.stderr)\nstdout: \(first.stdout)")
        #expect(first.stdout.contains("Done: "))
        let snapshot = try Self.snapshot(profile)
        #expect(snapshot.keys.contains("accounts.xml"))

        let second = try BinaryRun.run(arguments)
        #expect(second.status == 0)
        #expect(second.stdout.contains("Already set up: "))
        #expect(try Self.snapshot(profile) == snapshot)
    }

    /// Every file under the profile with its bytes and modification time.
    static func snapshot(_ directory: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [:] }
        for case let url as URL in walker where !url.hasDirectoryPath {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            let data = try Data(contentsOf: url)
            let relative = String(url.path.dropFirst(directory.path.count + 1))
            result[relative] = "\(data.base64EncodedString())|\((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        }
        return result
    }
}
