import Foundation
import Testing
import TestSupport
import Wizard

/// `templates guide` in the person's language (issue 20): the German guide for the fixed data
/// of ManualGuideTests against its reviewed golden file, with no English left but names,
/// addresses, data and the labels Pidgin itself leaves untranslated; the Persian page right to
/// left; `--lang`. A test process must not change its own language under the other tests, so
/// the guide is made by `guide-probe` (the same data) or the `onionboard` program.
@Suite("The guide in the person's language (templates guide --lang)")
struct TranslatedGuideTests {
    static let probe = TestSupport.productsDirectory.appendingPathComponent("guide-probe")
    static let golden = TestSupport.packageRoot.appendingPathComponent("Tests/WizardTests/Golden")
    /// Pidgin's German catalog, which names the dialog's fields (Debian's pidgin-data).
    static let pidginCatalog = "/usr/share/locale/de/LC_MESSAGES/pidgin.mo"
    static var enabled: Bool {
        (FileManager.default.fileExists(atPath: pidginCatalog) && FileManager.default.isExecutableFile(atPath: "/usr/bin/msgfmt"))
            || TestSupport.isCI
    }

    /// What the probe prints, in an environment without the caller's language.
    static func probe(_ arguments: [String]) throws -> String {
        let run = try BinaryRun.run(arguments, binary: probe)
        try #require(run.status == 0, "guide-probe \(arguments): \(run.stderr)")
        return run.stdout
    }

    /// The guide's translation must have been compiled (scripts/test and scripts/catalogs compile do it).
    static func requireCatalogs() throws {
        try #require(FileManager.default.fileExists(atPath: pidginCatalog), "Pidgin's catalogs are missing (scripts/setup installs pidgin-data)")
        let catalog = TestSupport.productsDirectory.appendingPathComponent("locale/de/LC_MESSAGES/onionboard.mo")
        try #require(FileManager.default.fileExists(atPath: catalog.path),
                     "the catalogs are not compiled: python3 scripts/catalogs compile (scripts/test does it)")
    }

    @Test("the probe's data is ManualGuideTests' data: its English guide is the English golden file")
    func probeMatchesTheEnglishGolden() throws {
        let english = try String(contentsOf: Self.golden.appendingPathComponent("guide-tails-support.en.md"), encoding: .utf8)
        #expect(try Self.probe(["md"]) == english, "guide-probe's fixed data drifted from ManualGuideTests'")
    }

    @Test("the whole German guide for fixed data matches the reviewed golden file", .enabled(if: enabled))
    func goldenGerman() throws {
        try Self.requireCatalogs()
        let text = try Self.probe(["--use", "de", "md"])
        let file = Self.golden.appendingPathComponent("guide-tails-support.de.md")
        if ProcessInfo.processInfo.environment["ONIONBOARD_UPDATE_GOLDEN"] == "1" {
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected, "the German guide changed; if on purpose, rerun with ONIONBOARD_UPDATE_GOLDEN=1 and review the diff")
    }

    @Test("the German guide has no English left but names, addresses, the data and what Pidgin itself leaves untranslated; Pidgin's fields named as German Pidgin shows them",
          .enabled(if: enabled))
    func noEnglishInGerman() throws {
        try Self.requireCatalogs()
        var text = try Self.probe(["--use", "de", "md"])
        // Pidgin's own words, as its German catalog has them.
        for (english, german) in [("Connect server", "Verbindungsserver"), ("Manage Accounts", "Konten ▸ Konten verwalten"),
                                  ("View Certificate", "Zertifikat ansehen"), ("Remain in chat", "In Chat bleiben")] {
            #expect(text.contains(german), "Pidgin's “\(english)” is not named as German Pidgin shows it")
        }
        // Data, not our words: the stored check's reason, the provider data's note, the program's
        // name, the template's names for other rooms (Room-Alternatives has no translations).
        var data = ["onionboard (test)", "not in the Tor network", "2026-11-30: probed"]
        data += try TemplateLibrary.loadBundled("tails-support").roomAlternatives.compactMap(\.alias)
        // Pidgin's labels as German Pidgin shows them are Pidgin's words, not ours: some stay
        // English ("Fingerprint (SHA1)"), some are words both languages have ("Alias").
        for line in try Self.probe(["--use", "de", "labels"]).split(separator: "\n") {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 2 { data.append(parts[1]) }
        }
        #expect(data.contains("Fingerprint (SHA1)"), "the probe no longer lists the labels it used")
        for item in data.sorted(by: { $0.count > $1.count }) { text = Self.removing(item, from: text) }
        let leftovers = try EnglishCheck(language: "de").leftovers(text)
        #expect(leftovers.isEmpty, "English in the German guide:\n\(leftovers.joined(separator: "\n"))")
    }

    @Test("the Persian page is right to left with lang=\"fa\"; --lang and the environment both choose; an unknown --lang is a usage error naming the languages",
          .enabled(if: enabled))
    func persianAndLanguageChoice() throws {
        try Self.requireCatalogs()
        let page = try Self.probe(["--use", "fa", "html"])
        #expect(page.contains("<html lang=\"fa\" dir=\"rtl\">"), "\(page.prefix(200))")
        #expect(page.contains("<caption>\(try Self.probe(["--use", "fa", "labels"]).split(separator: "\n").first { $0.hasPrefix("_Basic\t") }!.split(separator: "\t")[1])</caption>"))
        #expect(!page.contains("What this guide does"))
        #expect(try Self.probe(["--use", "de", "html"]).contains("<html lang=\"de\" dir=\"ltr\">"))
        #expect(try Self.probe(["--use", "zh_CN", "html"]).contains("<html lang=\"zh-CN\" dir=\"ltr\">"))

        // The program: --lang over the environment, the environment without it.
        let providers = try Self.providerFile()
        defer { try? FileManager.default.removeItem(at: providers.deletingLastPathComponent()) }
        let common = ["templates", "guide", "--format", "html", "--provider", "open.example", "--providers", providers.path]
        let state = ["XDG_STATE_HOME": providers.deletingLastPathComponent().path]  // no kept checks
        let chosen = try BinaryRun.run(common + ["--lang", "fa"], environment: state.merging(["LANGUAGE": "de"]) { $1 })
        #expect(chosen.status == 0, "\(chosen.stderr)")
        #expect(chosen.stdout.contains("<html lang=\"fa\" dir=\"rtl\">"))
        let environment = try BinaryRun.run(common, environment: state.merging(["LANGUAGE": "fa"]) { $1 })
        #expect(environment.stdout.contains("<html lang=\"fa\" dir=\"rtl\">"))
        let english = try BinaryRun.run(common + ["--lang", "en"], environment: state.merging(["LANGUAGE": "fa"]) { $1 })
        #expect(english.stdout.contains("<html lang=\"en\" dir=\"ltr\">") && english.stdout.contains("What this guide does"))

        let unknown = try BinaryRun.run(common + ["--lang", "xx"], environment: state)
        #expect(unknown.status == 64, "a bad --lang is a usage error (README: Exit codes)")
        let shipped = try ["en"] + MessageCatalog.languages()
        #expect(unknown.stderr.contains("--lang: no translation for “xx”; the languages are \(shipped.joined(separator: ", "))"),
                "\(unknown.stderr)")
        #expect(unknown.stdout.isEmpty)
    }

    /// A provider map with one open provider (the guide needs no network).
    static func providerFile() throws -> URL {
        let directory = try TestSupport.makeTemporaryDirectory("guide-map")
        let file = directory.appendingPathComponent("providers.json")
        let onion = ProvidersCLITests.v3
        try Data("""
        {"open.example": {"onion": "\(onion)", "clientPort": 5222, "registration": "yes", "captcha": false}}
        """.utf8).write(to: file)
        return file
    }

    /// `text` without `item` where it stands as a whole (not inside a longer word).
    static func removing(_ item: String, from text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let range = rest.range(of: item) {
            let before = rest[..<range.lowerBound].last, after = rest[range.upperBound...].first
            let whole = !(before?.isLetter ?? false) && !(after?.isLetter ?? false)
            result += rest[..<range.lowerBound] + (whole ? " " : item)
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
