#if canImport(Glibc)
import Glibc
#endif

/// Where the compiled catalogs (`LL/LC_MESSAGES/onionboard.mo`) are: $ONIONBOARD_LOCALEDIR
/// if set; else next to the executable (`locale/`, where scripts/catalogs puts them in the
/// build tree), or in the `share/locale` beside its `bin/` (an installed copy), or in
/// /usr/share/locale — the first that holds a catalog of ours.
enum CatalogDirectory {
    static let system = "/usr/share/locale"

    static func find() -> String {
        if let override = Localization.variable(Localization.directoryVariable) { return override }
        var candidates: [String] = []
        if let executable = executableDirectory() {
            candidates.append(executable + "/locale")
            candidates.append(parent(of: executable) + "/share/locale")
        }
        candidates.append(system)
        return candidates.first(where: holdsCatalog) ?? system
    }

    private static func executableDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let path = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return parent(of: path)
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Whether some `LL/LC_MESSAGES/onionboard.mo` exists under `directory`.
    static func holdsCatalog(_ directory: String) -> Bool { !languages(in: directory, first: true).isEmpty }

    /// The languages `LL` with an `LL/LC_MESSAGES/onionboard.mo` under `directory`, sorted
    /// (only the first one found with `first`).
    static func languages(in directory: String, first: Bool = false) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var found: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            if access("\(directory)/\(name)/LC_MESSAGES/\(Localization.domain).mo", R_OK) == 0 {
                found.append(name)
                if first { break }
            }
        }
        return found.sorted()
    }
}
