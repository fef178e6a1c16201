// onionboard — GPL-3.0-or-later.
import Diagnostics
import FoundationEssentials
import Vocabulary

/// Reads a provider metadata file: a JSON object keyed by XMPP domain (see
/// docs/providers.md). Keys starting with "_" are comments. Validation is by hand so
/// every error names the file, the provider and the key.
public enum ProviderMetadata {
    /// The keys of the schema (every bundled record has all of them).
    public static let knownKeys: Set<String> = [
        "onion", "clientPort", "directTLSPort", "registration", "captcha", "webRegistrationURL",
        "certificateSHA256", "spkiSHA256", "website", "serverLocations", "serverSoftware", "organization",
        "operatedBy", "disagreements", "sources", "lastVerified", "notes",
    ]

    /// Also accepted, as written by the test bed's `world.env` PROVIDERS_JSON and XMPP
    /// Providers: `onions` (list; the first is used), `inBandRegistration` (= registration,
    /// also true/false), `inviteOnly` (true → invite-only), `source` (one source name).
    /// `rooms` is accepted and ignored (the wizard template names the room).
    public static let compatibilityKeys: Set<String> = ["onions", "inBandRegistration", "inviteOnly", "source", "rooms"]

    /// The providers in `data` (sorted by domain) plus warnings (unknown keys).
    public static func parse(_ data: [UInt8], source: String) throws(ProviderMetadataError)
        -> (providers: [Provider], warnings: [String])
    {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: Data(data))
        } catch {
            throw ProviderMetadataError(source: source, domain: nil, key: nil,
                                        message: "not valid JSON: \(jsonProblem(Data(data)))")
        }
        guard case .object(let object) = root else {
            throw ProviderMetadataError(source: source, domain: nil, key: nil,
                                        message: "the top level must be an object keyed by XMPP domain")
        }
        var providers: [Provider] = []
        var warnings: [String] = []
        for domain in object.keys.sorted() where !domain.hasPrefix("_") {
            let record = Record(source: source, domain: domain)
            guard case .object(let fields) = object[domain]! else {
                throw record.error(key: nil, "must be an object with at least \"onion\"")
            }
            try record.checkDomain()
            for key in fields.keys.sorted() where !knownKeys.contains(key) && !compatibilityKeys.contains(key) && !key.hasPrefix("_") {
                warnings.append("\(source): provider \"\(domain)\": unknown key \"\(key)\" ignored")
            }
            providers.append(try record.provider(from: fields))
        }
        return (providers, warnings)
    }
}

/// A metadata file that cannot be used: which file, which provider, which key, what is wrong.
public struct ProviderMetadataError: ClassifiedError, Equatable {
    public let source: String
    public let domain: String?
    public let key: String?
    public let message: String

    public var category: ErrorCategory { .invalidData }

    public var description: String {
        var text = source
        if let domain { text += ": provider \"\(domain)\"" }
        if let key { text += ": key \"\(key)\"" }
        return text + ": " + message
    }
}

/// Validation of one provider's fields.
private struct Record {
    let source: String
    let domain: String

    func error(key: String?, _ message: String) -> ProviderMetadataError {
        ProviderMetadataError(source: source, domain: domain, key: key, message: message)
    }

    func checkDomain() throws(ProviderMetadataError) {
        if let problem = DomainName.problem(domain) {
            throw error(key: nil, "the key is not an XMPP domain: \(problem)")
        }
    }

    func provider(from fields: [String: JSONValue]) throws(ProviderMetadataError) -> Provider {
        var sources = try sources(fields, "sources")
        if let name = try string(fields, "source") { sources.insert(ProviderSource(name: name), at: 0) }
        let onion = try onion(fields)
        if domain.lowercased().hasSuffix(".onion") {
            // Accounts under the onion's own domain: the domain is the onion that serves it.
            guard let own = try? OnionAddress(domain), own.serviceID == onion.serviceID, own.subdomain == nil else {
                throw error(key: "onion", "the domain is an onion, so it must be that onion itself (accounts name@\(domain) are served there)")
            }
        }
        return Provider(
            domain: domain, onion: onion,
            clientPort: try port(fields, "clientPort") ?? 5222,
            directTLSPort: try port(fields, "directTLSPort"),
            registration: try registration(fields),
            captcha: try bool(fields, "captcha"),
            webRegistrationURL: try url(fields, "webRegistrationURL"),
            pinSHA256: try pin(fields, "certificateSHA256"),
            notes: try string(fields, "notes") ?? "",
            sources: sources,
            lastVerified: try verification(fields, "lastVerified"),
            origin: source,
            spkiSHA256: try pin(fields, "spkiSHA256"),
            website: try url(fields, "website"),
            serverLocations: try countries(fields, "serverLocations"),
            serverSoftware: try string(fields, "serverSoftware"),
            organization: try string(fields, "organization"),
            operatedBy: try operatorDomain(fields, "operatedBy"),
            disagreements: try strings(fields, "disagreements"))
    }

    private func strings(_ fields: [String: JSONValue], _ key: String) throws(ProviderMetadataError) -> [String] {
        guard let raw = value(fields, key) else { return [] }
        guard case .array(let list) = raw else { throw error(key: key, "must be a list of strings (found \(raw.shown))") }
        var result: [String] = []
        for (index, item) in list.enumerated() {
            guard case .string(let text) = item, !text.isEmpty else {
                throw error(key: "\(key)[\(index)]", "must be a non-empty string (found \(item.shown))")
            }
            result.append(text)
        }
        return result
    }

    /// ISO 3166 alpha-2 codes, lower case (as XMPP Providers writes them).
    private func countries(_ fields: [String: JSONValue], _ key: String) throws(ProviderMetadataError) -> [String] {
        let codes = try strings(fields, key)
        for (index, code) in codes.enumerated() where code.count != 2 || !code.allSatisfy({ $0.isASCII && $0.isLowercase }) {
            throw error(key: "\(key)[\(index)]", "must be a two-letter country code in lower case (ISO 3166, e.g. \"de\"; found \"\(code)\")")
        }
        return codes
    }

    private func operatorDomain(_ fields: [String: JSONValue], _ key: String) throws(ProviderMetadataError) -> String? {
        guard let text = try string(fields, key) else { return nil }
        if let problem = DomainName.problem(text) { throw error(key: key, "must be the provider's XMPP domain: \(problem)") }
        return text.lowercased()
    }

    /// `onion`, or the first of `onions` (all of which must be valid).
    private func onion(_ fields: [String: JSONValue]) throws(ProviderMetadataError) -> OnionAddress {
        var candidates: [(key: String, text: String)] = []
        if let text = try string(fields, "onion") { candidates.append(("onion", text)) }
        if let raw = value(fields, "onions") {
            guard case .array(let list) = raw, !list.isEmpty, candidates.isEmpty else {
                throw error(key: "onions", candidates.isEmpty ? "must be a non-empty list of onion addresses"
                                                              : "give either \"onion\" or \"onions\", not both")
            }
            for (index, item) in list.enumerated() {
                guard case .string(let text) = item else {
                    throw error(key: "onions[\(index)]", "must be a string (found \(item.shown))")
                }
                candidates.append(("onions[\(index)]", text))
            }
        }
        guard !candidates.isEmpty else {
            throw error(key: "onion", "is missing (every provider needs its v3 onion address)")
        }
        var addresses: [OnionAddress] = []
        for candidate in candidates {
            do {
                addresses.append(try OnionAddress(candidate.text))
            } catch let problem {
                throw error(key: candidate.key, problem.reasonText)
            }
        }
        return addresses[0]
    }

    /// `registration`, or its alias `inBandRegistration` (also as true/false, as in XMPP
    /// Providers), turned into invite-only by `inviteOnly: true`.
    private func registration(_ fields: [String: JSONValue]) throws(ProviderMetadataError) -> Registration {
        let present = ["registration", "inBandRegistration"].filter { value(fields, $0) != nil }
        if present.count > 1 {
            throw error(key: "inBandRegistration", "give either \"registration\" or \"inBandRegistration\", not both")
        }
        var registration = Registration.unknown
        if let key = present.first {
            switch value(fields, key)! {
            case .bool(let flag):
                registration = flag ? .yes : .no
            case .string(let text):
                guard let parsed = Registration(rawValue: text) else {
                    let allowed = Registration.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                    throw error(key: key, "is \"\(text)\"; use one of \(allowed)")
                }
                registration = parsed
            case let other:
                throw error(key: key, "must be \"yes\", \"no\", \"unknown\" or \"invite-only\" (found \(other.shown))")
            }
        }
        if try bool(fields, "inviteOnly") == true {
            guard registration != .no else {
                throw error(key: "inviteOnly", "is true, but registration is \"no\"")
            }
            registration = .inviteOnly
        }
        return registration
    }

    // MARK: - Typed fields (absent or null → nil)

    private func value(_ fields: [String: JSONValue], _ key: String) -> JSONValue? {
        guard let value = fields[key], value != .null else { return nil }
        return value
    }

    private func string(_ fields: [String: JSONValue], _ key: String) throws(ProviderMetadataError) -> String? {
        guard let raw = value(fields, key) else { return nil }
        guard case .string(let text) = raw else { throw error(key: key, "must be a string (found \(raw.shown))") }
        return text
    }

    private func bool(_ fields: [String: JSONValue], _ key: String) throws(ProviderMetadataError) -> Bool? {
        guard let raw = value(fields, key) else { return nil }
        guard case .bool(let flag) = raw else { throw error(key: key, "must be true, false or null (found \(raw.shown))") }
        return flag
    }

    private func port(_ fields: [String: JSONValue], _ key: String) throws(ProviderMetadataError) -> Int? {
        guard let raw = value(fields, key) else { return nil }
        guard case .number(let number) = raw, let port = Int(exactly: number), (1...65535).contains(port) else {
            throw error(key: key, "must be a port number from 1 to 65535 (found \(raw.shown))")
        }
        return port
    }

    private func url(_ fields: [String: JSONValue], _ key: String) throws(ProviderMetadataError) -> String? {
        guard let text = try string(fields, key) else { return nil }
        guard text.hasPrefix("https://") || text.hasPrefix("http://"),
              let host = URL(string: text)?.host, !host.isEmpty
        else {
            throw error(key: key, "must be an http(s) URL (found \"\(text)\")")
        }
        return text
    }

    private func pin(_ fields: [String: JSONValue], _ key: String) throws(ProviderMetadataError) -> String? {
        guard let text = try string(fields, key) else { return nil }
        guard let fingerprint = SHA256Fingerprint(text) else {
            throw error(key: key, "must be 64 hex digits 0-9 a-f: the SHA-256 of the certificate's DER (colons allowed)")
        }
        return fingerprint.hex
    }

    /// YYYY, YYYY-MM or YYYY-MM-DD.
    private static func isDate(_ text: String) -> Bool { text.wholeMatch(of: /\d{4}(-\d{2}(-\d{2})?)?/) != nil }

    private func date(_ text: String?, key: String) throws(ProviderMetadataError) -> String? {
        guard let text else { return nil }
        guard Self.isDate(text) else {
            throw error(key: key, "date \"\(text)\" must look like YYYY-MM-DD (or YYYY-MM, YYYY)")
        }
        return text
    }

    private func sources(_ fields: [String: JSONValue], _ key: String) throws(ProviderMetadataError) -> [ProviderSource] {
        guard let raw = value(fields, key) else { return [] }
        guard case .array(let list) = raw else { throw error(key: key, "must be a list of {name, url, commit, date}") }
        var result: [ProviderSource] = []
        for (index, item) in list.enumerated() {
            let itemKey = "\(key)[\(index)]"
            guard case .object(let entry) = item else {
                throw error(key: itemKey, "must be an object {name, url, commit, date}")
            }
            guard let name = try string(entry, "name"), !name.isEmpty else {
                throw error(key: itemKey, "needs a \"name\"")
            }
            result.append(ProviderSource(
                name: name, url: try string(entry, "url"), commit: try string(entry, "commit"),
                date: try date(try string(entry, "date"), key: itemKey + ".date")))
        }
        return result
    }

    private func verification(_ fields: [String: JSONValue], _ key: String) throws(ProviderMetadataError) -> Verification? {
        guard let raw = value(fields, key) else { return nil }
        if case .string(let text) = raw {
            // A bare date ("2026-11-25") or a sentence.
            return Self.isDate(text) ? Verification(date: text, what: "no details given") : Verification(date: nil, what: text)
        }
        guard case .object(let entry) = raw, let what = try string(entry, "what") else {
            throw error(key: key, "must be {\"date\": \"YYYY-MM-DD\", \"what\": \"what was verified\"}")
        }
        return Verification(date: try date(try string(entry, "date"), key: key + ".date"), what: what)
    }
}

/// A light plausibility check for XMPP domains used as keys.
enum DomainName {
    /// A key as messages quote it: at most 80 characters (a broken map may hold a huge one).
    static func quoted(_ text: String) -> String {
        text.count <= 80 ? "\"\(text)\"" : "\"\(text.prefix(80))…\" (\(text.count) characters)"
    }

    /// Why `text` is not a usable domain, or nil if it looks fine.
    static func problem(_ text: String) -> String? {
        if text.isEmpty { return "it is empty" }
        if text.utf8.count > 253 { return "it is longer than 253 characters, the limit of a DNS name" }
        if text.contains(where: { $0.isWhitespace }) { return "it contains whitespace" }
        if let bad = text.first(where: { "/@:[]\"'".contains($0) }) { return "it contains '\(bad)'" }
        if text.hasPrefix(".") || text.hasSuffix(".") || text.contains("..") { return "it has an empty label" }
        return nil
    }
}

/// Where and why `data` is not JSON: JSONDecoder only says "not valid JSON", so a syntax
/// scan finds the first problem, named by line and column.
private func jsonProblem(_ data: Data) -> String {
    let bytes = Array(data)
    guard let problem = JSONSyntax.firstProblem(in: bytes) else { return "it could not be decoded" }
    let before = bytes.prefix(problem.offset)
    let line = before.count { $0 == UInt8(ascii: "\n") } + 1
    let column = before.count - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
    return "line \(line), column \(column): \(problem.message)"
}
