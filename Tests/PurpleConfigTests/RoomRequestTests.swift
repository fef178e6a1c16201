import Foundation
@testable import PurpleConfig
import Secrets
import Testing
import TestSupport
import Vocabulary

/// A room added to an account the profile already holds (issue 18's join-only path and
/// bootstrap's putting back a lost room): every other byte of the profile stays as it was.
@Suite("Adding a room to an account the profile holds")
struct RoomRequestTests {
    static let room = RoomBookmark(jid: "tails@chat.disroot.org", alias: "Tails support", handle: "quiet-lark-27")

    /// Every file under `directory` with its bytes, except onionboard's own backups.
    static func files(_ directory: URL) throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            let relative = String(url.path.dropFirst(directory.path.count + 1))
            guard !url.hasDirectoryPath, !relative.hasPrefix(BackupStore.directoryName) else { continue }
            result[relative] = try Fixture.bytes(url)
        }
        return result
    }

    /// `new` is `old` with one stretch put in; that stretch.
    static func insertion(from old: [UInt8], to new: [UInt8]) -> String? {
        var prefix = 0
        while prefix < old.count && prefix < new.count && old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix && old[old.count - 1 - suffix] == new[new.count - 1 - suffix] { suffix += 1 }
        guard prefix + suffix == old.count else { return nil }
        return String(decoding: new[prefix..<(new.count - suffix)], as: UTF8.self)
    }

    @Test("only the chat goes into blist.xml (under its group, no privacy entry); every other byte of every file stays; a second time changes nothing")
    func onlyTheRoom() throws {
        let directory = try Fixture.profileDirectory(copying: "finch-with-account")
        defer { try? FileManager.default.removeItem(at: directory) }
        let profile = Fixture.profile(directory)
        let before = try Self.files(directory)

        // By its bare address: the account's own name (with its resource) names the chat.
        let report = try profile.addRoom(RoomRequest(accountName: "bob@example.org", chat: Self.room))
        #expect(report.accountName == "bob@example.org/laptop")
        #expect(report.written == [directory.appendingPathComponent("blist.xml").path])
        #expect(report.backups.count == 1)
        #expect(!report.warnings.contains { $0.code == .reformatted })
        let after = try Self.files(directory)
        #expect(Set(after.keys) == Set(before.keys))
        for (name, bytes) in before where name != "blist.xml" {
            #expect(after[name] == bytes, "\(name) changed")
        }
        let inserted = try #require(Self.insertion(from: before["blist.xml"]!, to: after["blist.xml"]!),
                                    "blist.xml changed elsewhere than one inserted stretch")
        // (Where the stretch starts is a matter of shared indentation: compared without it.)
        #expect(inserted.trimmingCharacters(in: .whitespacesAndNewlines) == """
            \t\t\t<chat proto='prpl-jabber' account='bob@example.org/laptop'>
            \t\t\t\t<alias>Tails support</alias>
            \t\t\t\t<component name='handle'>quiet-lark-27</component>
            \t\t\t\t<component name='room'>tails</component>
            \t\t\t\t<component name='server'>chat.disroot.org</component>
            \t\t\t\t<setting name='gnt-autojoin' type='bool'>1</setting>
            \t\t\t\t<setting name='gtk-autojoin' type='bool'>1</setting>
            \t\t\t</chat>
            """.trimmingCharacters(in: .whitespacesAndNewlines), "\(inserted)")
        #expect(try profile.existingXMPPAccounts().first { $0.name == "bob@example.org/laptop" }?.rooms
            .contains("tails@chat.disroot.org") == true)

        // Idempotent: the account has the room now.
        let again = try profile.addRoom(RoomRequest(accountName: "bob@example.org/laptop", chat: Self.room))
        #expect(again.written.isEmpty && again.backups.isEmpty)
        #expect(try Self.files(directory) == after)
    }

    @Test("sent through Tor: only that account's connection settings and proxy change, and the onion's certificate is pinned")
    func throughTor() throws {
        let directory = try Fixture.profileDirectory(copying: "finch-with-account")
        defer { try? FileManager.default.removeItem(at: directory) }
        let profile = Fixture.profile(directory)
        let before = try String(contentsOf: directory.appendingPathComponent("accounts.xml"), encoding: .utf8)
        let certificate = try Fixture.makeCertificate(commonName: Fixture.onion)
        let route = TorRoute(connectServer: Fixture.onion, port: 5222, tlsMode: .startTLS, proxy: ProxySettings(),
                             certificatePEM: certificate)
        let report = try profile.addRoom(RoomRequest(accountName: "bob@example.org", chat: Self.room, torRoute: route))
        #expect(Set(report.written.map { URL(fileURLWithPath: $0).lastPathComponent }) == ["blist.xml", "accounts.xml", Fixture.onion])
        let after = try String(contentsOf: directory.appendingPathComponent("accounts.xml"), encoding: .utf8)
        // The other accounts, byte for byte.
        func account(_ text: String, named name: String) -> Substring? {
            guard let start = text.range(of: "<name>\(name)</name>"),
                  let open = text.range(of: "\t<account>", options: .backwards, range: text.startIndex..<start.lowerBound),
                  let close = text.range(of: "</account>", range: start.upperBound..<text.endIndex) else { return nil }
            return text[open.lowerBound..<close.upperBound]
        }
        for other in ["zoë@irc.oftc.net", "alice@onionboard.test/"] {
            #expect(account(after, named: other) == account(before, named: other), "\(other) changed")
        }
        let bob = String(try #require(account(after, named: "bob@example.org/laptop")))
        #expect(bob.contains("<setting name='connect_server' type='string'>\(Fixture.onion)</setting>"))
        #expect(bob.contains("<proxy>\n\t\t\t<type>tor</type>\n\t\t\t<host>127.0.0.1</host>\n\t\t\t<port>9050</port>"))
        #expect(bob.contains("<password>bobs&amp;pass</password>"), "its password is kept")
        #expect(bob.contains("<setting name='ft_proxies' type='string'>proxy.example.org</setting>"), "its other settings stay")
        #expect(bob.contains("<setting name='auto-login' type='bool'>0</setting>"), "whether it logs in by itself is the person's")
        let pin = directory.appendingPathComponent("certificates/x509/tls_peers/\(Fixture.onion)")
        #expect(FileManager.default.fileExists(atPath: pin.path))
        let accounts = try profile.existingXMPPAccounts()
        #expect(accounts.first { $0.name == "bob@example.org/laptop" }?.proxyType == "tor")
    }

    @Test("an account the profile does not hold is refused and nothing is written; the saved password is read into guarded memory")
    func refusedAndPassword() throws {
        let directory = try Fixture.profileDirectory(copying: "finch-with-account")
        defer { try? FileManager.default.removeItem(at: directory) }
        let profile = Fixture.profile(directory)
        let before = try Self.files(directory)
        #expect(throws: PurpleConfigError.invalidRequest("the Pidgin profile \(directory.path) holds no XMPP account mallory@example.org")) {
            try profile.addRoom(RoomRequest(accountName: "mallory@example.org", chat: Self.room))
        }
        #expect(try Self.files(directory) == before)
        #expect(try profile.savedPassword(of: "bob@example.org/laptop")?.withBytes { String(decoding: $0, as: UTF8.self) } == "bobs&pass")
        #expect(try profile.savedPassword(of: "nobody@example.org") == nil)
        let accounts = try profile.existingXMPPAccounts()
        let bob = try #require(accounts.first { $0.name == "bob@example.org/laptop" })
        #expect(bob.passwordSaved && bob.proxyType == nil && !bob.registeredByOnionboard)
        let alice = try #require(accounts.first { $0.name == "alice@onionboard.test/" })
        #expect(alice.proxyType == "socks5" && alice.proxyHost == "127.0.0.1" && alice.proxyPort == 9150)
    }

    @Test("an account onionboard registers is marked (a settings block of its own UI), one brought by the person is not")
    func registeredMark() throws {
        let directory = try Fixture.profileDirectory(copying: nil)
        defer { try? FileManager.default.removeItem(at: directory) }
        let profile = Fixture.profile(directory)
        var registered = Fixture.request(jid: "new@onionboard.test")
        registered.registeredHere = true
        _ = try profile.write(registered)
        _ = try profile.write(Fixture.request(jid: "own@onionboard.test"))
        let text = try String(contentsOf: directory.appendingPathComponent("accounts.xml"), encoding: .utf8)
        #expect(text.components(separatedBy: "<settings ui='onionboard'>\n\t\t\t<setting name='registered' type='bool'>1</setting>\n\t\t</settings>").count == 2,
                "\(text)")
        let accounts = try profile.existingXMPPAccounts()
        #expect(accounts.map(\.registeredByOnionboard) == [true, false])
        #expect(accounts.allSatisfy { $0.proxyType == "tor" && $0.passwordSaved })
        // Writing the registered account again (the person re-entering it) keeps the mark.
        _ = try profile.write(Fixture.request(jid: "new@onionboard.test"))
        #expect(try profile.existingXMPPAccounts().map(\.registeredByOnionboard) == [true, false])
    }
}
