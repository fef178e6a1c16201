import Platform
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The person's language for everything onionboard says: the catalogs of po/ (compiled by
/// scripts/catalogs into `.mo` files), read by `CompiledCatalog` — not by glibc's gettext,
/// whose locale rules leave the program English where no locale of the language is installed
/// (docs/translations.md: glibc 2.41, Debian 13 and Tails 7, ignores LANGUAGE in C.UTF-8 too).
/// The language is chosen from LANGUAGE (a list, `fa:en`), else LC_ALL, LC_MESSAGES, LANG
/// (`LanguageChoice`); an explicit `LC_ALL=C` (or `LC_MESSAGES=C`, `LANG=C`, `POSIX`) means
/// English, as POSIX wants.
public enum Localization {
    /// The catalogs' name: `LL/LC_MESSAGES/onionboard.mo`.
    public static let domain = "onionboard"
    /// Where to find the compiled catalogs instead (`DIR/LL/LC_MESSAGES/onionboard.mo`).
    public static let directoryVariable = "ONIONBOARD_LOCALEDIR"

    /// Sets the C library's locale from the environment and chooses the language. Call once,
    /// first thing in `main` (setlocale and setenv must not race other threads).
    ///
    /// The messages do not depend on the locale, but GTK and GLib read its codeset: where
    /// the environment's locale is C (no LANG) or not installed (`LANG=de_DE.UTF-8` with few
    /// locales, Debian's default), the program uses C.UTF-8 (part of libc-bin, always there),
    /// unless C or POSIX was asked for explicitly. LANGUAGE then names the language for the
    /// libraries' own glibc gettext and for children (GTK's own words where glibc still
    /// honours it). Numbers stay in the C locale's format (LC_NUMERIC), so files and `--json`
    /// do not depend on the language.
    public static func start() {
        let locale = LanguageChoice.localeVariable(variable)
        let explicitlyUntranslated = locale.map(LanguageChoice.isUntranslated) ?? false
        let localeSet = setlocale(LC_ALL, "") != nil
        if !explicitlyUntranslated, !localeSet || LanguageChoice.isUntranslated(currentLocale(LC_CTYPE)) {
            if variable("LANGUAGE") == nil, let locale, !LanguageChoice.isEnglish(locale) {
                setenv("LANGUAGE", locale, 1)
            }
            useUTF8CLocale()
        }
        _ = setlocale(LC_NUMERIC, "C")
        state.withLock { $0 = Catalogs(choice: LanguageChoice(environment: variable)) }
    }

    /// Speaks `language` (`de`, `pt_BR`, a LANGUAGE list `fa:en`; `en` for untranslated)
    /// from now on, whatever the environment says: for a command asked for another
    /// language (`--lang`). Call before other threads start (it sets LANGUAGE, for the
    /// libraries' own words and for children).
    public static func use(language: String) {
        setenv("LANGUAGE", language, 1)
        if LanguageChoice.isUntranslated(currentLocale(LC_CTYPE)) { useUTF8CLocale() }
        _ = setlocale(LC_NUMERIC, "C")
        state.withLock { $0 = Catalogs(choice: LanguageChoice(requested: language.split(separator: ":").map(String.init))) }
    }

    /// The languages onionboard can speak besides English: those with a catalog of ours
    /// where the programs find them (`de`, `zh_CN`…), sorted.
    public static var installedLanguages: [String] { CatalogDirectory.languages(in: CatalogDirectory.find()) }

    /// The language of the catalog in use (its `Language:` header: `de`, `zh_CN`), or nil
    /// when messages are not translated (English, or no catalog for the language asked).
    public static var catalogLanguage: String? {
        current.ours.first.map { $0.language ?? $0.directoryName }
    }

    /// The languages asked for, most wanted first, each followed by its language alone
    /// (`de_DE`, `de`): for texts that carry their own translations (a template's
    /// `Description-de.UTF-8`). Empty when messages are to be English (C, POSIX, `en`).
    public static var preferredLanguages: [String] { current.choice.preferredLanguages }

    /// Whether the language is written right to left: its catalog translates the entry
    /// `default:LTR` as `default:RTL`, GTK's own convention (gtk_get_locale_direction).
    public static var isRightToLeft: Bool {
        // Translators: write default:RTL if your language is written right to left (Persian,
        // Arabic, Hebrew), else default:LTR. Nothing else: the window's layout follows it.
        translated("default:LTR") == "default:RTL"
    }

    // MARK: - the catalogs

    /// The catalogs of the languages asked for, most wanted first: a message missing in the
    /// first comes from the next, as gettext does. Pidgin's are opened on first use.
    final class Catalogs: Sendable {
        struct Loaded: Sendable {
            let directoryName: String
            let catalog: CompiledCatalog
            var language: String? { catalog.language }
        }

        let choice: LanguageChoice
        let ours: [Loaded]
        private let pidginCatalogs = Mutex<[Loaded]?>(nil)

        init(choice: LanguageChoice) {
            self.choice = choice
            ours = Self.open(choice, domain: Localization.domain, directory: CatalogDirectory.find())
        }

        var pidgin: [Loaded] {
            pidginCatalogs.withLock { loaded in
                if let loaded { return loaded }
                let opened = Self.open(choice, domain: PidginLabels.domain, directory: PidginLabels.directory)
                loaded = opened
                return opened
            }
        }

        /// Missing, unreadable and damaged catalogs are left out: their messages stay English.
        static func open(_ choice: LanguageChoice, domain: String, directory: String) -> [Loaded] {
            choice.catalogNames.compactMap { name in
                (try? CompiledCatalog(path: "\(directory)/\(name)/LC_MESSAGES/\(domain).mo"))
                    .map { Loaded(directoryName: name, catalog: $0) }
            }
        }
    }

    /// Chosen by `start()` or `use(language:)`; from the environment on first use without them.
    private static let state = Mutex<Catalogs?>(nil)

    static var current: Catalogs {
        state.withLock { chosen in
            if let chosen { return chosen }
            let catalogs = Catalogs(choice: LanguageChoice(environment: variable))
            chosen = catalogs
            return catalogs
        }
    }

    /// The translation of `key` from the first catalog that has one, else `key` itself.
    static func lookUp(_ key: String, in catalogs: [Catalogs.Loaded]? = nil) -> String {
        for loaded in catalogs ?? current.ours {
            if let text = loaded.catalog.translation(of: key) { return text }
        }
        return key
    }

    /// The form for `count` of the first catalog that has the entry, else English's.
    static func lookUp(_ key: String, plural: String, count: Int) -> String {
        let n = UInt64(max(0, count))
        for loaded in current.ours {
            if let text = loaded.catalog.translation(of: key, count: n) { return text }
        }
        return n == 1 ? key : plural
    }

    // MARK: - the environment

    static func variable(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    private static func currentLocale(_ category: Int32) -> String {
        setlocale(category, nil).map { String(cString: $0) } ?? "C"
    }

    private static func useUTF8CLocale() {
        if setlocale(LC_ALL, "C.UTF-8") == nil { _ = setlocale(LC_ALL, "C.utf8") }
    }
}
