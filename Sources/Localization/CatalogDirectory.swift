#if canImport(Glibc)
import Glibc
#endif
import Platform

/// Where the compiled catalogs (`LL/LC_MESSAGES/onionboard.mo`) are: $ONIONBOARD_LOCALEDIR
/// if set; else next to the executable (ProgramLocation: also without /proc) (`locale/`, where scripts/catalogs puts them in the
/// build tree), or in the `share/locale` beside its `bin/` (an installed copy), or in
/// /usr/share/locale — the first that holds a catalog of ours.
enum CatalogDirectory {
    static let system = "/usr/share/locale"

    static func find() -> String {
        if let override = Localization.variable(Localization.directoryVariable) { return override }
        var candidates: [String] = []
        if let executable = ProgramLocation.directory {
            candidates.append(executable + "/locale")
            candidates.append(Paths.join(Paths.parent(of: executable), "share/locale"))
        }
        candidates.append(system)
        return candidates.first(where: holdsCatalog) ?? system
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
