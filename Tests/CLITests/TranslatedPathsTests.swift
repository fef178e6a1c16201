import Foundation
import Testing
import TestSupport
import Wizard
import WizardAdapters

/// The fork's other paths (issue 18) in German (issue 20), in a pseudo-terminal against the
/// local world: an account the person already has (a wrong password first, said in German)
/// and the room added to an account Pidgin already has (its identity warning, the Tor
/// switch). Every screen then goes through `EnglishCheck`, as the new-account runs in
/// `TranslatedTerminalTests` do.
@Suite("The fork's other paths in German (pseudo-terminal, local world)", .serialized)
struct TranslatedPathsTests {
    static let language = "de"

    /// The wizard in German (`LANGUAGE=de`, no other locale variable) in tmux.
    static func terminal(_ arguments: [String], scratch: URL) throws -> TmuxTerminal {
        let command = shellQuoted(["env"] + BinaryRun.localeVariables.sorted().flatMap { ["-u", $0] }
                                  + ["XDG_STATE_HOME=\(scratch.appendingPathComponent("state").path)", "LANGUAGE=\(language)",
                                     TestSupport.onionboardBinary.path] + arguments)
        return try TmuxTerminal(command: command + "; echo EXIT=$?; sleep 120")
    }

    /// What the person saw, without the lines the test's shell adds.
    static func shown(_ terminal: TmuxTerminal) -> String {
        terminal.joinedScreen.split(separator: "\n").filter { !$0.hasPrefix("EXIT=") }.joined(separator: "\n")
    }

    @Test("“use an account I already have” in German: the fork, the address, the password (a wrong one first, said in German, nothing written), the certificate; no English on the screens",
          .enabled(if: ExistingAccountTests.enabled))
    func existingAccount() throws {
        let world = try #require(World.current, "local world not running")
        let catalog = try MessageCatalog.load(Self.language)
        let english = try EnglishCheck(language: Self.language)
        let wizard = try TemplateLibrary.loadBundled(TemplateLibrary.defaultID).localized(to: [Self.language])
        let scratch = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (_, jid, password) = try ExistingAccountTests.makeAccount(world, prefix: "eigen")
        let profile = scratch.appendingPathComponent("purple")
        let arguments = ["run", "--providers", try WizardWorldTests.providerFile(world), "--tor-socks", "\(world.socksHost):\(world.socksPort)",
                         "--purple-dir", profile.path, "--room", world.roomJID, "--force"]
        let address = try #require(wizard.questions.first { $0.key == "jid" }).prompt
        // The second `password` question is the one for an account the person has.
        let passwordPrompt = try #require(wizard.questions.last { $0.key == "password" }).prompt
        #expect(passwordPrompt == "Das Passwort Ihres Kontos", "the template's own German text is not used")
        let trust = catalog.fragment("Trust this certificate and remember it in Pidgin? ({0}/{1}, ? for help) [{2}]: ")

        func throughTheQuestions(_ terminal: TmuxTerminal, password typed: String) throws {
            let screen = try terminal.waitJoined(for: catalog.fragment("Choose 1–{0}"), timeout: 120)
            #expect(screen.contains(wizard.question("account")!.prompt), "\(screen)")
            try terminal.type(try ExistingAccountTests.number(of: catalog.text(AccountPath.existing.label), in: screen))
            try terminal.waitJoined(for: address + ": ")
            try terminal.type(jid)
            try terminal.waitJoined(for: catalog.text("{0} (not shown): ", passwordPrompt))
            try terminal.type(typed)
            try terminal.waitJoined(for: wizard.question("handle")!.prompt + " [")
            try terminal.type("")
            try terminal.waitJoined(for: trust, timeout: 120)
            try terminal.type(catalog.text("yes"))
        }

        // A wrong password: said in German, exit 77, nothing written.
        let wrong = try Self.terminal(arguments, scratch: scratch)
        try throughTheQuestions(wrong, password: "nicht-\(password)")
        var screen = try wrong.waitJoined(for: "EXIT=", timeout: 180)
        #expect(screen.contains(catalog.text("the server did not accept the password for {0}: the address or the password is wrong. Nothing was written; check both and try again. ({1})", jid, "")
                                    .components(separatedBy: " ()")[0]), "\(screen)")
        #expect(screen.contains("EXIT=77"), "\(screen)")
        #expect(!FileManager.default.fileExists(atPath: profile.path), "a wrong password wrote something")
        // The server's own words for the refusal stay as they are (in parentheses, for reports).
        let withoutDetail = Self.shown(wrong).replacing(/\((?:[^()]|\([^()]*\))*\)\s*$/.anchorsMatchLineEndings(), with: "")
        let wrongLeftovers = english.leftovers(withoutDetail)
        #expect(wrongLeftovers.isEmpty, "English on the German screens: \(wrongLeftovers)\n\(withoutDetail)")

        // The right one: the profile is written, the summary in German.
        let right = try Self.terminal(arguments, scratch: scratch)
        try throughTheQuestions(right, password: password)
        screen = try right.waitJoined(for: "EXIT=", timeout: 180)
        #expect(screen.contains("EXIT=0"), "\(screen)")
        #expect(screen.contains(catalog.text("Done. {0}", catalog.text("Your account: {0}", jid))), "\(screen)")
        #expect(!screen.contains(password), "the password was echoed")
        let accounts = try String(contentsOf: profile.appendingPathComponent("accounts.xml"), encoding: .utf8)
        #expect(accounts.contains("<name>\(jid)/</name>") && accounts.contains("<password>\(password)</password>"))
        let shown = Self.shown(right)
        let leftovers = english.leftovers(shown)
        #expect(leftovers.isEmpty, "English on the German screens: \(leftovers)\n\(shown)")
    }

    @Test("“join the room with an account Pidgin already has” in German: the fork, the identity warning, the accounts and how they connect, the Tor switch, the certificate, the summary; no English on the screens",
          .enabled(if: ExistingAccountTests.enabled))
    func joinOnly() throws {
        let world = try #require(World.current, "local world not running")
        let catalog = try MessageCatalog.load(Self.language)
        let english = try EnglishCheck(language: Self.language)
        let wizard = try TemplateLibrary.loadBundled(TemplateLibrary.defaultID).localized(to: [Self.language])
        let scratch = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (_, jid, password) = try ExistingAccountTests.makeAccount(world, prefix: "pidginde")
        let profile = scratch.appendingPathComponent("purple")
        // Without Tor, so that the wizard warns and offers to send it through Tor to the world's onion.
        try ExistingAccountTests.personsProfile(profile, world: world, jid: jid, password: password, throughTor: false, pinned: false)

        let terminal = try Self.terminal(["run", "--providers", try WizardWorldTests.providerFile(world),
                                          "--tor-socks", "\(world.socksHost):\(world.socksPort)", "--purple-dir", profile.path,
                                          "--room", world.roomJID, "--force"], scratch: scratch)
        var screen = try terminal.waitJoined(for: catalog.fragment("Choose 1–{0}"), timeout: 120)
        #expect(screen.contains(catalog.text("adds only the room to it: {0}", "")), "\(screen)")
        try terminal.type(try ExistingAccountTests.number(of: catalog.text(AccountPath.pidgin.label), in: screen))
        let which = try #require(wizard.question("pidgin-account"))
        screen = try terminal.waitJoined(for: catalog.fragment("Choose 1–{0}"), after: which.prompt)
        let warning = try #require(which.warning)
        #expect(screen.contains("! " + warning.split(separator: "\n")[0]), "the template's warning is not in German:\n\(screen)")
        #expect(screen.contains(catalog.text("without Tor (no proxy): its server sees this computer's address")), "\(screen)")
        try terminal.type(try ExistingAccountTests.number(of: jid, in: screen))
        try terminal.waitJoined(for: wizard.question("tor-switch")!.prompt + " (")
        try terminal.type("")
        try terminal.waitJoined(for: wizard.question("handle")!.prompt + " [")
        try terminal.type("Beitritt")
        // The onion is not pinned by this map: the person judges its certificate before it is pinned.
        try terminal.waitJoined(for: catalog.fragment("Trust this certificate and remember it in Pidgin? ({0}/{1}, ? for help) [{2}]: "),
                                timeout: 120)
        try terminal.type("")
        screen = try terminal.waitJoined(for: "EXIT=", timeout: 180)
        #expect(screen.contains("EXIT=0"), "\(screen)")
        #expect(screen.contains(catalog.fragment(
            "{0} was not made by onionboard: it may carry your identity. Joining the room with it links what you say there to that account (the room sees the nickname {1}; its server sees the join)")),
            "the identity warning is not in German:\n\(screen)")
        #expect(screen.contains(catalog.text("Done. {0}", catalog.text("Pidgin's account {0} joins the room", jid))), "\(screen)")
        #expect(screen.contains(catalog.fragment("The account now connects through Tor, to {0}:{1}")), "\(screen)")
        let accounts = try String(contentsOf: profile.appendingPathComponent("accounts.xml"), encoding: .utf8)
        #expect(accounts.contains("<type>tor</type>"), "the account was not sent through Tor")
        let blist = try String(contentsOf: profile.appendingPathComponent("blist.xml"), encoding: .utf8)
        #expect(blist.contains("<component name='handle'>Beitritt</component>"))
        let shown = Self.shown(terminal)
        let leftovers = english.leftovers(shown)
        #expect(leftovers.isEmpty, "English on the German screens: \(leftovers)\n\(shown)")
    }

    @Test("export and bootstrap in German: export's password prompt at a terminal and its result; bootstrap's refusal to join a room with an account made elsewhere; no English",
          .enabled(if: ExistingAccountTests.enabled))
    func commandsInGerman() throws {
        let world = try #require(World.current, "local world not running")
        let catalog = try MessageCatalog.load(Self.language)
        let english = try EnglishCheck(language: Self.language)
        let scratch = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (_, jid, password) = try ExistingAccountTests.makeAccount(world, prefix: "export")
        let profile = scratch.appendingPathComponent("purple")

        let export = try Self.terminal(["export", "--jid", jid, "--password-file", "-", "--connect-server", world.onion,
                                        "--port", String(world.onionPort), "--tor-socks", "\(world.socksHost):\(world.socksPort)",
                                        "--accept-fingerprint", world.certificateSHA256, "--room", world.roomJID,
                                        "--purple-dir", profile.path, "--force"], scratch: scratch)
        try export.waitJoined(for: catalog.text("{0} (not shown): ", catalog.text("Password for {0}", jid)))
        try export.type(password)
        var screen = try export.waitJoined(for: "EXIT=", timeout: 120)
        #expect(screen.contains("EXIT=0"), "\(screen)")
        #expect(screen.contains(catalog.text("Pidgin profile ready for {0} in {1}.", jid + "/", profile.path)), "\(screen)")
        #expect(!screen.contains(password), "the password was echoed")
        // What export lists is file changes (`create: accounts.xml`): its action words are for scripts.
        screen = Self.shown(export).split(separator: "\n").filter { line in !["create: ", "update: ", "unchanged: "].contains { line.hasPrefix($0) } }
            .joined(separator: "\n")
        var leftovers = english.leftovers(screen)
        #expect(leftovers.isEmpty, "English on the German screen: \(leftovers)\n\(screen)")

        // The account was not made by onionboard: bootstrap says so, in German, and writes nothing.
        let before = try WizardWorldTests.snapshot(profile)
        let bootstrap = try BinaryRun.run(["bootstrap", "--wait-tor", "60", "--providers", try WizardWorldTests.providerFile(world),
                                           "--tor-socks", "\(world.socksHost):\(world.socksPort)", "--purple-dir", profile.path,
                                           "--room", world.roomJID, "--force"], environment: ["LANGUAGE": Self.language])
        #expect(bootstrap.status == 0, "\(bootstrap.stderr)")
        #expect(bootstrap.stdout.contains(catalog.fragment(
            "{0} was not made by onionboard, so bootstrap does not join a room with it: it may carry your identity. To join the room with it anyway, run onionboard and choose “{1}”.")),
            "\(bootstrap.stdout)")
        #expect(bootstrap.stdout.contains(catalog.text(AccountPath.pidgin.label)), "\(bootstrap.stdout)")
        #expect(try WizardWorldTests.snapshot(profile) == before, "bootstrap changed a profile whose account was made elsewhere")
        leftovers = english.leftovers(bootstrap.stdout + bootstrap.stderr)
        #expect(leftovers.isEmpty, "English in bootstrap's German output: \(leftovers)\n\(bootstrap.stdout)\(bootstrap.stderr)")
    }
}
