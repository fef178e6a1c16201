// onionboard — GPL-3.0-or-later.
import Diagnostics
import FoundationEssentials

/// Reads XMPP Providers' JSON (https://data.xmpp.net/providers/v2/, the format KDE's
/// Kaidan vendors: a list of providers keyed by `jid`, either flattened — `providers-B.json`
/// — or with `{content, source}` per property — `providers.json`) and sets it beside the
/// provider map: which providers it lists, what it says about registration, and where it
/// disagrees with the map. Its schema has no onion field: an onion can only appear as an
/// alternative JID (a domain accounts are registered under, e.g. openim.nl's). Changes
/// nothing.
public struct XMPPProvidersReport: Sendable, Encodable {
    public struct Entry: Sendable, Encodable {
        public let jid: String
        public let category: String?
        public let inBandRegistration: Bool?
        public let captcha: Bool?
        public let webRegistrationURL: String?
        public let serverSoftware: String?
        public let serverLocations: [String]
        public let latestChange: String?
        /// Alternative JIDs that are valid v3 onions: accounts under the onion's own domain.
        public let onionDomains: [String]
        /// The onion the provider map has for this domain, if any.
        public let mapOnion: String?
        /// Where it says something else than the map, one sentence each.
        public let differences: [String]
    }

    public struct Counts: Sendable, Encodable {
        public let entries: Int
        public let inBandRegistration: Int
        public let captcha: Int
        public let inMap: Int
        public let onionDomains: Int
    }

    public let source: String
    public let entries: [Entry]
    public let counts: Counts
    public let warnings: [String]

    /// True for a JSON list (XMPP Providers) rather than an object (our metadata).
    public static func looksLikeXMPPProviders(_ bytes: [UInt8]) -> Bool {
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        return first == UInt8(ascii: "[")
    }

    public init(_ bytes: [UInt8], source: String, map catalog: ProviderCatalog) throws(ProviderMetadataError) {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw ProviderMetadataError(source: source, domain: nil, key: nil, message: "not valid JSON")
        }
        guard case .array(let list) = root else {
            throw ProviderMetadataError(source: source, domain: nil, key: nil,
                                        message: "XMPP Providers' format is a list of providers (each with a \"jid\")")
        }
        var entries: [Entry] = []
        var warnings: [String] = []
        for (index, item) in list.enumerated() {
            guard case .object(let raw) = item else {
                warnings.append("\(source): item \(index) is not an object; skipped")
                continue
            }
            // The full list wraps each property as {"content": …, "source": …}.
            let fields = raw.mapValues { value -> JSONValue in
                if case .object(let wrapped) = value, let content = wrapped["content"] { return content }
                return value
            }
            guard case .string(let jid)? = fields["jid"], DomainName.problem(jid) == nil else {
                warnings.append("\(source): item \(index) has no usable \"jid\"; skipped")
                continue
            }
            entries.append(Self.entry(jid.lowercased(), fields, catalog: catalog))
        }
        self.source = source
        self.entries = entries.sorted { $0.jid < $1.jid }
        self.warnings = warnings
        counts = Counts(entries: entries.count, inBandRegistration: entries.filter { $0.inBandRegistration == true }.count,
                        captcha: entries.filter { $0.captcha == true }.count,
                        inMap: entries.filter { $0.mapOnion != nil }.count,
                        onionDomains: entries.reduce(0) { $0 + $1.onionDomains.count })
    }

    private static func entry(_ jid: String, _ fields: [String: JSONValue], catalog: ProviderCatalog) -> Entry {
        func string(_ key: String) -> String? { if case .string(let text)? = fields[key], !text.isEmpty { text } else { nil } }
        func bool(_ key: String) -> Bool? { if case .bool(let flag)? = fields[key] { flag } else { nil } }
        func strings(_ key: String) -> [String] {
            guard case .array(let list)? = fields[key] else { return [] }
            return list.compactMap { if case .string(let text) = $0 { text } else { nil } }
        }
        /// The English URL of a `{lang: url}` object, else any.
        func localized(_ key: String) -> String? {
            guard case .object(let byLanguage)? = fields[key] else { return nil }
            for language in ["en"] + byLanguage.keys.sorted() {
                if case .string(let url)? = byLanguage[language], !url.isEmpty { return url }
            }
            return nil
        }
        let software = [string("serverSoftwareName"), string("serverSoftwareVersion")].compactMap { $0 }.joined(separator: " ")
        let onionDomains = strings("alternativeJids").filter {
            if case .v3 = OnionAddress.classify($0) { return $0.lowercased().hasSuffix(".onion") } else { return false }
        }.map { $0.lowercased() }
        let ibr = bool("inBandRegistration")
        let captcha = bool("inBandRegistrationCaptchaRequired")
        let known = catalog.provider(for: jid)
        var differences: [String] = []
        if let known, let ibr {
            let says: Registration = ibr ? .yes : .no
            if known.registration != says {
                differences.append("registration: the map says \(known.registration.rawValue), XMPP Providers says \(says.rawValue)")
            }
            if ibr, let captcha, let mapCaptcha = known.captcha, mapCaptcha != captcha {
                differences.append("CAPTCHA: the map says \(mapCaptcha ? "yes" : "no"), XMPP Providers says \(captcha ? "yes" : "no")")
            }
        }
        for onion in onionDomains where catalog.provider(for: onion) == nil {
            differences.append("the alternative JID \(onion) is an onion domain the map does not list")
        }
        return Entry(jid: jid, category: string("category"), inBandRegistration: ibr, captcha: captcha,
                     webRegistrationURL: localized("registrationWebPage"), serverSoftware: software.isEmpty ? nil : software,
                     serverLocations: strings("serverLocations"), latestChange: string("latestChange"),
                     onionDomains: onionDomains, mapOnion: known?.onion.hostname, differences: differences)
    }
}
