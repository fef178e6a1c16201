import Foundation
import Testing
import TestSupport
import Wizard
import WizardAdapters

/// The whole terminal wizard the way a person on Tails meets the field (issue 13): a
/// provider that runs ejabberd with a CAPTCHA and its 30 s limit, behind a slow onion
/// (each round trip ~0.9 s, circuits in seconds), answered at a person's pace — 15 s to
/// read the certificate, 15 s on the CAPTCHA, one wrong answer — then finch logs in with
/// no prompt and joins the room.
@Suite("Field conditions in a pseudo-terminal (slow onion, CAPTCHA provider)")
struct FieldTerminalTests {
    static var enabled: Bool {
        (World.isAvailable || TestSupport.isCI) && WizardLayers.registrationAvailable && (TmuxTerminal.available || TestSupport.isCI)
    }

    /// captcha.test behind the slow Tor network, not pinned: the person judges the certificate.
    static func slowCAPTCHAProvider(_ world: World) throws -> String {
        let url = world.worldDirectory.appendingPathComponent("field-slow-captcha.json")
        try """
            {"\(world.ejabberdDomain)": {"onion": "\(world.slowEjabberdOnion)", "clientPort": 5222, "registration": "yes",
              "captcha": true, "webRegistrationURL": "https://\(world.ejabberdDomain)/register"}}
            """.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The answer to the CAPTCHA picture saved at `path` (the world records it by the picture's SHA-1).
    static func answer(toPictureAt path: String, world: World) throws -> String {
        let digest = String(try runCommand(["sha1sum", path]).output.prefix { $0 != " " })
        return try String(contentsOf: world.ejabberdCaptchaAnswers.appendingPathComponent(digest), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a person's pace against the slow CAPTCHA provider: the certificate and the CAPTCHA each take 15 s, one wrong answer, and the account is made; finch logs in with no prompt and joins the room",
          .enabled(if: enabled))
    func personAtThePaceOfTails() throws {
        let world = try #require(World.current, "local world not running")
        let scratch = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let profile = scratch.appendingPathComponent("purple")
        let command = shellQuoted([TestSupport.onionboardBinary.path, "run", "--providers", try Self.slowCAPTCHAProvider(world),
                                   "--provider", world.ejabberdDomain, "--tor-socks", "\(world.slowSOCKSHost):\(world.slowSOCKSPort)",
                                   "--purple-dir", profile.path, "--room", world.ejabberdRoomJID, "--force"])
            + "; echo EXIT=$?; sleep 120"
        let terminal = try TmuxTerminal(command: command)
        let started = Date()
        try terminal.wait(for: "Username for the new account [")
        try terminal.type("")
        try terminal.wait(for: "Your nickname in the support room [")
        try terminal.type("")
        // The slow onion: the warm-up reaches it while the person answered; the certificate
        // question comes before the registration connection opens.
        var screen = try terminal.wait(for: "Trust this certificate and remember it in Pidgin?", timeout: 120)
        #expect(screen.contains(world.ejabberdDefaultCertificateSHA256), "not the leaf for SNI = the onion:\n\(screen)")
        #expect(!screen.contains("Registering"))
        Thread.sleep(forTimeInterval: 15) // reading the fingerprint
        try terminal.type("")             // Enter: trust

        // The CAPTCHA, at once, with the time left; 15 s on it, and a wrong answer.
        screen = try terminal.wait(for: "The CAPTCHA image is in ", timeout: 120)
        #expect(screen.contains("Answer within about "), "\(screen)")
        Thread.sleep(forTimeInterval: 15)
        try terminal.type("000000")
        screen = try terminal.wait(for: "That answer was not accepted", timeout: 120)
        screen = try terminal.wait(for: "The CAPTCHA image is in ", occurrences: 2, timeout: 120)
        let picture = try #require(screen.split(separator: "\n").last { $0.contains("The CAPTCHA image is in ") }
            .map { String($0.components(separatedBy: "The CAPTCHA image is in ")[1].prefix { $0 != " " }) })
        try terminal.type(try Self.answer(toPictureAt: picture, world: world))
        screen = try terminal.wait(for: "Type show and press Enter", timeout: 120)
        #expect(screen.components(separatedBy: "Trust this certificate").count == 2, "the certificate was asked about again")
        try terminal.type("")
        screen = try terminal.wait(for: "EXIT=", timeout: 10)
        #expect(screen.contains("EXIT=0"), "\(screen)")
        #expect(screen.contains("Done. Your new account: ") && screen.contains("@\(world.ejabberdDomain)"))
        print("slow CAPTCHA wizard at a person's pace: \(Int(Date().timeIntervalSince(started))) s")

        let finch = try Finch.run(profile: profile, timeout: 180, world: world) {
            $0.joinedRoom(world.ejabberdRoomJID) || $0.certificatePromptShown
        }
        #expect(finch.evidence.loggedIn && finch.evidence.peerCertMatchedCached, "\(finch.summary)")
        #expect(!finch.evidence.certificatePromptShown, "\(finch.summary)")
        #expect(finch.evidence.joinedRoom(world.ejabberdRoomJID), "\(finch.summary)")
    }
}
