import Foundation
@testable import PurpleConfig
import Secrets
import TestSupport
import Vocabulary

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
                       chat: RoomBookmark(jid: room, alias: alias, handle: handle),
                       certificatePEM: certificate)
    }

    static func bytes(_ url: URL) throws -> [UInt8] {
        Array(try Data(contentsOf: url))
    }

    /// A self-signed certificate made by the openssl command line.
    static func makeCertificate(commonName: String = "test") throws -> [UInt8] {
        let dir = try TestSupport.makeTemporaryDirectory("purple-cert")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try runCommand(["/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
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
