import Foundation
import Testing
import TestSupport
import Wizard
import WizardAdapters

/// The desktop window in Persian (issue 20): laid out right to left, every page in Persian
/// and no English on it but names and addresses, through a whole run against the local
/// world; each page screenshotted to artifacts/gtk/persian/.
@Suite("Desktop window in Persian, right to left (Xvfb, AT-SPI, local world)", .serialized)
struct DesktopTranslationTests {
    @Test("a whole run in Persian: right-to-left pages (Cancel on the right, Next on the left), in Persian, with no English left; the profile is written",
          .enabled(if: DesktopWindowTests.enabled))
    func persian() throws {
        let stage = try DesktopWindowTests.Stage()
        defer { stage.close() }
        let world = stage.world
        let catalog = try MessageCatalog.load("fa")
        let wizard = try TemplateLibrary.loadBundled(TemplateLibrary.defaultID).localized(to: ["fa"])
        let english = try EnglishCheck(language: "fa")
        let run = try WindowRun("persian", arguments: [
            "run", "--providers", try WizardWorldTests.providerFile(world), "--tor-socks", stage.socks,
            "--purple-dir", stage.profile.path, "--force"], desktop: stage.desktop, environment: ["LANGUAGE": "fa"])
        defer { run.close() }
        func inPersian(_ page: PageView, sourceLocation: SourceLocation = #_sourceLocation) {
            let shown = ([page.heading ?? "", page.frame ?? ""] + page.texts + page.buttons.map(\.name)).joined(separator: "\n")
            let leftovers = english.leftovers(shown)
            #expect(leftovers.isEmpty, "English on the Persian page \(page.heading ?? "?"): \(leftovers)\n\(shown)",
                    sourceLocation: sourceLocation)
        }

        let intro = try run.page(wizard.title)
        inPersian(intro)
        #expect(intro.shows(catalog.text("What it does not do")))
        // Right to left: the row of buttons starts (Cancel) on the right and ends (Next) on the left.
        let cancel = try run.extents(catalog.text("Cancel")), next = try run.extents(catalog.text("Next"))
        #expect(cancel.x > next.x, "not right to left: Cancel at x \(cancel.x), Next at x \(next.x)")
        try run.click(catalog.text("Next"))

        // The fork (issue 18): its question and its three ways in Persian, a new account pre-selected.
        let fork = try run.page(wizard.question("account")!.prompt)
        inPersian(fork)
        // The ways are radio buttons (not in the page's texts): found by their Persian names.
        for path in [AccountPath.new, .existing] {
            #expect(try run.extents(catalog.text(path.label)).width > 0, "no radio button “\(catalog.text(path.label))”")
            #expect(english.leftovers(catalog.text(path.label)).isEmpty && catalog.text(path.label) != path.label)
        }
        #expect(try run.focused().name == catalog.text(AccountPath.new.label), "a new account is not the pre-selected way")
        try run.click(catalog.text("Next"))

        let providers = try run.page(wizard.question("provider")!.prompt)
        inPersian(providers)
        #expect(providers.shows(catalog.text("open registration, no CAPTCHA")), "\(providers.texts)")
        #expect(providers.shows(catalog.text("name@{0}", world.xmppDomain)), "the world's provider is not pre-selected")
        try run.click(catalog.text("Next"))

        let account = try run.page(catalog.text("Your new account"))
        inPersian(account)
        #expect(account.entry(wizard.question("username")!.prompt)?.isEmpty == false)
        try run.click(catalog.text("Next"))

        let certificate = try run.page(catalog.text("Check the server's certificate"), timeout: 90)
        inPersian(certificate)
        #expect(certificate.shows(catalog.text("What trusting means")))
        try run.click(catalog.text("Trust"))

        let done = try run.page(catalog.text("Your account is ready"), timeout: 90)
        inPersian(done)
        #expect(done.shows(catalog.text("Your new address:")))
        let close = try run.extents(catalog.text("Close")), start = try run.extents(catalog.text("Start Pidgin"))
        #expect(close.x > start.x, "not right to left at the end: Close at x \(close.x), Start Pidgin at x \(start.x)")
        try run.click(catalog.text("Close"))
        #expect(run.exitStatus() == 0, "\(run.output)")
        #expect(FileManager.default.fileExists(atPath: stage.profile.appendingPathComponent("accounts.xml").path))
        let blist = try String(contentsOf: stage.profile.appendingPathComponent("blist.xml"), encoding: .utf8)
        #expect(blist.contains(wizard.room.alias!), "the room is not named in Persian in the buddy list")
    }
}
