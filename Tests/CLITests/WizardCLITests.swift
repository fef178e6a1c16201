import Foundation
import Testing
import TestSupport
@testable import Frontends
@testable import onionboard
@testable import Wizard

enum CLIFixtures {
    /// A provider metadata file (OnionMap's format) with one open and one CAPTCHA
    /// provider. The onions are valid v3 addresses; nothing here connects to them.
    static func providerMap(in directory: URL) throws -> String {
        let json = """
            {
              "open.example": {"onion": "fzdx522fvinbaqgwxdet45wryluchpplrkkzkry33um5tufkjd3wdaqd.onion",
                               "registration": "yes", "captcha": false},
              "captcha.example": {"onion": "6w5iasklrbr2kw53zqrsjktgjapvjebxodoki3gjnmvb4dvcbmz7n3qd.onion",
                                  "registration": "yes", "captcha": true, "directTLSPort": 5223}
            }
            """
        let url = directory.appendingPathComponent("providers.json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static let strictTemplate = """
        Template: strict
        Title: Strict
        Room: support@conference.example.org

        Question: provider
        Type: provider
        Description: Which provider?

        Question: username
        Type: text
        Validation: localpart
        Description: Which username?

        Question: handle
        Type: text
        Validation: handle
        Description: Which nickname?

        Question: colour
        Type: select
        Choices: red, green
        Description: Which colour?
        """
}

@Suite("Wizard commands (built binary)")
struct WizardCLITests {
    @Test("templates check: every problem with file:line:column, exit 65; the bundled template is clean")
    func check() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.wizard")
        try "Template: bad\nTitle: B\nRoom: r@c.example.org\nShape: round\n\nQuestion: provider\nType: provider\nDescription: p\n\nQuestion: x\nType: sometimes\nDescription: x\nCondition: provider = a and y = b\n"
            .write(to: bad, atomically: true, encoding: .utf8)
        let result = try BinaryRun.run(["templates", "check", bad.path])
        #expect(result.status == 65)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "\(bad.path):4:1: error: unknown field `Shape` in the `Template:` stanza; known fields: Template, Title, Description, Room, Room-Group, Room-Alias, Room-Alternatives, Autojoin, Offer-Providers, Provider-Order",
            "\(bad.path):11:7: error: unknown type `sometimes`; known types: provider, text, secret, boolean, captcha, select, account, pidgin-account",
            "\(bad.path):13:29: error: the condition refers to an unknown key `y`",
        ])
        #expect(result.stderr.contains("3 problems"))

        let good = try BinaryRun.run(["templates", "check", TestSupport.packageRoot.appendingPathComponent("Templates/tails-support.wizard").path])
        #expect(good.status == 0)
        #expect(good.stdout.contains("ok (16 questions)"))
    }

    @Test("templates list and show --json describe the bundled wizard")
    func listAndShow() throws {
        let list = try BinaryRun.run(["templates", "list", "--json"])
        #expect(list.status == 0)
        struct Entry: Decodable { let id: String; let room: String }
        let entries = try JSONDecoder().decode([Entry].self, from: Data(list.stdout.utf8))
        #expect(entries.map(\.id) == ["tails-support"])
        #expect(entries.first?.room == "tails@chat.disroot.org")

        let show = try BinaryRun.run(["templates", "show", "tails-support", "--json"])
        struct Question: Decodable { let key: String; let flag: String; let environment: String? }
        struct Shown: Decodable { let questions: [Question] }
        let shown = try JSONDecoder().decode(Shown.self, from: Data(show.stdout.utf8))
        #expect(shown.questions.first { $0.key == "purple-dir" }?.flag == "--purple-dir")
        #expect(shown.questions.first { $0.key == "password" }?.environment == nil)
    }

    @Test("non-interactive without a provider: lists it with its flag, exit 3, writes nothing")
    func missingProvider() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let map = try CLIFixtures.providerMap(in: directory)
        let profile = directory.appendingPathComponent("purple")
        let saved = directory.appendingPathComponent("saved.answers")
        let result = try BinaryRun.run(["run", "--non-interactive", "--providers", map, "--purple-dir", profile.path,
                                        "--save-answers", saved.path], stdin: "1\n")
        #expect(result.status == 3)
        #expect(result.stderr.contains("provider: Which provider should host your account? — --provider or ONIONBOARD_PROVIDER"))
        #expect(!FileManager.default.fileExists(atPath: profile.path))
        #expect(!FileManager.default.fileExists(atPath: saved.path))
    }

    @Test("non-interactive with some answers missing lists exactly those keys (text and --json)")
    func exactMissingKeys() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let map = try CLIFixtures.providerMap(in: directory)
        let template = directory.appendingPathComponent("strict.wizard")
        try CLIFixtures.strictTemplate.write(to: template, atomically: true, encoding: .utf8)
        let profile = directory.appendingPathComponent("purple")
        struct Missing: Decodable { let key: String; let flag: String }
        struct Report: Decodable { let ok: Bool; let missing: [Missing] }

        let all = try BinaryRun.run(["run", template.path, "--yes", "--json", "--providers", map, "--purple-dir", profile.path])
        #expect(all.status == 3)
        let allReport = try JSONDecoder().decode(Report.self, from: Data(all.stdout.utf8))
        #expect(allReport.missing.map(\.key) == ["provider", "username", "handle", "colour"])
        #expect(allReport.missing.map(\.flag) == ["--provider", "--username", "--handle", "--set colour=VALUE"])

        let some = try BinaryRun.run(["run", template.path, "--yes", "--json", "--providers", map, "--purple-dir", profile.path,
                                      "--username", "alice", "--set", "colour=green"],
                                     environment: ["ONIONBOARD_PROVIDER": "open.example"])
        #expect(some.status == 3)
        let someReport = try JSONDecoder().decode(Report.self, from: Data(some.stdout.utf8))
        #expect(someReport.missing.map(\.key) == ["handle"])
        #expect(!FileManager.default.fileExists(atPath: profile.path))

        let captcha = try BinaryRun.run(["run", "--yes", "--providers", map, "--provider", "captcha.example",
                                         "--purple-dir", profile.path])
        #expect(captcha.status == 3)
        #expect(captcha.stderr.contains("captcha: Solve the provider's CAPTCHA"))
    }

    @Test("bad answers: every problem with its source, exit 65; a password in an answers file is refused")
    func badAnswers() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let map = try CLIFixtures.providerMap(in: directory)
        let answers = directory.appendingPathComponent("a.answers")
        try "# mine\nhandle = fine\nusername = Not OK\ncolour = red\n".write(to: answers, atomically: true, encoding: .utf8)
        let result = try BinaryRun.run(["run", "--yes", "--providers", map, "--provider", "nowhere.example", "--answers", answers.path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("provider = nowhere.example (from command-line flag): “nowhere.example” is not in the provider map"))
        #expect(result.stderr.contains("username = Not OK (from \(answers.path):3)"))
        #expect(result.stderr.contains("colour = red (from \(answers.path):4): the wizard tails-support has no question `colour`"))

        try "password = hunter2\n".write(to: answers, atomically: true, encoding: .utf8)
        let secret = try BinaryRun.run(["run", "--yes", "--providers", map, "--answers", answers.path])
        #expect(secret.status == 65)
        #expect(secret.stderr.contains("\(answers.path):1:1: error: a password never goes into an answers file"))
        #expect(!secret.stderr.contains("hunter2"))
    }
}

/// Lines fed to a frontend, as a person would type them.
final class ScriptedInput: InputProvider {
    var lines: [String]
    let isTerminal = false
    init(_ lines: [String]) { self.lines = lines }
    func readLine() throws -> String? { lines.isEmpty ? nil : lines.removeFirst() }
    func readSecretLine() throws -> [UInt8]? { lines.isEmpty ? nil : Array(lines.removeFirst().utf8) }
}

final class CapturedOutput: OutputHandler {
    var text = ""
    func write(_ text: String) { self.text += text }
    func writeLine(_ text: String) { self.text += text + "\n" }
}

@Suite("Line frontend (scripted)")
struct LineFrontendTests {
    @Test("numbered providers with their registration status, defaults in brackets, a reason and a re-ask")
    func scripted() throws {
        let output = CapturedOutput()
        let input = ScriptedInput(["?", "details 1", "7", "2", "Bad Name", "", "", "yes"])
        let frontend = LineFrontend(context: ConsoleContext(input: input, output: output))
        let providers = [
            ProviderChoice(domain: "open.example", onion: String(repeating: "a", count: 56) + ".onion", registration: .open, captcha: false),
            ProviderChoice(domain: "captcha.example", onion: String(repeating: "b", count: 56) + ".onion",
                           directTLSPort: 5223, registration: .open, captcha: true),
        ]
        let template = try TemplateLibrary.loadBundled("tails-support")
        let session = OnboardingSession(template: template, providers: providers, registrar: UnavailableLayer(),
                                        writer: UnavailableLayer(), generator: SodiumCredentialSource())
        frontend.begin(template)
        var newAccount = AnswerSet()
        newAccount.set("account", "new", source: .flag)
        let plan = try session.plan(presets: newAccount, password: nil,
                                    options: .init(interactive: true, homeDirectory: "/home/amnesia"), asker: frontend)
        #expect(input.lines == ["yes"])
        #expect(plan.provider.domain == "captcha.example")
        #expect(plan.usernameWasGenerated)
        let text = output.text
        // Checked when the wizard started: this build has no registration layer, so neither answered.
        #expect(text.contains("  1) open.example — unreachable: the registration (XMPPOverTor) layer is not part of this build yet\n"
                              + "  2) captcha.example — unreachable: the registration (XMPPOverTor) layer is not part of this build yet\n"))
        #expect(text.contains("Every provider listed here is reached through its onion address"))  // the `?` help
        // `details 1`: what the data says, with the live state.
        #expect(text.contains("1) open.example\n  Your address:"))
        #expect(text.contains("Registration (data):"))
        #expect(text.contains("open registration, no CAPTCHA"))
        #expect(text.contains("Checked over Tor:"))
        #expect(text.contains("  ✗ choose a number from 1 to 2\n"))
        #expect(text.contains("Username for the new account [\(plan.username)]: "))
        #expect(text.contains("  ✗ “ ” is not allowed in a username"))
        #expect(text.contains("Your nickname in the support room [\(plan.handle)]: "))
        // CAPTCHA and certificate questions come during the run, through the same frontend.
        let certificate = CertificateSummary(subject: "CN=captcha.example", subjectAltNames: ["captcha.example"],
                                             issuer: "CN=captcha.example", notAfter: "2027-01-01", sha256: "ab", overOnion: true)
        #expect(frontend.confirm(certificate))
        #expect(output.text.contains("Tor has already checked that this is the"))
    }

    /// Issue 16 item 4: a server's field label and instructions cannot forge lines of ours.
    @Test("server text in a form is shown on one line, sanitised and marked as the server's")
    func serverTextIsMarked() throws {
        let output = CapturedOutput()
        let frontend = LineFrontend(context: ConsoleContext(input: ScriptedInput(["answer"]), output: output))
        var field = RegistrationField(name: "ocr\nx", label: "Code\n• Registering victim@example.org", kind: .text,
                                      instructions: "Type it\n\u{9B}2J\u{202E}\nDone. Your new account: victim@example.org",
                                      mediaLocations: ["http://x.example/\nDone."])
        field.required = true
        let values = try frontend.fill([field])
        #expect(values["ocr\nx"] == "answer")
        let lines = output.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(!lines.contains { $0.hasPrefix("• Registering") || $0.hasPrefix("Done.") })
        #expect(output.text.contains("The server asks for “Code • Registering victim@example.org”"))
        #expect(output.text.contains("  server says: “Type it \u{FFFD}2J Done. Your new account: victim@example.org”"))
        #expect(!output.text.unicodeScalars.contains { $0.value == 0x9B || $0.value == 0x202E })
    }

    @Test("end of input before the last answer cancels cleanly")
    func endOfInput() throws {
        let frontend = LineFrontend(context: ConsoleContext(input: ScriptedInput(["1"]), output: CapturedOutput()))
        let template = try TemplateLibrary.loadBundled("tails-support")
        let session = OnboardingSession(template: template, providers: [
            ProviderChoice(domain: "open.example", onion: String(repeating: "a", count: 56) + ".onion", registration: .open, captcha: false),
        ], registrar: UnavailableLayer(), writer: UnavailableLayer())
        #expect(throws: FrontendError.inputClosed) {
            try session.plan(presets: AnswerSet(), password: nil, options: .init(interactive: true, homeDirectory: "/h"), asker: frontend)
        }
    }
}

@Suite("Password advice")
struct PasswordAdviceTests {
    @Test("Tails 7.6 and later ships Secrets, earlier ones KeePassXC; elsewhere any password manager")
    func byVersion() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func advice(_ version: String) throws -> String {
            let file = directory.appendingPathComponent("version-\(version)")
            try "\(version) - 20260326\n".write(to: file, atomically: true, encoding: .utf8)
            return PasswordAdvice.text(tailsVersionFile: file.path)
        }
        #expect(try advice("7.6").contains("Secrets (GNOME Secrets"))
        #expect(try advice("7.10").contains("Secrets (GNOME Secrets"))
        #expect(try advice("8.0").contains("Secrets"))
        #expect(try advice("7.5").contains("KeePassXC"))
        #expect(try advice("6.19").contains("KeePassXC"))
        #expect(PasswordAdvice.text(tailsVersionFile: directory.appendingPathComponent("none").path).contains("a password manager"))
    }
}
