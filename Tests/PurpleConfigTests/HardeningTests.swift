import Foundation
@testable import PurpleConfig
import Secrets
import Testing
import TestSupport

/// Issue 17: what an outside review found attacking the profile writer (items 1, 2, 5–9).
/// Every test here failed before the fix.
@Suite("The profile writer under attack", .serialized)
struct HardeningTests {
    static let accountsWithDTD = """
        <?xml version='1.0' encoding='UTF-8' ?>
        <!DOCTYPE account [
          <!ENTITY who "bob">
        ]>
        <account version='1.0'>
        \t<account>
        \t\t<protocol>prpl-jabber</protocol>
        \t\t<name>&who;@example.org/</name>
        \t</account>
        </account>

        """

    static let blistWithExternalEntity = """
        <?xml version='1.0' encoding='UTF-8' ?>

        <!-- a comment before the DTD -->
        <!DOCTYPE purple [ <!ENTITY secret SYSTEM "file:///etc/shadow"> ]>
        <purple version='1.0'><blist><group name='x'><contact><buddy account='a@b/' proto='prpl-jabber'><name>&secret;</name></buddy></contact></group></blist></purple>

        """

    /// Every file of the profile and below, with its bytes (directories as nil).
    static func tree(_ dir: URL) throws -> [String: [UInt8]?] {
        var result: [String: [UInt8]?] = [:]
        let enumerator = FileManager.default.enumerator(atPath: dir.path)
        while let relative = enumerator?.nextObject() as? String {
            let url = dir.appendingPathComponent(relative)
            var info = stat()
            lstat(url.path, &info)
            result[relative] = (info.st_mode & S_IFMT) == S_IFREG ? try Fixture.bytes(url) : nil
        }
        return result
    }

    // MARK: - Item 1: a DTD

    @Test("A DTD in accounts.xml or blist.xml is refused as malformed: exit 65, file and line, nothing written",
          arguments: [("accounts.xml", accountsWithDTD, 2), ("blist.xml", blistWithExternalEntity, 4)])
    func documentTypeRefused(file: String, content: String, line: Int) throws {
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        try Data(content.utf8).write(to: dir.appendingPathComponent(file))
        let before = try Self.tree(dir)
        for attempt in 0..<2 {
            let error = try #require(throws: PurpleConfigError.self) {
                if attempt == 0 {
                    _ = try Fixture.profile(dir).plannedChanges(Fixture.request())
                } else {
                    try Fixture.profile(dir).write(Fixture.request())
                }
            }
            #expect(error == .documentTypeDeclared(path: dir.appendingPathComponent(file).path, line: line))
            #expect(error.category.exitCode == 65)
            #expect(error.description.contains("\(dir.appendingPathComponent(file).path) line \(line) declares a document type"))
        }
        #expect(try Self.tree(dir) == before)
    }

    @Test("Every file is read back before it may replace the old one")
    func outputIsReadBack() throws {
        // What a serializer bug would produce: an undefined entity, a DTD, no root, a forbidden character.
        let broken = ["<a>&who;</a>", "<!DOCTYPE a><a/>", "<?xml version='1.0'?>\n", "<a>\u{1}</a>", "<a>&#x1;</a>"]
        for text in broken {
            #expect(throws: PurpleConfigError.self, "\(text)") { try XMLDocument.checkReadsBack(Array(text.utf8), path: "x.xml") }
        }
        try XMLDocument.checkReadsBack(Array("<?xml version='1.0' encoding='UTF-8' ?>\n\n<a b='&#10;'>&amp;&#13;</a>\n".utf8),
                                       path: "x.xml")
        // A value the file format cannot hold is refused before anything is prepared.
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        let before = try Self.tree(dir)
        let error = try #require(throws: PurpleConfigError.self) {
            try Fixture.profile(dir).write(Fixture.request(alias: "Tails\u{1}support"))
        }
        #expect(error.description.contains("the chat alias contains a character that a Pidgin file cannot hold (U+0001)"))
        #expect(try Self.tree(dir) == before)
    }

    /// Found by the pidgin-files fuzz target: a root holding only a line break got our
    /// account next to that text, was written on one line, and the next run re-indented it.
    @Test("Files whose root holds only whitespace: the second run changes nothing")
    func whitespaceOnlyRoot() throws {
        let dir = try Fixture.profileDirectory(copying: nil)
        try Data("<?xml version='1.0' encoding='UTF-8' ?>\n<account version='1.0'>\n</account>\n".utf8)
            .write(to: dir.appendingPathComponent("accounts.xml"))
        try Data("<?xml version='1.0' encoding='UTF-8' ?>\n<purple version='1.0'>\n\t\n</purple>\n".utf8)
            .write(to: dir.appendingPathComponent("blist.xml"))
        let first = try Fixture.profile(dir).write(Fixture.request())
        #expect(first.written.count == 2)
        let accounts = try String(contentsOf: dir.appendingPathComponent("accounts.xml"), encoding: .utf8)
        #expect(accounts.hasPrefix("<?xml version='1.0' encoding='UTF-8' ?>\n\n<account version='1.0'>\n\t<account>\n"))
        #expect(try Fixture.profile(dir).write(Fixture.request()).written.isEmpty)
    }

    // MARK: - Item 2: links and other non-files

    @Test("A symbolic link (or FIFO, or directory) where accounts.xml, blist.xml or the pin belongs is refused; the target is untouched",
          arguments: ["accounts.xml", "blist.xml", "certificates/x509/tls_peers/\(Fixture.onion)"])
    func linkedFilesRefused(file: String) throws {
        let certificate = try Fixture.makeCertificate()
        for kind in ["link", "dangling link", "fifo", "directory"] {
            let dir = try Fixture.profileDirectory(copying: "finch-with-account")
            let outside = try TestSupport.makeTemporaryDirectory("purple-outside")
            let foreign = outside.appendingPathComponent("foreign.xml")
            let foreignContent = Data("<?xml version='1.0'?>\n<account version='1.0'/>\n".utf8)
            try foreignContent.write(to: foreign)
            chmod(foreign.path, 0o644)
            let path = dir.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: path)
            switch kind {
            case "link": try FileManager.default.createSymbolicLink(at: path, withDestinationURL: foreign)
            case "dangling link": try FileManager.default.createSymbolicLink(atPath: path.path, withDestinationPath: "/nonexistent/x")
            case "fifo": #expect(mkfifo(path.path, 0o600) == 0)
            default: try FileManager.default.createDirectory(at: path, withIntermediateDirectories: false)
            }
            let before = try Self.tree(dir)
            let error = try #require(throws: PurpleConfigError.self, "\(kind)") {
                try Fixture.profile(dir).write(Fixture.request(certificate: certificate))
            }
            let found = ["link": "a symbolic link", "dangling link": "a symbolic link", "fifo": "a FIFO", "directory": "a directory"][kind]!
            #expect(error == .unexpectedFileType(path: path.path, found: found, expected: "a regular file"), "\(kind)")
            #expect(error.category.exitCode == 73)
            #expect(try Self.tree(dir) == before, "\(kind): the profile changed")
            #expect(try Data(contentsOf: foreign) == foreignContent)
            #expect(Fixture.mode(foreign) == 0o644, "\(kind): the link's target was chmodded")
            #expect(throws: PurpleConfigError.self) { _ = try Fixture.profile(dir).plannedChanges(Fixture.request(certificate: certificate)) }
        }
    }

    @Test("A symbolic link at certificates/, x509/ or tls_peers/ is refused: the pin never lands outside the profile",
          arguments: ["certificates", "certificates/x509", "certificates/x509/tls_peers"])
    func linkedDirectoriesRefused(directory: String) throws {
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        let outside = try TestSupport.makeTemporaryDirectory("purple-outside")
        let link = dir.appendingPathComponent(directory)
        try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: outside)
        let before = try Self.tree(dir)
        let error = try #require(throws: PurpleConfigError.self) {
            try Fixture.profile(dir).write(Fixture.request(certificate: Fixture.makeCertificate()))
        }
        #expect(error == .unexpectedFileType(path: link.path, found: "a symbolic link", expected: "a directory"))
        #expect(error.description.contains("\(link.path) is a symbolic link, not a directory"))
        #expect(try Self.tree(dir) == before)
        #expect(Fixture.files(in: outside).isEmpty)
    }

    // MARK: - Item 5: references in other accounts

    @Test("&#13;, &#10; and &#9; in another account's values and attributes come back byte for byte")
    func characterReferencesRoundTrip() throws {
        let other = """
            \t<account>
            \t\t<protocol>prpl-irc</protocol>
            \t\t<name>zoë@irc.example.net</name>
            \t\t<password>cr&#13;end&#10;lf&#9;tab</password>
            \t\t<alias>two&#10;&#10;lines and a raw
            line break	and a raw tab</alias>
            \t\t<settings>
            \t\t\t<setting name='multi&#10;line&#9;tab&#13;cr' type='string'>v&#13;&#10;w</setting>
            \t\t\t<setting name='only' type='string'>&#10;</setting>
            \t\t</settings>
            \t\t<userinfo>&#9;</userinfo>
            \t\t<current_error/>
            \t</account>

            """
        let file = "<?xml version='1.0' encoding='UTF-8' ?>\n\n<account version='1.0'>\n" + other + "</account>\n"
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        try Data(file.utf8).write(to: dir.appendingPathComponent("accounts.xml"))
        try Fixture.profile(dir).write(Fixture.request())
        let after = try String(contentsOf: dir.appendingPathComponent("accounts.xml"), encoding: .utf8)
        #expect(after.hasPrefix("<?xml version='1.0' encoding='UTF-8' ?>\n\n<account version='1.0'>\n" + other))
        let parsed = try XMLTree.parse(Fixture.bytes(dir.appendingPathComponent("accounts.xml")))
        let irc = try #require(parsed.elements("account").first { $0.first("protocol")?.text == "prpl-irc" })
        #expect(irc.first("password")?.text == "cr\rend\nlf\ttab")
        #expect(irc.first("settings")?.children.first?.attributes["name"] == "multi\nline\ttab\rcr")
        // And a second run changes nothing.
        #expect(try Fixture.profile(dir).write(Fixture.request()).written.isEmpty)
    }

    @Test("Our own values with a carriage return, line feed or tab read back as they were")
    func ownValuesWithWhitespace() throws {
        let dir = try Fixture.profileDirectory(copying: nil)
        try Fixture.profile(dir).write(Fixture.request(password: "a\rb\nc\td", alias: "x\ry\tz"))
        let accounts = try XMLTree.parse(Fixture.bytes(dir.appendingPathComponent("accounts.xml")))
        #expect(accounts.first("account")?.first("password")?.text == "a\rb\nc\td")
        let blist = try XMLTree.parse(Fixture.bytes(dir.appendingPathComponent("blist.xml")))
        #expect(blist.first("blist")?.first("group")?.first("chat")?.first("alias")?.text == "x\ry\tz")
    }

    // MARK: - Item 6: owners and modes

    @Test("Run as root on another user's profile, every file and directory stays (or becomes) that user's",
          .enabled(if: getuid() == 0))
    func ownerKept() throws {
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        let (uid, gid): (uid_t, gid_t) = (4242, 4343)
        for entry in [dir.path] + Fixture.files(in: dir).map({ dir.appendingPathComponent($0).path }) {
            #expect(chown(entry, uid, gid) == 0)
        }
        chmod(dir.path, 0o700)
        try Fixture.profile(dir).write(Fixture.request(certificate: Fixture.makeCertificate()))
        try Fixture.profile(dir).write(Fixture.request(password: "changed", certificate: Fixture.makeCertificate(commonName: "2")))
        let tree = try Self.tree(dir)
        #expect(tree.keys.contains("onionboard-backups") && tree.keys.contains("certificates/x509/tls_peers/\(Fixture.onion)"))
        for relative in tree.keys.sorted() {
            var info = stat()
            #expect(lstat(dir.appendingPathComponent(relative).path, &info) == 0)
            #expect(info.st_uid == uid && info.st_gid == gid, "\(relative) belongs to \(info.st_uid):\(info.st_gid)")
            #expect(info.st_mode & 0o077 == 0, "\(relative) has mode \(String(info.st_mode & 0o777, radix: 8))")
        }
    }

    @Test("A profile directory open to others (0755, 0777) is made 0700, and the run says so",
          arguments: [0o755 as mode_t, 0o777, 0o710])
    func directoryTightened(mode: mode_t) throws {
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        chmod(dir.path, mode)
        let report = try Fixture.profile(dir).write(Fixture.request())
        #expect(Fixture.mode(dir) == 0o700)
        let warning = try #require(report.warnings.first { $0.code == .permissionsTightened })
        #expect(warning.message.contains("mode 0\(String(mode, radix: 8))") && warning.message.contains("0700"))
        // Already private: nothing to say.
        #expect(!(try Fixture.profile(dir).write(Fixture.request())).warnings.contains { $0.code == .permissionsTightened })
    }

    @Test("Backup names are taken by exclusive creation: planted entries at the next names are skipped, never followed")
    func backupNamesExclusive() throws {
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        let root = try #require(try DirectoryHandle.openProfile(dir.path, create: false))
        let backups = try #require(try root.subdirectory(BackupStore.directoryName, create: true))
        let store = BackupStore(directory: backups, stamp: "20261125T170302.000001Z")
        let outside = try TestSupport.makeTemporaryDirectory("purple-outside")
        let planted = backups.path + "/accounts.xml.20261125T170302.000001Z"
        try FileManager.default.createSymbolicLink(atPath: planted, withDestinationPath: outside.appendingPathComponent("x").path)
        try Data("taken".utf8).write(to: URL(fileURLWithPath: planted + "-01"))
        let file = try #require(try AtomicFile.read("accounts.xml", in: root))
        let kept = try store.keep("accounts.xml", label: "accounts.xml", in: root, file: file)
        #expect(kept == planted + "-02")
        #expect(try Fixture.bytes(URL(fileURLWithPath: kept)) == Fixture.bytes(dir.appendingPathComponent("accounts.xml")))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: planted) == outside.appendingPathComponent("x").path)
        #expect(Fixture.files(in: outside).isEmpty)
        #expect(try String(contentsOfFile: planted + "-01", encoding: .utf8) == "taken")
    }

    // MARK: - Item 7: how many backups, where, in which order

    @Test("Many runs keep the newest 3 backups per file, outside tls_peers/, in names that sort by time")
    func backupsPruned() throws {
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        let certificates = try (0..<2).map { try Fixture.makeCertificate(commonName: "c\($0)") }
        var versions: [[UInt8]] = []
        for run in 0..<20 {
            versions.append(try Fixture.bytes(dir.appendingPathComponent("accounts.xml")))
            let report = try Fixture.profile(dir).write(Fixture.request(password: "password \(run)",
                                                                        certificate: certificates[run % 2]))
            #expect(report.backups.count == 2)  // accounts.xml and, first blist.xml, then the pin
        }
        let backupDirectory = dir.appendingPathComponent(BackupStore.directoryName)
        let names = Fixture.files(in: backupDirectory)
        let accounts = names.filter { $0.hasPrefix("accounts.xml.") }
        #expect(accounts.count == 3)
        #expect(names.filter { $0.hasPrefix("blist.xml.") }.count == 1)  // blist changes only on the first run
        #expect(names.filter { $0.hasPrefix("tls_peers-\(Fixture.onion).") }.count == 3)
        #expect(names.count == 7)
        // Sorted by name = in time order: the newest holds the file as it was before the last run.
        #expect(try accounts.map { try Fixture.bytes(backupDirectory.appendingPathComponent($0)) } == Array(versions.suffix(3)))
        #expect(Fixture.files(in: dir.appendingPathComponent("certificates/x509/tls_peers")) == [Fixture.onion])
        #expect(Fixture.files(in: dir) == ["accounts.xml", "blist.xml", "certificates", "onionboard-backups"])
    }

    @Test("Backups of the earlier naming scheme (next to the files, inside tls_peers/) are moved and pruned")
    func legacyBackupsAdopted() throws {
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        let certificate = try Fixture.makeCertificate()
        try Fixture.profile(dir).write(Fixture.request(certificate: certificate))
        let pins = dir.appendingPathComponent("certificates/x509/tls_peers")
        for suffix in ["20201125T170302Z", "20201125T170302Z-2", "20201125T170302Z-10", "20201124T000000Z"] {
            try Data("old \(suffix)".utf8).write(to: dir.appendingPathComponent("accounts.xml.onionboard-backup-\(suffix)"))
            try Data("old \(suffix)".utf8).write(to: pins.appendingPathComponent("\(Fixture.onion).onionboard-backup-\(suffix)"))
        }
        try Fixture.profile(dir).write(Fixture.request(password: "new", certificate: Fixture.makeCertificate(commonName: "n")))
        #expect(Fixture.files(in: pins) == [Fixture.onion])
        #expect(!Fixture.files(in: dir).contains { $0.contains("onionboard-backup-") })
        let kept = Fixture.files(in: dir.appendingPathComponent(BackupStore.directoryName))
        let accounts = kept.filter { $0.hasPrefix("accounts.xml.") }
        #expect(accounts.count == 3)
        // The newest legacy one survives beside the two new backups: -10 sorts after -2 (as -09, -01).
        #expect(accounts[0] == "accounts.xml.20201125T170302.000000Z-09")
        #expect(try String(contentsOf: dir.appendingPathComponent(BackupStore.directoryName + "/" + accounts[0]),
                           encoding: .utf8) == "old 20201125T170302Z-10")
        #expect(kept.filter { $0.hasPrefix("tls_peers-") }.count == 3)
    }

    // MARK: - Item 8: a write failing midway

    @Test("A write failing after the pin is replaced says which files are new already",
          .enabled(if: TmpfsMount.isPossible))
    func incompleteWriteNamesNewFiles() throws {
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        let pins = dir.appendingPathComponent("certificates/x509/tls_peers")
        try FileManager.default.createDirectory(at: pins, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(BackupStore.directoryName),
                                                withIntermediateDirectories: true)
        for entry in [dir, dir.appendingPathComponent("certificates"), dir.appendingPathComponent("certificates/x509"),
                      dir.appendingPathComponent(BackupStore.directoryName)] {
            chmod(entry.path, 0o700)
        }
        // The profile read-only, the pins' directory a writable tmpfs inside it.
        #expect(try runCommand(["/bin/mount", "--bind", dir.path, dir.path]).status == 0)
        defer { _ = try? runCommand(["/bin/umount", dir.path]) }
        #expect(try runCommand(["/bin/mount", "-o", "remount,bind,ro", dir.path]).status == 0)
        let mount = try TmpfsMount(at: pins.path, sizeKiB: 64)
        defer { mount.unmount() }
        let before = try ["accounts.xml", "blist.xml"].map { try Fixture.bytes(dir.appendingPathComponent($0)) }

        let error = try #require(throws: PurpleConfigError.self) {
            try Fixture.profile(dir).write(Fixture.request(certificate: Fixture.makeCertificate()))
        }
        let pin = pins.appendingPathComponent(Fixture.onion).path
        let accounts = dir.appendingPathComponent("accounts.xml").path, blist = dir.appendingPathComponent("blist.xml").path
        guard case .incompleteWrite(let failure, let alreadyNew, let notWritten) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(alreadyNew == [pin])
        #expect(notWritten == [accounts, blist])
        #expect(failure.contains("cannot write \(accounts): the file system is read-only"))
        #expect(error.description.contains("Already replaced by their new versions: \(pin)."))
        #expect(error.category.exitCode == 73)
        #expect(FileManager.default.fileExists(atPath: pin))
        #expect(try ["accounts.xml", "blist.xml"].map { try Fixture.bytes(dir.appendingPathComponent($0)) } == before)
    }

    // MARK: - Item 9: a second writer

    @Test("A second writer waits for the lock instead of failing at once; after the wait it fails clearly")
    func secondWriterWaits() throws {
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        let holder = open(dir.path, O_RDONLY | O_DIRECTORY)
        defer { close(holder) }
        #expect(flock(holder, LOCK_EX) == 0)
        let released = DispatchSemaphore(value: 0)
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) {
            flock(holder, LOCK_UN)
            released.signal()
        }
        let report = try Fixture.profile(dir).write(Fixture.request())
        #expect(released.wait(timeout: .now()) == .success, "the write finished before the lock was released")
        #expect(report.written.count == 2)

        #expect(flock(holder, LOCK_EX) == 0)
        var impatient = Fixture.profile(dir)
        impatient.lockWaitSeconds = 0.3
        let error = try #require(throws: PurpleConfigError.self) { try impatient.write(Fixture.request(password: "other")) }
        #expect(error == .profileBusy(path: dir.path, waitedSeconds: 1))
        #expect(error.description.contains("still writing the profile in \(dir.path)"))
        #expect(Fixture.profile(dir).lockWaitSeconds == 5)
    }
}
