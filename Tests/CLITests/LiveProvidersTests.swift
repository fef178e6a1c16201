import Foundation
import Glibc
import Testing
import TestSupport
import WizardAdapters

/// Issue 15 against the local world: every onion it has (open, CAPTCHA, closed, renewing,
/// dead, silent) checked live, and whole wizard runs — terminal and window — that
/// pre-select the open provider, show the dead one without waiting for the silent one,
/// and say that the room is missing before anything is written.
@Suite("Live provider checks and the room check (local world)", .serialized)
struct LiveProvidersTests {
    static var enabled: Bool { (World.isAvailable || TestSupport.isCI) && WizardLayers.registrationAvailable }

    struct CheckReport: Decodable {
        struct Certificate: Decodable {
            let tls: String
            let serverName: String
            let sha256: String?
            let spkiSHA256: String?
            let trust: String?
            let failure: String?
        }
        struct Registration: Decodable { let kind: String; let advertised: Bool }
        struct Failure: Decodable { let brief: String; let timedOut: Bool; let torUnavailable: Bool }
        struct Provider: Decodable {
            let domain: String
            let host: String
            let reachable: Bool
            let startTLS: Bool?
            let directTLS: Bool?
            let certificates: [Certificate]
            let registration: Registration?
            let roundTripSeconds: Double?
            let seconds: Double
            let failure: Failure?
        }
        let deadlineSeconds: Double
        let concurrency: Int
        let seconds: Double
        let keptIn: String?
        let providers: [Provider]
    }

    /// A template whose room is missing on the world's MUC, with the world's public room as its alternative.
    static func missingRoomTemplate(_ world: World, in directory: URL) throws -> String {
        let file = directory.appendingPathComponent("missing-room.wizard")
        try """
            Template: missing-room
            Title: Join the test room
            Description: A test of the room check.
            Room: \(world.roomMissingJID)
            Room-Alias: Missing room
            Room-Alternatives: \(world.roomJID) Support room

            Question: provider
            Type: provider
            Priority: critical
            Description: Which provider should host your account?

            Question: username
            Type: text
            Default: generated
            Priority: high
            Validation: localpart
            Description: Username for the new account

            Question: handle
            Type: text
            Default: generated
            Validation: handle
            Description: Your nickname in the room
            """.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    @Test("providers check --all --json: each onion's true state, each within its deadline, kept for the wizard",
          .enabled(if: enabled))
    func checkEveryOnion() throws {
        let world = try #require(World.current, "local world not running")
        let state = try TestSupport.makeTemporaryDirectory("check-state")
        defer { try? FileManager.default.removeItem(at: state) }
        let deadline = 15.0
        let started = Date()
        let run = try BinaryRun.run(["providers", "check", "--all", "--json", "--providers", world.providersJSON.path,
                                     "--tor-socks", "\(world.socksHost):\(world.socksPort)", "--deadline", "\(Int(deadline))"],
                                    environment: ["XDG_STATE_HOME": state.path])
        let wall = Date().timeIntervalSince(started)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(CheckReport.self, from: run.stdoutData)
        #expect(report.deadlineSeconds == deadline && report.concurrency == 8)
        func provider(_ domain: String) throws -> CheckReport.Provider { try #require(report.providers.first { $0.domain == domain }) }

        let open = try provider(world.xmppDomain)
        #expect(open.reachable && open.failure == nil && open.startTLS == true && open.directTLS == true)
        #expect(open.registration?.kind == "data-form" && open.registration?.advertised == true)
        #expect(open.certificates.first?.sha256 == world.certificateSHA256 && open.certificates.first?.trust == "pinned")
        #expect(open.certificates.first?.serverName == world.onion && open.roundTripSeconds != nil)

        let captcha = try provider(world.ejabberdDomain)
        #expect(captcha.registration?.kind == "captcha")
        #expect(captcha.certificates.first?.sha256 == world.ejabberdDefaultCertificateSHA256)
        #expect(captcha.certificates.contains { $0.serverName == world.ejabberdDomain && $0.sha256 == world.ejabberdCertificateSHA256 })

        let closed = try provider(world.closedDomain)
        #expect(closed.reachable && closed.registration?.kind == "closed" && closed.registration?.advertised == false)
        #expect(try provider(world.renewDomain).registration?.kind == "data-form")

        let dead = try provider("dead.test")
        #expect(!dead.reachable && dead.failure?.brief.hasPrefix("not in the Tor network") == true, "\(String(describing: dead.failure))")
        let silent = try provider("silent.test")
        #expect(silent.reachable && silent.failure?.timedOut == true && silent.certificates.allSatisfy { $0.sha256 == nil })

        // Every check ended by its own deadline, and the silent one held up nothing else.
        #expect(report.providers.allSatisfy { $0.seconds > 0 && $0.seconds <= deadline + 1 }, "\(report.providers.map { ($0.domain, $0.seconds) })")
        #expect(try provider("silent.test").seconds >= deadline - 1, "the silent one used its whole deadline")
        #expect(report.providers.filter { $0.domain != "silent.test" }.allSatisfy { $0.seconds < deadline - 2 })
        #expect(wall < deadline * 2, "the whole check took \(wall) s")
        // The bundled providers exist only in the real Tor network: here they are not found, quickly.
        #expect(report.providers.count > 20)

        // Kept (0600 in a 0700 directory) for the wizard, with their time.
        let kept = try #require(report.keptIn)
        #expect(kept == state.path + "/onionboard/provider-checks.json")
        #expect(try FileManager.default.attributesOfItem(atPath: kept)[.posixPermissions] as? Int == 0o600)
        #expect(ProviderCheckFile(directory: state.path + "/onionboard").load()[world.xmppDomain]?.registration == .open)
        let listed = try BinaryRun.run(["providers", "list", "--providers", world.providersJSON.path],
                                       environment: ["XDG_STATE_HOME": state.path])
        #expect(listed.stdout.contains("ago: reachable in "), "\(listed.stdout)")

        // Tor itself missing: nothing about the providers is known, exit 69.
        let noTor = try BinaryRun.run(["providers", "check", world.xmppDomain, "--providers", world.providersJSON.path,
                                       "--tor-socks", "127.0.0.1:1"], environment: ["XDG_STATE_HOME": state.path])
        #expect(noTor.status == 69 && noTor.stderr.contains("no provider could be checked"), "\(noTor.stderr)")
        let unknown = try BinaryRun.run(["providers", "check", "nowhere.example"])
        #expect(unknown.status == 66)
    }

    @Test("templates guide after a live check: the HTML guide names the world's onion and the SHA-1 fingerprint Pidgin will show for it",
          .enabled(if: enabled))
    func guideFromTheKeptCheck() throws {
        let world = try #require(World.current, "local world not running")
        let state = try TestSupport.makeTemporaryDirectory("guide-state")
        defer { try? FileManager.default.removeItem(at: state) }
        let check = try BinaryRun.run(["providers", "check", world.xmppDomain, "--providers", world.providersJSON.path,
                                       "--tor-socks", "\(world.socksHost):\(world.socksPort)"],
                                      environment: ["XDG_STATE_HOME": state.path])
        try #require(check.status == 0, "\(check.stderr)")
        let guide = try BinaryRun.run(["templates", "guide", "tails-support", "--format", "html", "--provider", world.xmppDomain,
                                       "--providers", world.providersJSON.path], environment: ["XDG_STATE_HOME": state.path])
        try #require(guide.status == 0, "\(guide.stderr)")
        // What Pidgin's "View Certificate" shows: OpenSSL's SHA-1 of the certificate the onion serves.
        let openssl = try runCommand(["openssl", "x509", "-in", world.certificatePEM.path, "-noout", "-fingerprint", "-sha1"])
        let sha1 = try #require(openssl.output.split(separator: "=").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(sha1.count == 59, "\(openssl.output)")
        #expect(guide.stdout.contains("<p class=\"literal\">\(sha1)</p>"), "the guide does not show the SHA-1 Pidgin shows")
        #expect(guide.stdout.contains("<p class=\"literal\">\(world.onion)</p>"))
        #expect(guide.stdout.contains("<code>\(world.onion)</code>"), "the onion is not the connect server")
        #expect(guide.stdout.contains("This guide uses \(world.xmppDomain)."))
        // Without a kept check the guide says so instead of a fingerprint.
        let empty = try TestSupport.makeTemporaryDirectory("guide-empty-state")
        defer { try? FileManager.default.removeItem(at: empty) }
        let unchecked = try BinaryRun.run(["templates", "guide", "--provider", world.xmppDomain, "--providers", world.providersJSON.path],
                                          environment: ["XDG_STATE_HOME": empty.path])
        #expect(unchecked.status == 0 && unchecked.stdout.contains("No fingerprint is known for this guide"), "\(unchecked.stdout)")
        #expect(!unchecked.stdout.contains(sha1))
    }

    @Test("the terminal: the open provider pre-selected, the dead one listed among the last as unreachable while the silent one is still checked, a missing room said before anything is written and its alternative joined",
          .enabled(if: enabled && (TmuxTerminal.available || TestSupport.isCI)))
    func terminal() throws {
        let world = try #require(World.current, "local world not running")
        let directory = try TestSupport.makeTemporaryDirectory("live-terminal")
        defer { try? FileManager.default.removeItem(at: directory) }
        let profile = directory.appendingPathComponent("purple")
        let command = "XDG_STATE_HOME=" + shellQuoted([directory.appendingPathComponent("state").path]) + " "
            + shellQuoted([TestSupport.onionboardBinary.path, "run", try Self.missingRoomTemplate(world, in: directory),
                           "--providers", world.providersJSON.path, "--tor-socks", "\(world.socksHost):\(world.socksPort)",
                           "--purple-dir", profile.path, "--force"]) + "; echo EXIT=$?; sleep 120"
        let started = Date()
        let terminal = try TmuxTerminal(command: command)
        var screen = try terminal.wait(for: "Choose 1–", timeout: 60)
        let shownAfter = Date().timeIntervalSince(started)
        // Not held up by the silent onion (whose check goes on for a minute).
        #expect(shownAfter < 40, "the list took \(shownAfter) s")
        #expect(screen.contains("Choose 1–") && screen.contains("[\(world.xmppDomain)]:"), "the open provider is not the default:\n\(screen)")
        let lines = screen.split(separator: "\n").map(String.init)
        let openLine = try #require(lines.firstIndex { $0.contains(") \(world.xmppDomain) — reachable in ") })
        let captchaLine = try #require(lines.firstIndex { $0.contains(") \(world.ejabberdDomain) — reachable in ") && $0.contains("with a CAPTCHA") })
        let silentLine = try #require(lines.firstIndex { $0.contains(") silent.test — checking over Tor…") }, "\(screen)")
        let deadLine = try #require(lines.firstIndex { $0.contains(") dead.test — unreachable: not in the Tor network") })
        #expect(openLine < captchaLine && captchaLine < silentLine && silentLine < deadLine)
        #expect(!screen.contains(") \(world.closedDomain) "), "closed.test registers nobody: not offered")
        #expect(screen.contains("Checking the providers over Tor"))

        // Details on request.
        let number = lines[openLine].trimmingCharacters(in: .whitespaces).prefix { $0.isNumber }
        try terminal.type("details \(number)")
        // The question comes again after the details (keys typed before it would be dropped).
        screen = try terminal.wait(for: "[\(world.xmppDomain)]:", occurrences: 2)
        #expect(screen.contains("Checked over Tor:     reachable in "))
        #expect(screen.contains("Your address:") && screen.contains("name@\(world.xmppDomain)"))
        // Enter takes the default.
        try terminal.type("")
        try terminal.wait(for: "Username for the new account [")
        try terminal.type("")
        try terminal.wait(for: "Your nickname in the room [")
        try terminal.type("")

        // The room check: said before the profile is written, with the template's alternative.
        screen = try terminal.wait(for: "Which room should Pidgin join? Choose 1–2 [2]:", timeout: 90)
        #expect(screen.contains("the room \(world.roomMissingJID) does not exist"))
        #expect(screen.contains("2) \(world.roomJID) — Support room"))
        #expect(!screen.contains("Writing the Pidgin profile"), "written before the room was settled:\n\(screen)")
        try terminal.type("")
        try terminal.wait(for: "Type show and press Enter to see the password", timeout: 60)
        try terminal.type("")
        screen = try terminal.wait(for: "EXIT=", timeout: 30)
        #expect(screen.contains("EXIT=0"), "\(screen)")
        #expect(screen.contains("The room \(world.roomJID) exists"))
        let blist = try String(contentsOf: profile.appendingPathComponent("blist.xml"), encoding: .utf8)
        #expect(blist.contains("<component name='room'>support</component>") && !blist.contains("nosuchroom"), "\(blist)")
        let finch = try WizardWorldTests.finchJoins(profile, world: world)
        #expect(finch.evidence.joinedRoom(world.roomJID), "\(finch.summary)")
        #expect(!finch.evidence.roomWasCreatedOnJoin(world.roomJID))
    }

    @Test("the window: the provider page with the live states and the open provider pre-selected, the room question before the end, the alternative in the profile",
          .enabled(if: enabled && PrivateDesktop.toolsAvailable))
    func window() throws {
        let stage = try DesktopWindowTests.Stage()
        defer { stage.close() }
        let world = stage.world
        let run = try WindowRun("live-providers", arguments: [
            "run", try Self.missingRoomTemplate(world, in: stage.parent.deletingLastPathComponent()),
            "--providers", world.providersJSON.path, "--tor-socks", stage.socks, "--purple-dir", stage.profile.path, "--force",
        ], desktop: stage.desktop)
        defer { run.close() }
        try run.page("Join the test room")
        try run.click("Next")
        var providers = try run.page(DesktopWindowTests.providerPage, timeout: 60)
        // The page updates as checks end; the dead onion's ends when Tor gives up on its
        // descriptor (seconds on an idle machine, longer on a loaded one). Read it again until then.
        let dead = { (texts: [String]) in texts.contains { $0.hasPrefix("unreachable: not in the Tor network") } }
        let pageShown = Date()
        while !dead(providers.texts) && Date().timeIntervalSince(pageShown) < 90 {
            Thread.sleep(forTimeInterval: 2)
            providers = try run.page(DesktopWindowTests.providerPage, timeout: 10)
        }
        #expect(providers.shows("name@\(world.xmppDomain)"), "the open provider is not pre-selected: \(providers.texts)")
        #expect(providers.shows("Checked over Tor"), "\(providers.texts)")
        #expect(providers.texts.contains { $0.hasPrefix("unreachable: not in the Tor network") }, "\(providers.texts)")
        #expect(providers.texts.contains { $0.hasPrefix("reachable in ") && $0.contains("open registration, no CAPTCHA") })
        try run.click("Next")
        try run.page(DesktopWindowTests.accountPage)
        try run.click("Next")

        let room = try run.page("Which room should Pidgin join?", timeout: 90)
        #expect(room.texts.contains { $0.contains("\(world.roomMissingJID) does not exist") }, "\(room.texts)")
        #expect(!FileManager.default.fileExists(atPath: stage.profile.appendingPathComponent("blist.xml").path))
        try run.click("Next")
        let done = try run.page(DesktopWindowTests.donePage, timeout: 90)
        #expect(done.shows(world.roomJID) || done.texts.contains { $0.contains("support") }, "\(done.texts)")
        try run.click("Close")
        #expect(run.exitStatus() == 0, "\(run.output)")
        let blist = try String(contentsOf: stage.profile.appendingPathComponent("blist.xml"), encoding: .utf8)
        #expect(blist.contains("<component name='room'>support</component>") && !blist.contains("nosuchroom"))
    }
}
