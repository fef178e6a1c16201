// onionboard — GPL-3.0-or-later.
@testable import OnionMap

/// `providers import` and `--providers FILE.lua`: the byte tokenizer and the map parser,
/// then the import report and the catalog built from the map.
enum OnionsMapTarget {
    static func run(_ data: [UInt8]) {
        guard let map = try? OnionsMap.parse(data, source: "fuzz.lua") else { return }
        // The String entry point (valid UTF-8) reads the same map.
        if let text = String(validating: data, as: UTF8.self) {
            invariant((try? OnionsMap.parse(text, source: "fuzz.lua")) == map, "parse(String) differs from parse(bytes)")
        }
        let lines = data.count { $0 == 0x0A || $0 == 0x0D } + 1
        for entry in map.entries {
            invariant(entry.line >= 1 && entry.line <= lines && entry.column >= 1, "entry position \(entry.line):\(entry.column)")
        }

        let report = MapImportReport(map: map, source: "fuzz.lua")
        let counts = report.counts
        invariant(counts.entries == map.entries.count && counts.v3 + counts.v2 + counts.invalid == counts.entries,
                  "counts \(counts)")
        for entry in report.entries where entry.status == .v3 {
            guard let onion = entry.onion, case .v3(let address) = OnionAddress.classify(onion) else {
                invariant(false, "a v3 entry's onion \(entry.onion ?? "nil") does not re-validate")
                return
            }
            invariant(address.hostname == onion, "the onion \(onion) normalises to \(address.hostname)")
            invariant(DomainName.problem(entry.domain) == nil, "a v3 entry with an invalid domain \(entry.domain)")
        }
        for shared in report.sharedOnions {
            invariant(shared.domains.count > 1 && Set(shared.domains).count == shared.domains.count, "shared onion \(shared)")
        }

        guard let catalog = try? ProviderCatalog(layers: [.map(map, source: "fuzz.lua")]) else {
            invariant(false, "a parsed map is refused by the catalog")
            return
        }
        for provider in catalog.providers {
            invariant(OnionAddress.classify(provider.onion.hostname) == .v3(provider.onion),
                      "the catalog's onion \(provider.onion) does not re-validate")
            invariant(DomainName.problem(provider.domain) == nil && provider.domain == provider.domain.lowercased(),
                      "the catalog's domain \(provider.domain)")
        }
        invariant(catalog.providers.map(\.domain) == catalog.providers.map(\.domain).sorted(), "catalog not sorted")
    }
}

/// `--providers FILE.json`: the metadata parser.
enum ProviderMetadataTarget {
    static func run(_ data: [UInt8]) {
        guard let parsed = try? ProviderMetadata.parse(data, source: "fuzz.json") else { return }
        for provider in parsed.providers {
            invariant(OnionAddress.classify(provider.onion.hostname) == .v3(provider.onion),
                      "the onion \(provider.onion) of \(provider.domain) does not re-validate")
            invariant(DomainName.problem(provider.domain) == nil, "the domain \(provider.domain) is not one")
            invariant((1...65535).contains(provider.clientPort), "client port \(provider.clientPort)")
            invariant(provider.directTLSPort.map { (1...65535).contains($0) } ?? true, "direct TLS port \(String(describing: provider.directTLSPort))")
        }
        let domains = parsed.providers.map(\.domain)
        invariant(domains == domains.sorted() && Set(domains).count == domains.count, "domains \(domains)")
        // The catalog takes the same providers.
        guard let catalog = try? ProviderCatalog(layers: [.metadata(data, source: "fuzz.json")]) else {
            invariant(false, "parsed metadata is refused by the catalog")
            return
        }
        invariant(catalog.providers.count == Set(domains).count, "catalog has \(catalog.providers.count) of \(domains.count)")
    }
}
