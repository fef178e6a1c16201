import Frontends
import ArgumentParser
import Diagnostics
import OnionMap

/// `onionboard providers list|show|import`: the onion provider map.
struct ProvidersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "List, inspect and import onion provider maps.",
        discussion: """
            The bundled map lists XMPP providers with a v3 onion service; --providers FILE adds \
            a Lua onions_map or a metadata JSON on top (repeatable, later files win). Nothing in \
            the bundled map was probed live: 'providers show' says which list said what, and when.
            """,
        subcommands: [List.self, Show.self, Import.self],
        defaultSubcommand: List.self
    )
}

extension ProvidersCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List providers that allow in-band registration over a v3 onion (--all: every provider).")

        @Flag(name: .long, help: "Include providers without (known) in-band registration.")
        var all = false

        @OptionGroup var maps: ProviderMapOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reportingErrors(json: output.json) {
                let catalog = try ProviderCatalog.load(extraFiles: maps.extraMaps)
                let shown = all ? catalog.providers : catalog.registrationCandidates
                if output.json {
                    try Console.json(ListReport(filter: all ? "all" : "in-band-registration",
                                                providers: shown, warnings: catalog.warnings))
                    return
                }
                catalog.warnings.forEach { Console.err("warning: \($0)") }
                printTable(shown)
                let registrable = catalog.registrationCandidates.count
                if all {
                    Console.out("\n\(shown.count) providers; \(registrable) allow in-band registration.")
                } else {
                    Console.out("\n\(registrable) of \(catalog.providers.count) providers allow in-band registration "
                                + "over a v3 onion (--all lists every one).")
                }
                Console.out("Nothing was probed live; 'onionboard providers show DOMAIN' gives sources and dates.")
            }
        }

        private func printTable(_ providers: [Provider]) {
            let width = columnWidth(providers.map(\.domain))
            Console.out(pad("DOMAIN", width) + "  " + pad("ONION", 62) + "  REGISTRATION")
            for provider in providers {
                Console.out(pad(provider.domain, width) + "  " + pad(provider.onion.hostname, 62)
                            + "  " + provider.registrationSummary)
            }
        }
    }

    struct ListReport: Encodable {
        let filter: String
        let providers: [Provider]
        let warnings: [String]
    }
}

extension ProvidersCommand {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show everything known about one provider.")

        @Argument(help: "The provider's XMPP domain (e.g. jabjab.de).")
        var domain: String

        @OptionGroup var maps: ProviderMapOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reportingErrors(json: output.json) {
                let catalog = try ProviderCatalog.load(extraFiles: maps.extraMaps)
                guard let provider = catalog.provider(for: domain) else {
                    throw UnknownProviderError(domain: domain)
                }
                if output.json {
                    try Console.json(provider)
                    return
                }
                catalog.warnings.forEach { Console.err("warning: \($0)") }
                describe(provider)
            }
        }

        private func describe(_ provider: Provider) {
            func line(_ label: String, _ value: String) {
                Console.out(pad(label.isEmpty ? "" : label + ":", 22) + value)
            }
            line("domain", provider.domain)
            line("onion", provider.onion.hostname)
            line("client port", "\(provider.clientPort) (STARTTLS)")
            line("direct TLS port", provider.directTLSPort.map(String.init) ?? "unknown")
            line("registration", provider.registration.rawValue)
            line("CAPTCHA", provider.captcha.map { $0 ? "yes" : "no" } ?? "unknown")
            line("web registration", provider.webRegistrationURL ?? "none known")
            line("certificate SHA-256", provider.pinSHA256 ?? "none pinned")
            line("last verified", provider.lastVerified.map { ($0.date.map { "\($0): " } ?? "") + $0.what }
                    ?? "never")
            line("defined in", provider.origin)
            if !provider.notes.isEmpty { line("notes", provider.notes) }
            if provider.sources.isEmpty { line("sources", "none given") }
            for (index, source) in provider.sources.enumerated() {
                let details = [source.date, source.commit.map { "commit \($0)" }, source.url].compactMap { $0 }
                line(index == 0 ? "sources" : "", "\(source.name)" + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))"))
            }
        }
    }

    /// `providers show` for a domain that is in no map.
    struct UnknownProviderError: ClassifiedError {
        let domain: String
        var category: ErrorCategory { .missingInput }
        var description: String {
            "no provider \"\(domain)\" in the bundled map or the --providers files; "
                + "'onionboard providers list --all' lists every known provider"
        }
    }
}

extension ProvidersCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an upstream onions_map file: each entry usable v3, dead v2, or invalid.",
            discussion: "Exit status 0 when the file parses (whatever its entries are), 65 on a syntax error, 66 if it cannot be read.")

        @Argument(help: "A Prosody mod_onions onions_map file (.lua).")
        var file: String

        @OptionGroup var output: OutputOptions

        func run() throws {
            try reportingErrors(json: output.json) {
                guard case .map(let map, _) = try ProviderCatalog.layer(fromFile: file) else { throw NotAMapError(path: file) }
                let report = MapImportReport(map: map, source: file)
                if output.json {
                    try Console.json(report)
                } else {
                    printReport(report)
                }
            }
        }

        private func printReport(_ report: MapImportReport) {
            let width = columnWidth(report.entries.map(\.domain))
            for entry in report.entries {
                let head = pad("line \(entry.line)", 9) + pad(shortened(entry.domain), width) + "  "
                switch entry.status {
                case .v3: Console.out(head + "v3       " + (entry.onion ?? ""))
                case .v2: Console.out(head + "v2/dead  " + shortened(entry.value))
                case .invalid: Console.out(head + "invalid  " + shortened(entry.value) + ": " + shortened(entry.reason ?? ""))
                }
            }
            let counts = report.counts
            Console.out("")
            Console.out("\(report.source): \(counts.entries) entries: \(counts.v3) usable v3, "
                        + "\(counts.v2) v2 (dead), \(counts.invalid) invalid; "
                        + "\(counts.distinctDomains) distinct domains, \(counts.distinctOnions) distinct onions.")
            if counts.v2 > 0 { Console.out("v2: \(OnionAddressError.version2Explanation).") }
            for duplicate in report.duplicates {
                Console.out("duplicate: \"\(duplicate.domain)\" on lines "
                            + duplicate.lines.map(String.init).joined(separator: ", "))
            }
            for shared in report.sharedOnions {
                Console.out("shared onion: \(shared.onion) serves " + shared.domains.joined(separator: ", "))
            }
            for warning in report.warnings { Console.out("warning: \(warning)") }
        }
    }
}

/// `providers import` given a metadata JSON file instead of a Lua map.
struct NotAMapError: ClassifiedError {
    let path: String
    var category: ErrorCategory { .invalidData }
    var description: String {
        "\(path) is a metadata JSON file, not a Lua onions_map; check it with "
            + "'onionboard providers list --all --providers \(path)'"
    }
}

/// Left-aligns `text` in a column of `width` characters.
private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

/// The widest domain column a table pads to: longer names (real ones are under 30
/// characters) overflow their own line instead of widening every line (issue 17: one
/// 450 KB key padded 2,000 lines into a gigabyte of output).
let maximumColumnWidth = 40

/// The width of a column holding `texts`: the longest, at least 6, at most `maximumColumnWidth`.
private func columnWidth(_ texts: [String]) -> Int {
    min(maximumColumnWidth, max(6, texts.lazy.map(\.count).max() ?? 0))
}

/// A map's text as a table shows it: at most `limit` characters, the rest counted.
/// `--json` keeps the full values.
func shortened(_ text: String, limit: Int = 120) -> String {
    guard text.count > limit else { return text }
    return String(text.prefix(limit)) + "… (\(text.count - limit) more characters)"
}
