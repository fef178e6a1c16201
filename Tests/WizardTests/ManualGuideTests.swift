import Foundation
import Testing
import Vocabulary
@testable import Wizard

/// `templates guide`: the manual made from the template and the provider data. The golden
/// file is the whole English guide for fixed data; ONIONBOARD_UPDATE_GOLDEN=1 rewrites it
/// (then read the diff: it is what a person will follow).
@Suite("The generated manual (templates guide)")
struct ManualGuideTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let open = ProviderChoice(domain: "open.example", onion: String(repeating: "a", count: 52) + "aaad.onion",
                                     registration: .open, captcha: false,
                                     details: ProviderDetails(website: "https://open.example/", lastVerified: "2026-11-30: probed"))
    static let captcha = ProviderChoice(domain: "captcha.example", onion: String(repeating: "b", count: 52) + "bbbd.onion",
                                        clientPort: 5333, registration: .open, captcha: true,
                                        webRegistrationURL: "https://captcha.example/register")
    static let closed = ProviderChoice(domain: "closed.example", onion: String(repeating: "c", count: 52) + "cccd.onion",
                                       registration: .closed, webRegistrationURL: "https://closed.example/")
    static let now = 1_796_500_000.0
    static let sha256 = String(repeating: "ab", count: 32)
    static let sha1 = "0123456789abcdef0123456789abcdef01234567"

    static func template() throws -> WizardTemplate { try TemplateLibrary.loadBundled("tails-support") }

    static func check(_ provider: ProviderChoice, outcome: ProviderCheck.Outcome = .reachable, ago: Double = 120) -> ProviderCheck {
        var check = ProviderCheck(domain: provider.domain, onion: provider.onion, outcome: outcome,
                                  reason: outcome == .unreachable ? "not in the Tor network" : nil,
                                  seconds: outcome == .reachable ? 4.2 : nil,
                                  registration: outcome == .reachable ? (provider.captcha == true ? .captcha : .open) : nil,
                                  certificateSHA256: outcome == .reachable ? sha256 : nil, checkedAt: now - ago)
        if outcome == .reachable { check.certificateSHA1 = sha1 }
        return check
    }

    static func input(chosen: String? = nil, checks: [ProviderCheck] = [], labels: PidginLabels = PidginLabels()) throws -> GuideInput {
        GuideInput(template: try template(), providers: [closed, captcha, open],
                   checks: Dictionary(uniqueKeysWithValues: checks.map { ($0.domain, $0) }), chosenDomain: chosen,
                   now: now, generator: "onionboard (test)", labels: labels)
    }

    @Test("The whole English guide for fixed data matches the reviewed golden file")
    func goldenMarkdown() throws {
        let guide = try ManualGuide.make(try Self.input(checks: [Self.check(Self.open), Self.check(Self.captcha, outcome: .unreachable)]))
        let text = guide.markdown()
        let file = Self.golden.appendingPathComponent("guide-tails-support.en.md")
        if ProcessInfo.processInfo.environment["ONIONBOARD_UPDATE_GOLDEN"] == "1" {
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected, "the guide changed; if on purpose, rerun with ONIONBOARD_UPDATE_GOLDEN=1 and review the diff")
    }

    @Test("Every value Pidgin needs is in the account dialog's fields: the onion as connect server, the port, Tor's SOCKS, encryption required")
    func accountFields() throws {
        let guide = try ManualGuide.make(try Self.input(chosen: "captcha.example"))
        let fields = guide.sections.flatMap(\.blocks).flatMap { block -> [GuideField] in
            if case .fields(_, let fields) = block { return fields }
            return []
        }
        func value(_ label: String) -> String? { fields.first { $0.label == label }?.value }
        #expect(value("Domain") == "captcha.example")
        #expect(value("Connect server") == Self.captcha.onion)
        #expect(value("Connect port") == "5333")
        #expect(value("Connection security") == "Require encryption")
        #expect(value("Proxy type") == "Tor/Privacy (SOCKS5)")
        #expect(value("Host") == "127.0.0.1" && value("Port") == "9050")
        #expect(value("Create this new account on the server") == "on")
        #expect(value("Room") == "tails" && value("Server") == "chat.disroot.org")
        #expect(value("Automatically join when account connects") == "on")
        #expect(fields.first { $0.label == "Username" }?.isPlaceholder == true)
        let text = guide.markdown()
        #expect(text.contains("CAPTCHA") && text.contains("30 seconds"), "a CAPTCHA provider's guide must say so")
        #expect(text.contains("No fingerprint is known for this guide"), "no check kept: no fingerprint may be invented")
    }

    @Test("The chosen provider: --provider, else the best kept check, else the template's order; unknown and not offered are errors")
    func providerChoice() throws {
        #expect(try ManualGuide.make(try Self.input()).markdown().contains("This guide uses open.example."))
        // The check says the first in order is dead and the CAPTCHA one works: the live one wins.
        let live = try ManualGuide.make(try Self.input(checks: [Self.check(Self.open, outcome: .unreachable), Self.check(Self.captcha)]))
        #expect(live.markdown().contains("This guide uses captcha.example."))
        #expect(throws: GuideProviderError.self) { try ManualGuide.make(try Self.input(chosen: "nowhere.example")) }
        let notOffered = #expect(throws: GuideProviderError.self) { try ManualGuide.make(try Self.input(chosen: "closed.example")) }
        #expect(notOffered?.message.contains("does not offer closed.example") == true)
    }

    @Test("The fingerprint to compare is the SHA-1 Pidgin shows, from the kept check, colon-separated")
    func fingerprint() throws {
        let text = try ManualGuide.make(try Self.input(checks: [Self.check(Self.open)])).markdown()
        #expect(text.contains("    01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67\n"))
        #expect(text.contains("SHA-256: AB:AB:"))
        #expect(text.contains("Fingerprint (SHA1)"))
    }

    @Test("Pidgin's own labels are used as given (the person's language), menu paths joined, mnemonics dropped")
    func labels() throws {
        let german: [String: String] = ["Connect server": "Verbindungsserver", "/Accounts/Manage Accounts": "/_Konten/Konten verwalten",
                                        "Pro_tocol:": "Pr_otokoll:"]
        let guide = try ManualGuide.make(try Self.input(labels: PidginLabels { german[$0] ?? $0 }))
        let text = guide.markdown()
        #expect(text.contains("| Verbindungsserver | `"))
        #expect(text.contains("Open Konten ▸ Konten verwalten and click Add."))
        #expect(text.contains("| Protokoll | `XMPP` |"))
        #expect(PidginLabels.plain("_View Certificate...") == "View Certificate")
        #expect(PidginLabels.plain("Fingerprint (SHA1): %s") == "Fingerprint (SHA1)")
    }

    @Test("The HTML page is self-contained, escapes every text, prints, and lays out right-to-left when asked")
    func html() throws {
        var hostile = Self.open
        hostile.details = ProviderDetails(website: "https://x.example/<script>alert(1)</script>", lastVerified: "\"><img src=x>")
        let input = GuideInput(template: try Self.template(), providers: [hostile], now: Self.now, generator: "onionboard (test)")
        let page = try ManualGuide.make(input).html(language: "fa", rightToLeft: true)
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.hasSuffix("</html>\n"))
        #expect(page.contains("<html lang=\"fa\" dir=\"rtl\">"))
        #expect(!page.contains("<script") && !page.contains("<img"), "server or map text reached the page as markup")
        #expect(page.contains("&lt;script&gt;"))
        for external in ["<link", "<img", "<iframe", "<object", "@import", "url("] { #expect(!page.contains(external), "external resource: \(external)") }
        #expect(page.contains("@media print"))
        #expect(page.contains("<p class=\"literal\">\(Self.open.onion)</p>"))
    }
}
