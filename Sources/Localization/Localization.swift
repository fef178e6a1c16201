import CGettext
#if canImport(Glibc)
import Glibc
#endif

/// The person's language for everything onionboard says: glibc's gettext with the catalogs
/// of po/ (compiled by scripts/catalogs), chosen by the usual variables — LANGUAGE (a list,
/// `fa:en`), then LC_ALL, LC_MESSAGES, LANG. No other library: gettext is part of libc.
///
/// Two things glibc alone would get wrong for this program (docs/translations.md):
/// - it ignores LANGUAGE while the locale is C, which is what a session without a `LANG`
///   has (`LANGUAGE=de onionboard`); and
/// - a `LANG=de_DE.UTF-8` whose locale is not installed (Debian installs few) leaves the
///   program in the C locale, untranslated.
/// `start()` then switches to C.UTF-8 (always present on Debian) and, in the second case,
/// names the requested language in LANGUAGE. An explicit `LC_ALL=C` (or `LC_MESSAGES=C`,
/// `LANG=C`) still means untranslated, as POSIX wants.
public enum Localization {
    /// The gettext domain: the catalogs are `onionboard.mo`.
    public static let domain = "onionboard"
    /// Where to find the compiled catalogs instead (`DIR/LL/LC_MESSAGES/onionboard.mo`).
    public static let directoryVariable = "ONIONBOARD_LOCALEDIR"

    /// Sets the locale from the environment and binds the catalogs. Call once, first thing
    /// in `main` (setlocale and setenv must not race other threads). Numbers stay in the C
    /// locale's format (LC_NUMERIC), so files and `--json` do not depend on the language.
    public static func start() {
        let requested = ["LC_ALL", "LC_MESSAGES", "LANG"].lazy.compactMap(variable).first
        let explicitlyUntranslated = requested == "C" || requested == "POSIX"
        let localeSet = ob_setlocale(LC_ALL, "") != nil
        let messages = localeSet ? currentMessagesLocale : "C"
        if !explicitlyUntranslated, isUntranslatedLocale(messages) {
            if variable("LANGUAGE") == nil, let requested { setenv("LANGUAGE", requested, 1) }
            if variable("LANGUAGE") != nil { useUTF8CLocale() }
        }
        _ = ob_setlocale(LC_NUMERIC, "C")
        prepare()
    }

    /// Speaks `language` (`de`, `pt_BR`, a LANGUAGE list `fa:en`; `en` for untranslated)
    /// from now on, whatever the environment says: for a command asked for another
    /// language (`--lang`). Call before other threads start (it sets LANGUAGE).
    public static func use(language: String) {
        prepare()
        setenv("LANGUAGE", language, 1)
        if isUntranslatedLocale(currentMessagesLocale) { useUTF8CLocale() }
        _ = ob_setlocale(LC_NUMERIC, "C")
        ob_catalogs_changed()
    }

    /// The languages onionboard can speak besides English: those with a catalog of ours
    /// where the programs find them (`de`, `zh_CN`…), sorted.
    public static var installedLanguages: [String] { CatalogDirectory.languages(in: CatalogDirectory.find()) }

    /// The language of the catalog in use (its `Language:` header: `de`, `zh_CN`), or nil
    /// when messages are not translated (English, or no catalog for the language asked).
    public static var catalogLanguage: String? {
        prepare()
        let header = lookUp("")
        guard !header.isEmpty, let line = header.split(separator: "\n").first(where: { $0.hasPrefix("Language:") })
        else { return nil }
        let language = line.dropFirst("Language:".count).trimmingCharacters(inSet: " \t")
        return language.isEmpty ? nil : language
    }

    /// The languages asked for, most wanted first, each followed by its language alone
    /// (`de_DE`, `de`): for texts that carry their own translations (a template's
    /// `Description-de.UTF-8`). Empty when messages are not translated (C locale).
    public static var preferredLanguages: [String] {
        let messages = currentMessagesLocale
        var names: [String]
        if isUntranslatedLocale(messages) {
            return []
        } else if let list = variable("LANGUAGE") {
            names = list.split(separator: ":").map(String.init)
        } else {
            names = [messages]
        }
        var languages: [String] = []
        for name in names {
            let bare = String(name.prefix { $0 != "." && $0 != "@" })
            let language = String(bare.prefix { $0 != "_" })
            for candidate in [bare, language] where !candidate.isEmpty && !languages.contains(candidate) {
                languages.append(candidate)
            }
        }
        return languages
    }

    /// Whether the language is written right to left: its catalog translates the entry
    /// `default:LTR` as `default:RTL`, GTK's own convention (gtk_get_locale_direction).
    public static var isRightToLeft: Bool {
        // Translators: write default:RTL if your language is written right to left (Persian,
        // Arabic, Hebrew), else default:LTR. Nothing else: the window's layout follows it.
        translated("default:LTR") == "default:RTL"
    }

    // MARK: - gettext

    /// Binds the catalogs (once; `start()` does it too).
    static func prepare() { _ = bound }

    private static let bound: Void = {
        ob_bind_domain(domain, CatalogDirectory.find())
        // Pidgin's own catalog, for `pidgin(_:)`: always UTF-8, wherever it is installed.
        ob_bind_domain(PidginLabels.domain, PidginLabels.directory)
    }()

    /// Without a translation gettext returns the pointer it was given, which lives only as
    /// long as `withCString`'s closure: it is recognised there, and the Swift text returned.
    static func lookUp(_ key: String, domain: String = domain) -> String {
        key.withCString { given in
            guard let text = ob_dgettext(domain, given), text != given else { return key }
            return String(cString: text)
        }
    }

    static func lookUp(_ key: String, plural: String, count: Int) -> String {
        key.withCString { givenKey in
            plural.withCString { givenPlural in
                guard let text = ob_dngettext(domain, givenKey, givenPlural, UInt(max(0, count))) else { return count == 1 ? key : plural }
                if text == givenKey { return key }
                if text == givenPlural { return plural }
                return String(cString: text)
            }
        }
    }

    // MARK: - the environment

    static func variable(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    private static var currentMessagesLocale: String {
        ob_setlocale(LC_MESSAGES, nil).map { String(cString: $0) } ?? "C"
    }

    private static func isUntranslatedLocale(_ name: String) -> Bool { name == "C" || name == "POSIX" }

    private static func useUTF8CLocale() {
        if ob_setlocale(LC_ALL, "C.UTF-8") == nil { _ = ob_setlocale(LC_ALL, "C.utf8") }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(inSet characters: String) -> String {
        String(drop { characters.contains($0) }.reversed().drop { characters.contains($0) }.reversed())
    }
}
