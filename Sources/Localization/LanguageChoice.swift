/// Which languages the person asks for, read from the environment by gettext's rules but
/// without glibc's locale rules (docs/translations.md): `LANGUAGE` (a colon list, most wanted
/// first) unless the locale variable in effect — the first set of `LC_ALL`, `LC_MESSAGES`,
/// `LANG` — is exactly `C` or `POSIX` (an explicit request for untranslated messages); else
/// that locale variable. Whether the locale is installed does not matter, and `C.UTF-8` is no
/// request for English (glibc 2.41 treats it as C and ignores LANGUAGE there).
///
/// A list ends at its first `C`, `POSIX` or English entry: English is the language the
/// messages are written in, so `LANGUAGE=en:de` means English, not German.
struct LanguageChoice: Equatable, Sendable {
    /// The languages asked for, as written (`de_DE.UTF-8`, `fa`), up to the English end.
    let requested: [String]

    init(requested: [String]) {
        var kept: [String] = []
        for name in requested where !name.isEmpty {
            if Self.isEnglish(name) { break }
            kept.append(name)
        }
        self.requested = kept
    }

    /// The choice the environment (`variable(name)`, nil or empty for unset) makes.
    init(environment variable: (String) -> String?) {
        func set(_ name: String) -> String? { variable(name).flatMap { $0.isEmpty ? nil : $0 } }
        let locale = Self.localeVariable(set)
        if let locale, Self.isUntranslated(locale) {
            self.init(requested: [])
        } else if let list = set("LANGUAGE") {
            self.init(requested: list.split(separator: ":").map(String.init))
        } else {
            self.init(requested: locale.map { [$0] } ?? [])
        }
    }

    /// The locale variable in effect: the first set of LC_ALL, LC_MESSAGES, LANG.
    static func localeVariable(_ variable: (String) -> String?) -> String? {
        ["LC_ALL", "LC_MESSAGES", "LANG"].lazy.compactMap(variable).first
    }

    /// `C` and `POSIX` exactly: the POSIX locale, untranslated. (`C.UTF-8` is not such a
    /// request: it is what a session without a language of its own is given.)
    static func isUntranslated(_ locale: String) -> Bool { locale == "C" || locale == "POSIX" }

    /// Whether the entry means the messages as written: C, POSIX (with any codeset), English.
    static func isEnglish(_ name: String) -> Bool {
        let language = LocaleName(name).language
        return language == "C" || language == "POSIX" || language == "en"
    }

    /// The directory names to look for a catalog under, in gettext's order: for each language
    /// asked for, `ll_CC@mod`, `ll@mod`, `ll_CC`, `ll` (a codeset is never part of a catalog's
    /// directory here: all catalogs are UTF-8).
    var catalogNames: [String] {
        var names: [String] = []
        for name in requested {
            for candidate in LocaleName(name).fallbacks where !names.contains(candidate) { names.append(candidate) }
        }
        return names
    }

    /// The languages for texts that carry their own translations (a template's
    /// `Description-de.UTF-8`): each asked for as `ll_CC`, followed by `ll`.
    var preferredLanguages: [String] {
        var languages: [String] = []
        for name in requested {
            let parts = LocaleName(name)
            let bare = parts.territory.map { "\(parts.language)_\($0)" } ?? parts.language
            for candidate in [bare, parts.language] where !candidate.isEmpty && !languages.contains(candidate) {
                languages.append(candidate)
            }
        }
        return languages
    }
}

/// A locale name's parts: `language[_territory][.codeset][@modifier]`.
struct LocaleName: Equatable {
    let language: String
    let territory: String?
    let modifier: String?

    init(_ name: String) {
        var rest = Substring(name)
        var modifier: String?
        if let at = rest.firstIndex(of: "@") {
            modifier = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        if let dot = rest.firstIndex(of: ".") { rest = rest[..<dot] }
        var territory: String?
        if let underscore = rest.firstIndex(of: "_") {
            territory = String(rest[rest.index(after: underscore)...])
            rest = rest[..<underscore]
        }
        language = String(rest)
        self.territory = territory.flatMap { $0.isEmpty ? nil : $0 }
        self.modifier = modifier.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Most specific first, as gettext tries them (the modifier outranks the territory).
    var fallbacks: [String] {
        guard !language.isEmpty, !language.contains("/") else { return [] }
        var names: [String] = []
        let territories = territory.map { ["_" + $0, ""] } ?? [""]
        for suffix in (modifier.map { ["@" + $0] } ?? []) + [""] {
            for territory in territories where !territory.contains("/") && !suffix.contains("/") {
                names.append(language + territory + suffix)
            }
        }
        return names
    }
}
