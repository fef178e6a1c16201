import Foundation
import OnionMap
import Testing

/// The curated data in Providers/, as compiled into the binary.
@Suite("bundled provider data")
struct BundledDataTests {
    @Test("the bundled map parses cleanly: v3 only, every onion passes the checksum, no duplicates")
    func bundledMap() throws {
        let map = try OnionsMap.parse(BundledData.onionsMapText, source: BundledData.mapName)
        #expect(map.entries.count >= 20)
        #expect(map.warnings.isEmpty)
        #expect(map.duplicates.isEmpty)
        let report = MapImportReport(map: map, source: BundledData.mapName)
        #expect(report.counts.v3 == map.entries.count)
        #expect(report.counts.v2 == 0 && report.counts.invalid == 0)
        for entry in map.entries {
            #expect(entry.port == nil && entry.valueProblem == nil, "\(entry.domain)")
            let host = try #require(entry.host)
            #expect(try OnionAddress(host).hostname == host, "\(entry.domain): written normalised")
        }
    }

    @Test("map and metadata describe the same providers with the same onions")
    func mapMatchesMetadata() throws {
        let map = try OnionsMap.parse(BundledData.onionsMapText, source: BundledData.mapName)
        let metadata = try ProviderMetadata.parse(BundledData.providersJSON, source: BundledData.metadataName)
        #expect(metadata.warnings.isEmpty)
        let fromMap = Dictionary(uniqueKeysWithValues: map.entries.map { ($0.domain, $0.host ?? "") })
        let fromMetadata = Dictionary(uniqueKeysWithValues: metadata.providers.map { ($0.domain, $0.onion.hostname) })
        #expect(fromMap == fromMetadata)
    }

    @Test("every bundled record states every field, its sources and that it was never probed live")
    func metadataIsExplicit() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(BundledData.providersJSON)) as? [String: Any])
        let records = object.filter { !$0.key.hasPrefix("_") }
        #expect(records.count >= 20)
        for (domain, value) in records {
            let record = try #require(value as? [String: Any], "\(domain)")
            #expect(Set(record.keys) == ProviderMetadata.knownKeys, "\(domain) lacks \(ProviderMetadata.knownKeys.subtracting(record.keys))")
        }
        let catalog = try ProviderCatalog.bundled()
        #expect(catalog.warnings.isEmpty)
        for provider in catalog.providers {
            #expect(!provider.sources.isEmpty, "\(provider.domain)")
            #expect(provider.sources.allSatisfy { $0.url != nil && $0.date != nil }, "\(provider.domain)")
            let verified = try #require(provider.lastVerified, "\(provider.domain)")
            #expect(verified.what.hasPrefix("never probed live"), "\(provider.domain)")
            #expect(verified.date != nil)
            #expect(provider.pinSHA256 == nil, "no certificate was ever fetched, so no pin is known")
            #expect(provider.origin == BundledData.metadataName)
        }
    }

    @Test("in-band registration over an onion, by the newest data: without a CAPTCHA first")
    func registrationCandidates() throws {
        let catalog = try ProviderCatalog.bundled()
        let candidates = catalog.registrationCandidates
        #expect(candidates.map(\.domain) == [
            "6voaf7iamjpufgwoulypzwwecsm2nu7j5jpgadav2rfqixmpl4d65kid.onion", "jabber-germany.de", "jabbers.one",
            "jabjab.de", "magicbroccoli.de", "openim.nl", "q7d5cnhotu5wgynyn3dtd342t3gvsvsuch72ikkek4a5m33lcj7r3ryd.onion",
            "trashserver.net",
        ])
        #expect(candidates.prefix(3).allSatisfy { $0.captcha == false } && candidates.dropFirst(3).allSatisfy { $0.captcha == true })
        #expect(candidates.allSatisfy { $0.clientPort == 5222 })
        #expect(catalog.provider(for: "jabjab.de")?.onion.serviceID
                == "jabjabdea2eewo3gzfurscj2sjqgddptwumlxi3wur57rzf5itje2rid")
        #expect(catalog.provider(for: "magicbroccoli.de")?.onion.serviceID
                == "gois4b6fahhrlsieupl56xd6ya226m33abzuv26vgfpuvv44wf6vbdad")
    }

    @Test("the onion domains: accounts under the onion's own domain, run by the provider whose onion it is")
    func onionDomains() throws {
        let catalog = try ProviderCatalog.bundled()
        let domains = catalog.providers.filter(\.isOnionDomain)
        #expect(domains.map(\.domain) == ["6voaf7iamjpufgwoulypzwwecsm2nu7j5jpgadav2rfqixmpl4d65kid.onion",
                                          "q7d5cnhotu5wgynyn3dtd342t3gvsvsuch72ikkek4a5m33lcj7r3ryd.onion"])
        for provider in domains {
            let operatedBy = try #require(provider.operatedBy)
            #expect(catalog.provider(for: operatedBy)?.onion == provider.onion, "\(provider.domain) is \(operatedBy)'s onion")
        }
        // xmpp.is registers only on the web; its onion's own domain allows in-band registration.
        #expect(catalog.provider(for: "xmpp.is")?.registration == .no)
        #expect(catalog.provider(for: domains[0].domain)?.registration == .yes)
        #expect(catalog.provider(for: domains[0].domain)?.sources.allSatisfy { $0.url?.contains("unredacted/xmpp.is") == true } == true)
    }

    @Test("disagreements between the sources are recorded, not guessed away")
    func disagreements() throws {
        let catalog = try ProviderCatalog.bundled()
        for domain in ["jabber-germany.de", "trashserver.net", "jabbers.one", "jabber.hot-chilli.net", "openim.nl"] {
            #expect(!(catalog.provider(for: domain)?.disagreements.isEmpty ?? true), "\(domain)")
        }
        #expect(catalog.provider(for: "trashserver.net")?.disagreements.first?.contains("xmpp.trashserver.net") == true)
        #expect(catalog.provider(for: "xmpp.trashserver.net") == nil)
    }

    @Test("providers without a v3 onion or with conflicting data are not in the map")
    func leftOut() throws {
        let catalog = try ProviderCatalog.bundled()
        for domain in ["jabber.calyxinstitute.org", "jabber.cat", "jabber.ccc.de", "creep.im", "jabber.otr.im"] {
            #expect(catalog.provider(for: domain) == nil, "\(domain)")
        }
        #expect(catalog.provider(for: "xmpp.is")?.registration == .no)
        #expect(catalog.provider(for: "xmpp.is")?.webRegistrationURL == "https://xmpp.is/account/register/")
    }
}
