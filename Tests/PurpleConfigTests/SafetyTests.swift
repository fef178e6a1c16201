import Foundation
@testable import PurpleConfig
import Secrets
import Testing
import TestSupport

@Suite("Writing safely")
struct SafetyTests {
    @Test("A malformed existing file is refused, left untouched, and the error names file and line")
    func malformedFile() throws {
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        let blist = dir.appendingPathComponent("blist.xml")
        var text = try String(contentsOf: blist, encoding: .utf8)
        text = text.replacingOccurrences(of: "<name>eve@onionboard.test</name>", with: "<name>eve@onionboard.test</nmae>")
        try Data(text.utf8).write(to: blist)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("</nmae>") }! + 1
        let before = try Fixture.files(in: dir).map { try Fixture.bytes(dir.appendingPathComponent($0)) }

        let error = try #require(throws: PurpleConfigError.self) { try Fixture.profile(dir).write(Fixture.request()) }
        guard case .malformedFile(let path, let reportedLine, _) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(path == blist.path)
        #expect(reportedLine == line)
        #expect(error.description.contains("\(blist.path)~"))
        #expect(error.category == .invalidData)
        // Nothing written: not even accounts.xml, which is valid.
        #expect(try Fixture.files(in: dir).map { try Fixture.bytes(dir.appendingPathComponent($0)) } == before)
        #expect(Fixture.files(in: dir) == ["accounts.xml", "blist.xml"])
    }

    @Test("Fresh profile: directories 0700, files 0600")
    func permissions() throws {
        let base = try Fixture.profileDirectory(copying: nil)
        let dir = base.appendingPathComponent("home/.purple")
        let certificate = try Fixture.makeCertificate()
        let old = umask(0o022)
        defer { umask(old) }
        try Fixture.profile(dir).write(Fixture.request(certificate: certificate))
        for sub in ["", "certificates", "certificates/x509", "certificates/x509/tls_peers"] {
            #expect(Fixture.mode(dir.appendingPathComponent(sub)) == 0o700, "\(sub)")
        }
        for file in ["accounts.xml", "blist.xml", "certificates/x509/tls_peers/\(Fixture.onion)"] {
            #expect(Fixture.mode(dir.appendingPathComponent(file)) == 0o600, "\(file)")
        }
        let pin = try String(contentsOf: dir.appendingPathComponent("certificates/x509/tls_peers/\(Fixture.onion)"), encoding: .utf8)
        #expect(pin.hasPrefix("-----BEGIN CERTIFICATE-----\n") && !pin.contains("\r"))
    }

    @Test("Backups only when the content changes, 0600, holding the old content")
    func backups() throws {
        let dir = try Fixture.profileDirectory(copying: "finch-without-account")
        let backupDirectory = dir.appendingPathComponent("onionboard-backups")
        let oldAccounts = try Fixture.bytes(dir.appendingPathComponent("accounts.xml"))
        let first = try Fixture.profile(dir).write(Fixture.request())
        #expect(first.backups.count == 2)
        let accountsBackup = try #require(first.backups.first { $0.hasPrefix(backupDirectory.path + "/accounts.xml.") })
        #expect(try Fixture.bytes(URL(fileURLWithPath: accountsBackup)) == oldAccounts)
        #expect(Fixture.mode(URL(fileURLWithPath: accountsBackup)) == 0o600)
        #expect(Fixture.mode(backupDirectory) == 0o700)

        let unchanged = try Fixture.profile(dir).write(Fixture.request())
        #expect(unchanged.backups.isEmpty)

        // Only the password changes: only accounts.xml is rewritten and backed up.
        let changed = try Fixture.profile(dir).write(Fixture.request(password: "another one"))
        #expect(changed.backups.count == 1)
        #expect(changed.written == [dir.appendingPathComponent("accounts.xml").path])
        #expect(changed.backups.allSatisfy { $0 != accountsBackup })
        #expect(Fixture.files(in: backupDirectory).count == 3)
        #expect(Fixture.files(in: dir).sorted() == ["accounts.xml", "blist.xml", "onionboard-backups"])
    }

    @Test("XML-special and non-ASCII characters survive in password, handle, alias and room")
    func specialCharacters() throws {
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        let nasty = "&<>'\" Zoë 日本"
        let request = Fixture.request(password: "pw" + nasty, handle: "h" + nasty, alias: "a" + nasty,
                                      room: "r&'zoë日本@conference.onionboard.test")
        try Fixture.profile(dir).write(request)
        let accounts = try XMLTree.parse(Fixture.bytes(dir.appendingPathComponent("accounts.xml")))
        let ours = try #require(accounts.elements("account").first { $0.first("name")?.text == "alice@onionboard.test/" })
        #expect(ours.first("password")?.text == "pw" + nasty)
        let blist = try XMLTree.parse(Fixture.bytes(dir.appendingPathComponent("blist.xml")))
        let blistNode = try #require(blist.first("blist"))
        let chat = try #require(blistNode.elements("group").flatMap { $0.elements("chat") }
            .first { $0.first("alias")?.text == "a" + nasty })
        let components = Dictionary(uniqueKeysWithValues: chat.elements("component").map { ($0.attributes["name"]!, $0.text) })
        #expect(components["handle"] == "h" + nasty)
        #expect(components["room"] == "r&'zoë日本")
        #expect(components["server"] == "conference.onionboard.test")
        // The file escapes like libpurple does.
        let raw = try String(contentsOf: dir.appendingPathComponent("blist.xml"), encoding: .utf8)
        #expect(raw.contains("<alias>a&amp;&lt;&gt;&apos;&quot; Zoë 日本</alias>"))
        // And a second run recognises the same chat.
        let again = try Fixture.profile(dir).write(request)
        #expect(again.written.isEmpty)
    }

    @Test("Unsafe certificate file names and bad requests are rejected before anything is written",
          arguments: ["../evil.onion", "a/b", "..", "", "x y.onion", "zoë.onion"])
    func unsafeConnectServer(name: String) throws {
        let dir = try Fixture.profileDirectory(copying: nil)
        var request = Fixture.request()
        request.connectServer = name
        #expect(throws: PurpleConfigError.self) { try Fixture.profile(dir).write(request) }
        #expect(Fixture.files(in: dir).isEmpty)
    }

    @Test("The Tor proxy host must be an IP address: libpurple's tor proxy type never resolves a name (#16 item 6)",
          arguments: ["localhost", "tor.example", "[::1]", ""])
    func proxyHostIsAnIPLiteral(host: String) throws {
        let dir = try Fixture.profileDirectory(copying: nil)
        var request = Fixture.request()
        request.proxy.host = host
        #expect(throws: PurpleConfigError.self) { try Fixture.profile(dir).write(request) }
        #expect(Fixture.files(in: dir).isEmpty)
        request.proxy.host = "::1"
        #expect(throws: Never.self) { try Fixture.profile(dir).write(request) }
    }

    @Test("A bare JID is required; an empty accounts.xml counts as absent")
    func requestValidation() throws {
        let dir = try Fixture.profileDirectory(copying: nil)
        for jid in ["alice", "alice@host/res", "@host", "alice@"] {
            #expect(throws: PurpleConfigError.self) { try Fixture.profile(dir).write(Fixture.request(jid: jid)) }
        }
        FileManager.default.createFile(atPath: dir.appendingPathComponent("accounts.xml").path, contents: Data())
        let report = try Fixture.profile(dir).write(Fixture.request())
        #expect(report.changes.first?.action == .update)
    }

    @Test("A wrong certificate is replaced; the same one rewritten by libpurple (CRLF) is left alone")
    func certificatePin() throws {
        let dir = try Fixture.profileDirectory(copying: nil)
        let first = try Fixture.makeCertificate(commonName: "one")
        let second = try Fixture.makeCertificate(commonName: "two")
        try Fixture.profile(dir).write(Fixture.request(certificate: first))
        let pinURL = dir.appendingPathComponent("certificates/x509/tls_peers/\(Fixture.onion)")
        // libpurple re-saves the pin as 64-column base64 with CRLF line ends.
        let crlf = try String(contentsOf: pinURL, encoding: .utf8).replacingOccurrences(of: "\n", with: "\r\n")
        try Data(crlf.utf8).write(to: pinURL)
        let same = try Fixture.profile(dir).write(Fixture.request(certificate: first))
        #expect(same.written.isEmpty)
        #expect(try String(contentsOf: pinURL, encoding: .utf8) == crlf)
        let other = try Fixture.profile(dir).write(Fixture.request(certificate: second))
        #expect(other.written == [pinURL.path])
        #expect(try Fixture.bytes(pinURL) == CertificatePin(pemOrDER: second).pem)
        #expect(throws: PurpleConfigError.self) {
            try Fixture.profile(dir).write(Fixture.request(certificate: Array("not a certificate".utf8)))
        }
    }

    @Test("A full disk (or no permission) gives cannotWrite and leaves the old files and no temporary file",
          .enabled(if: getuid() != 0 || TmpfsMount.isPossible))
    func cannotWrite() throws {
        let base = try Fixture.profileDirectory(copying: nil)
        let dir = base.appendingPathComponent("purple")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var mount: TmpfsMount?
        if getuid() == 0 {
            mount = try TmpfsMount(at: dir.path, sizeKiB: 32)
        }
        defer { mount?.unmount() }
        for file in ["accounts.xml", "blist.xml"] {
            try FileManager.default.copyItem(at: Fixture.directory.appendingPathComponent("finch-with-account/\(file)"),
                                             to: dir.appendingPathComponent(file))
        }
        let before = try ["accounts.xml", "blist.xml"].map { try Fixture.bytes(dir.appendingPathComponent($0)) }
        if mount != nil {
            // Fill the file system to the last block.
            let filler = FileHandle(forWritingAtPath: dir.appendingPathComponent("filler").path)
                ?? { FileManager.default.createFile(atPath: dir.appendingPathComponent("filler").path, contents: nil)
                     return FileHandle(forWritingAtPath: dir.appendingPathComponent("filler").path)! }()
            let block = Data(repeating: 0x41, count: 1024)
            while (try? filler.write(contentsOf: block)) != nil {}
            try? filler.close()
        } else {
            chmod(dir.path, 0o500)
        }
        defer { chmod(dir.path, 0o700) }

        let error = try #require(throws: PurpleConfigError.self) { try Fixture.profile(dir).write(Fixture.request()) }
        guard case .cannotWrite(let path, let reason) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(path.hasPrefix(dir.path))
        #expect(reason == (mount != nil ? "the disk is full" : "permission denied"))
        #expect(error.category == .cannotWrite)
        #expect(try ["accounts.xml", "blist.xml"].map { try Fixture.bytes(dir.appendingPathComponent($0)) } == before)
        #expect(!Fixture.files(in: dir).contains { $0.contains(AtomicFile.temporaryMarker) })
    }
}

/// A small tmpfs (root only) to produce a real ENOSPC.
struct TmpfsMount {
    let path: String

    static let isPossible: Bool = {
        guard getuid() == 0, let dir = try? TestSupport.makeTemporaryDirectory("purple-mount-probe") else { return false }
        defer { try? FileManager.default.removeItem(at: dir) }
        guard let mount = try? TmpfsMount(at: dir.path, sizeKiB: 16) else { return false }
        mount.unmount()
        return true
    }()

    init(at path: String, sizeKiB: Int) throws {
        let status = try runCommand(["/bin/mount", "-t", "tmpfs", "-o", "size=\(sizeKiB)k,mode=0700", "onionboard-test", path]).status
        guard status == 0 else { throw CocoaError(.fileWriteNoPermission) }
        self.path = path
    }

    func unmount() {
        _ = try? runCommand(["/bin/umount", path])
    }
}
