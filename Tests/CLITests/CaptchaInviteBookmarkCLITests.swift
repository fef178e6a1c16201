import Foundation
import Testing
import TestSupport
import Wizard
import WizardAdapters
@testable import Frontends
@testable import onionboard

/// `onionboard run` with a CAPTCHA provider, invite links and the server-bookmark phase,
/// through the local world's Tor network (ejabberd is reachable on the onion's port 5322).
@Suite("CAPTCHA, invites and bookmarks through the CLI", .serialized)
struct CaptchaInviteBookmarkCLITests {
    /// `mapSaysCAPTCHA: false` makes the wizard connect and meet the CAPTCHA in the form.
    /// captcha.test behind its own onion, pinned to the leaf it shows for SNI = that onion
    /// (what libpurple sends, and so what onionboard pins), not its domain's leaf.
    static func captchaProviderFile(_ world: World, mapSaysCAPTCHA: Bool = true) throws -> String {
        let url = world.worldDirectory.appendingPathComponent("captcha-providers-\(mapSaysCAPTCHA).json")
        let json = """
            {"\(world.ejabberdDomain)": {"onion": "\(world.ejabberdOnion)", "clientPort": 5222,
              "registration": "yes", "captcha": \(mapSaysCAPTCHA), "webRegistrationURL": "https://\(world.ejabberdDomain)/register",
              "certificateSHA256": "\(world.ejabberdDefaultCertificateSHA256)"}}
            """
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test("non-interactive run against a CAPTCHA provider stops clearly, names the web page, writes nothing",
          .enabled(if: (World.isAvailable || TestSupport.isCI) && WizardLayers.registrationAvailable))
    func nonInteractiveCAPTCHA() throws {
        let world = try #require(World.current, "local world not running")
        // Known from the map (stops before connecting), then met in the server's form over Tor.
        for mapSaysCAPTCHA in [true, false] {
            let directory = try TestSupport.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let profile = directory.appendingPathComponent("purple")
            let run = try BinaryRun.run(["run", "--non-interactive",
                                         "--providers", try Self.captchaProviderFile(world, mapSaysCAPTCHA: mapSaysCAPTCHA),
                                         "--provider", world.ejabberdDomain, "--tor-socks", "\(world.socksHost):\(world.socksPort)",
                                         "--purple-dir", profile.path, "--room", world.roomJID, "--force"])
            #expect(run.status == 3, "stdout: \(run.stdout) stderr: \(run.stderr)")
            #expect(run.stderr.contains("CAPTCHA, which needs a person"), "\(run.stderr)")
            #expect(run.stderr.contains("https://\(world.ejabberdDomain)/register"), "\(run.stderr)")
            #expect((run.stdout + run.stderr).contains("Reaching ") != mapSaysCAPTCHA, "\(run.stdout)")
            let written = (try? FileManager.default.contentsOfDirectory(atPath: profile.path)) ?? []
            #expect(written.isEmpty, "files written: \(written)")
        }
    }

    @Test("a wizard run bookmarks the room on the server (bookmark phase); --no-server-bookmark skips it",
          .enabled(if: (World.isAvailable || TestSupport.isCI) && WizardLayers.registrationAvailable))
    func bookmarkPhase() throws {
        let world = try #require(World.current, "local world not running")
        for skip in [false, true] {
            let directory = try TestSupport.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let run = try BinaryRun.run(["run", "--non-interactive", "--providers", world.providersJSON.path,
                                         "--provider", world.xmppDomain, "--tor-socks", "\(world.socksHost):\(world.socksPort)",
                                         "--purple-dir", directory.appendingPathComponent("purple").path,
                                         "--room", world.roomJID, "--force"] + (skip ? ["--no-server-bookmark"] : []))
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let progress = run.stdout + run.stderr
            #expect(progress.contains("Bookmarking \(world.roomJID) on the server") != skip, "\(progress)")
            #expect(!progress.contains("Warning:"), "\(progress)")
        }
    }

    @Test("--invite through the onion: the link's username and token register once; reusing it gives the clear error",
          .enabled(if: (World.isAvailable || TestSupport.isCI) && WizardLayers.registrationAvailable))
    func inviteThroughTheOnion() throws {
        let world = try #require(World.current, "local world not running")
        let providers = world.worldDirectory.appendingPathComponent("invite-providers.json")
        try """
            {"\(world.xmppDomain)": {"onion": "\(world.onion)", "clientPort": \(world.prosodyInviteOnionPort),
              "registration": "yes", "captcha": false, "certificateSHA256": "\(world.certificateSHA256)"}}
            """.write(to: providers, atomically: true, encoding: .utf8)
        let generated = try world.generateInvite()  // xmpp:onionboard.test?register;preauth=TOKEN
        let name = "inv" + String(UUID().uuidString.prefix(8)).lowercased()
        let invite = generated.replacingOccurrences(of: "xmpp:", with: "xmpp:\(name)@")
        for attempt in 1...2 {
            let directory = try TestSupport.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let profile = directory.appendingPathComponent("purple")
            let run = try BinaryRun.run(["run", "--non-interactive", "--json", "--invite", invite, "--providers", providers.path,
                                         "--tor-socks", "\(world.socksHost):\(world.socksPort)", "--purple-dir", profile.path,
                                         "--room", world.roomJID, "--force", "--no-server-bookmark"])
            if attempt == 1 {
                #expect(run.status == 0, "stderr: \(run.stderr)")
                #expect(run.stdout.contains("\"jid\" : \"\(name)@\(world.xmppDomain)\"") || run.stdout.contains("\"jid\":\"\(name)@\(world.xmppDomain)\""),
                        "\(run.stdout)")
            } else {
                #expect(run.status == 77, "stdout: \(run.stdout) stderr: \(run.stderr)")
                #expect((run.stdout + run.stderr).contains("The invite token is invalid or expired"), "\(run.stdout) \(run.stderr)")
                let written = (try? FileManager.default.contentsOfDirectory(atPath: profile.path)) ?? []
                #expect(written.isEmpty, "files written: \(written)")
            }
        }
    }

    @Test("--invite: a malformed link or one for another provider is refused before anything happens")
    func badInviteLinks() throws {
        let malformed = try BinaryRun.run(["run", "--non-interactive", "--invite", "https://example.org/invite/abc"])
        #expect(malformed.status == 65, "\(malformed.stderr)")
        #expect(malformed.stderr.contains("must start with xmpp:"), "\(malformed.stderr)")
        let notInvite = try BinaryRun.run(["run", "--non-interactive", "--invite", "xmpp:example.org?join"])
        #expect(notInvite.status == 65 && notInvite.stderr.contains("not an invitation"), "\(notInvite.stderr)")
        let mismatch = try BinaryRun.run(["run", "--non-interactive", "--provider", "jabjab.de",
                                          "--invite", "xmpp:example.org?register;preauth=T"])
        #expect(mismatch.status != 0 && mismatch.stderr.contains("disagrees with the invite link"), "\(mismatch.stderr)")
    }
}

/// Where the terminal frontend puts a CAPTCHA image: private to the user, removed after use.
@Suite struct CAPTCHAImageFileTests {
    @Test func privateFileInTheRuntimeDirectory() throws {
        let runtime = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: runtime) }
        chmod(runtime.path, 0o700)
        let file = try CAPTCHAImageFile(Data([0x89, 0x50, 0x4E, 0x47]), type: "image/png",
                                        environment: ["XDG_RUNTIME_DIR": runtime.path])
        #expect(file.path.hasPrefix(runtime.path + "/") && file.path.hasSuffix(".png"))
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(FileManager.default.contents(atPath: file.path) == Data([0x89, 0x50, 0x4E, 0x47]))
        #expect(!file.openInViewer(environment: [:]))  // no display: only the path is shown
        file.remove()
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }

    @Test func withoutARuntimeDirectoryAPrivateTemporaryDirectory() throws {
        let file = try CAPTCHAImageFile(Data([1, 2, 3]), type: "image/jpeg", environment: [:])
        let directory = (file.path as NSString).deletingLastPathComponent
        let attributes = try FileManager.default.attributesOfItem(atPath: directory)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        #expect(file.path.hasSuffix(".jpg"))
        file.remove()
        #expect(!FileManager.default.fileExists(atPath: directory))
    }
}
