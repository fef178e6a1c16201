import Foundation
import Testing
import TestSupport
import Wizard

/// The person's language (docs/translations.md): which catalog LANGUAGE, LC_ALL, LC_MESSAGES
/// and LANG choose, also where no locale but C.UTF-8 is installed (Debian's default, and
/// CI's); the catalogs being current and complete; Pidgin's own labels; the errors of a run
/// without questions. A test process must not change its own language under the other
/// tests: each case runs a program (localization-probe, onionboard) with its environment.
@Suite("Translations: catalogs, language choice, Pidgin's labels")
struct TranslationTests {
    static let probe = TestSupport.productsDirectory.appendingPathComponent("localization-probe")
    static let languages = ["de", "es", "fa", "fr", "ru", "zh_CN"]
    static var gettextAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/msgfmt") }

    /// The probe's answers, one line per item, in an environment without the caller's locale.
    static func probe(_ items: [String], _ environment: [String: String], use language: String? = nil) throws -> [String] {
        let run = try BinaryRun.run((language.map { ["--use", $0] } ?? []) + items,
                                    environment: environment, binary: probe)
        #expect(run.status == 0, "\(run.stderr)")
        return run.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    @Test("the catalogs match the sources, every shipped language translates every entry, and msgfmt --check accepts them",
          .enabled(if: gettextAvailable || TestSupport.isCI))
    func catalogsCurrent() throws {
        let check = try runCommand(["python3", TestSupport.packageRoot.appendingPathComponent("scripts/catalogs").path, "check"],
                                   timeout: 120)
        #expect(check.status == 0, "\(check.output)")
        #expect(try MessageCatalog.languages() == Self.languages)
        // Machine-drafted: each catalog says so in its header (docs/translations.md).
        for language in Self.languages {
            let text = try String(contentsOf: MessageCatalog.directory.appendingPathComponent("\(language).po"), encoding: .utf8)
            #expect(text.contains("MACHINE-DRAFTED, NOT YET REVIEWED"), "\(language).po")
        }
    }

    @Test("the fork's choices (every AccountPath label) in every shipped language, through the compiled catalogs: translated, and no two alike")
    func accountPathLabels() throws {
        // This process never starts Localization: the labels are the English entries.
        let labels = AccountPath.allCases.map(\.label)
        #expect(labels.allSatisfy { $0.allSatisfy(\.isASCII) && !$0.isEmpty }, "\(labels)")
        for language in Self.languages {
            let shown = try Self.probe(labels.map { "entry:" + $0 }, ["LANGUAGE": language])
            #expect(shown.count == labels.count, "\(language): \(shown)")
            for (label, text) in zip(labels, shown) {
                #expect(text != label && !text.isEmpty, "\(language): “\(label)” is not translated")
            }
            #expect(Set(shown).count == labels.count, "\(language): two ways read alike: \(shown)")
        }
    }

    @Test("LANGUAGE, LC_ALL, LC_MESSAGES and LANG choose the catalog as gettext does, also with only C.UTF-8 installed; LC_ALL=C means English",
          arguments: [
            (["LANGUAGE": "de"], "de"),                                    // no LANG at all: the C locale
            (["LANG": "fr_FR.UTF-8"], "fr"),                               // a locale that is not installed
            (["LANG": "C.UTF-8", "LC_MESSAGES": "es_ES.UTF-8"], "es"),
            (["LC_ALL": "ru_RU.UTF-8", "LANG": "de_DE.UTF-8"], "ru"),      // LC_ALL before LANG
            (["LANG": "C.UTF-8", "LANGUAGE": "fa"], "fa"),
            (["LANGUAGE": "zh_CN:en"], "zh_CN"),
            (["LANGUAGE": "xx:fr:de"], "fr"),                              // the first language with a catalog
            (["LANG": "de_DE.UTF-8", "LANGUAGE": "ru"], "ru"),             // LANGUAGE before LANG
            (["LC_ALL": "C", "LANGUAGE": "de"], "-"),                      // POSIX: C is untranslated
            (["LANG": "POSIX", "LANGUAGE": "de"], "-"),
            ([:], "-"),
            (["LANGUAGE": "pt_BR"], "-"),                                  // no catalog: English
          ])
    func languageChoice(environment: [String: String], expected: String) throws {
        let answer = try Self.probe(["catalog", "entry:Registering {0}"], environment)
        #expect(answer.first == expected, "\(environment)")
        let registering = try MessageCatalog.load(expected == "-" ? "de" : expected).text("Registering {0}", "<0>")
        #expect(answer.last == (expected == "-" ? "Registering <0>" : registering))
    }

    @Test("an installed locale works without the C.UTF-8 fallback (a de_DE.UTF-8 made with localedef)",
          .enabled(if: FileManager.default.fileExists(atPath: "/usr/share/i18n/locales/de_DE") || TestSupport.isCI))
    func installedLocale() throws {
        let directory = try TestSupport.makeTemporaryDirectory("onionboard-locale")
        defer { try? FileManager.default.removeItem(at: directory) }
        let made = try runCommand(["localedef", "-i", "de_DE", "-f", "UTF-8", directory.appendingPathComponent("de_DE.UTF-8").path],
                                  timeout: 120)
        #expect(made.status == 0, "\(made.output)")
        let answer = try Self.probe(["catalog", "preferred"], ["LANG": "de_DE.UTF-8", "LOCPATH": directory.path])
        #expect(answer == ["de", "de_DE,de"])
    }

    @Test("ONIONBOARD_LOCALEDIR names where the catalogs are; where there are none, messages stay English")
    func catalogDirectory() throws {
        let empty = try TestSupport.makeTemporaryDirectory("onionboard-no-catalogs")
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(try Self.probe(["catalog"], ["LANGUAGE": "de", "ONIONBOARD_LOCALEDIR": empty.path]) == ["-"])
        let built = TestSupport.productsDirectory.appendingPathComponent("locale")
        #expect(try Self.probe(["catalog"], ["LANGUAGE": "de", "ONIONBOARD_LOCALEDIR": built.path]) == ["de"])
    }

    @Test("a program may switch its language at run time (a command's --lang): Localization.use")
    func switchAtRunTime() throws {
        let catalog = try MessageCatalog.load("fa")
        #expect(try Self.probe(["catalog", "rtl", "entry:Next"], ["LANGUAGE": "de"], use: "fa")
                == ["fa", "rtl", catalog.text("Next")])
        #expect(try Self.probe(["catalog", "rtl"], ["LANGUAGE": "fa"], use: "en") == ["-", "ltr"])
        #expect(try Self.probe(["rtl"], ["LANGUAGE": "fa"]) == ["rtl"])
        #expect(try Self.probe(["rtl"], ["LANGUAGE": "de"]) == ["ltr"])
    }

    @Test("plural forms follow each language's rule (Russian has three)")
    func pluralForms() throws {
        let forms = try #require(try MessageCatalog.load("ru").entry("{0} minute")?.forms)
        #expect(forms.count == 3)
        let shown = try Self.probe(["plural:{0} minute|{0} minutes|1", "plural:{0} minute|{0} minutes|3",
                                    "plural:{0} minute|{0} minutes|5", "plural:{0} minute|{0} minutes|21"], ["LANGUAGE": "ru"])
        #expect(shown == [forms[0], forms[1], forms[2], forms[0]].map { $0.replacingOccurrences(of: "{0}", with: "<0>") })
        #expect(try Self.probe(["plural:{0} minute|{0} minutes|1", "plural:{0} minute|{0} minutes|2"], [:])
                == ["<0> minute", "<0> minutes"])
    }

    @Test("Pidgin's own labels in the person's language, from Pidgin's installed catalog, without access keys",
          .enabled(if: FileManager.default.fileExists(atPath: "/usr/share/locale/de/LC_MESSAGES/pidgin.mo") || TestSupport.isCI))
    func pidginLabels() throws {
        #expect(try Self.probe(["pidgin:_Username:", "pidgin-bare:_Username:"], ["LANGUAGE": "de"]) == ["Benutzer:", "Benutzer"])
        // Chinese writes the access key in parentheses, and a full-width colon.
        #expect(try Self.probe(["pidgin:_Username:", "pidgin-bare:Proxy _type:"], ["LANGUAGE": "zh_CN"]) == ["用户名：", "代理类型"])
        // French puts a space before the colon.
        #expect(try Self.probe(["pidgin-bare:_Username:"], ["LANG": "fr_FR.UTF-8"]) == ["Utilisateur"])
        #expect(try Self.probe(["pidgin:_Username:", "pidgin:Require encryption"], [:]) == ["Username:", "Require encryption"])
    }

    @Test("a run without questions says what is missing in the person's language (exit 3), and --json keeps its keys",
          arguments: languages)
    func nonInteractiveErrors(language: String) throws {
        let catalog = try MessageCatalog.load(language)
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["run", "--non-interactive", "--tor-socks", "127.0.0.1:1", "--purple-dir", directory.appendingPathComponent("p").path]
        let run = try BinaryRun.run(arguments, environment: ["LANGUAGE": language])
        #expect(run.status == 3)
        #expect(run.stderr.contains(catalog.text("a non-interactive run needs answers that were not given:")), "\(run.stderr)")
        #expect(run.stderr.contains(catalog.text("not checked: Tor is not connected")), "\(run.stderr)")
        #expect(!run.stderr.contains("a non-interactive run needs"))
        let json = try BinaryRun.run(arguments + ["--json"], environment: ["LANGUAGE": language])
        struct Report: Decodable {
            struct Failure: Decodable { let category: String; let message: String }
            let ok: Bool
            let error: Failure
        }
        let report = try JSONDecoder().decode(Report.self, from: json.stdoutData)
        #expect(!report.ok && report.error.category == "missing-answers")
        #expect(report.error.message.hasPrefix(catalog.text("a non-interactive run needs answers that were not given:")))
    }
}
