import Foundation
@testable import PurpleConfig
import Secrets
import Testing
import TestSupport

/// Merging into profiles that a real libpurple (finch 2.14.12) wrote.
@Suite("Merge into finch-written profiles")
struct MergeTests {
    static let fixtures = ["finch-with-account", "finch-without-account"]

    @Test("A finch-written file round-trips byte for byte through parse + serialise", arguments: fixtures)
    func roundTrip(fixture: String) throws {
        for file in ["accounts.xml", "blist.xml"] {
            let bytes = try Fixture.bytes(Fixture.directory.appendingPathComponent(fixture).appendingPathComponent(file))
            let document = try XMLDocument.parse(bytes, path: file)
            #expect(PurpleStyleSerializer.serialize(document) == bytes, "\(fixture)/\(file)")
        }
    }

    @Test("Every pre-existing element is still there, unchanged", arguments: fixtures)
    func preservesEverything(fixture: String) throws {
        let dir = try Fixture.profileDirectory(copying: fixture)
        let oldAccounts = try XMLTree.parse(Fixture.bytes(dir.appendingPathComponent("accounts.xml")))
        let oldBlist = try XMLTree.parse(Fixture.bytes(dir.appendingPathComponent("blist.xml")))

        let report = try Fixture.profile(dir).write(Fixture.request())
        #expect(report.accountName == "alice@onionboard.test/")

        let newAccounts = try XMLTree.parse(Fixture.bytes(dir.appendingPathComponent("accounts.xml")))
        let newBlist = try XMLTree.parse(Fixture.bytes(dir.appendingPathComponent("blist.xml")))
        #expect(newAccounts.name == oldAccounts.name && newAccounts.attributes == oldAccounts.attributes)

        // Other accounts: identical subtrees, same order.
        let isOurs: (XMLTree) -> Bool = { $0.first("name")?.text == "alice@onionboard.test/" }
        let oldOthers = oldAccounts.elements("account").filter { !isOurs($0) }
        let newOthers = newAccounts.elements("account").filter { !isOurs($0) }
        #expect(oldOthers.map(\.canonical) == newOthers.map(\.canonical))
        #expect(newAccounts.elements("account").filter(isOurs).count == 1)

        // Our account, if it existed: everything we do not own is unchanged.
        let ours = try #require(newAccounts.elements("account").first(where: isOurs))
        if let old = oldAccounts.elements("account").first(where: isOurs) {
            for child in old.children where !["password", "settings", "proxy"].contains(child.name) {
                #expect(ours.children.contains(child), "lost or changed: \(child.canonical)")
            }
            let ownedSettings: Set = ["connection_security", "connect_server", "port", "auth_plain_in_clear", "auto-login"]
            for settings in old.elements("settings") {
                let counterpart = try #require(ours.elements("settings").first { $0.attributes == settings.attributes })
                for setting in settings.children where !ownedSettings.contains(setting.attributes["name"] ?? "") {
                    #expect(counterpart.children.contains(setting), "lost setting \(setting.canonical)")
                }
            }
        }

        // blist: every group keeps its children in order (ours may be appended), privacy entries stay.
        let oldBlistNode = try #require(oldBlist.first("blist"))
        let newBlistNode = try #require(newBlist.first("blist"))
        for group in oldBlistNode.elements("group") {
            let counterpart = try #require(newBlistNode.elements("group").first { $0.attributes == group.attributes })
            #expect(Array(counterpart.children.prefix(group.children.count)) == group.children)
        }
        let oldPrivacy = try #require(oldBlist.first("privacy")).children
        let newPrivacy = try #require(newBlist.first("privacy")).children
        #expect(Array(newPrivacy.prefix(oldPrivacy.count)) == oldPrivacy)
    }

    @Test("Our account gets exactly the settings Pidgin needs, in libpurple's element order")
    func accountContent() throws {
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        try Fixture.profile(dir).write(Fixture.request(password: "s3cret"))
        let accounts = try XMLTree.parse(Fixture.bytes(dir.appendingPathComponent("accounts.xml")))
        let ours = try #require(accounts.elements("account").first { $0.first("name")?.text == "alice@onionboard.test/" })
        #expect(ours.first("protocol")?.text == "prpl-jabber")
        #expect(ours.first("password")?.text == "s3cret")
        #expect(ours.first("alias")?.text == "Alice old")  // kept
        #expect(ours.first("statuses") != nil)               // kept
        let order = ours.children.map { $0.name + ($0.attributes["ui"].map { "[\($0)]" } ?? "") }
        #expect(order == ["protocol", "name", "password", "alias", "statuses", "settings",
                          "settings[gtk-gaim]", "settings[gnt-purple]", "proxy", "current_error"])
        let settings = Dictionary(uniqueKeysWithValues: try #require(ours.elements("settings").first { $0.attributes["ui"] == nil })
            .children.map { ($0.attributes["name"]!, "\($0.attributes["type"]!):\($0.text)") })
        #expect(settings["connection_security"] == "string:require_tls")
        #expect(settings["connect_server"] == "string:\(Fixture.onion)")
        #expect(settings["port"] == "int:5222")
        #expect(settings["auth_plain_in_clear"] == "bool:0")
        #expect(settings["custom_smileys"] == "bool:1")  // kept
        for ui in ["gtk-gaim", "gnt-purple"] {
            let uiSettings = try #require(ours.elements("settings").first { $0.attributes["ui"] == ui })
            #expect(uiSettings.children.first { $0.attributes["name"] == "auto-login" }?.text == "1")
        }
        let proxy = try #require(ours.first("proxy"))
        #expect(proxy.first("type")?.text == "tor")
        #expect(proxy.first("host")?.text == "127.0.0.1")
        #expect(proxy.first("port")?.text == "9050")
        #expect(proxy.first("username")?.text.hasPrefix("onionboard-") == true)
        #expect((proxy.first("password")?.text.count ?? 0) >= 20)
    }

    @Test("Writing twice gives byte-identical files, no backups and no duplicate chat", arguments: fixtures)
    func idempotent(fixture: String) throws {
        let dir = try Fixture.profileDirectory(copying: fixture)
        let certificate = try Fixture.makeCertificate()
        let first = try Fixture.profile(dir).write(Fixture.request(certificate: certificate))
        #expect(first.written.count == 3)
        let backupDirectory = dir.appendingPathComponent(BackupStore.directoryName)
        let snapshot = try Fixture.files(in: dir).filter { !$0.hasPrefix("certificates") && $0 != BackupStore.directoryName }
            .map { try Fixture.bytes(dir.appendingPathComponent($0)) }
        let backupsBefore = Fixture.files(in: backupDirectory)
        let second = try Fixture.profile(dir).write(Fixture.request(certificate: certificate))
        #expect(second.written.isEmpty)
        #expect(second.backups.isEmpty)
        let after = try Fixture.files(in: dir).filter { !$0.hasPrefix("certificates") && $0 != BackupStore.directoryName }
            .map { try Fixture.bytes(dir.appendingPathComponent($0)) }
        #expect(after == snapshot)
        #expect(Fixture.files(in: backupDirectory) == backupsBefore)

        let blist = try XMLTree.parse(Fixture.bytes(dir.appendingPathComponent("blist.xml")))
        let chats = try #require(blist.first("blist")).elements("group").flatMap { $0.elements("chat") }
            .filter { $0.attributes["account"] == "alice@onionboard.test/"
                && $0.children.contains { $0.attributes["name"] == "room" && $0.text == "tails" } }
        #expect(chats.count == 1)
        let privacy = try #require(blist.first("privacy")).children.filter { $0.attributes["name"] == "alice@onionboard.test/" }
        #expect(privacy.count == 1)
    }

    @Test("A chat the user moved to another group is updated there, not duplicated")
    func movedChat() throws {
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        try Fixture.profile(dir).write(Fixture.request(room: "other@conference.onionboard.test"))
        let blist = try XMLTree.parse(Fixture.bytes(dir.appendingPathComponent("blist.xml")))
        let groups = try #require(blist.first("blist")).elements("group")
        let matching = groups.flatMap { $0.elements("chat") }.filter {
            $0.attributes["account"] == "alice@onionboard.test/" && $0.children.contains { $0.text == "other" }
        }
        #expect(matching.count == 1)
        #expect(matching.first?.first("alias")?.text == "Tails support")
        #expect(matching.first?.children.first { $0.attributes["name"] == "gnt-autojoin" }?.text == "1")
    }

    @Test("No existing files: a minimal valid profile, in a new group 'Chats'")
    func freshProfile() throws {
        let dir = try Fixture.profileDirectory(copying: nil)
        let report = try Fixture.profile(dir).write(Fixture.request())
        #expect(report.changes.map(\.action) == [.create, .create])
        let blist = try String(contentsOf: dir.appendingPathComponent("blist.xml"), encoding: .utf8)
        #expect(blist == """
            <?xml version='1.0' encoding='UTF-8' ?>

            <purple version='1.0'>
            \t<blist>
            \t\t<group name='Chats'>
            \t\t\t<chat proto='prpl-jabber' account='alice@onionboard.test/'>
            \t\t\t\t<alias>Tails support</alias>
            \t\t\t\t<component name='handle'>quiet-lark-27</component>
            \t\t\t\t<component name='room'>tails</component>
            \t\t\t\t<component name='server'>chat.disroot.org</component>
            \t\t\t\t<setting name='gnt-autojoin' type='bool'>1</setting>
            \t\t\t\t<setting name='gtk-autojoin' type='bool'>1</setting>
            \t\t\t</chat>
            \t\t</group>
            \t</blist>
            \t<privacy>
            \t\t<account proto='prpl-jabber' name='alice@onionboard.test/' mode='1'/>
            \t</privacy>
            </purple>

            """)
        let accounts = try String(contentsOf: dir.appendingPathComponent("accounts.xml"), encoding: .utf8)
        #expect(accounts.hasPrefix("<?xml version='1.0' encoding='UTF-8' ?>\n\n<account version='1.0'>\n\t<account>\n\t\t<protocol>prpl-jabber</protocol>\n\t\t<name>alice@onionboard.test/</name>\n\t\t<password>correct horse</password>\n\t\t<settings>\n"))
    }

    @Test("Comments and unknown elements a person added survive")
    func handEditedFile() throws {
        let dir = try Fixture.profileDirectory(copying: nil)
        try Data("""
            <?xml version="1.0"?>
            <!-- my notes -->
            <account version="1.0">
              <!-- keep me -->
              <account><protocol>prpl-jabber</protocol><name>x@y/</name><future-thing a="1">z</future-thing></account>
            </account>
            """.utf8).write(to: dir.appendingPathComponent("accounts.xml"))
        try Fixture.profile(dir).write(Fixture.request())
        let text = try String(contentsOf: dir.appendingPathComponent("accounts.xml"), encoding: .utf8)
        #expect(text.contains("<!-- my notes -->"))
        #expect(text.contains("\t<!-- keep me -->\n"))
        #expect(text.contains("<future-thing a='1'>z</future-thing>"))
        #expect(text.contains("<name>x@y/</name>"))
    }
}
