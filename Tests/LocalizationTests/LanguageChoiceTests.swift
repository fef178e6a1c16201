@testable import Localization
import Testing

/// Which languages the environment asks for, by gettext's rules without glibc's locale rules
/// (docs/translations.md): the cases glibc 2.41 (Debian 13, Tails 7) gets wrong in a system
/// with only C.UTF-8 installed are the point.
@Suite("Language choice from LANGUAGE, LC_ALL, LC_MESSAGES, LANG")
struct LanguageChoiceTests {
    static func requested(_ environment: [String: String]) -> [String] {
        LanguageChoice(environment: { environment[$0] }).requested
    }

    @Test("the variables in gettext's order; C.UTF-8 and uninstalled locales do not silence LANGUAGE",
          arguments: [
            (["LANGUAGE": "de", "LC_ALL": "C.UTF-8"], ["de"]),            // glibc 2.41 says English
            (["LANGUAGE": "de", "LANG": "C.UTF-8"], ["de"]),
            (["LANGUAGE": "de"], ["de"]),                                 // no locale at all
            (["LANG": "de_DE.UTF-8"], ["de_DE.UTF-8"]),                   // uninstalled: still German
            (["LANG": "de_DE.UTF-8", "LANGUAGE": "ru:fr"], ["ru", "fr"]),
            (["LC_ALL": "ru_RU.UTF-8", "LC_MESSAGES": "es_ES.UTF-8", "LANG": "de_DE.UTF-8"], ["ru_RU.UTF-8"]),
            (["LC_MESSAGES": "es_ES.UTF-8", "LANG": "de_DE.UTF-8"], ["es_ES.UTF-8"]),
            (["LC_ALL": "", "LANG": "fr_FR.UTF-8"], ["fr_FR.UTF-8"]),     // empty is unset
            (["LANGUAGE": "fa::en"], ["fa"]),                             // English ends the list
            (["LANGUAGE": "en_GB:de"], []),
            (["LANGUAGE": "C:de"], []),
            (["LC_ALL": "C.UTF-8"], []),                                  // the C locale's language: English
            (["LC_ALL": "C", "LANGUAGE": "de"], []),                      // explicit C: English (POSIX)
            (["LC_MESSAGES": "POSIX", "LANG": "de_DE.UTF-8", "LANGUAGE": "de"], []),
            (["LANG": "C", "LANGUAGE": "de"], []),
            ([:], []),
          ])
    func requested(environment: [String: String], expected: [String]) {
        #expect(Self.requested(environment) == expected, "\(environment)")
    }

    @Test("catalog directories tried as gettext tries them: ll_CC@mod, ll@mod, ll_CC, ll; no codeset, no path")
    func catalogNames() {
        #expect(LanguageChoice(requested: ["sr_RS.UTF-8@latin", "de_DE.UTF-8", "de"]).catalogNames
                == ["sr_RS@latin", "sr@latin", "sr_RS", "sr", "de_DE", "de"])
        #expect(LanguageChoice(requested: ["zh_CN"]).catalogNames == ["zh_CN", "zh"])
        #expect(LanguageChoice(requested: ["../../etc", "a/b_C", "_DE"]).catalogNames.isEmpty)
    }

    @Test("template languages: each asked for as ll_CC, then ll; none when English")
    func preferredLanguages() {
        #expect(LanguageChoice(requested: ["de_DE.UTF-8"]).preferredLanguages == ["de_DE", "de"])
        #expect(LanguageChoice(requested: ["pt_BR", "fa", "de_AT@euro"]).preferredLanguages == ["pt_BR", "pt", "fa", "de_AT", "de"])
        #expect(LanguageChoice(environment: { ["LC_ALL": "C", "LANGUAGE": "de"][$0] }).preferredLanguages.isEmpty)
    }
}
