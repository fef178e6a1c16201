import Foundation
import Testing
import TestSupport

/// Issue 16: flags that were accepted although they could not work, or were ignored.
@Suite("hostile flags", .serialized)
struct HostileFlagsTests {
    static let onion = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"

    /// `export` with a certificate file (no network), into a fresh profile; returns the run
    /// and the profile directory.
    static func export(torSOCKS: String, extra: [String] = []) throws -> (BinaryRun, URL) {
        let directory = try TestSupport.makeTemporaryDirectory("hostile-flags")
        let certificate = directory.appendingPathComponent("cert.pem")
        try Data(TestCertificate.pem.utf8).write(to: certificate)
        let run = try BinaryRun.run(["export", "--jid", "alice@example.org", "--password-file", "-",
                                     "--connect-server", Self.onion, "--purple-dir", directory.appendingPathComponent("purple").path,
                                     "--certificate", certificate.path, "--tor-socks", torSOCKS, "--force"] + extra,
                                    stdin: "a-long-enough-password\n")
        return (run, directory)
    }

    // MARK: item 5: durations

    @Test(arguments: ["inf", "nan", "1e300", "0", "-5", "3601"])
    func absurdDurationsAreUsageErrors(_ value: String) throws {
        let register = try BinaryRun.run(["register", "--domain", "example.org", "--host", Self.onion, "--tor-socks", "127.0.0.1:1",
                                          "--username", "x", "--password-file", "-", "--connect-timeout=\(value)"], stdin: "pw")
        #expect(register.status == 64, "\(register.stderr)")
        #expect(register.stderr.contains("--connect-timeout: a duration is"))
        let reply = try BinaryRun.run(["register", "--domain", "example.org", "--host", Self.onion, "--tor-socks", "127.0.0.1:1",
                                       "--username", "x", "--password-file", "-", "--reply-timeout=\(value)"], stdin: "pw")
        #expect(reply.status == 64 && reply.stderr.contains("--reply-timeout: a duration is"))
        let (export, directory) = try Self.export(torSOCKS: "127.0.0.1:9050", extra: ["--connect-timeout=\(value)"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(export.status == 64 && export.stderr.contains("--connect-timeout: a duration is"), "\(export.stderr)")
    }

    @Test func waitTorMustBePositive() throws {
        let run = try BinaryRun.run(["bootstrap", "--wait-tor", "0"])
        #expect(run.status == 64 && run.stderr.contains("--wait-tor: a duration is"), "\(run.stderr)")
    }

    // MARK: item 6: the Tor SOCKS address

    @Test func localhostIsWrittenAsTheLoopbackAddress() throws {
        let (run, directory) = try Self.export(torSOCKS: "localhost:9150")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(run.status == 0, "\(run.stderr)")
        let accounts = try String(contentsOf: directory.appendingPathComponent("purple/accounts.xml"), encoding: .utf8)
        #expect(accounts.contains("<host>127.0.0.1</host>") && accounts.contains("<port>9150</port>"))
        #expect(!accounts.contains("localhost"))
    }

    @Test func anIPv6AddressLosesItsBrackets() throws {
        let (run, directory) = try Self.export(torSOCKS: "[::1]:9050")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(run.status == 0, "\(run.stderr)")
        let accounts = try String(contentsOf: directory.appendingPathComponent("purple/accounts.xml"), encoding: .utf8)
        #expect(accounts.contains("<host>::1</host>") && !accounts.contains("[::1]"))
    }

    @Test func aNameIsRefusedClearly() throws {
        let (run, directory) = try Self.export(torSOCKS: "tor.example:9050")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(run.status == 64)
        #expect(run.stderr.contains("--tor-socks: tor.example is not an IP address"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("purple/accounts.xml").path))
        let wizard = try BinaryRun.run(["run", "--non-interactive", "--tor-socks", "tor.example:9050"])
        #expect(wizard.status == 65 && wizard.stderr.contains("tor.example is not an IP address"), "\(wizard.stderr)")
    }
}
