import Foundation
import Testing
import TestSupport

/// `bootstrap --only-on-tails`, what the package's system-wide autostart entry runs: outside
/// Tails it does nothing (every user of a system with the package would otherwise get the
/// first-boot window at each login); on Tails it is the usual bootstrap.
@Suite("bootstrap --only-on-tails")
struct OnlyOnTailsTests {
    /// A Tor SOCKS port nobody listens on: a bootstrap that goes on must fail on it.
    static func arguments(_ profile: URL, json: Bool = false) -> [String] {
        ["bootstrap", "--only-on-tails", "--purple-dir", profile.path, "--tor-socks", "127.0.0.1:9", "--wait-tor", "1"]
            + (json ? ["--json"] : [])
    }

    @Test("outside Tails: exit 0, says so (also as JSON), writes nothing, asks nothing")
    func elsewhere() throws {
        let scratch = try TestSupport.makeTemporaryDirectory("onionboard-not-tails")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let root = scratch.appendingPathComponent("root")  // no etc/amnesia/version
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let profile = scratch.appendingPathComponent("purple")
        let environment = ["ONIONBOARD_TAILS_ROOT": root.path, "LANGUAGE": "en"]

        let said = try BinaryRun.run(Self.arguments(profile), environment: environment)
        #expect(said.status == 0, "\(said.stderr)")
        #expect(said.stdout.contains("This is not Tails (no \(root.path)/etc/amnesia/version): nothing to do."), "\(said.stdout)")
        let json = try BinaryRun.run(Self.arguments(profile, json: true), environment: environment)
        struct Skipped: Decodable { let ok: Bool; let skipped: String }
        let skipped = try JSONDecoder().decode(Skipped.self, from: json.stdoutData)
        #expect(json.status == 0 && skipped.ok && skipped.skipped == "not Tails", "\(json.stdout)")
        #expect(!FileManager.default.fileExists(atPath: profile.path), "a skipped bootstrap made the profile directory")
    }

    @Test("on Tails the flag changes nothing: bootstrap goes on (here to Tor, which is not there)")
    func onTails() throws {
        let scratch = try TestSupport.makeTemporaryDirectory("onionboard-tails-flag")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let root = scratch.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc/amnesia"), withIntermediateDirectories: true)
        try Data("6.19 - 20251120\n".utf8).write(to: root.appendingPathComponent("etc/amnesia/version"))
        let profile = scratch.appendingPathComponent("purple")
        let run = try BinaryRun.run(Self.arguments(profile, json: true), environment: ["ONIONBOARD_TAILS_ROOT": root.path, "LANGUAGE": "en"])
        #expect(!run.stdout.contains("not Tails"), "\(run.stdout)")
        #expect(run.status != 0, "bootstrap with no Tor should have failed, not skipped:\n\(run.stdout)\(run.stderr)")
    }
}
