import Foundation
import Testing
import TestSupport

/// The product through the field switches of the world (issue 13): a provider's certificate
/// chosen by SNI and renewed, and a Tails-like Tor that starts disabled and then connects
/// slowly. In the serialized suite of those switches, so nothing else moves them meanwhile.
extension FieldWorldSwitchTests {
    /// One provider, in OnionMap's metadata format, without a pin: the certificate is
    /// judged the way a real provider's would be (a CA, or the person / --accept-fingerprint).
    static func providerFile(_ world: World, domain: String, onion: String, port: Int = 5222) throws -> String {
        let url = world.worldDirectory.appendingPathComponent("field-\(domain).json")
        try """
            {"\(domain)": {"onion": "\(onion)", "clientPort": \(port), "registration": "yes", "captcha": false}}
            """.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static func sha256(ofPEMFile url: URL) throws -> String {
        try FieldWorldTests.sha256(try String(contentsOf: url, encoding: .utf8))
    }

    /// The SHA-256 of the certificate pinned in a profile for `onion`.
    static func pinned(_ profile: URL, onion: String) throws -> String {
        try FieldWorldTests.sha256(try String(contentsOf: profile.appendingPathComponent("certificates/x509/tls_peers/\(onion)"),
                                              encoding: .utf8))
    }

    static func finchLogsIn(_ profile: URL, world: World) throws -> FinchRun {
        try Finch.run(profile: profile, timeout: 120, world: world) { $0.loggedIn || $0.certificatePromptShown }
    }

    @Test("SNI as Pidgin sends it, and renewals: the pinned leaf is the onion's, so finch logs in without a prompt; after the provider renews, bootstrap pins the CA-vouched leaf and finch again needs no prompt; a self-signed renewal is left unpinned until accepted",
          .enabled(if: enabled))
    func renewalKeepsPidginQuiet() throws {
        let world = try FieldWorldTests.fieldWorld()
        let scratch = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        defer { _ = try? world.control(["renew-cert", world.renewDomain]) } // CA-issued leaves for the next run
        let profile = scratch.appendingPathComponent("purple")
        let providers = try Self.providerFile(world, domain: world.renewDomain, onion: world.renewOnion)
        // The provider's leaves come from a CA this "machine" trusts, as Let's Encrypt's do.
        let trustingTheCA = ["SSL_CERT_FILE": world.testCAPEM.path]
        let common = ["--providers", providers, "--tor-socks", "\(world.socksHost):\(world.socksPort)",
                      "--purple-dir", profile.path, "--force"]

        let run = try BinaryRun.run(["run", "--non-interactive", "--provider", world.renewDomain, "--no-server-bookmark"] + common,
                                    environment: trustingTheCA)
        try #require(run.status == 0, "\(run.stderr)\n\(run.stdout)")
        #expect(run.stdout.contains("valid for the provider's domain through a certificate authority"), "\(run.stdout)")
        let onionLeaf = try Self.sha256(ofPEMFile: world.renewDefaultCertificatePEM)
        #expect(try Self.pinned(profile, onion: world.renewOnion) == onionLeaf, "not the leaf served for SNI = the onion")
        #expect(onionLeaf != (try Self.sha256(ofPEMFile: world.renewCertificatePEM)))
        var finch = try Self.finchLogsIn(profile, world: world)
        #expect(finch.evidence.loggedIn && finch.evidence.peerCertMatchedCached, "\(finch.summary)")
        #expect(!finch.evidence.certificatePromptShown, "first start asked about the certificate\n\(finch.summary)")

        // The provider renews (same CA, new keys): the old pin makes Pidgin ask ...
        let renewed = try world.control(["renew-cert", world.renewDomain])
        try #require(renewed.status == 0, "\(renewed.output)")
        let renewedLeaf = try Self.sha256(ofPEMFile: world.renewDefaultCertificatePEM)
        finch = try Self.finchLogsIn(profile, world: world)
        #expect(finch.evidence.certificatePromptShown || finch.evidence.peerCertMismatched,
                "the renewal went unnoticed with the old pin\n\(finch.summary)")
        // ... until bootstrap (at the next login) pins the new, CA-vouched leaf.
        let bootstrap = try BinaryRun.run(["bootstrap", "--wait-tor", "60"] + common, environment: trustingTheCA)
        #expect(bootstrap.status == 0, "\(bootstrap.stderr)\n\(bootstrap.stdout)")
        #expect(bootstrap.stdout.contains("Already set up: "))
        #expect(bootstrap.stdout.contains("was renewed (SHA-256 \(renewedLeaf)); a certificate authority vouches for it"), "\(bootstrap.stdout)")
        #expect(try Self.pinned(profile, onion: world.renewOnion) == renewedLeaf)
        finch = try Self.finchLogsIn(profile, world: world)
        #expect(finch.evidence.loggedIn && !finch.evidence.certificatePromptShown, "\(finch.summary)")

        // A renewal nothing vouches for is said plainly and not pinned; accepted, it is.
        let selfSigned = try world.control(["renew-cert", world.renewDomain, "--self-signed"])
        try #require(selfSigned.status == 0, "\(selfSigned.output)")
        let mine = try Self.sha256(ofPEMFile: world.renewDefaultCertificatePEM)
        let check = try BinaryRun.run(["certificates", "--purple-dir", profile.path, "--providers", providers,
                                       "--tor-socks", "\(world.socksHost):\(world.socksPort)"], environment: trustingTheCA)
        #expect(check.status == 78, "\(check.stderr)")
        #expect(check.stderr.contains("no certificate authority vouches for"), "\(check.stderr)")
        #expect(try Self.pinned(profile, onion: world.renewOnion) == renewedLeaf, "an unvouched certificate was pinned")
        let accept = try BinaryRun.run(["certificates", "--purple-dir", profile.path, "--providers", providers, "--json",
                                        "--tor-socks", "\(world.socksHost):\(world.socksPort)", "--accept-fingerprint", mine])
        #expect(accept.status == 0, "\(accept.stderr)")
        #expect(accept.stdout.contains("\"status\" : \"accepted\""), "\(accept.stdout)")
        #expect(try Self.pinned(profile, onion: world.renewOnion) == mine)
    }

    /// A simulated Tails layout: its version file, and the flag file Tails creates once Tor has
    /// bootstrapped — here a link to the world's model of it.
    static func tailsRoot(_ world: World, in scratch: URL) throws -> URL {
        let root = scratch.appendingPathComponent("tails-root")
        let amnesia = root.appendingPathComponent("etc/amnesia")
        try FileManager.default.createDirectory(at: amnesia, withIntermediateDirectories: true)
        try "7.6 - 20260326\n".write(to: amnesia.appendingPathComponent("version"), atomically: true, encoding: .utf8)
        let flagDirectory = root.appendingPathComponent("run/tor-has-bootstrapped")
        try FileManager.default.createDirectory(at: flagDirectory, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: flagDirectory.appendingPathComponent("done"),
                                                   withDestinationURL: world.tailsBootstrappedFlag)
        return root
    }

    /// Waits until the output file holds `text`; returns the output.
    static func output(_ file: URL, contains text: String, within seconds: TimeInterval, of process: Spawned) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var output = ""
        while Date() < deadline {
            output = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            if output.contains(text) { return output }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.25)
        }
        throw WorldError("no “\(text)” within \(Int(seconds)) s (running: \(process.isRunning)):\n\(output)")
    }

    @Test("bootstrap through a Tor like Tails' at first login: network disabled (connect to Tor first), then connecting, then connected — it waits, says what for, and finishes within --wait-tor, on Tails (its bootstrapped flag) and elsewhere (SOCKS, retries)",
          .enabled(if: enabled))
    func bootstrapWaitsForTailsTor() throws {
        let world = try FieldWorldTests.fieldWorld()
        let scratch = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        defer { _ = try? world.control(["tails-tor", "reset"]) }
        let providers = try Self.providerFile(world, domain: world.xmppDomain, onion: world.onion)
        let tailsRoot = try Self.tailsRoot(world, in: scratch)
        for onTails in [true, false] {
            let reset = try world.control(["tails-tor", "reset"])
            try #require(reset.status == 0, "\(reset.output)")
            let profile = scratch.appendingPathComponent("purple-\(onTails)")
            let log = scratch.appendingPathComponent("bootstrap-\(onTails).out")
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ONIONBOARD_") }
            if onTails { environment["ONIONBOARD_TAILS_ROOT"] = tailsRoot.path }
            let started = Date()
            let process = try Spawned([TestSupport.onionboardBinary.path, "bootstrap", "--wait-tor", "240",
                                       "--providers", providers, "--accept-fingerprint", world.certificateSHA256,
                                       "--tor-socks", "127.0.0.1:\(world.tailsSOCKSPort)", "--purple-dir", profile.path, "--force"],
                                      environment: environment, stdout: log, stderrToStdout: true)
            defer { process.stop(grace: 1) }

            // Phase 1: Tor's network is off; the SOCKS port refuses.
            var said = try Self.output(log, contains: "connect to Tor first", within: 30, of: process)
            #expect(said.contains("Tor is not running or not connected yet"), "\(said)")
            if onTails { #expect(said.contains("the Persistent Storage is not unlocked"), "\(said)") }
            Thread.sleep(forTimeInterval: 5)
            // Phase 2: the network is on, circuits cannot be built yet.
            let enable = try world.control(["tails-tor", "enable"])
            try #require(enable.status == 0, "\(enable.output)")
            if onTails {
                said = try Self.output(log, contains: "Tor is still connecting", within: 30, of: process)
            } else {
                // Without a provider, bootstrap checks the offered ones (and keeps at it while Tor connects).
                said = try Self.output(log, contains: "Checking the providers over Tor", within: 30, of: process)
            }
            Thread.sleep(forTimeInterval: 12)
            let soFar = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(process.isRunning, "bootstrap gave up while Tor was connecting:\n\(soFar)")
            #expect(!FileManager.default.fileExists(atPath: profile.appendingPathComponent("accounts.xml").path))
            // Phase 3: connected.
            let release = try world.control(["tails-tor", "release"])
            try #require(release.status == 0, "\(release.output)")
            #expect(process.wait(timeout: 200), "bootstrap did not finish within 200 s of Tor connecting")
            said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(process.exitStatus == 0, "\(said)")
            #expect(said.contains("Done: "), "\(said)")
            #expect(said.contains("Chose \(world.xmppDomain): reachable in "), "\(said)")
            #expect(FileManager.default.fileExists(atPath: profile.appendingPathComponent("accounts.xml").path))
            print("bootstrap through the Tails-like Tor (\(onTails ? "Tails layout" : "elsewhere")): \(Int(Date().timeIntervalSince(started))) s")
        }
    }
}
