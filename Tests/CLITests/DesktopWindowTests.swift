import Foundation
import Glibc
@testable import Frontends
import Testing
import TestSupport
import Wizard
import WizardAdapters

/// The desktop window (onionboard-gtk) on a private desktop, driven through the
/// accessibility tree against the local world: every page is found by its heading,
/// every control by its accessible name, and screenshotted to artifacts/gtk/.
@Suite("Desktop window (GTK) under Xvfb, driven through AT-SPI (local world)", .serialized)
struct DesktopWindowTests {
    static var enabled: Bool {
        (World.isAvailable || TestSupport.isCI) && WizardLayers.registrationAvailable && PrivateDesktop.toolsAvailable
    }

    static let introduction = "Join the Tails support chat"
    static let providerPage = "Which provider should host your account?"
    static let forkPage = "Do you already have an XMPP account?"
    static let accountPage = "Your new account"
    static let certificatePage = "Check the server's certificate"
    static let captchaPage = "Prove that a person is creating this account"
    static let donePage = "Your account is ready"
    static let errorPage = "The account was not set up"
    static let username = "Username for the new account"

    /// A scratch home whose only content may be the profile `purple`: leftovers show.
    final class Stage {
        let world: World
        let desktop: PrivateDesktop
        let parent: URL

        init() throws {
            world = try #require(World.current, "local world not running")
            desktop = try PrivateDesktop()
            parent = try TestSupport.makeTemporaryDirectory("onionboard-gtk-home")
        }

        var profile: URL { parent.appendingPathComponent("purple") }
        var socks: String { "\(world.socksHost):\(world.socksPort)" }

        func nothingWritten() throws -> Bool { try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty }

        func close() {
            desktop.stop()
            try? FileManager.default.removeItem(at: parent)
        }
    }

    static func accounts(_ profile: URL) throws -> String {
        try String(contentsOf: profile.appendingPathComponent("accounts.xml"), encoding: .utf8)
    }

    /// `onionboard run` on the desktop (standard input no terminal: the window is chosen
    /// automatically and onionboard hands the run over to onionboard-gtk).
    @Test("a whole run in one window: introduction, provider (Back), account (make another, a refused name, Back, the room under Advanced), certificate, done with the password; SIGTERM at the end; finch joins the room",
          .enabled(if: enabled))
    func wholeRun() throws {
        let stage = try Stage()
        defer { stage.close() }
        let world = stage.world
        let run = try WindowRun("whole-run", arguments: [
            "run", "--providers", try WizardWorldTests.providerFile(world), "--tor-socks", stage.socks,
            "--purple-dir", stage.profile.path, "--force"], desktop: stage.desktop)
        defer { run.close() }

        let intro = try run.page(Self.introduction)
        #expect(TestSupport.argv(of: run.process.pid)?.first?.hasSuffix("/onionboard-gtk") == true,
                "onionboard did not hand the desktop run over to onionboard-gtk")
        #expect(intro.shows("What it does not do"))
        #expect(!intro.has("Back"))
        try run.key("Return") // Enter is the page's main button

        // The fork: a new account is pre-selected.
        let fork = try run.page(Self.forkPage)
        #expect(fork.has("Back"))
        try run.key("Return")

        let provider = try run.page(Self.providerPage)
        #expect(provider.shows("open registration, no CAPTCHA"))
        #expect(provider.shows("name@\(world.xmppDomain)"), "the open provider is not pre-selected")
        // The keyboard: arrows move through the list (the details follow), Alt+B is Back.
        #expect(try run.focused().role == "list item", "the focus is not in the provider list")
        try run.key("Down")
        try PrivateDesktop.waitFor("the details to follow the selection", seconds: 10) {
            try !run.look().shows("name@\(world.xmppDomain)")
        }
        try run.key("Up")
        _ = try run.text("name@\(world.xmppDomain)")
        try run.key("alt+b")
        try run.page(Self.forkPage, shot: "back-to-the-fork")
        try run.click("Next")
        try run.page(Self.providerPage)
        try run.click("Next")

        let account = try run.page(Self.accountPage)
        let suggested = try #require(account.entry(Self.username))
        #expect(!suggested.isEmpty)
        #expect(try run.focused().name == Self.username, "the focus does not start in the first field")
        try run.click("Make another: \(Self.username)")
        try PrivateDesktop.waitFor("another suggestion", seconds: 10) { try run.entry(Self.username) != suggested }
        try run.set(Self.username, "Bad Name")
        try run.click("Next")
        let refused = try run.text("✗")
        try run.screenshot("refused-username")
        #expect(refused.shows("not allowed"), "\(refused.texts)")
        #expect(refused.entry(Self.username) == "Bad Name", "the refused text was not kept")
        let username = "gtk\(Int.random(in: 100_000...999_999))"
        try run.set(Self.username, username)
        try run.click("Back")
        try run.page(Self.providerPage, shot: "back-to-provider")
        try run.click("Next")
        let again = try run.page(Self.accountPage, shot: "account-again")
        #expect(again.entry(Self.username) == username, "what was typed before Back is gone")

        try run.click("Advanced")
        try run.set("Room to join", world.roomJID)
        let advanced = try run.page(Self.accountPage, shot: "advanced")
        // The TLS mode is there too (STARTTLS by default; finch checks the profile below).
        #expect(advanced.texts.contains { $0.contains("TLS from the first byte") }, "\(advanced.texts)")
        try run.click("Next")

        let certificate = try run.page(Self.certificatePage, timeout: 90)
        let hex = world.certificateSHA256.uppercased()
        let firstGroup = stride(from: 0, to: 16, by: 2).map { String(hex.dropFirst($0).prefix(2)) }.joined(separator: ":")
        #expect(certificate.texts.contains { $0.contains(firstGroup) }, "the fingerprint is not shown in groups: \(certificate.texts)")
        #expect(certificate.shows("What trusting means"))
        #expect(!certificate.has("Back"), "Back after registration began")
        try run.click("Trust")

        let done = try run.page(Self.donePage, timeout: 90)
        #expect(done.shows("\(username)@\(world.xmppDomain)"))
        #expect(try run.entry("Password").isEmpty, "the password shows before it is asked for")
        try run.click("Show password")
        var password = ""
        try PrivateDesktop.waitFor("the password", seconds: 10) {
            password = try run.entry("Password")
            return !password.isEmpty
        }
        try run.screenshot("password-shown")
        let accounts = try Self.accounts(stage.profile)
        #expect(accounts.contains("<password>\(password)</password>"), "the password shown is not the profile's")
        #expect(accounts.contains("<name>\(username)@\(world.xmppDomain)/"))
        #expect(!run.output.contains(password))

        // A logout now: the profile is complete, exit 0.
        kill(run.process.pid, SIGTERM)
        #expect(run.exitStatus() == 0, "\(run.output)")
        #expect(run.output.contains("written; it is complete"), "\(run.output)")
        #expect(run.seen.count >= 9, "\(run.seen)")

        let finch = try WizardWorldTests.finchJoins(stage.profile, world: world)
        #expect(finch.evidence.loggedIn, "\(finch.summary)")
        #expect(finch.evidence.usedSOCKS5Proxy(target: "\(world.onion):\(world.onionPort)", proxy: stage.socks),
                "not through Tor to the onion: \(finch.summary)")
        #expect(finch.evidence.peerCertMatchedCached)
        #expect(finch.evidence.realDNSQueries.isEmpty)
        #expect(finch.evidence.joinedRoom(world.roomJID))
    }

    @Test("the CAPTCHA provider behind the slow onion: the certificate page, the CAPTCHA inline above its answer, a wrong answer brings a new picture with the notice, the right one registers; finch then logs in with no prompt and joins the room",
          .enabled(if: enabled))
    func captcha() throws {
        let stage = try Stage()
        defer { stage.close() }
        let world = stage.world
        let username = "gtkc\(Int.random(in: 100_000...999_999))"
        let run = try WindowRun("captcha", arguments: [
            "run", "--providers", try FieldTerminalTests.slowCAPTCHAProvider(world), "--provider", world.ejabberdDomain,
            "--username", username, "--handle", "Captcha test", "--tor-socks", "\(world.slowSOCKSHost):\(world.slowSOCKSPort)",
            "--purple-dir", stage.profile.path, "--room", world.ejabberdRoomJID, "--force"], desktop: stage.desktop)
        defer { run.close() }
        try run.page(Self.introduction)
        try run.click("Next")

        // Not pinned, not trusted through a CA here: the person decides, before registering.
        let certificate = try run.page(Self.certificatePage, timeout: 120)
        let shownHex = certificate.texts.joined().lowercased().filter { $0.isHexDigit }
        #expect(shownHex.contains(world.ejabberdDefaultCertificateSHA256), "not the leaf for SNI = the onion: \(certificate.texts)")
        try run.click("Trust")

        let first = try run.page(Self.captchaPage, timeout: 120)
        #expect(!first.shows("not accepted"))
        #expect(first.shows("Answer within about "), "\(first.texts)")
        let shown = try run.captchaText()
        let answers = try FileManager.default.contentsOfDirectory(at: world.ejabberdCaptchaAnswers, includingPropertiesForKeys: nil)
            .compactMap { try? String(contentsOf: $0, encoding: .utf8) }
        #expect(answers.contains(shown), "the picture was read as \(shown), which the server never drew")
        try run.set("CAPTCHA answer", String(shown.reversed()) + "9")
        try run.click("Next")
        // The new picture comes over a new connection: the progress page shows meanwhile.
        _ = try? run.page("Creating your account", shot: "progress-after-a-wrong-answer", timeout: 10)

        _ = try run.text("That answer was not accepted — here is a new picture.", timeout: 120)
        try run.page(Self.captchaPage, shot: "captcha-new-picture")
        let second = try run.captchaText()
        try run.set("CAPTCHA answer", second)
        try run.click("Next")

        let done = try run.page(Self.donePage, timeout: 120)
        #expect(done.shows("\(username)@\(world.ejabberdDomain)"))
        try run.click("Close")
        #expect(run.exitStatus() == 0, "\(run.output)")
        #expect(try Self.accounts(stage.profile).contains("<name>\(username)@\(world.ejabberdDomain)/"))
        let finch = try Finch.run(profile: stage.profile, timeout: 180, world: world) {
            $0.joinedRoom(world.ejabberdRoomJID) || $0.certificatePromptShown
        }
        #expect(finch.evidence.peerCertMatchedCached && !finch.evidence.certificatePromptShown, "\(finch.summary)")
        #expect(finch.evidence.joinedRoom(world.ejabberdRoomJID), "\(finch.summary)")
    }

    /// The autostart entry's command (read from Templates/onionboard-bootstrap.desktop) plus
    /// the test bed's coordinates (Tails has these as defaults).
    @Test("the autostart entry: first login introduces, asks for the certificate, and Start Pidgin logs in through Tor; the next login shows nothing",
          .enabled(if: enabled))
    func autostart() throws {
        let entry = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("Templates/onionboard-bootstrap.desktop"),
                               encoding: .utf8)
        let exec = try #require(entry.split(separator: "\n").first { $0.hasPrefix("Exec=") })
        let words = exec.dropFirst("Exec=".count).split(separator: " ").map(String.init)
        #expect(words.first == "onionboard-gtk")
        let stage = try Stage()
        defer { stage.close() }
        let world = stage.world
        let arguments = Array(words.dropFirst()) + [
            "--providers", try WizardWorldTests.providerFile(world), "--tor-socks", stage.socks,
            "--purple-dir", stage.profile.path, "--room", world.roomJID, "--force"]
        let program = TestSupport.productsDirectory.appendingPathComponent(words[0])

        let first = try WindowRun("autostart", arguments: arguments, desktop: stage.desktop, program: program)
        defer { first.close() }
        try first.page(Self.introduction)
        try first.click("Next")
        try first.page(Self.certificatePage, timeout: 90)
        try first.click("Trust")
        try first.page(Self.donePage, timeout: 90)
        try first.click("Start Pidgin")
        #expect(first.exitStatus() == 0, "\(first.output)")
        let accounts = try Self.accounts(stage.profile)
        let name = try #require(accounts.firstMatch(of: /<name>([^<\/]+)/)?.1, "no account name")
        try Self.expectPidginLogsIn(as: String(name), profile: stage.profile, world: world, display: stage.desktop.display)

        let second = try WindowRun("autostart-second-login", arguments: arguments, desktop: stage.desktop, program: program)
        defer { second.close() }
        #expect(second.exitStatus() == 0, "\(second.output)")
        #expect(second.output.contains("Already set up"), "\(second.output)")
    }

    /// Waits for the Pidgin the Done page started: its own session, `--config` = our profile,
    /// the account authenticating at the world's Prosody through Tor and joining the room, and
    /// no dialog of Pidgin's (a certificate question) on the display. Then it is stopped.
    static func expectPidginLogsIn(as jid: String, profile: URL, world: World, display: String) throws {
        var pidgin: pid_t?
        let deadline = Date().addingTimeInterval(60)
        while pidgin == nil && Date() < deadline {
            pidgin = try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(pid_t.init).first { pid in
                let words = TestSupport.argv(of: pid) ?? []
                return words.first == Pidgin.executable && words.contains("--config=\(profile.path)")
            }
            if pidgin == nil { Thread.sleep(forTimeInterval: 0.2) }
        }
        let pid = try #require(pidgin, "Pidgin was not started with --config=\(profile.path)")
        defer { Finch.stopProcess(pid, ifArgvContains: profile.path) }
        #expect(getsid(pid) == pid, "Pidgin is not in a session of its own")
        // onionboard logs in once per run (verify and bookmark share one session), so the
        // account's second login is Pidgin's, however late Prosody writes the first line.
        var loggedIn = false
        while !loggedIn && Date() < deadline {
            loggedIn = try String(contentsOf: world.defaultProsodyLog, encoding: .utf8).split(separator: "\n")
                .filter { $0.hasSuffix("Authenticated as \(jid)") }.count >= 2
            if !loggedIn { Thread.sleep(forTimeInterval: 0.5) }
        }
        #expect(loggedIn, "Prosody never saw Pidgin log in as \(jid)")
        // In the room: the MUC made an occupant for the account's session (Pidgin's autojoin).
        var joined = false
        while !joined && Date() < deadline {
            joined = try String(contentsOf: world.defaultProsodyLog, encoding: .utf8).split(separator: "\n")
                .contains { $0.contains("creating new occupant object for \(jid)/") && $0.contains(world.roomJID) }
            if !joined { Thread.sleep(forTimeInterval: 0.5) }
        }
        #expect(joined, "Pidgin did not join \(world.roomJID) as \(jid)")
        let windows = try runCommand(["/usr/bin/env", "DISPLAY=\(display)", "xwininfo", "-root", "-tree"], timeout: 10).output
        #expect(!windows.lowercased().contains("certificate"), "Pidgin shows a certificate dialog:\n\(windows)")
    }

    /// Ends as a cancel must: exit 130, the message, nothing at all under the profile's parent.
    static func expectCancelled(_ run: WindowRun, _ stage: Stage, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(run.exitStatus() == 130, "\(run.output)", sourceLocation: sourceLocation)
        #expect(run.output.contains("cancelled; nothing was written"), "\(run.output)", sourceLocation: sourceLocation)
        #expect(try stage.nothingWritten(), sourceLocation: sourceLocation)
    }

    @Test("Cancel on every kind of page before the write: Escape on the introduction, Cancel on the provider list, a logout (SIGTERM) on the account page, Cancel and Do not trust on the certificate, Cancel while waiting for Tor: exit 130, nothing written",
          .enabled(if: enabled))
    func cancelling() throws {
        let stage = try Stage()
        defer { stage.close() }
        let world = stage.world
        let base = ["run", "--providers", try WizardWorldTests.providerFile(world), "--tor-socks", stage.socks,
                    "--purple-dir", stage.profile.path, "--room", world.roomJID, "--force"]
        func start(_ name: String, _ extra: [String] = [], arguments: [String]? = nil) throws -> WindowRun {
            try WindowRun(name, arguments: (arguments ?? base) + extra, desktop: stage.desktop)
        }

        let escape = try start("cancel-introduction")
        defer { escape.close() }
        try escape.page(Self.introduction)
        try escape.key("Escape")
        try Self.expectCancelled(escape, stage)

        let list = try start("cancel-provider")
        defer { list.close() }
        try list.page(Self.introduction)
        try list.click("Next")
        try list.page(Self.forkPage)
        try list.click("Next")
        try list.page(Self.providerPage)
        try list.click("Cancel")
        try Self.expectCancelled(list, stage)

        let logout = try start("sigterm-account", ["--provider", world.xmppDomain])
        defer { logout.close() }
        try logout.page(Self.introduction)
        try logout.click("Next")
        try logout.page(Self.accountPage)
        kill(logout.process.pid, SIGTERM)
        try Self.expectCancelled(logout, stage)

        let certificate = try start("cancel-certificate", ["--provider", world.xmppDomain])
        defer { certificate.close() }
        try certificate.page(Self.introduction)
        try certificate.click("Next")
        try certificate.page(Self.accountPage)
        try certificate.click("Next")
        try certificate.page(Self.certificatePage, timeout: 90)
        try certificate.click("Cancel")
        try Self.expectCancelled(certificate, stage)

        let distrust = try start("do-not-trust", ["--provider", world.xmppDomain])
        defer { distrust.close() }
        try distrust.page(Self.introduction)
        try distrust.click("Next")
        try distrust.page(Self.accountPage)
        try distrust.click("Next")
        try distrust.page(Self.certificatePage, timeout: 90)
        try distrust.click("Do not trust")
        let refused = try distrust.page(Self.errorPage, timeout: 30)
        #expect(refused.shows("Nothing was written"))
        try distrust.click("Close")
        #expect(distrust.exitStatus() == 130, "declining is the person's own cancel: \(distrust.output)")
        #expect(try stage.nothingWritten())

        // bootstrap at a login before Tor is connected (its SOCKS port refuses): the
        // progress page says so and Cancel ends it. (bootstrap asks nothing unless told:
        // --frontend gui hands it to the window.)
        let waiting = try start("cancel-waiting-for-tor", arguments: [
            "bootstrap", "--frontend", "gui", "--providers", try WizardWorldTests.providerFile(world), "--tor-socks", "127.0.0.1:1",
            "--purple-dir", stage.profile.path, "--wait-tor", "120", "--force"])
        defer { waiting.close() }
        try waiting.page(Self.introduction)
        try waiting.click("Next")
        let progress = try waiting.page("Waiting for Tor")
        #expect(progress.shows("Tor Connection"), "\(progress.texts)")
        #expect(progress.shows("Tor is not running or not connected yet"), "\(progress.texts)")
        try waiting.click("Cancel")
        try Self.expectCancelled(waiting, stage)
    }

    @Test("Tor not running: a clear error page instead of a hang, Close exits 69 (unreachable), nothing written",
          .enabled(if: enabled))
    func torNotRunning() throws {
        let stage = try Stage()
        defer { stage.close() }
        let world = stage.world
        let run = try WindowRun("tor-not-running", arguments: [
            "run", "--providers", try WizardWorldTests.providerFile(world), "--provider", world.xmppDomain,
            "--tor-socks", "127.0.0.1:1", "--purple-dir", stage.profile.path, "--room", world.roomJID, "--force"],
                                desktop: stage.desktop)
        defer { run.close() }
        try run.page(Self.introduction)
        try run.click("Next")
        try run.page(Self.accountPage)
        try run.click("Next")
        let error = try run.page(Self.errorPage, timeout: 60)
        #expect(error.shows("Tor"), "\(error.texts)")
        #expect(error.shows("Nothing was written"))
        try run.click("Close")
        #expect(run.exitStatus() == 69, "\(run.output)")
        #expect(try stage.nothingWritten())
    }
}

@Suite("Frontend selection")
struct FrontendSelectionTests {
    @Test("--frontend is accepted by run and bootstrap and an unknown kind is refused")
    func option() throws {
        let bad = try BinaryRun.run(["run", "--frontend", "fancy", "--non-interactive"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("fancy"))
        for command in ["run", "bootstrap"] {
            let help = try BinaryRun.run([command, "--help"])
            #expect(help.stdout.contains("--frontend"))
        }
    }

    @Test("automatic choice: the window on a desktop when standard input is no terminal and onionboard-gtk is installed; else terminal or plain")
    func automatic() {
        let desktop = ["DISPLAY": ":0"], wayland = ["WAYLAND_DISPLAY": "wayland-0"]
        #expect(FrontendKind.automatic(environment: desktop, stdinIsTerminal: false, desktopWindowInstalled: true) == .gui)
        #expect(FrontendKind.automatic(environment: wayland, stdinIsTerminal: false, desktopWindowInstalled: true) == .gui)
        #expect(FrontendKind.automatic(environment: desktop, stdinIsTerminal: true, desktopWindowInstalled: true) == .terminal)
        #expect(FrontendKind.automatic(environment: desktop, stdinIsTerminal: false, desktopWindowInstalled: false) == .plain)
        #expect(FrontendKind.automatic(environment: ["DISPLAY": ""], stdinIsTerminal: false, desktopWindowInstalled: true) == .plain)
        #expect(FrontendKind.automatic(environment: [:], stdinIsTerminal: true, desktopWindowInstalled: true) == .terminal)
    }

    @Test("onionboard-gtk is found next to the running program first, else on PATH")
    func foundNextToUs() throws {
        // This test runner sits in the build's products directory, beside onionboard-gtk.
        let beside = TestSupport.productsDirectory.appendingPathComponent(DesktopWindow.programName).path
        #expect(FileManager.default.isExecutableFile(atPath: beside))
        #expect(DesktopWindow.executable(environment: ["PATH": "/nonexistent"]) == beside)
    }

    @Test("--frontend gui without onionboard-gtk is a usage error naming it; onionboard-gtk without a display says so")
    func missing() throws {
        let scratch = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // A copy of onionboard alone, with no onionboard-gtk beside it or on PATH.
        let alone = scratch.appendingPathComponent("onionboard")
        try TestSupport.copyExecutable(TestSupport.onionboardBinary, to: alone)
        let run = try BinaryRun.run(["run", "--frontend", "gui"], environment: ["PATH": "/usr/bin:/bin", "DISPLAY": ":0"],
                                    binary: alone)
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains("onionboard-gtk"), "\(run.stderr)")

        let gtk = TestSupport.productsDirectory.appendingPathComponent(DesktopWindow.programName)
        let noDisplay = try BinaryRun.run(["run"], environment: ["DISPLAY": "", "WAYLAND_DISPLAY": ""], binary: gtk)
        #expect(noDisplay.status == 69, "\(noDisplay.stderr)")
        #expect(noDisplay.stderr.contains("cannot open the display"), "\(noDisplay.stderr)")
        let help = try BinaryRun.run(["--help"], environment: ["DISPLAY": ""], binary: gtk)
        #expect(help.status == 0 && help.stdout.contains("bootstrap"), "--help needs no display")
    }

    @Test("the autostart and menu entries start the window")
    func entries() throws {
        let autostart = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("Templates/onionboard-bootstrap.desktop"),
                                   encoding: .utf8)
        #expect(autostart.contains("Exec=onionboard-gtk bootstrap "))
        let menu = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("Templates/onionboard.desktop"), encoding: .utf8)
        #expect(menu.contains("\nExec=onionboard-gtk\n"))
        #expect(menu.contains("\nCategories=Network;InstantMessaging;"))
    }
}
