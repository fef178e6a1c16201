import Foundation
import Testing
import Secrets
import TestSupport
@testable import Wizard
import WizardAdapters

@Suite("Adapters to the real layers")
struct AdapterTests {
    @Test("the bundled provider map becomes provider choices with registration and CAPTCHA status")
    func onionMap() throws {
        let providers = try OnionMapProviders(extraFiles: []).allProviders()
        let jabjab = try #require(providers.first { $0.domain == "jabjab.de" })
        #expect(jabjab.registration == .open)
        #expect(jabjab.captcha == true)
        #expect(jabjab.onion.hasSuffix(".onion") && jabjab.onion.count == 62)
        #expect(providers.first { $0.domain == "dismail.de" }?.registration == .closed)
        // tails-support offers open/unknown registration, never closed ones.
        let engine = WizardEngine(template: try Fixtures.tailsSupport(), providers: providers)
        #expect(!engine.offeredProviders.contains { $0.registration == .closed })
        #expect(engine.offeredProviders.first?.registration == .open)
    }

    @Test("an extra metadata file adds a provider (the local world's map works the same way)")
    func extraFile() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("extra.json")
        try #"{"onionboard.test": {"onion": "fzdx522fvinbaqgwxdet45wryluchpplrkkzkry33um5tufkjd3wdaqd.onion", "registration": "yes", "captcha": false, "directTLSPort": 5223}}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let providers = try OnionMapProviders(extraFiles: [file.path]).allProviders()
        let local = try #require(providers.first { $0.domain == "onionboard.test" })
        #expect(local.directTLSPort == 5223)
        let offered = WizardEngine(template: try Fixtures.tailsSupport(), providers: providers).offeredProviders
        #expect(offered.prefix { $0.registration == .open && $0.captcha == false }.contains { $0.domain == "onionboard.test" })
    }

    @Test("the profile written through PurpleConfig is read back as an existing account with its room")
    func profileRoundTrip() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = PurpleProfileWriter()
        let profile = directory.appendingPathComponent("purple").path
        #expect(try writer.existingAccounts(in: profile).isEmpty)
        let engine = try Fixtures.engine()
        let plan = try engine.plan(Fixtures.answers([("provider", "open.example"), ("purple-dir", profile), ("handle", "Ünï & <co>")]),
                                   password: nil, generator: SequenceGenerator(),
                                   context: .init(homeDirectory: "/h", interactive: false))
        let account = RegisteredAccount(jid: plan.jid, certificatePEM: "", certificateSHA256: "")
        let report = try writer.write(plan, account: account, force: true)
        #expect(Set(report.written.map { URL(fileURLWithPath: $0).lastPathComponent }) == ["accounts.xml", "blist.xml"])
        let accounts = try writer.existingAccounts(in: profile)
        // Through Tor, its password kept, and marked as onionboard's own (bootstrap may put its room back).
        #expect(accounts == [ExistingAccount(jid: "generated1@open.example", connectServer: Fixtures.openProvider.onion,
                                             rooms: ["tails@chat.disroot.org"], port: 5222, tlsMode: .startTLS,
                                             proxyType: "tor", proxyHost: "127.0.0.1", proxyPort: 9050,
                                             madeByOnionboard: true, passwordSaved: true)])
        #expect(try writer.savedPassword(of: "generated1@open.example/", in: profile)?.utf8String == "generated-password-1")
        #expect(Bootstrap.existingSetup(in: accounts, providers: Fixtures.providers)?.jid == "generated1@open.example")
        let accountsXML = try String(contentsOfFile: profile + "/accounts.xml", encoding: .utf8)
        #expect(accountsXML.contains("generated-password-1"))  // the password goes into the profile, and only there
        #expect(!report.written.isEmpty)

        try "<account version='1.0'><account>".write(toFile: profile + "/accounts.xml", atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try writer.existingAccounts(in: profile) }
    }
}

/// The live checks kept between runs: private, merged by domain, old ones dropped, a
/// damaged file costs nothing but the kept checks.
@Suite("Kept provider checks")
struct ProviderCheckFileTests {
    static func check(_ domain: String, at time: Double, outcome: ProviderCheck.Outcome = .reachable) -> ProviderCheck {
        ProviderCheck(domain: domain, onion: String(repeating: "a", count: 56) + ".onion", outcome: outcome,
                      reason: outcome == .reachable ? nil : "not in the Tor network", seconds: 1.5,
                      registration: outcome == .reachable ? .open : nil, checkedAt: time)
    }

    @Test func keptPrivatelyAndMerged() throws {
        let home = try TestSupport.makeTemporaryDirectory("state")
        defer { try? FileManager.default.removeItem(at: home) }
        let directory = ProviderCheckFile.standardDirectory(environment: ["XDG_STATE_HOME": home.path], home: "/nowhere")
        #expect(directory == home.path + "/onionboard")
        #expect(ProviderCheckFile.standardDirectory(environment: ["XDG_STATE_HOME": "relative", "HOME": "/home/amnesia"], home: "/x")
                == "/home/amnesia/.local/state/onionboard")
        let file = ProviderCheckFile(directory: directory)
        #expect(file.load().isEmpty)
        let now = Date().timeIntervalSince1970
        file.save([Self.check("a.example", at: now - 120), Self.check("b.example", at: now - 60)])
        file.save([Self.check("a.example", at: now, outcome: .unreachable), Self.check("old.example", at: now - 8 * 86_400)])
        let kept = file.load()
        #expect(kept.keys.sorted() == ["a.example", "b.example"], "merged by domain; a week-old check is dropped")
        #expect(kept["a.example"]?.outcome == .unreachable)
        #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int == 0o700)
        #expect(kept["b.example"]?.summary(now: now, own: false) == "checked 1 minute ago: reachable in 1.5 s, open registration, no CAPTCHA")

        try "{ not json".write(toFile: file.path, atomically: true, encoding: .utf8)
        #expect(file.load().isEmpty)
        file.save([Self.check("c.example", at: now)])
        #expect(file.load().keys.sorted() == ["c.example"])
    }
}
