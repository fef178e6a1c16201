import Foundation
import Testing
import TestSupport
import Wizard
import WizardAdapters

/// The terminal frontend in a real pseudo-terminal (tmux), driven key by key as a person would.
final class TmuxTerminal {
    let session = "onionboard-wizard-\(getpid())-\(UUID().uuidString.prefix(6))"

    init(command: String) throws {
        let started = try runCommand(["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50", command], timeout: 10)
        guard started.status == 0 else { throw WorldError("tmux new-session failed: \(started.output)") }
    }

    deinit { _ = try? runCommand(["tmux", "kill-session", "-t", "=\(session)"], timeout: 10) }

    var screen: String {
        (try? runCommand(["tmux", "capture-pane", "-p", "-S", "-500", "-t", "=\(session):"], timeout: 10).output) ?? ""
    }

    func type(_ text: String, enter: Bool = true) throws {
        if !text.isEmpty { _ = try runCommand(["tmux", "send-keys", "-t", "=\(session):", "-l", text], timeout: 10) }
        if enter { _ = try runCommand(["tmux", "send-keys", "-t", "=\(session):", "Enter"], timeout: 10) }
    }

    func key(_ name: String) throws {
        _ = try runCommand(["tmux", "send-keys", "-t", "=\(session):", name], timeout: 10)
    }

    /// Waits until the screen contains `text` (tmux drops trailing spaces: leave them out).
    /// Waits until the screen contains `text` (counting from occurrence `after`); returns the screen.
    @discardableResult
    func wait(for text: String, occurrences: Int = 1, timeout: TimeInterval = 30) throws -> String {
        let start = Date()
        var last = ""
        while Date().timeIntervalSince(start) < timeout {
            last = screen
            if last.components(separatedBy: text).count - 1 >= occurrences { return last }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw WorldError("timed out after \(Int(timeout)) s waiting for “\(text)”; screen:\n\(last)")
    }

    static var available: Bool { (try? runCommand(["tmux", "-V"], timeout: 5).status) == 0 }
}

func shellQuoted(_ words: [String]) -> String {
    words.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
}

@Suite("Terminal frontend in a pseudo-terminal", .serialized)
struct WizardTerminalTests {
    @Test("Ctrl-C at a no-echo prompt restores the terminal, exits 130 and writes nothing",
          .enabled(if: TmuxTerminal.available || TestSupport.isCI))
    func interrupt() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let map = try CLIFixtures.providerMap(in: directory)
        let profile = directory.appendingPathComponent("purple")
        let command = shellQuoted([TestSupport.onionboardBinary.path, "run", "--priority", "low", "--providers", map,
                                   "--provider", "open.example", "--tor-socks", "127.0.0.1:1", "--purple-dir", profile.path])
            + "; echo EXIT=$?; stty -a | grep -o -- ' -\\?echo ' | head -1 | sed 's/^/ECHO:/'; sleep 60"
        let terminal = try TmuxTerminal(command: command)
        try terminal.wait(for: "Username for the new account [")
        try terminal.type("")
        try terminal.wait(for: "Password for the new account [Enter = generate a strong one] (not shown):")
        try terminal.type("secret-typed", enter: false)
        try terminal.key("C-c")
        let screen = try terminal.wait(for: "ECHO:")
        #expect(screen.contains("cancelled; nothing was written to the Pidgin profile."))
        #expect(screen.contains("EXIT=130"))
        #expect(screen.contains("ECHO: echo") && !screen.contains("ECHO: -echo"), "echo must be back on: \(screen)")
        #expect(!screen.contains("secret-typed"))
        #expect(!FileManager.default.fileExists(atPath: profile.path))
    }

    @Test("choose the provider by number, mistype once, accept defaults: finch joins the room",
          .enabled(if: (World.isAvailable || TestSupport.isCI) && WizardLayers.registrationAvailable))
    func personAtTheTerminal() throws {
        let world = try #require(World.current, "local world not running")
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let profile = directory.appendingPathComponent("purple")
        let command = shellQuoted([TestSupport.onionboardBinary.path, "run", "--providers", try WizardWorldTests.providerFile(world),
                                   "--tor-socks", "\(world.socksHost):\(world.socksPort)", "--purple-dir", profile.path,
                                   "--room", world.roomJID, "--force"]) + "; echo EXIT=$?; sleep 120"
        let terminal = try TmuxTerminal(command: command)
        // The fork first: Enter creates a new account.
        var screen = try terminal.wait(for: "Choose 1–2 [1]:")
        #expect(screen.contains("1) Create a new anonymous account (recommended)"))
        try terminal.type("")
        screen = try terminal.wait(for: "Choose 1–", occurrences: 2)
        let line = try #require(screen.split(separator: "\n").first { $0.contains(") \(world.xmppDomain) — ") })
        let number = line.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber }
        try terminal.type(String(number))
        try terminal.wait(for: "Username for the new account [")
        try terminal.type("Bad Name")
        try terminal.wait(for: "✗ “ ” is not allowed in a username")
        try terminal.type("")
        screen = try terminal.wait(for: "Your nickname in the support room [")
        try terminal.type("")
        // The world's certificate is self-signed and (unless the map pins it) asked about once.
        let start = Date()
        while Date().timeIntervalSince(start) < 180 {
            screen = terminal.screen
            if screen.contains("EXIT=") { break }
            if screen.contains("Trust this certificate and remember it in Pidgin? (yes/no, ? for help) [yes]:")
                && !screen.contains("Registering") {
                #expect(screen.contains(world.certificateSHA256))
                // `?` explains what declining does; Enter then takes the default: trust.
                try terminal.type("?")
                try terminal.wait(for: "Declining ends the setup here")
                try terminal.type("")
                try terminal.wait(for: "Registering", timeout: 60)
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        // The password only on request, with where to keep it.
        screen = try terminal.wait(for: "Type show and press Enter to see the password", timeout: 5)
        #expect(!screen.contains("Password: "))
        try terminal.type("show")
        screen = try terminal.wait(for: "EXIT=", timeout: 5)
        #expect(screen.contains("EXIT=0"), "\(screen)")
        let shownPassword = try #require(screen.split(separator: "\n").first { $0.contains("Password: ") })
            .components(separatedBy: "Password: ")[1].trimmingCharacters(in: .whitespaces)
        let accounts = try String(contentsOf: profile.appendingPathComponent("accounts.xml"), encoding: .utf8)
        #expect(shownPassword.count >= 20 && accounts.contains("<password>\(shownPassword)</password>"))
        #expect(screen.contains("Connecting to Tor at \(world.socksHost):\(world.socksPort)"))
        #expect(screen.contains("Done. Your new account: "))

        let finch = try WizardWorldTests.finchJoins(profile, world: world)
        #expect(finch.evidence.loggedIn, "\(finch.summary)")
        #expect(finch.evidence.peerCertMatchedCached)
        #expect(finch.evidence.joinedRoom(world.roomJID))

        // The same answers given as flags, non-interactively, give the same profile (up to
        // the account's own name, password and Tor isolation credentials).
        let marker = "(\(world.roomJID)) as "
        let after = try #require(screen.range(of: marker)).upperBound
        let handle = String(screen[after...].prefix { $0 != "\n" })
        #expect(!handle.isEmpty)
        let flagged = directory.appendingPathComponent("flagged")
        let run = try BinaryRun.run(["run", "--yes", "--providers", try WizardWorldTests.providerFile(world), "--provider", world.xmppDomain,
                                     "--tor-socks", "\(world.socksHost):\(world.socksPort)", "--purple-dir", flagged.path,
                                     "--room", world.roomJID, "--handle", handle,
                                     "--accept-fingerprint", world.certificateSHA256, "--force"])
        #expect(run.status == 0, "\(run.stderr)")
        for file in ["accounts.xml", "blist.xml"] {
            let a = try Self.normalised(profile.appendingPathComponent(file))
            let b = try Self.normalised(flagged.appendingPathComponent(file))
            #expect(a == b, "\(file) differs")
        }
    }

    /// A profile file with the account's name, password and proxy credentials blanked.
    static func normalised(_ file: URL) throws -> String {
        var text = try String(contentsOf: file, encoding: .utf8)
        for pattern in [#"<name>[^<]*</name>"#, #"<password>[^<]*</password>"#, #"<username>[^<]*</username>"#,
                        #"account='[^']*'"#, #"name='[^']*@[^']*'"#] {
            text = text.replacingOccurrences(of: pattern, with: "·", options: .regularExpression)
        }
        return text
    }
}
