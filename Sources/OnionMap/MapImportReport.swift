// onionboard — GPL-3.0-or-later.

/// What `providers import` says about an upstream onions_map: each entry classified
/// as a usable v3 onion, a dead v2 onion, or invalid (with the reason).
public struct MapImportReport: Sendable, Encodable {
    public enum Status: String, Sendable, Encodable {
        case v3
        case v2
        case invalid
    }

    public struct Entry: Sendable, Encodable {
        public let line: Int
        public let domain: String
        /// The value as written in the file.
        public let value: String
        public let status: Status
        /// The normalised onion host name, for v3 entries.
        public let onion: String?
        /// The port in the value, if any (mod_onions: the s2s port).
        public let port: Int?
        /// Why the entry is not usable (v2 or invalid).
        public let reason: String?
    }

    public struct Counts: Sendable, Encodable, Equatable {
        public let entries: Int
        public let v3: Int
        public let v2: Int
        public let invalid: Int
        /// Distinct domains, and distinct onion names (the label before ".onion", lower case;
        /// every value with a host counts, valid or not).
        public let distinctDomains: Int
        public let distinctOnions: Int
    }

    public struct Duplicate: Sendable, Encodable {
        public let domain: String
        public let lines: [Int]
    }

    /// Several domains served by one onion (aliases such as mdosch.de = diebesban.de).
    public struct SharedOnion: Sendable, Encodable {
        public let onion: String
        public let domains: [String]
    }

    public let source: String
    public let entries: [Entry]
    public let counts: Counts
    public let duplicates: [Duplicate]
    public let sharedOnions: [SharedOnion]
    /// Accepted deviations from Lua (e.g. missing separators), "line L, column C: ...".
    public let warnings: [String]

    public init(map: OnionsMap, source: String) {
        var entries: [Entry] = []
        var onionDomains: [String: [String]] = [:]
        var seenPairs: Set<[String]> = []  // (onion, domain): a list's `contains` made one shared onion quadratic
        var onionOrder: [String] = []
        for item in map.entries {
            let entry = Self.classify(item)
            entries.append(entry)
            // The service ID, for v3 and v2 alike (`classify` already validated v3 names).
            let id = entry.status == .invalid ? nil : item.host.map(Self.serviceName)
            if let id {
                if onionDomains[id] == nil { onionOrder.append(id) }
                let domain = item.domain.lowercased()
                if seenPairs.insert([id, domain]).inserted {
                    onionDomains[id, default: []].append(domain)
                }
            }
        }
        self.source = source
        self.entries = entries
        counts = Counts(
            entries: entries.count,
            v3: entries.count { $0.status == .v3 },
            v2: entries.count { $0.status == .v2 },
            invalid: entries.count { $0.status == .invalid },
            distinctDomains: Set(map.entries.map { $0.domain.lowercased() }).count,
            distinctOnions: Set(map.entries.compactMap { $0.host.map(Self.serviceName) }).count)
        duplicates = map.duplicates.map { Duplicate(domain: $0.domain, lines: $0.lines) }
        sharedOnions = onionOrder.compactMap { id in
            let domains = onionDomains[id]!
            return domains.count > 1 ? SharedOnion(onion: id + ".onion", domains: domains) : nil
        }
        warnings = map.warnings.map(\.description)
    }

    private static func classify(_ item: OnionsMapEntry) -> Entry {
        func entry(_ status: Status, onion: String? = nil, reason: String? = nil) -> Entry {
            Entry(line: item.line, domain: item.domain, value: item.rawValue, status: status,
                  onion: onion, port: item.port, reason: reason)
        }
        if let problem = DomainName.problem(item.domain) {
            return entry(.invalid, reason: "the key is not a domain: \(problem)")
        }
        if let problem = item.valueProblem { return entry(.invalid, reason: problem) }
        guard let host = item.host else { return entry(.invalid, reason: "no host") }
        switch OnionAddress.classify(host) {
        case .v3(let address):
            return entry(.v3, onion: address.hostname)
        case .v2:
            return entry(.v2, reason: "v2 onion (16 characters); " + OnionAddressError.version2Explanation)
        case .invalid(let error):
            return entry(.invalid, reason: error.reasonText)
        }
    }

    /// The last label before ".onion", lower case (the service ID of a well-formed name).
    private static func serviceName(_ host: String) -> String {
        let name = host.lowercased()
        let bare = name.hasSuffix(".onion") ? String(name.dropLast(6)) : name
        return bare.split(separator: ".", omittingEmptySubsequences: false).last.map(String.init) ?? bare
    }
}
