import Foundation
import Testing
import TestSupport

/// `onionboard register`, run as the built binary against the local world.
@Suite("register CLI", .serialized)
struct RegisterCLITests {
    struct Report: Decodable {
        let ok: Bool
        let jid: String
        let boundJID: String
        let registered: Bool
        let certificateSHA256: String
        let certificateTrust: String
        let roundTrips: Int
        let saslMechanism: String
    }

    static func name() -> String { "cli" + String(UInt32.random(in: 100_000...999_999)) }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func registersDirectlyThenReportsTheConflict() throws {
        let world = try #require(World.current, "local world not running")
        let username = Self.name()
        let password = "cli-Secret-\(UInt32.random(in: 1000...9999))"
        let arguments = ["register", "--domain", world.xmppDomain, "--host", "127.0.0.1", "--port", String(world.prosodyPort),
                         "--no-proxy", "--username", username, "--password-file", "-", "--pin", world.certificateSHA256]
        let first = try BinaryRun.run(arguments + ["--json"], stdin: password + "\n")
        #expect(first.status == 0, "\(first.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(first.stdout.utf8))
        #expect(report.ok && report.registered && report.jid == "\(username)@\(world.xmppDomain)")
        #expect(report.certificateSHA256 == world.certificateSHA256 && report.certificateTrust == "pinned")
        // A chosen name waits for the registration result before logging in (#16 item 9).
        #expect(report.roundTrips == 8 && report.saslMechanism == "SCRAM-SHA-1")
        #expect(!first.stdout.contains(password))

        let second = try BinaryRun.run(arguments, stdin: password)
        #expect(second.status == 77)
        #expect(second.stderr.contains("'\(username)' is already taken"))
        #expect(!second.stderr.contains(password))

        // Without --username: a generated name, one round trip less.
        let generatedArguments = arguments.filter { $0 != "--username" && $0 != username }
        let generated = try BinaryRun.run(generatedArguments + ["--json"], stdin: password)
        #expect(generated.status == 0, "\(generated.stderr)")
        let generatedReport = try JSONDecoder().decode(Report.self, from: Data(generated.stdout.utf8))
        #expect(generatedReport.registered && generatedReport.roundTrips == 7 && generatedReport.jid != report.jid)

        let verify = try BinaryRun.run(arguments + ["--verify-only"], stdin: password)
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("verified \(username)@\(world.xmppDomain)"))
        #expect(verify.stdout.contains("round trips: "))
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func registersThroughTor() throws {
        let world = try #require(World.current, "local world not running")
        let result = try BinaryRun.run(["register", "--domain", world.xmppDomain, "--host", world.onion, "--port", String(world.onionPort),
                                   "--tor-socks", "\(world.socksHost):\(world.socksPort)", "--username", Self.name(),
                                   "--password-file", "-", "--accept-fingerprint", world.certificateSHA256], stdin: "tor-pass-1")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("certificate SHA-256 \(world.certificateSHA256)"))
        #expect(result.stderr.contains("connecting to Tor at \(world.socksHost):\(world.socksPort)"))
        #expect(result.stderr.contains("building a circuit can take up to a minute"))
    }

    /// `--provider` takes the onion, port and pin from a provider map given with `--providers`.
    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func providerFromTheMap() throws {
        let world = try #require(World.current, "local world not running")
        let directory = try TestSupport.makeTemporaryDirectory("register-map")
        defer { try? FileManager.default.removeItem(at: directory) }
        func map(pin: String) throws -> String {
            let file = directory.appendingPathComponent("providers-\(pin.prefix(4)).json")
            try Data("""
                { "\(world.xmppDomain)": { "onion": "\(world.onion)", "clientPort": \(world.onionPort),
                  "directTLSPort": \(world.onionTLSPort), "registration": "yes", "captcha": false, "webRegistrationURL": null,
                  "certificateSHA256": "\(pin)", "sources": [{"name": "test"}], "lastVerified": null, "notes": "" } }
                """.utf8).write(to: file)
            return file.path
        }
        let common = ["register", "--provider", world.xmppDomain, "--tor-socks", "\(world.socksHost):\(world.socksPort)",
                      "--password-file", "-"]
        // Without --username a name is generated, and its login rides with the registration.
        let good = try BinaryRun.run(common + ["--providers", try map(pin: world.certificateSHA256),
                                          "--direct-tls", "--json"], stdin: "map-pass-1")
        #expect(good.status == 0, "\(good.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(good.stdout.utf8))
        #expect(report.certificateTrust == "pinned" && report.roundTrips == 6)
        #expect(report.registered && report.jid.hasSuffix("@\(world.xmppDomain)"))

        let wrong = String(repeating: "1", count: 64)
        let refused = try BinaryRun.run(common + ["--providers", try map(pin: wrong), "--username", Self.name()], stdin: "map-pass-1")
        #expect(refused.status == 78)
        #expect(refused.stderr.contains("does not match the pinned fingerprint"))

        let unknown = try BinaryRun.run(["register", "--provider", "unknown.example", "--username", "x", "--password-file", "-"], stdin: "p")
        #expect(unknown.status == 64 && unknown.stderr.contains("no provider 'unknown.example'"))
    }

    @Test func torNotRunningExitsUnreachable() throws {
        let result = try BinaryRun.run(["register", "--domain", "example.org",
                                   "--host", "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion",
                                   "--tor-socks", "127.0.0.1:1", "--username", "x", "--password-file", "-", "--json"], stdin: "pw")
        #expect(result.status == 69)
        #expect(result.stdout.contains("nothing listens on 127.0.0.1:1: is Tor running?"))
    }

    @Test func refusesNonLoopbackWithoutTor() throws {
        let result = try BinaryRun.run(["register", "--domain", "example.org", "--host", "example.org", "--no-proxy",
                                   "--username", "x", "--password-file", "-"], stdin: "pw")
        #expect(result.status == 65)
        #expect(result.stderr.contains("refusing to connect to example.org without Tor"))
    }

    @Test func needsADestination() throws {
        let result = try BinaryRun.run(["register", "--username", "x", "--password-file", "-"], stdin: "pw")
        #expect(result.status == 64)
        #expect(result.stderr.contains("--domain"))
    }
}
