import Foundation
@testable import PurpleConfig
import Testing
import TestSupport

/// `onionboard export`, run as the built binary.
@Suite("onionboard export")
struct ExportCommandTests {
    static let available = FileManager.default.isExecutableFile(atPath: TestSupport.onionboardBinary.path)

    func export(_ arguments: [String], stdin: String = "") throws -> BinaryRun {
        try BinaryRun.run(["export"] + arguments, stdin: stdin)
    }

    func baseArguments(_ dir: URL) -> [String] {
        ["--jid", "alice@onionboard.test", "--password-file", "-", "--connect-server", Fixture.onion,
         "--purple-dir", dir.path, "--force"]
    }

    @Test("Password from standard input, JSON report, the password appears nowhere but in accounts.xml",
          .enabled(if: available || TestSupport.isCI))
    func jsonReport() throws {
        let dir = try Fixture.profileDirectory(copying: "finch-without-account")
        let certificate = try TestSupport.makeTemporaryDirectory("purple-cli").appendingPathComponent("cert.pem")
        try Data(Fixture.makeCertificate()).write(to: certificate)
        let password = "Sup3r&<secret>'\"日本"
        let result = try export(baseArguments(dir) + ["--json", "--direct-tls", "--port", "5223",
                                                      "--tor-socks", "127.0.0.1:19050", "--handle", "zoë",
                                                      "--certificate", certificate.path], stdin: password + "\n")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["ok"] as? Bool == true)
        #expect(json["accountName"] as? String == "alice@onionboard.test/")
        #expect((json["changes"] as? [[String: Any]])?.count == 3)
        #expect(!result.stdout.contains("Sup3r") && !result.stderr.contains("Sup3r"))

        let accounts = try XMLTree.parse(Fixture.bytes(dir.appendingPathComponent("accounts.xml")))
        let ours = try #require(accounts.elements("account").first { $0.first("name")?.text == "alice@onionboard.test/" })
        #expect(ours.first("password")?.text == password)
        let settings = try #require(ours.elements("settings").first { $0.attributes["ui"] == nil })
        #expect(settings.children.first { $0.attributes["name"] == "connection_security" }?.text == "old_ssl")
        #expect(settings.children.first { $0.attributes["name"] == "port" }?.text == "5223")
        #expect(ours.first("proxy")?.first("port")?.text == "19050")
        let blist = try String(contentsOf: dir.appendingPathComponent("blist.xml"), encoding: .utf8)
        #expect(blist.contains("<component name='room'>tails</component>"))
        #expect(blist.contains("<component name='server'>chat.disroot.org</component>"))
        #expect(blist.contains("<component name='handle'>zoë</component>"))
    }

    @Test("A malformed file: exit 65, the message names file and line, nothing written",
          .enabled(if: available || TestSupport.isCI))
    func malformed() throws {
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        try Data("<?xml version='1.0'?>\n<account version='1.0'>\n<account>\n</account>\n".utf8)
            .write(to: dir.appendingPathComponent("accounts.xml"))
        let human = try export(baseArguments(dir), stdin: "pw")
        #expect(human.status == 65)
        #expect(human.stderr.contains("\(dir.path)/accounts.xml line 5"))
        let json = try export(baseArguments(dir) + ["--json"], stdin: "pw")
        #expect(json.status == 65)
        #expect(json.stdout.contains("\"category\" : \"invalid-data\""))
        #expect(Fixture.files(in: dir) == ["accounts.xml", "blist.xml"])
    }

    @Test("--dry-run lists the changes and writes nothing; a bad --tor-socks is a usage error",
          .enabled(if: available || TestSupport.isCI))
    func dryRunAndUsage() throws {
        let dir = try Fixture.profileDirectory(copying: nil)
        let dry = try export(baseArguments(dir) + ["--dry-run"], stdin: "pw")
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("create: \(dir.path)/accounts.xml"))
        #expect(Fixture.files(in: dir).isEmpty)
        let usage = try export(baseArguments(dir) + ["--tor-socks", "9050"], stdin: "pw")
        #expect(usage.status == 64)
        #expect(Fixture.files(in: dir).isEmpty)
    }
}
