import Foundation
import Frontends
import Testing
import TestSupport
import Wizard
import WizardAdapters

/// A private X server (Xvfb) on a display number it picks itself, stopped by its own PID.
final class VirtualDisplay {
    let number: Int
    private let server: Spawned
    private let announcement: URL

    static var toolsAvailable: Bool {
        ["/usr/bin/Xvfb", "/usr/bin/xdotool", "/usr/bin/import", "/usr/bin/zenity"]
            .allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    init() throws {
        // -displayfd: Xvfb takes a free display number itself (no race with another run
        // choosing the same one) and writes it to its stdout once it accepts clients.
        // -noreset: by default Xvfb resets when its last client leaves, and a window opened
        // during that reset cannot connect ("cannot open display") — between two dialogs
        // there is often no client at all.
        announcement = try TestSupport.makeTemporaryDirectory("onionboard-xvfb").appendingPathComponent("display")
        server = try Spawned(["/usr/bin/Xvfb", "-displayfd", "1", "-screen", "0", "1024x768x24", "-nolisten", "tcp", "-noreset"],
                             stdout: announcement)
        let deadline = Date().addingTimeInterval(10)
        var announced: Int?
        while announced == nil {
            let text = (try? String(contentsOf: announcement, encoding: .utf8)) ?? ""
            if text.hasSuffix("\n") { announced = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) }
            guard announced != nil || (Date() < deadline && server.isRunning) else {
                server.stop()
                throw Failure("Xvfb did not start")
            }
            if announced == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        number = announced!
    }

    var name: String { ":\(number)" }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: announcement.deletingLastPathComponent())
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs an X client tool on this display with a deadline (a tool waiting on a window
    /// that has gone must not hang the test); its standard output.
    @discardableResult
    func tool(_ path: String, _ arguments: [String]) throws -> String {
        let output = try TestSupport.makeTemporaryDirectory("onionboard-x").appendingPathComponent("out")
        defer { try? FileManager.default.removeItem(at: output.deletingLastPathComponent()) }
        let child = try Spawned([path] + arguments, environment: ["DISPLAY": name, "PATH": "/usr/bin:/bin"], stdout: output)
        if !child.wait(timeout: 10) { child.stop() }
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }

    @discardableResult
    func xdotool(_ arguments: String...) throws -> String { try tool("/usr/bin/xdotool", arguments) }

    struct Window: Hashable {
        /// X reuses a window id for the next client's window, so the id alone does not
        /// tell two consecutive dialogs apart; the owning zenity process does.
        let id: String
        let pid: String
        let title: String
    }

    /// Visible onionboard windows (zenity's titles start with "onionboard — "). A window
    /// that closes while it is looked at (its pid or title comes back empty) is left out.
    func onionboardWindows() throws -> [Window] {
        try xdotool("search", "--onlyvisible", "--name", "^onionboard — ").split(separator: "\n").compactMap { id in
            let pid = try xdotool("getwindowpid", String(id)).trimmingCharacters(in: .whitespacesAndNewlines)
            let title = try xdotool("getwindowname", String(id)).trimmingCharacters(in: .whitespacesAndNewlines)
            return pid.isEmpty || !title.hasPrefix("onionboard — ") ? nil : Window(id: String(id), pid: pid, title: title)
        }
    }

    func isVisible(_ window: Window) throws -> Bool { try onionboardWindows().contains(window) }

    /// Whether the id still names this window: once a window closes, X may give its id to
    /// the next one, and a key meant for the old window would answer the new one.
    func stillShows(_ window: Window) throws -> Bool {
        try xdotool("getwindowpid", window.id).trimmingCharacters(in: .whitespacesAndNewlines) == window.pid
    }

    /// Focus a window (there is no window manager) and press a key in it, if it is still there.
    func press(_ key: String, in window: Window) throws {
        guard try stillShows(window) else { return }
        try xdotool("windowfocus", "--sync", window.id)
        try xdotool("key", "--clearmodifiers", key)
    }

    func type(_ text: String, in window: Window) throws {
        guard try stillShows(window) else { return }
        try xdotool("windowfocus", "--sync", window.id)
        try xdotool("type", "--delay", "30", text)
    }

    typealias Presses = [Window: (key: String, at: Date, times: Int)]

    /// Presses the same key again in an answered window that is still up after 5 s: on a
    /// loaded machine a key can arrive before GTK is ready for it. At most three more times.
    func nudge(_ pressed: inout Presses) throws {
        let visible = Set(try onionboardWindows())
        for (window, press) in pressed where visible.contains(window) && press.times < 4
            && Date().timeIntervalSince(press.at) > 5 {
            try self.press(press.key, in: window)
            pressed[window] = (press.key, Date(), press.times + 1)
        }
    }

    /// Brings a window to the top (without a window manager the newest one covers the rest).
    func raise(_ window: Window) throws { try xdotool("windowraise", window.id) }

    static let artifacts = TestSupport.packageRoot.appendingPathComponent("artifacts/gui")

    /// The whole screen as a PNG under artifacts/gui/ (`label` may name a subfolder).
    @discardableResult
    func screenshot(_ label: String) throws -> URL {
        let file = Self.artifacts.appendingPathComponent("\(label).png")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try tool("/usr/bin/import", ["-display", name, "-window", "root", file.path])
        return file
    }
}

/// The binary running with the GUI frontend on a virtual display, output to files.
struct GUIRun {
    let process: Spawned
    let stdout: URL
    let stderr: URL

    init(_ arguments: [String], display: VirtualDisplay, scratch: URL, runtimeDirectory: URL? = nil) throws {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ONIONBOARD_") }
        environment["DISPLAY"] = display.name
        if let runtimeDirectory { environment["XDG_RUNTIME_DIR"] = runtimeDirectory.path }
        environment.removeValue(forKey: "WAYLAND_DISPLAY")
        stdout = scratch.appendingPathComponent("stdout")
        stderr = scratch.appendingPathComponent("stderr")
        process = try Spawned([TestSupport.onionboardBinary.path] + arguments, environment: environment,
                              stdout: stdout, stderr: stderr)
    }

    var output: String {
        ((try? String(contentsOf: stdout, encoding: .utf8)) ?? "") + ((try? String(contentsOf: stderr, encoding: .utf8)) ?? "")
    }

    var status: Int32? { process.exitStatus }

    func stop() { process.stop() }
}

/// What every GUI test stands on: the local world, a scratch directory with an empty `home`
/// (the profile's parent, so leftovers show), and a private X server. `close()` stops the
/// server and removes the scratch directory.
final class GUIStage {
    let world: World
    let scratch: URL
    let home: URL
    let display: VirtualDisplay

    init() throws {
        world = try #require(World.current, "local world not running")
        scratch = try TestSupport.makeTemporaryDirectory()
        home = scratch.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        display = try VirtualDisplay()
    }

    var profile: URL { home.appendingPathComponent("purple") }

    func start(_ arguments: [String], runtimeDirectory: URL? = nil) throws -> GUIRun {
        try GUIRun(arguments, display: display, scratch: scratch, runtimeDirectory: runtimeDirectory)
    }

    func close() {
        display.stop()
        try? FileManager.default.removeItem(at: scratch)
    }
}

@Suite("GUI frontend under Xvfb (local world)", .serialized)
struct GUITests {
    static var enabled: Bool {
        (World.isAvailable || TestSupport.isCI) && WizardLayers.registrationAvailable && VirtualDisplay.toolsAvailable
    }

    /// Everything but the provider.
    static func flags(_ world: World, profile: URL) throws -> [String] {
        ["run", "--frontend", "gui", "--providers", try WizardWorldTests.providerFile(world),
         "--tor-socks", "\(world.socksHost):\(world.socksPort)", "--purple-dir", profile.path,
         "--room", world.roomJID, "--force"]
    }

    static func slug(_ title: String) -> String {
        String(title.replacingOccurrences(of: "onionboard — ", with: "").lowercased()
            .map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    /// A window's /proc/<zenity pid>/<file> (cmdline, environ), NUL separators kept.
    static func proc(_ window: VirtualDisplay.Window, _ file: String) -> String {
        String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(window.pid)/\(file)"))) ?? Data(), as: UTF8.self)
    }

    static func step(_ window: VirtualDisplay.Window) -> String {
        window.title.replacingOccurrences(of: "onionboard — ", with: "")
    }

    /// Drives a run's windows until it ends or `seconds` pass: each new window once —
    /// raised, drawn, screenshot `label(n, window)` — then `answer` (default: Return). An
    /// answer returns the key that should close its window (nil: none); a window still up
    /// 5 s later gets that key again (`nudge`). The steps of the windows seen, in order.
    static func drive(_ run: GUIRun, on display: VirtualDisplay, seconds: TimeInterval,
                      ignoring ignored: Set<String> = [], label: (Int, VirtualDisplay.Window) -> String?,
                      answer: ((VirtualDisplay.Window) throws -> String?)? = nil) throws -> [String] {
        var handled = Set<VirtualDisplay.Window>()
        var pressed = VirtualDisplay.Presses()
        var seen: [String] = []
        let deadline = Date().addingTimeInterval(seconds)
        while run.process.isRunning && Date() < deadline {
            try display.nudge(&pressed)
            for window in try display.onionboardWindows() where !handled.contains(window) && !ignored.contains(step(window)) {
                handled.insert(window)
                seen.append(step(window))
                try display.raise(window)
                Thread.sleep(forTimeInterval: 0.8) // let GTK draw it
                if let name = label(seen.count, window) { try display.screenshot(name) }
                let key: String?
                if let answer {
                    key = try answer(window)
                } else {
                    try display.press("Return", in: window)
                    key = "Return"
                }
                if let key { pressed[window] = (key, Date(), 1) }
            }
            Thread.sleep(forTimeInterval: 0.3)
        }
        #expect(!run.process.isRunning, "the run did not end in \(Int(seconds)) s; windows seen: \(seen)")
        return seen
    }

    @Test("a whole run through zenity windows: provider list, entries, hidden password, certificate, progress, final window; finch joins the room",
          .enabled(if: enabled))
    func wholeRun() throws {
        let stage = try GUIStage()
        defer { stage.close() }
        let (world, display, profile) = (stage.world, stage.display, stage.profile)
        // --priority low: every question of the template gets its window (direct TLS,
        // password, alias too), not just the usual three.
        let run = try stage.start(try Self.flags(world, profile: profile) + ["--priority", "low"])
        defer { run.stop() }
        let password = "Typed-in-the-GUI-\(Int.random(in: 100_000...999_999))"

        var mistyped = false
        // The screenshots of this run, numbered in order, replace those of an earlier one.
        try? FileManager.default.removeItem(at: VirtualDisplay.artifacts.appendingPathComponent("whole-run"))
        let seen = try Self.drive(run, on: display, seconds: 180,
                                  label: { String(format: "whole-run/%02d-%@", $0, Self.slug($1.title)) }) { window in
            let step = Self.step(window)
            // What the window says is in zenity's argv. The typed password reaches us on
            // zenity's stdout only: never in a window's argv or environment.
            let argv = Self.proc(window, "cmdline")
            for (file, text) in [("cmdline", argv), ("environ", Self.proc(window, "environ"))] {
                #expect(!text.contains(password), "the password is in the \(step) window's \(file)")
            }
            if step == "certificate" {
                // The fingerprint to compare, in colon groups of 16 bytes.
                let pairs = stride(from: 0, to: 64, by: 2).map { offset in
                    String(world.certificateSHA256.dropFirst(offset).prefix(2))
                }
                #expect(argv.contains(pairs.prefix(16).joined(separator: ":")) && argv.contains(pairs.suffix(16).joined(separator: ":")),
                        "the certificate window does not show the SHA-256 fingerprint")
            }
            if step.hasSuffix(": provider") {
                // Every provider with its registration and CAPTCHA status.
                #expect(argv.contains("--column=Registration and CAPTCHA"))
                #expect(argv.contains("\u{0}\(world.xmppDomain)\u{0}open registration, no CAPTCHA\u{0}"), "\(argv)")
                #expect(argv.contains("\u{0}jabjab.de\u{0}open registration with a CAPTCHA\u{0}"))
                // The list's type-ahead search puts the cursor on the domain's row; the
                // first Return ends the search, the next one activates the row (= OK).
                try display.type(world.xmppDomain, in: window)
                Thread.sleep(forTimeInterval: 0.5)
                try display.screenshot("whole-run/01-provider-typed")
                for _ in 0..<3 where try display.isVisible(window) {
                    try display.press("Return", in: window)
                    Thread.sleep(forTimeInterval: 1)
                }
                return nil
            }
            if step == "connecting" { return nil } // the progress window: nothing to press
            if step == "done" {
                // "Close", not "Start Pidgin" (the autostart test starts it): finch checks this profile.
                try display.press("Escape", in: window)
                return "Escape"
            }
            if step.hasSuffix(": password") { try display.type(password, in: window) }
            if step.hasSuffix(": username") && !mistyped {
                // A name the template refuses: a warning, then the same question again.
                mistyped = true
                try display.press("ctrl+a", in: window)
                try display.type("Bad Name", in: window)
            }
            // Entries take their (generated) defaults; Return = OK / Trust / close.
            try display.press("Return", in: window)
            return "Return"
        }
        run.stop()
        #expect(run.status == 0, "windows: \(seen)\n\(run.output)")
        // The progress window comes and goes between questions (none covers a question);
        // on this fast local world it may be up too briefly to see: the cancel tests see it.
        for expected in ["1: provider", "2: direct-tls", "3: username", "not accepted", "4: password", "5: handle", "6: alias",
                         "certificate", "done"] {
            #expect(seen.contains(expected), "no \(expected) window; seen: \(seen)")
        }
        #expect(seen.filter { $0 == "3: username" }.count == 2, "the refused username was not asked again: \(seen)")
        #expect(!seen.contains("error"))

        let accounts = try String(contentsOf: profile.appendingPathComponent("accounts.xml"), encoding: .utf8)
        #expect(accounts.contains("@\(world.xmppDomain)/"))
        // The hidden entry's text reached the profile (and only through zenity's stdout).
        #expect(accounts.contains("<password>\(password)</password>"))
        #expect(!run.output.contains(password))
        let finch = try WizardWorldTests.finchJoins(profile, world: world)
        #expect(finch.evidence.loggedIn, "\(finch.summary)")
        #expect(finch.evidence.peerCertMatchedCached)
        #expect(finch.evidence.usedSOCKS5Proxy)
        #expect(finch.evidence.realDNSQueries.isEmpty)
        #expect(finch.evidence.joinedRoom(world.roomJID))
    }

    @Test("Do not trust the certificate: a window says why, exit 130 (the person's own cancel), nothing written",
          .enabled(if: enabled))
    func certificateRefused() throws {
        let stage = try GUIStage()
        defer { stage.close() }
        let (world, display, parent) = (stage.world, stage.display, stage.home)
        let run = try stage.start(try Self.flags(world, profile: stage.profile) + ["--provider", world.xmppDomain])
        defer { run.stop() }
        let seen = try Self.drive(run, on: display, seconds: 120, ignoring: ["connecting"],
                                  label: { Self.step($1) == "error" ? "refused-certificate-error" : nil }) { window in
            let key = Self.step(window) == "certificate" ? "Escape" : "Return" // Escape = "Do not trust"
            try display.press(key, in: window)
            return key
        }
        run.stop()
        #expect(seen.suffix(2) == ["certificate", "error"], "\(seen)")
        #expect(run.status == 130, "\(run.output)")
        #expect(run.output.contains("you declined the server's certificate"), "\(run.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == [])
    }

    @Test("a CAPTCHA provider: the image in its own window beside the answer entry; the answer registers the account",
          .enabled(if: enabled))
    func captcha() throws {
        let stage = try GUIStage()
        defer { stage.close() }
        let (world, display, profile) = (stage.world, stage.display, stage.profile)
        let runtime = stage.scratch.appendingPathComponent("runtime")
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let username = "gui\(Int.random(in: 100_000...999_999))"
        let run = try stage.start(["run", "--frontend", "gui",
                              "--providers", try CaptchaInviteBookmarkCLITests.captchaProviderFile(world),
                              "--provider", world.ejabberdDomain, "--username", username, "--handle", "Captcha test",
                              "--tor-socks", "\(world.socksHost):\(world.socksPort)", "--purple-dir", profile.path,
                              "--room", world.roomJID, "--no-server-bookmark", "--force"], runtimeDirectory: runtime)
        defer { run.stop() }

        var imageFile: String?
        var pictureShown = false
        let seen = try Self.drive(run, on: display, seconds: 150, ignoring: ["CAPTCHA image", "connecting"],
                                  label: { $1.title.hasSuffix("CAPTCHA") ? "captcha-01-image-and-answer" : nil }) { window in
            guard Self.step(window) == "CAPTCHA" else {
                try display.press("Return", in: window)
                return "Return"
            }
            pictureShown = try display.onionboardWindows().contains { Self.step($0) == "CAPTCHA image" }
            // The server's answer, found by the image's SHA-1 (its XEP-0231 cid).
            let images = try FileManager.default.contentsOfDirectory(atPath: runtime.path).filter { $0.hasPrefix("onionboard-captcha-") }
            let image = runtime.appendingPathComponent(try #require(images.first, "no CAPTCHA image in XDG_RUNTIME_DIR")).path
            imageFile = image
            #expect(try FileManager.default.attributesOfItem(atPath: image)[.posixPermissions] as? Int == 0o600)
            let sha1 = try runCommand(["sha1sum", image]).output.prefix { $0 != " " }
            let answer = try #require(world.captchaAnswer(cid: "sha1+\(sha1)@bob.xmpp.org"), "no answer for \(sha1)")
            try display.type(answer.trimmingCharacters(in: .whitespacesAndNewlines), in: window)
            try display.press("Return", in: window)
            return "Return"
        }
        run.stop()
        #expect(run.status == 0, "windows: \(seen)\n\(run.output)")
        #expect(pictureShown, "the image window was not up with the answer window: \(seen)")
        #expect(seen.contains("done"), "\(seen)")
        let accounts = try String(contentsOf: profile.appendingPathComponent("accounts.xml"), encoding: .utf8)
        #expect(accounts.contains("<name>\(username)@\(world.ejabberdDomain)/"))
        if let imageFile { #expect(!FileManager.default.fileExists(atPath: imageFile), "the CAPTCHA image was left behind") }
    }

    @Test("the autostart entry's command line under Xvfb: first login sets up the account, the next one does nothing",
          .enabled(if: enabled))
    func autostartBootstrap() throws {
        let entry = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("Templates/onionboard-bootstrap.desktop"),
                               encoding: .utf8)
        let exec = try #require(entry.split(separator: "\n").first { $0.hasPrefix("Exec=") })
        let words = exec.dropFirst("Exec=".count).split(separator: " ").map(String.init)
        #expect(words.first == "onionboard")
        let stage = try GUIStage()
        defer { stage.close() }
        let (world, display, profile) = (stage.world, stage.display, stage.profile)
        // The entry's own arguments, plus where the test bed is (Tails has these as defaults).
        let arguments = Array(words.dropFirst()) + [
            "--providers", try WizardWorldTests.providerFile(world), "--tor-socks", "\(world.socksHost):\(world.socksPort)",
            "--purple-dir", profile.path, "--room", world.roomJID, "--force"]

        for login in 1...2 {
            let run = try stage.start(arguments)
            defer { run.stop() }
            let seen = try Self.drive(run, on: display, seconds: 120, ignoring: ["connecting"],
                                      label: { "autostart-\(login)-\(Self.slug($1.title))" })
            run.stop()
            #expect(run.status == 0, "login \(login): \(seen)\n\(run.output)")
            if login == 1 {
                // Questions below critical take their defaults; only the decisions remain.
                #expect(seen == ["certificate", "done"], "\(seen)")
                let accounts = try String(contentsOf: profile.appendingPathComponent("accounts.xml"), encoding: .utf8)
                // Return in the final window is "Start Pidgin": the real Pidgin, detached, on
                // this profile, logs in through Tor (Prosody sees the account authenticate).
                if FileManager.default.isExecutableFile(atPath: "/usr/bin/pidgin") || TestSupport.isCI {
                    let name = try #require(accounts.firstMatch(of: /<name>([^<\/]+)/)?.1, "no account name")
                    try Self.expectPidginLogsIn(as: String(name), profile: profile, world: world)
                }
            } else {
                #expect(seen.isEmpty, "a window at the second login: \(seen)")
                #expect(run.output.contains("Already set up"), "\(run.output)")
            }
        }
    }

    @Test("the autostart entry on the bundled map alone (no open provider without a CAPTCHA) asks which provider; Escape ends it",
          .enabled(if: enabled))
    func autostartAsksForProvider() throws {
        let stage = try GUIStage()
        defer { stage.close() }
        let world = stage.world
        let run = try stage.start(["bootstrap", "--frontend", "gui", "--tor-socks", "\(world.socksHost):\(world.socksPort)",
                                   "--purple-dir", stage.profile.path, "--force"])
        defer { run.stop() }
        var argv = ""
        let seen = try Self.drive(run, on: stage.display, seconds: 60, ignoring: ["connecting"],
                                  label: { Self.step($1).hasSuffix("provider") ? "autostart-bundled-map-provider" : nil }) { window in
            argv = Self.proc(window, "cmdline")
            try stage.display.press("Escape", in: window)
            return "Escape"
        }
        run.stop()
        #expect(seen == ["1: provider"], "\(seen)")
        #expect(argv.contains("\u{0}jabjab.de\u{0}open registration with a CAPTCHA\u{0}"))
        #expect(run.status == 130, "\(run.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: stage.home.path) == [])
    }

    /// A Pidgin started by the final window: its own session, `--config` = our profile, and
    /// the account authenticates at the test bed's Prosody through Tor. Then it is stopped.
    static func prosodyLogins(_ world: World) throws -> [Substring] {
        try String(contentsOf: world.defaultProsodyLog, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("Authenticated as ") }
    }

    static func expectPidginLogsIn(as jid: String, profile: URL, world: World) throws {
        var pidgin: pid_t?
        let deadline = Date().addingTimeInterval(60)
        while pidgin == nil && Date() < deadline {
            pidgin = try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(pid_t.init).first { pid in
                let words = TestSupport.argv(of: pid) ?? []
                return words.first == "/usr/bin/pidgin" && words.contains("--config=\(profile.path)")
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
            loggedIn = try prosodyLogins(world).filter { $0.hasSuffix("Authenticated as \(jid)") }.count >= 2
            if !loggedIn { Thread.sleep(forTimeInterval: 0.5) }
        }
        #expect(loggedIn, "Prosody never saw \(jid) authenticate")
    }

    /// Starts a run whose questions are all answered by flags through a Tor SOCKS port that
    /// accepts and never answers, so the run waits in its Tor phase with the progress window
    /// up (and no other window on top of it); lets `cancel` end it, and expects a clean end:
    /// exit 130, the message, no window left, nothing at all under the profile's parent.
    static func cancelWhileReaching(_ label: String,
                                    cancel: (GUIRun, _ progress: VirtualDisplay.Window, VirtualDisplay) throws -> Void) throws {
        let stage = try GUIStage()
        defer { stage.close() }
        let (world, display, parent) = (stage.world, stage.display, stage.home)
        let silentTor = try SilentListener()
        let arguments = try flags(world, profile: parent.appendingPathComponent("purple"))
            + ["--tor-socks", "127.0.0.1:\(silentTor.port)", "--provider", world.xmppDomain,
               "--username", "cancel\(Int.random(in: 10000...99999))", "--handle", "Cancel test"]
        let run = try stage.start(arguments)
        defer { run.stop() }
        var progress: VirtualDisplay.Window?
        let deadline = Date().addingTimeInterval(60)
        while run.process.isRunning && Date() < deadline && progress == nil {
            let windows = try display.onionboardWindows()
            #expect(windows.count <= 1, "another window beside the progress window: \(windows.map(\.title))")
            progress = windows.first { step($0) == "connecting" }
            if progress == nil { Thread.sleep(forTimeInterval: 0.3) }
        }
        let window = try #require(progress, "never saw the progress window\n\(run.output)")
        Thread.sleep(forTimeInterval: 0.8)
        try display.screenshot("\(label)-before")
        try cancel(run, window, display)

        #expect(run.process.wait(timeout: 20), "the run went on after the cancel")
        run.stop()
        #expect(run.status == 130, "\(run.output)")
        #expect(run.output.contains("cancelled; nothing was written"))
        Thread.sleep(forTimeInterval: 1)
        try display.screenshot("\(label)-after")
        #expect(try display.onionboardWindows().isEmpty, "a zenity window outlived the run")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == [])
    }

    @Test("Cancel (Escape) in the progress window while Tor is slow: exit 130, no window left, nothing written",
          .enabled(if: enabled))
    func cancelInProgress() throws {
        try Self.cancelWhileReaching("cancel-progress") { _, progress, display in
            try display.press("Escape", in: progress) // the same response as the Cancel button
        }
    }

    @Test("SIGTERM (a desktop logout) at the final window: the profile is complete, exit 0, the window closed",
          .enabled(if: enabled))
    func terminatedAtTheEnd() throws {
        let stage = try GUIStage()
        defer { stage.close() }
        let (world, display) = (stage.world, stage.display)
        let run = try stage.start(try Self.flags(world, profile: stage.profile) + ["--provider", world.xmppDomain])
        defer { run.stop() }
        let seen = try Self.drive(run, on: display, seconds: 120, ignoring: ["connecting"],
                                  label: { Self.step($1) == "done" ? "sigterm-at-done-before" : nil }) { window in
            if Self.step(window) == "done" {
                kill(run.process.pid, SIGTERM)
                return nil
            }
            try display.press("Return", in: window)
            return "Return"
        }
        run.stop()
        #expect(seen.last == "done", "\(seen)")
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("written; it is complete"), "\(run.output)")
        #expect(!run.output.contains("nothing was written"))
        Thread.sleep(forTimeInterval: 1)
        #expect(try display.onionboardWindows().isEmpty, "the final window outlived the run")
        for file in ["accounts.xml", "blist.xml"] {
            #expect(FileManager.default.fileExists(atPath: stage.profile.appendingPathComponent(file).path))
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: stage.profile.path).filter { $0.contains("tmp") }
        #expect(leftovers.isEmpty, "temporary files: \(leftovers)")
    }

    @Test("SIGTERM (a desktop logout) while the progress window is up: exit 130, no window left, nothing written",
          .enabled(if: enabled))
    func terminatedWhileReaching() throws {
        try Self.cancelWhileReaching("sigterm") { run, _, _ in kill(run.process.pid, SIGTERM) }
    }

    @Test("SIGTERM while the certificate question is open (alone: no progress window over it): exit 130, nothing written",
          .enabled(if: enabled))
    func terminatedWhileAsking() throws {
        let stage = try GUIStage()
        defer { stage.close() }
        let arguments = try Self.flags(stage.world, profile: stage.profile)
            + ["--provider", stage.world.xmppDomain, "--username", "ask\(Int.random(in: 10000...99999))", "--handle", "Cancel test"]
        let run = try stage.start(arguments)
        defer { run.stop() }
        var question: [VirtualDisplay.Window] = []
        let deadline = Date().addingTimeInterval(60)
        while run.process.isRunning && Date() < deadline {
            let windows = try stage.display.onionboardWindows()
            if windows.contains(where: { Self.step($0) == "certificate" }) { question = windows; break }
            Thread.sleep(forTimeInterval: 0.3)
        }
        try #require(!question.isEmpty, "never saw the certificate window\n\(run.output)")
        Thread.sleep(forTimeInterval: 0.8)
        #expect(question.map(Self.step) == ["certificate"], "a window beside the question: \(question.map(\.title))")
        try stage.display.screenshot("sigterm-at-certificate")
        kill(run.process.pid, SIGTERM)
        #expect(run.process.wait(timeout: 20), "the run went on after SIGTERM")
        run.stop()
        #expect(run.status == 130, "\(run.output)")
        Thread.sleep(forTimeInterval: 1)
        #expect(try stage.display.onionboardWindows().isEmpty, "a zenity window outlived the run")
        #expect(try FileManager.default.contentsOfDirectory(atPath: stage.home.path) == [])
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

    @Test("automatic choice: gui on a desktop when standard input is no terminal and zenity is there; else terminal or plain")
    func automatic() {
        let desktop = ["DISPLAY": ":0"], wayland = ["WAYLAND_DISPLAY": "wayland-0"]
        #expect(FrontendKind.automatic(environment: desktop, stdinIsTerminal: false, zenityInstalled: true) == .gui)
        #expect(FrontendKind.automatic(environment: wayland, stdinIsTerminal: false, zenityInstalled: true) == .gui)
        #expect(FrontendKind.automatic(environment: desktop, stdinIsTerminal: true, zenityInstalled: true) == .terminal)
        #expect(FrontendKind.automatic(environment: desktop, stdinIsTerminal: false, zenityInstalled: false) == .plain)
        #expect(FrontendKind.automatic(environment: ["DISPLAY": ""], stdinIsTerminal: false, zenityInstalled: true) == .plain)
        #expect(FrontendKind.automatic(environment: [:], stdinIsTerminal: true, zenityInstalled: true) == .terminal)
    }

    @Test("the autostart entry starts bootstrap with the GUI frontend")
    func autostart() throws {
        let entry = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("Templates/onionboard-bootstrap.desktop"),
                               encoding: .utf8)
        #expect(entry.contains("Exec=onionboard bootstrap --frontend gui "))
    }
}
