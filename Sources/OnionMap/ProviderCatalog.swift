// onionboard — GPL-3.0-or-later.
import Diagnostics
import FoundationEssentials
import Glibc
import Platform

/// All providers we know: the bundled map and metadata, then any extra files
/// (`--providers FILE`, a Lua onions_map or a metadata JSON), later files overriding
/// earlier ones by domain.
///
/// A metadata entry replaces the whole provider. A map entry only sets the onion of a
/// known provider (keeping what the metadata says), or adds a new provider about which
/// nothing else is known. Map entries that are not usable v3 onions are skipped with a warning.
public struct ProviderCatalog: Sendable {
    /// Every provider, sorted by domain.
    public let providers: [Provider]
    /// Things skipped or ignored while loading extra files, one sentence each.
    public let warnings: [String]

    /// Where a layer of provider data comes from.
    public enum Layer: Sendable {
        case map(OnionsMap, source: String)
        case metadata([UInt8], source: String)
    }

    public init(layers: [Layer]) throws {
        var byDomain: [String: Provider] = [:]
        var warnings: [String] = []
        for layer in layers {
            switch layer {
            case .metadata(let bytes, let source):
                let parsed = try ProviderMetadata.parse(bytes, source: source)
                warnings += parsed.warnings
                for provider in parsed.providers { byDomain[provider.domain] = provider }
            case .map(let map, let source):
                warnings += map.warnings.map { "\(source):\($0.line):\($0.column): \($0.message)" }
                for duplicate in map.duplicates {
                    let lines = duplicate.lines.map(String.init).joined(separator: ", ")
                    warnings.append("\(source): \"\(duplicate.domain)\" appears on lines \(lines); the last one counts")
                }
                for entry in map.entries {
                    Self.apply(entry, from: source, to: &byDomain, warnings: &warnings)
                }
            }
        }
        providers = byDomain.values.sorted { $0.domain < $1.domain }
        self.warnings = warnings
    }

    private static func apply(_ entry: OnionsMapEntry, from source: String,
                              to byDomain: inout [String: Provider], warnings: inout [String]) {
        let domain = entry.domain.lowercased()
        let place = "\(source):\(entry.line)"
        if let problem = DomainName.problem(domain) {
            warnings.append("\(place): skipped \(DomainName.quoted(entry.domain)): not a domain (\(problem))")
            return
        }
        if let problem = entry.valueProblem {
            warnings.append("\(place): skipped \"\(domain)\": \(problem)")
            return
        }
        guard let host = entry.host else { return }
        let onion: OnionAddress
        switch OnionAddress.classify(host) {
        case .v3(let address):
            onion = address
        case .v2:
            warnings.append("\(place): skipped \"\(domain)\": v2 onion (\(OnionAddressError.version2Explanation))")
            return
        case .invalid(let error):
            warnings.append("\(place): skipped \"\(domain)\": \(error.reasonText)")
            return
        }
        let mapSource = ProviderSource(name: "onions_map \(source) line \(entry.line)")
        if let known = byDomain[domain] {
            if known.onion != onion {
                byDomain[domain] = known.replacingOnion(onion, origin: source, source: mapSource)
            }
            return
        }
        var notes = "Only known from an onions_map (made for server-to-server federation): "
            + "client access on port 5222 and registration are not known."
        if let port = entry.port { notes += " The map gives port \(port)." }
        byDomain[domain] = Provider(domain: domain, onion: onion, notes: notes, sources: [mapSource],
                                    origin: source)
    }

    // MARK: - Loading

    /// The data compiled into the binary (Providers/ at build time).
    public static func bundled() throws -> ProviderCatalog {
        try ProviderCatalog(layers: bundledLayers())
    }

    /// The bundled data plus extra files (`--providers`), in order.
    public static func load(extraFiles: [String]) throws -> ProviderCatalog {
        var layers = try bundledLayers()
        for path in extraFiles { layers.append(try layer(fromFile: path)) }
        return try ProviderCatalog(layers: layers)
    }

    static func bundledLayers() throws -> [Layer] {
        return [
            .map(try OnionsMap.parse(PackageResources.onions_map_lua, source: BundledData.mapName),
                 source: BundledData.mapName),
            .metadata(PackageResources.providers_json, source: BundledData.metadataName),
        ]
    }

    /// Reads a file and decides by its content: JSON metadata starts with "{", anything else is a map.
    public static func layer(fromFile path: String) throws -> Layer {
        let bytes = try ProviderFile.read(path)
        if ProviderFile.isMetadata(bytes) { return .metadata(bytes, source: path) }
        return .map(try OnionsMap.parse(bytes, source: path), source: path)
    }

    // MARK: - Queries (used by the wizard)

    /// The provider for an XMPP domain (case-insensitive), if known.
    public func provider(for domain: String) -> Provider? {
        let key = domain.lowercased()
        return providers.first { $0.domain == key }
    }

    /// Providers where an account can be created from the client over the onion:
    /// registration "yes", those without a CAPTCHA first, then unknown CAPTCHA, then CAPTCHA.
    public var registrationCandidates: [Provider] {
        providers.filter(\.allowsInBandRegistration).sorted { lhs, rhs in
            let (left, right) = (Self.captchaRank(lhs.captcha), Self.captchaRank(rhs.captcha))
            return left != right ? left < right : lhs.domain < rhs.domain
        }
    }

    /// Providers with one of the given registration states, sorted by domain.
    public func providers(registration allowed: Set<Registration>) -> [Provider] {
        providers.filter { allowed.contains($0.registration) }
    }

    private static func captchaRank(_ captcha: Bool?) -> Int {
        switch captcha {
        case false?: 0
        case nil: 1
        case true?: 2
        }
    }
}

/// Names of the data compiled into the binary, as they appear in messages.
public enum BundledData {
    public static let mapName = "bundled Providers/onions-map.lua"
    public static let metadataName = "bundled Providers/providers.json"

    /// The bundled map file's text, byte for byte.
    public static var onionsMapText: String { String(decoding: PackageResources.onions_map_lua, as: UTF8.self) }
    /// The bundled metadata file, byte for byte.
    public static var providersJSON: [UInt8] { PackageResources.providers_json }
}

/// Reading a map or metadata file with a clear error.
public enum ProviderFile {
    /// True for metadata JSON (first character after blanks and a BOM is "{"); a Lua map
    /// starts with "onions_map" or a comment.
    public static func isMetadata(_ bytes: [UInt8]) -> Bool {
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        return first == UInt8(ascii: "{")
    }

    /// The largest map or metadata file accepted. Real ones are a few KB (the bundled
    /// metadata, the largest, is 30 KB); parsing costs several times the size in memory,
    /// so an arbitrary file is refused up front instead.
    public static let maximumBytes = 1 << 20

    public static func read(_ path: String, maximumBytes: Int = maximumBytes) throws(ProviderFileError) -> [UInt8] {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ProviderFileError(path: path, message: "no such file")
        }
        guard !isDirectory else {
            throw ProviderFileError(path: path, message: "is a directory; give a .lua onions_map or a .json metadata file")
        }
        // One byte past the limit tells "too large" also for pipes and /proc files (no size).
        guard let data = try? FileContents.read(path, upTo: maximumBytes + 1) else {
            throw ProviderFileError(path: path, message: "cannot be read (check its permissions)")
        }
        guard data.count <= maximumBytes else {
            // stat(2): FoundationEssentials' attributes carry the size in another type than Int.
            var info = stat()
            let size = stat(path, &info) == 0 ? Int(info.st_size) : nil
            let shown = size.flatMap { $0 > maximumBytes ? "is \($0) bytes" : nil } ?? "is larger than that"
            throw ProviderFileError(path: path, message: "\(shown); onionboard reads provider files up to "
                                    + "\(Self.describe(limit: maximumBytes)) (real onions_map and metadata files are a few KB)",
                                    category: .invalidData)
        }
        return [UInt8](data)
    }

    /// "1 MiB (1048576 bytes)".
    static func describe(limit: Int) -> String {
        limit.isMultiple(of: 1 << 20) ? "\(limit >> 20) MiB (\(limit) bytes)" : "\(limit) bytes"
    }
}

public struct ProviderFileError: ClassifiedError, Equatable {
    public let path: String
    public let message: String
    /// Missing input (66) for a file that is not there or not readable; invalid data (65)
    /// for one that is too large.
    public let category: ErrorCategory

    public init(path: String, message: String, category: ErrorCategory = .missingInput) {
        self.path = path
        self.message = message
        self.category = category
    }

    public var description: String { "\(path): \(message)" }
}
