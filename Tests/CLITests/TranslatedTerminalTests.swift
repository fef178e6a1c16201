import Foundation
import Testing
import TestSupport
import Wizard
import WizardAdapters

/// The whole terminal wizard in each shipped language, in a pseudo-terminal (tmux) against
/// the local world, as a person would go through it: the provider question with its help and
/// a provider's details (typing the language's own word for "details"), a refused username,
/// the certificate with its help, answered with the language's "yes", the end with the
/// password shown on the language's "show". Every screen is then checked for English left
/// over (`EnglishCheck`). Each language is chosen another way (issue 20: `LANGUAGE=de
/// onionboard` asks in German, with no LANG and no installed locale).
@Suite("The terminal wizard in every shipped language (pseudo-terminal, local world)")
struct TranslatedTerminalTests {
    static var enabled: Bool {
        (World.isAvailable || TestSupport.isCI) && WizardLayers.registrationAvailable && (TmuxTerminal.available || TestSupport.isCI)
    }

    static let environments: [(String, [String: String])] = [
        ("de", ["LANGUAGE": "de"]),
        ("es", ["LANG": "C.UTF-8", "LC_MESSAGES": "es_ES.UTF-8"]),
        ("fa", ["LANG": "C.UTF-8", "LANGUAGE": "fa"]),
        ("fr", ["LANG": "fr_FR.UTF-8"]),
        ("ru", ["LC_ALL": "ru_RU.UTF-8"]),
        ("zh_CN", ["LANGUAGE": "zh_CN:en"]),
    ]

    @Test("a whole run, every screen in the language and no English left but names and addresses; the profile is written",
          .enabled(if: enabled), arguments: environments)
    func wholeRun(language: String, environment: [String: String]) throws {
        let world = try #require(World.current, "local world not running")
        let catalog = try MessageCatalog.load(language)
        let wizard = try TemplateLibrary.loadBundled(TemplateLibrary.defaultID).localized(to: [language])
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let profile = directory.appendingPathComponent("purple")
        let variables = ["XDG_STATE_HOME=\(directory.appendingPathComponent("state").path)"]
            + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let command = shellQuoted(["env"] + BinaryRun.localeVariables.sorted().flatMap { ["-u", $0] } + variables
                                  + [TestSupport.onionboardBinary.path, "run", "--providers", try WizardWorldTests.providerFile(world),
                                     "--tor-socks", "\(world.socksHost):\(world.socksPort)", "--purple-dir", profile.path,
                                     "--room", world.roomJID, "--force"])
            + "; echo EXIT=$?; sleep 120"
        let terminal = try TmuxTerminal(command: command)
        func prompt(_ question: String) -> String { wizard.question(question)!.prompt + " [" }
        let details = catalog.text("details")

        // The fork first (issue 18), in the language: Enter creates a new account.
        var screen = try terminal.waitJoined(for: catalog.fragment("Choose 1–{0}"), timeout: 120)
        #expect(screen.contains(wizard.title), "the template's title is not in \(language):\n\(screen)")
        #expect(screen.contains(wizard.question("account")!.prompt), "the fork is not in \(language):\n\(screen)")
        #expect(screen.contains("1) " + catalog.text(AccountPath.new.label)), "\(screen)")
        #expect(screen.contains("2) " + catalog.text(AccountPath.existing.label)), "\(screen)")
        try terminal.type("")
        // The providers, checked live; their help; the details of the first (the world's).
        screen = try terminal.waitJoined(for: catalog.fragment("Choose 1–{0}"),
                                         after: catalog.fragment("({0} N: more about provider N — website, where its servers are, software, sources)"),
                                         timeout: 120)
        try terminal.type("?")
        try terminal.waitJoined(for: catalog.fragment("Type {0} N (or ? N) for provider N's details."))
        let line = try #require(screen.split(separator: "\n").first { $0.contains(") \(world.xmppDomain) — ") })
        let number = String(line.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber })
        try terminal.type("\(details) \(number)")
        try terminal.waitJoined(for: catalog.text("Your address") + ":")
        try terminal.type(number)
        // A refused username, then the suggestions.
        try terminal.waitJoined(for: prompt("username"))
        try terminal.type("a b")
        try terminal.waitJoined(for: catalog.fragment("“{0}” is not allowed in a username: use a–z, 0–9, dot, underscore or hyphen"))
        try terminal.type("")
        try terminal.waitJoined(for: prompt("handle"))
        try terminal.type("")
        // The certificate, its help, and the language's own "yes".
        try terminal.waitJoined(for: catalog.fragment("Trust this certificate and remember it in Pidgin? ({0}/{1}, ? for help) [{2}]: "),
                          timeout: 120)
        try terminal.type("?")
        try terminal.waitJoined(for: catalog.fragment("""
            Trusting stores this certificate in the Pidgin profile, so Pidgin connects without asking;
            if the server later shows a different one, onionboard or Pidgin asks again.
            Declining ends the setup here: no account is created and nothing is written.
            """).split(separator: "\n")[0].trimmingCharacters(in: .whitespaces))
        try terminal.type(catalog.text("yes"))
        // The end, and the password on the language's own "show".
        try terminal.waitJoined(for: catalog.fragment("Type {0} and press Enter to see the password ({1}), or just press Enter: "),
                          timeout: 180)
        try terminal.type(catalog.text("show"))
        screen = try terminal.waitJoined(for: "EXIT=", timeout: 10)
        #expect(screen.contains("EXIT=0"), "\(screen)")
        #expect(screen.contains(catalog.text("Password: ").trimmingCharacters(in: .whitespaces)))
        #expect(screen.contains(catalog.text("Your new account: {0}", "")), "\(screen)")
        #expect(FileManager.default.fileExists(atPath: profile.appendingPathComponent("accounts.xml").path))
        // The room's name in the buddy list is the template's in this language.
        let blist = try String(contentsOf: profile.appendingPathComponent("blist.xml"), encoding: .utf8)
        #expect(blist.contains(wizard.room.alias!), "\(blist)")

        let shown = terminal.joinedScreen.split(separator: "\n").filter { !$0.hasPrefix("EXIT=") }.joined(separator: "\n")
        let leftovers = try EnglishCheck(language: language).leftovers(shown)
        #expect(leftovers.isEmpty, "English on the \(language) screens: \(leftovers)\n\(shown)")
    }
}

extension TmuxTerminal {
    /// The screen with the lines the terminal wrapped joined again (words stay whole).
    var joinedScreen: String {
        (try? runCommand(["tmux", "capture-pane", "-p", "-J", "-S", "-500", "-t", "=\(session):"], timeout: 10).output) ?? ""
    }

    /// `waitJoined(for:)` for a text shown after the last `marker` (a prompt that comes again).
    @discardableResult
    func waitJoined(for text: String, after marker: String, timeout: TimeInterval = 30) throws -> String {
        let start = Date()
        var last = ""
        while Date().timeIntervalSince(start) < timeout {
            last = joinedScreen
            if let found = last.range(of: marker, options: .backwards), last[found.upperBound...].contains(text) { return last }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw WorldError("timed out after \(Int(timeout)) s waiting for “\(text)” after “\(marker)”; screen:\n\(last)")
    }

    /// `wait(for:)` on the joined screen: a text the terminal wrapped is found too.
    @discardableResult
    func waitJoined(for text: String, timeout: TimeInterval = 30) throws -> String {
        let start = Date()
        var last = ""
        while Date().timeIntervalSince(start) < timeout {
            last = joinedScreen
            if last.contains(text) { return last }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw WorldError("timed out after \(Int(timeout)) s waiting for “\(text)”; screen:\n\(last)")
    }
}
