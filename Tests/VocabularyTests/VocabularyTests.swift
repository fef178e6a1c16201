import Foundation
import Testing
import TestSupport
import Vocabulary
import X509

/// The one owner of an OpenSSL X509 that XMPPOverTor and PurpleConfig share (issue 16, item 15).
@Suite struct X509OwnerTests {
    @Test func parsesPEMTextBytesAndDER() throws {
        let fromText = try #require(X509Certificate(pem: TestCertificate.pem))
        #expect(fromText.sha256Fingerprint == TestCertificate.sha256)
        #expect(fromText.subject == "CN=example.org")
        #expect(fromText.subjectAlternativeNames == ["example.org"])
        #expect(fromText.matches(host: "example.org") && !fromText.matches(host: "evil.example"))
        // PEM as libpurple may rewrite it (CRLF), then DER: the same certificate.
        let crlf = Array(TestCertificate.pem.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let fromBytes = try #require(X509Certificate(pem: crlf))
        let fromDER = try #require(X509Certificate(der: fromBytes.der))
        #expect(fromDER.der == fromText.der && fromDER.sha256Fingerprint == TestCertificate.sha256)
        #expect(X509Certificate(pem: fromDER.pem)?.der == fromText.der)
    }

    @Test func refusesWhatIsNotACertificate() {
        #expect(X509Certificate(pem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n") == nil)
        #expect(X509Certificate(der: [0x30, 0x03, 0x02, 0x01, 0x00]) == nil)
        #expect(X509Certificate(pem: [UInt8]()) == nil)
    }
}

/// One word for each thing every layer talks about.
@Suite struct VocabularyTests {
    @Test func roomBookmarkSplitsTheRoomAddress() {
        let room = RoomBookmark(jid: "tails@chat.disroot.org", alias: "Tails support")
        #expect(room.room == "tails" && room.service == "chat.disroot.org")
        #expect(room.group == "Chats" && room.autojoin && room.handle == nil)
        #expect(RoomBookmark(jid: "nodomain").service == "")
    }

    @Test func tlsModesKeepTheirReportNames() throws {
        #expect(TLSMode.allCases.map(\.rawValue) == ["starttls", "direct-tls"])
        let encoded = try JSONEncoder().encode([TLSMode.directTLS])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["direct-tls"]"#)
    }

    @Test func aWriteReportListsOnlyChangedFiles() {
        let report = ProfileWriteReport(directory: "/p", accountName: "a@b/",
                                        changes: [PlannedChange(path: "/p/accounts.xml", action: .update),
                                                  PlannedChange(path: "/p/blist.xml", action: .unchanged)],
                                        backups: [])
        #expect(report.written == ["/p/accounts.xml"])
    }
}

/// One ASCII-hex fingerprint type for the template rule, the provider map and the certificate policy.
@Suite struct SHA256FingerprintTests {
    static let hex = "b0a479253614827511d646cf01e0e24618bcfdb1c2748f0c283364ca84a01677"

    @Test func acceptsHexWithOrWithoutColonsInEitherCase() {
        #expect(SHA256Fingerprint(Self.hex)?.hex == Self.hex)
        #expect(SHA256Fingerprint(Self.hex.uppercased())?.hex == Self.hex)
        let colons = SHA256Fingerprint(Self.hex)!.colonSeparated
        #expect(colons.hasPrefix("B0:A4:79:") && colons.count == 95)
        #expect(SHA256Fingerprint(colons)?.hex == Self.hex)
    }

    @Test func refusesLookAlikesAndWrongLengths() {
        #expect(SHA256Fingerprint(String(repeating: "\u{FF41}", count: 64)) == nil)  // full-width a
        #expect(SHA256Fingerprint(String(repeating: "\u{FF10}", count: 64)) == nil)  // full-width 0
        #expect(SHA256Fingerprint(String(repeating: "\u{0660}", count: 64)) == nil)  // Arabic-Indic 0
        #expect(SHA256Fingerprint(String(Self.hex.dropLast())) == nil)
        #expect(SHA256Fingerprint(Self.hex + "0") == nil)
        #expect(SHA256Fingerprint(Self.hex.replacingOccurrences(of: "b0", with: "g0")) == nil)
        #expect(SHA256Fingerprint("sha256 " + Self.hex) == nil)
    }
}

/// Issue 16 item 6: one host:port parser, IP literals only.
@Suite struct HostPortTests {
    @Test func ipLiteralsAndLocalhost() throws {
        #expect(try HostPort(parsing: "127.0.0.1:9050") == HostPort(host: "127.0.0.1", port: 9050))
        #expect(try HostPort(parsing: "localhost:9050") == HostPort(host: "127.0.0.1", port: 9050))
        #expect(try HostPort(parsing: "LOCALHOST:9150").host == "127.0.0.1")
        #expect(try HostPort(parsing: "[::1]:9050") == HostPort(host: "::1", port: 9050))
        #expect(try HostPort(parsing: "[0:0:0:0:0:0:0:1]:9050").host == "::1")
        #expect(try HostPort(parsing: "[::1]:9050").description == "[::1]:9050")
        #expect(try HostPort(parsing: "10.0.0.2:1").description == "10.0.0.2:1")
    }

    @Test(arguments: ["tor.example:9050", "tor:9050", "::1:9050", "[127.0.0.1]:9050", "127.0.0.1", "127.0.0.1:0",
                      "127.0.0.1:65536", "127.0.0.1:+90", ":9050", "[::1]9050", "127.1:9050", "[fe80::1%eth0]:9050"])
    func refused(_ text: String) {
        #expect(throws: HostPort.ParseError.self) { try HostPort(parsing: text) }
    }

    @Test func namesAreRefusedWithTheReason() {
        #expect {
            try HostPort(parsing: "tor.example:9050")
        } throws: { error in
            "\(error)".contains("tor.example is not an IP address") && "\(error)".contains("localhost means 127.0.0.1")
        }
    }
}

/// Issue 16 item 5: one rule for every duration.
@Suite struct SecondsTests {
    @Test func finitePositiveBounded() {
        for bad in [Double.infinity, -.infinity, .nan, 1e300, 0, -5, 3600.5] {
            #expect(Seconds.problem(bad) != nil, "\(bad)")
        }
        for good in [0.001, 1, 120, 3600] {
            #expect(Seconds.problem(good) == nil, "\(good)")
        }
    }
}

/// Issue 16 item 4: server text on one line, without control or bidi tricks, bounded, marked.
@Suite struct ServerTextTests {
    @Test func forgedLinesAndControlsAreNeutralised() {
        let hostile = "Try again later\n✓ registered victim@example.org\r\u{85}\u{2028}x\u{9B}31m\u{1B}[2J\u{7F}\u{0}"
        let shown = ServerText.sanitised(hostile)
        #expect(!shown.unicodeScalars.contains { $0.properties.generalCategory == .control })
        #expect(!shown.contains("\n") && !shown.contains("\r"))
        #expect(shown.hasPrefix("Try again later ✓ registered victim@example.org x\u{FFFD}31m\u{FFFD}[2J"))
    }

    @Test func bidiControlsAreDropped() {
        let overrides = (0x202A...0x202E).map { String(UnicodeScalar($0)!) }.joined()
        let isolates = (0x2066...0x2069).map { String(UnicodeScalar($0)!) }.joined()
        let shown = ServerText.sanitised("a\u{202E}gpj.exe\(overrides)b\(isolates)c\u{200E}\u{200F}\u{061C}d")
        #expect(shown == "agpj.exebcd")
        // Joiners stay: scripts and emoji need them.
        #expect(ServerText.sanitised("👩\u{200D}💻") == "👩\u{200D}💻")
    }

    @Test func lengthIsBoundedAndMarked() {
        let long = String(repeating: "a", count: 10_000)
        #expect(ServerText.sanitised(long).count == ServerText.maximumLength)
        #expect(ServerText.sanitised(long).hasSuffix("…"))
        #expect(ServerText.quoted("hi\nthere") == "server says: “hi there”")
        #expect(ServerText.appended(" \n ") == "" && ServerText.appended(nil) == "")
        #expect(ServerText.appended("slow down") == " (server says: “slow down”)")
    }
}
