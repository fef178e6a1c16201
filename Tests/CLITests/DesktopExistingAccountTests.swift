import Foundation
import Glibc
import Testing
import TestSupport
import Wizard
import WizardAdapters

/// The guide's other path (issue 18) in the desktop window, on a private desktop driven
/// through the accessibility tree against the local world, every page screenshotted to
/// artifacts/gtk/: an account the person already has, and the room added to an account
/// Pidgin already has; finch then logs in through Tor with no prompt and joins the room.
@Suite("Desktop window: an account the person already has (local world)", .serialized)
struct DesktopExistingAccountTests {
    static let forkPage = "Do you already have an XMPP account?"
    static let existingChoice = "Use an account I already have (its address and password)"
    static let pidginChoice = "Join the room with an account Pidgin already has"
    static let addressField = "Your account's address"
    static let passwordField = "Your account's password"

    @Test("the existing-account path: the fork, the address and the password on one page, the nickname, the certificate, done (a wrong password first: said on the error page, nothing written); finch joins the room",
          .enabled(if: DesktopWindowTests.enabled))
    func existingAccount() throws {
        let stage = try DesktopWindowTests.Stage()
        defer { stage.close() }
        let world = stage.world
        let (_, jid, password) = try ExistingAccountTests.makeAccount(world, prefix: "gtkown")
        let arguments = ["run", "--providers", try WizardWorldTests.providerFile(world), "--tor-socks", stage.socks,
                         "--purple-dir", stage.profile.path, "--room", world.roomJID, "--force"]

        func walk(_ run: WindowRun, password typed: String) throws {
            try run.page(DesktopWindowTests.introduction)
            try run.click("Next")
            let fork = try run.page(Self.forkPage)
            #expect(!fork.shows("Join the room with an account Pidgin already has"), "offered with no account in the profile")
            #expect(fork.shows("A new account is made up at random"))
            try run.click(Self.existingChoice)
            try run.click("Next")
            let account = try run.page("Your account")
            #expect(account.entry(Self.addressField) == "" && account.entry(Self.passwordField) == "")
            try run.set(Self.addressField, jid)
            try run.set(Self.passwordField, typed)
            try run.click("Next")
            let nickname = try run.page("Your nickname in the support room")
            #expect(nickname.entries.contains { $0.name == "Your nickname in the support room" })
            try run.click("Next")
            try run.page(DesktopWindowTests.certificatePage, timeout: 90)
            try run.click("Trust")
        }

        let wrong = try WindowRun("existing-account-wrong-password", arguments: arguments, desktop: stage.desktop)
        defer { wrong.close() }
        try walk(wrong, password: "not-" + password)
        let error = try wrong.page(DesktopWindowTests.errorPage, timeout: 90)
        #expect(error.shows("The server did not accept the password for \(jid)"), "\(error.texts)")
        #expect(error.shows("Nothing was written"))
        try wrong.click("Close")
        #expect(wrong.exitStatus() == 77, "\(wrong.output)")
        #expect(try stage.nothingWritten())
        #expect(!wrong.output.contains(password))

        let run = try WindowRun("existing-account", arguments: arguments, desktop: stage.desktop)
        defer { run.close() }
        try walk(run, password: password)
        let done = try run.page(DesktopWindowTests.donePage, timeout: 90)
        #expect(done.shows("Your address:"))
        #expect(done.shows(jid))
        #expect(done.shows("Your password is stored in the Pidgin profile"))
        try run.click("Close")
        #expect(run.exitStatus() == 0, "\(run.output)")
        #expect(!run.output.contains(password))
        let accounts = try DesktopWindowTests.accounts(stage.profile)
        #expect(accounts.contains("<name>\(jid)/</name>") && accounts.contains("<password>\(password)</password>"))

        let finch = try Finch.run(profile: stage.profile, timeout: 120, world: world) {
            $0.joinedRoom(world.roomJID) || $0.certificatePromptShown
        }
        #expect(finch.evidence.loggedIn, "\(finch.summary)")
        #expect(finch.evidence.usedSOCKS5Proxy(target: "\(world.onion):\(world.onionPort)", proxy: stage.socks))
        #expect(finch.evidence.peerCertMatchedCached && !finch.evidence.certificatePromptShown, "\(finch.summary)")
        #expect(finch.evidence.joinedRoom(world.roomJID), "\(finch.summary)")
    }

    @Test("the join-only path: the fork, Pidgin's accounts with the identity warning, sending the account through Tor, the nickname, the certificate, done; only the room and that account's connection changed; finch then logs in through Tor with no prompt and joins the room",
          .enabled(if: DesktopWindowTests.enabled))
    func joinOnly() throws {
        let stage = try DesktopWindowTests.Stage()
        defer { stage.close() }
        let world = stage.world
        let (_, jid, password) = try ExistingAccountTests.makeAccount(world, prefix: "gtkjoin")
        // Its connect server is the onion, but Pidgin's proxy is off: it cannot reach it.
        try ExistingAccountTests.personsProfile(stage.profile, world: world, jid: jid, password: password, throughTor: false, pinned: false)
        let before = try ExistingAccountTests.files(stage.profile)
        let run = try WindowRun("join-only", arguments: [
            "run", "--providers", try WizardWorldTests.providerFile(world), "--tor-socks", stage.socks,
            "--purple-dir", stage.profile.path, "--room", world.roomJID, "--force"], desktop: stage.desktop)
        defer { run.close() }

        try run.page(DesktopWindowTests.introduction)
        try run.click("Next")
        let fork = try run.page(Self.forkPage)
        #expect(fork.shows(jid), "the profile's accounts are not named: \(fork.texts)")
        try run.click(Self.pidginChoice)
        try run.click("Next")
        let accounts = try run.page("Which of Pidgin's accounts should join the room?")
        #expect(accounts.shows("An account you made yourself may carry your identity"), "\(accounts.texts)")
        #expect(accounts.shows("without Tor (no proxy)"), "\(accounts.texts)")
        try run.click(jid)
        try run.click("Next")
        let tor = try run.page("Joining the room with this account")
        #expect(tor.shows("its server sees"), "\(tor.texts)")
        try run.click("Next") // the check box is on: through Tor
        try run.page(DesktopWindowTests.certificatePage, timeout: 90)
        try run.click("Trust")
        let done = try run.page("The room is added", timeout: 90)
        #expect(done.shows("The room was added to Pidgin's account:") && done.shows(jid))
        #expect(!done.has("Show password"))
        try run.click("Close")
        #expect(run.exitStatus() == 0, "\(run.output)")

        // blist.xml: the chat only. accounts.xml: only this account's connection. The onion's pin is new.
        let after = try ExistingAccountTests.files(stage.profile)
        for (name, bytes) in before where !["blist.xml", "accounts.xml"].contains(name) {
            #expect(after[name] == bytes, "\(name) changed")
        }
        #expect(ExistingAccountTests.insertion(from: before["blist.xml"]!, to: after["blist.xml"]!) != nil, "blist.xml changed elsewhere")
        #expect(Set(after.keys).subtracting(before.keys) == ["certificates/x509/tls_peers/\(world.onion)"])
        let oldAccounts = String(decoding: before["accounts.xml"]!, as: UTF8.self)
        let newAccounts = String(decoding: after["accounts.xml"]!, as: UTF8.self)
        let others = try #require(oldAccounts.range(of: "\t<account>\n\t\t<protocol>prpl-jabber</protocol>\n\t\t<name>\(jid)/"))
        #expect(newAccounts.hasPrefix(String(oldAccounts[..<others.lowerBound])), "an account before it changed")
        #expect(newAccounts.contains("<type>tor</type>") && !newAccounts.contains("<type>none</type>"))

        let finch = try Finch.run(profile: stage.profile, timeout: 120, world: world) {
            $0.joinedRoom(world.roomJID) || $0.certificatePromptShown
        }
        #expect(finch.evidence.loggedIn, "\(finch.summary)")
        #expect(finch.evidence.usedSOCKS5Proxy(target: "\(world.onion):\(world.onionPort)", proxy: stage.socks))
        #expect(finch.evidence.peerCertMatchedCached && !finch.evidence.certificatePromptShown, "\(finch.summary)")
        #expect(finch.evidence.abortedDNSLookups)
        #expect(finch.evidence.joinedRoom(world.roomJID), "\(finch.summary)")
    }
}
