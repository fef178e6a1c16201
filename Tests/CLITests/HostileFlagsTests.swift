import Foundation
import Glibc
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
        // The wizard's commands take the deadlines too (a timeout's advice names them).
        for command in ["run", "bootstrap", "certificates"] {
            let wizard = try BinaryRun.run([command, "--tls-timeout=\(value)"])
            #expect(wizard.status == 64 && wizard.stderr.contains("--tls-timeout: a duration is"), "\(command): \(wizard.stderr)")
        }
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

/// Issue 16 items 10, 12 and 13: core dumps, passwords where none is taken, exit codes.
@Suite("hostile flags: passwords, commands, core dumps", .serialized)
struct PasswordAndCommandFlagsTests {
    static let onion = HostileFlagsTests.onion

    /// A `bootstrap` waiting for a Tor that is not there: its core limit is 0 (set first thing,
    /// together with the non-dumpable flag, by `CoreDumps.disable`).
    @Test func theExecutableRunsWithoutCoreDumps() throws {
        let directory = try TestSupport.makeTemporaryDirectory("core")
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = try Spawned([TestSupport.onionboardBinary.path, "bootstrap", "--wait-tor", "30", "--tor-socks", "127.0.0.1:1",
                                   "--purple-dir", directory.appendingPathComponent("purple").path],
                                  environment: ["HOME": directory.path, "PATH": "/usr/bin:/bin"])
        defer { kill(process.pid, SIGKILL); _ = process.wait(timeout: 5) }
        // "Max core file size        0                    0                    bytes": soft and hard limit.
        func coreLimits() -> [Substring]? {
            guard TestSupport.argv(of: process.pid)?.first?.hasSuffix("onionboard") == true,
                  let limits = try? String(contentsOfFile: "/proc/\(process.pid)/limits", encoding: .utf8),
                  let line = limits.split(separator: "\n").first(where: { $0.hasPrefix("Max core file size") }) else { return nil }
            return Array(line.split(separator: " ").dropFirst(4).prefix(2))
        }
        // The limits are inherited until onionboard's main() runs; give it up to 5 s.
        var seen: [Substring]?
        for _ in 0..<250 {
            seen = coreLimits() ?? seen
            if seen == ["0", "0"] { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(seen == ["0", "0"], "core file size limits of onionboard: \(String(describing: seen))")
        #expect(process.exitStatus == nil, "bootstrap ended early")
    }

    // MARK: item 12: passwords are given one way only

    @Test func setPasswordIsRefusedWithTheWayToGiveIt() throws {
        let run = try BinaryRun.run(["run", "--non-interactive", "--provider", "jabjab.de", "--set", "password=hunter2-secret"])
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.contains("password = (not shown) (from command-line flag)"), "\(run.stderr)")
        #expect(run.stderr.contains("give it with --password-file FILE"))
        #expect(!run.stderr.contains("hunter2-secret") && !run.stdout.contains("hunter2-secret"))
    }

    @Test func theEnvironmentVariableIsRefusedToo() throws {
        let run = try BinaryRun.run(["run", "--non-interactive", "--provider", "jabjab.de"],
                                    environment: ["ONIONBOARD_PASSWORD": "hunter2-secret"])
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.contains("(from environment variable ONIONBOARD_PASSWORD)"), "\(run.stderr)")
        #expect(run.stderr.contains("--password-file"))
        #expect(!run.stderr.contains("hunter2-secret"))
    }

    // MARK: item 13: exit codes as the README promises

    static func register(passwordFile: String, stdin: String = "") throws -> BinaryRun {
        try BinaryRun.run(["register", "--domain", "example.org", "--host", Self.onion, "--tor-socks", "127.0.0.1:1",
                           "--username", "x", "--password-file", passwordFile], stdin: stdin)
    }

    @Test func passwordFilesExitAsDocumented() throws {
        let directory = try TestSupport.makeTemporaryDirectory("pwfile")
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = try Self.register(passwordFile: directory.appendingPathComponent("nope").path)
        #expect(missing.status == 66 && missing.stderr.contains("does not exist"), "\(missing.stderr)")
        let folder = try Self.register(passwordFile: directory.path)
        #expect(folder.status == 65 && folder.stderr.contains("is a directory"), "\(folder.stderr)")
        let empty = directory.appendingPathComponent("empty")
        try Data().write(to: empty)
        let emptyRun = try Self.register(passwordFile: empty.path)
        #expect(emptyRun.status == 65 && emptyRun.stderr.contains("is empty"), "\(emptyRun.stderr)")
        let big = directory.appendingPathComponent("big")
        try Data(repeating: 0x61, count: 5000).write(to: big)
        let bigRun = try Self.register(passwordFile: big.path)
        #expect(bigRun.status == 65 && bigRun.stderr.contains("longer than 4096 bytes"), "\(bigRun.stderr)")
        // A 3-character password goes on (here to a closed Tor port: 69), with a warning.
        let short = try Self.register(passwordFile: "-", stdin: "abc\n")
        #expect(short.status == 69, "\(short.stderr)")
        #expect(short.stderr.contains("warning: the password has only 3 characters"))
    }

    @Test func aMistypedCommandIsAUsageErrorWithASuggestion() throws {
        let typo = try BinaryRun.run(["regsiter"])
        #expect(typo.status == 64, "\(typo.stderr)")
        #expect(typo.stderr.contains("unknown command 'regsiter'; did you mean 'register'?"))
        let other = try BinaryRun.run(["frobnicate"])
        #expect(other.status == 64 && other.stderr.contains("'frobnicate' is neither a command"), "\(other.stderr)")
        let export = try BinaryRun.run(["exprot", "--jid", "a@b"])
        #expect(export.status == 64 && export.stderr.contains("did you mean 'export'?"), "\(export.stderr)")
        // A template file is still a template file (missing: 66).
        let file = try BinaryRun.run(["run", "./nowhere.wizard", "--non-interactive"])
        #expect(file.status == 66, "\(file.stderr)")
    }
}
