import Foundation
import Testing
@testable import PurpleConfig
import TestSupport

@Suite("Pinned certificate: read and renew")
struct PinnedCertificateTests {
    @Test("the pin's SHA-256 is read whether libpurple rewrote it (CRLF) or not; a renewal replaces it atomically with a backup")
    func renew() throws {
        let directory = try Fixture.profileDirectory(copying: nil)
        defer { try? FileManager.default.removeItem(at: directory) }
        let profile = Fixture.profile(directory)
        #expect(try profile.pinnedCertificateSHA256(for: Fixture.onion) == nil)

        let old = try Fixture.makeCertificate(commonName: "old")
        _ = try profile.write(Fixture.request(certificate: old))
        let oldSHA = try #require(try profile.pinnedCertificateSHA256(for: Fixture.onion))
        #expect(oldSHA.count == 64)
        #expect(oldSHA == (try Self.openSSLFingerprint(old)))
        // libpurple rewrites the file as PEM with CRLF line ends: the same certificate.
        let path = URL(fileURLWithPath: profile.certificatePath(for: Fixture.onion))
        let crlf = String(decoding: old, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n")
        try Data(crlf.utf8).write(to: path)
        #expect(try profile.pinnedCertificateSHA256(for: Fixture.onion) == oldSHA)

        let new = try Fixture.makeCertificate(commonName: "renewed")
        let backup = try #require(try profile.replacePinnedCertificate(for: Fixture.onion, pem: new))
        #expect(try profile.pinnedCertificateSHA256(for: Fixture.onion) == (try Self.openSSLFingerprint(new)))
        #expect(Fixture.mode(path) == 0o600)
        #expect(String(decoding: try Fixture.bytes(URL(fileURLWithPath: backup)), as: UTF8.self) == crlf)
        // The same certificate again changes nothing.
        #expect(try profile.replacePinnedCertificate(for: Fixture.onion, pem: new) == nil)
        #expect(throws: PurpleConfigError.self) { try profile.replacePinnedCertificate(for: "../evil", pem: new) }
    }

    static func openSSLFingerprint(_ pem: [UInt8]) throws -> String {
        let dir = try TestSupport.makeTemporaryDirectory("fingerprint")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("c.pem")
        try Data(pem).write(to: file)
        let output = try runCommand(["/usr/bin/openssl", "x509", "-in", file.path, "-noout", "-fingerprint", "-sha256"])
        return String(output.output.split(separator: "=").last ?? "").replacingOccurrences(of: ":", with: "")
            .trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
