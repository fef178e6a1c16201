import Foundation
@testable import PurpleConfig
import Secrets
import TestSupport

/// Shared pieces of the PurpleConfig tests.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static let onion = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuv.onion"

    /// A fresh profile directory holding a copy of fixture `name` (nil: empty directory).
    static func profileDirectory(copying name: String?) throws -> URL {
        let directory = try TestSupport.makeTemporaryDirectory("purple")
        if let name {
            for file in ["accounts.xml", "blist.xml"] {
                try FileManager.default.copyItem(at: Self.directory.appendingPathComponent(name).appendingPathComponent(file),
                                                 to: directory.appendingPathComponent(file))
            }
        }
        return directory
    }

    /// A profile whose guards see no running client and no Tails: deterministic
    /// regardless of what else runs on the machine. The guard itself has its own tests.
    static func profile(_ directory: URL) -> PurpleProfile {
        let nowhere = directory.appendingPathComponent(".nowhere").path
        return PurpleProfile(
            directory: directory.path,
            environment: TailsEnvironment(persistenceRoot: nowhere, mountInfoPath: nowhere,
                                          tailsMarker: nowhere, pidginExecutable: "/bin/sh"),
            procRoot: nowhere)
    }

    static func request(jid: String = "alice@onionboard.test", password: String = "correct horse",
                        handle: String = "quiet-lark-27", alias: String? = "Tails support",
                        room: String = "tails@chat.disroot.org", certificate: [UInt8]? = nil) -> ProfileRequest {
        ProfileRequest(accountJID: jid, password: SecretBytes(utf8: password), connectServer: onion,
                       port: 5222, tlsMode: .startTLS, proxy: ProxySettings(),
                       chat: ChatBookmark(roomJID: room, handle: handle, alias: alias),
                       certificatePEM: certificate)
    }

    static func bytes(_ url: URL) throws -> [UInt8] {
        Array(try Data(contentsOf: url))
    }

    /// A self-signed certificate made by the openssl command line.
    static func makeCertificate(commonName: String = "test") throws -> [UInt8] {
        let dir = try TestSupport.makeTemporaryDirectory("purple-cert")
        defer { try? FileManager.default.removeItem(at: dir) }
        Spawn.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                             "-keyout", dir.appendingPathComponent("key.pem").path,
                             "-out", dir.appendingPathComponent("cert.pem").path,
                             "-days", "30", "-subj", "/CN=\(commonName)"])
        return try bytes(dir.appendingPathComponent("cert.pem"))
    }

    static func files(in directory: URL) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.sorted() ?? []
    }

    static func mode(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}


/// posix_spawn + waitpid. Used for tmux: Foundation's Process.waitUntilExit was seen
/// to hang forever on a tmux client that had already exited (left as a zombie).
enum Spawn {
    /// Runs `path` with `arguments`; standard output goes to `outputFile` (or
    /// /dev/null), standard error to /dev/null. Returns the exit status, or minus the signal.
    @discardableResult
    static func run(_ path: String, _ arguments: [String], outputFile: String? = nil) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, path, &actions, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : -signal
    }

    /// Runs and returns standard output as text.
    static func output(_ path: String, _ arguments: [String]) -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("spawn-\(UUID().uuidString)").path
        defer { unlink(file) }
        run(path, arguments, outputFile: file)
        return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }
}
