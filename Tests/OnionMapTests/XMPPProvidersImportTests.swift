import Foundation
import OnionMap
import Testing

/// `providers import` of XMPP Providers' JSON: set beside the map, differences said.
@Suite("XMPP Providers import")
struct XMPPProvidersImportTests {
    static let openimOnion = "q7d5cnhotu5wgynyn3dtd342t3gvsvsuch72ikkek4a5m33lcj7r3ryd.onion"

    @Test("the flattened list: registration, CAPTCHA, onion domains among the alternative JIDs, where it differs from the map")
    func flattened() throws {
        let json = """
            [
              {"jid": "jabjab.de", "category": "A", "inBandRegistration": true, "inBandRegistrationCaptchaRequired": true,
               "serverSoftwareName": "ejabberd", "serverSoftwareVersion": "26.2.0", "serverLocations": ["de"], "latestChange": "2026-02-14"},
              {"jid": "xmpp.is", "category": "B", "inBandRegistration": true, "inBandRegistrationCaptchaRequired": false,
               "registrationWebPage": {"en": "https://xmpp.is/account/register/"}},
              {"jid": "openim.nl", "category": "A", "inBandRegistration": true, "inBandRegistrationCaptchaRequired": true,
               "alternativeJids": ["\(Self.openimOnion)", "not-an-onion.example", "ijeeynrc6x2uy5ob.onion"]},
              {"jid": "new.example", "category": "A", "inBandRegistration": false},
              {"category": "A"},
              "garbage"
            ]
            """
        let report = try XMPPProvidersReport(Array(json.utf8), source: "providers-B.json", map: try ProviderCatalog.bundled())
        #expect(report.entries.map(\.jid) == ["jabjab.de", "new.example", "openim.nl", "xmpp.is"])
        #expect(report.warnings.count == 2)
        let jabjab = try #require(report.entries.first { $0.jid == "jabjab.de" })
        #expect(jabjab.mapOnion == "jabjabdea2eewo3gzfurscj2sjqgddptwumlxi3wur57rzf5itje2rid.onion")
        #expect(jabjab.serverSoftware == "ejabberd 26.2.0" && jabjab.captcha == true && jabjab.differences.isEmpty)
        // The map has xmpp.is without in-band registration: the difference is said.
        let xmppIs = try #require(report.entries.first { $0.jid == "xmpp.is" })
        #expect(xmppIs.differences == ["registration: the map says no, XMPP Providers says yes"])
        #expect(xmppIs.webRegistrationURL == "https://xmpp.is/account/register/")
        // Only valid v3 onions count as onion domains.
        let openim = try #require(report.entries.first { $0.jid == "openim.nl" })
        #expect(openim.onionDomains == [Self.openimOnion])
        #expect(report.entries.first { $0.jid == "new.example" }?.mapOnion == nil)
        #expect(report.counts.entries == 4 && report.counts.inBandRegistration == 3 && report.counts.captcha == 2)
        #expect(report.counts.inMap == 3 && report.counts.onionDomains == 1)
    }

    @Test("the full list wraps each property as {content, source}")
    func full() throws {
        let json = #"[{"jid": {"content": "jabjab.de"}, "inBandRegistration": {"content": false, "source": "https://x"}}]"#
        let report = try XMPPProvidersReport(Array(json.utf8), source: "providers.json", map: try ProviderCatalog.bundled())
        #expect(report.entries.first?.inBandRegistration == false)
        #expect(report.entries.first?.differences == ["registration: the map says yes, XMPP Providers says no"])
    }

    @Test("recognised by its first character; an object is not its format")
    func recognised() throws {
        #expect(XMPPProvidersReport.looksLikeXMPPProviders(Array("\n [ {}]".utf8)))
        #expect(!XMPPProvidersReport.looksLikeXMPPProviders(Array("{}".utf8)))
        #expect { try XMPPProvidersReport(Array("{}".utf8), source: "x.json", map: try ProviderCatalog.bundled()) } throws: { error in
            (error as? ProviderMetadataError)?.message.contains("a list of providers") == true
        }
    }
}
