import Frontends
import ArgumentParser
import Diagnostics
import FoundationEssentials
import OnionMap
import Vocabulary
import Wizard
import WizardAdapters
import XMPPOverTor

/// `onionboard providers list|show|import`: the onion provider map.
struct ProvidersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "List, inspect and import onion provider maps.",
        discussion: """
            The bundled map lists XMPP providers with a v3 onion service; --providers FILE adds \
            a Lua onions_map or a metadata JSON on top (repeatable, later files win). Nothing in \
            the bundled map was probed live: 'providers show' says which list said what, and when; \
            'providers check' checks providers over Tor now (and keeps the result for the wizard).
            """,
        subcommands: [List.self, Show.self, Check.self, Import.self],
        defaultSubcommand: List.self
    )
}

extension ProvidersCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the providers the wizard offers: in-band registration open or unknown (--all: every provider).")

        @Flag(name: .long, help: "Include providers without in-band registration.")
        var all = false

        @OptionGroup var maps: ProviderMapOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reportingErrors(json: output.json) {
                let catalog = try ProviderCatalog.load(extraFiles: maps.extraMaps)
                let shown = all ? catalog.providers : ProvidersCommand.offered(catalog)
                let checks = WizardLayers.checkStore().load()
                if output.json {
                    try Console.json(ListReport(filter: all ? "all" : ProviderFilter.inBandRegistration.rawValue,
                                                providers: shown, warnings: catalog.warnings,
                                                checks: shown.compactMap { checks[$0.domain] }))
                    return
                }
                catalog.warnings.forEach { Console.err("warning: \($0)") }
                printTable(shown, checks: checks)
                let offered = ProvidersCommand.offered(catalog).map(OnionMapProviders.choice)
                let open = offered.filter { $0.registration == .open }
                let withoutCAPTCHA = open.filter { $0.captcha == false }.count
                Console.out("")
                Console.out("\(offered.count) of \(catalog.providers.count) providers may allow in-band registration over a v3 onion "
                            + "(the ones the wizard offers): \(open.count) open by the data (\(withoutCAPTCHA) without a CAPTCHA), "
                            + "\(offered.count - open.count) unknown." + (all ? "" : " --all lists every provider."))
                Console.out(checks.isEmpty
                    ? "Nothing here was checked live yet: 'onionboard providers check' checks them over Tor."
                    : "LIVE is the last 'providers check' (or wizard run) of each; 'onionboard providers check' checks again.")
            }
        }

        private func printTable(_ providers: [Provider], checks: [String: ProviderCheck]) {
            let width = columnWidth(providers.map(\.domain))
            let now = Date().timeIntervalSince1970
            Console.out(pad("DOMAIN", width) + "  " + pad("ONION", 62) + "  " + pad("REGISTRATION (data)", 36) + "  LIVE")
            for provider in providers {
                let live = checks[provider.domain].flatMap { $0.onion == provider.onion.hostname ? $0 : nil }
                Console.out(pad(shortened(provider.domain), width) + "  " + pad(provider.onion.hostname, 62)
                            + "  " + pad(OnionMapProviders.choice(provider).registrationSummary, 36)
                            + "  " + (live.map { $0.summary(now: now, own: false) } ?? "not checked"))
            }
        }
    }

    struct ListReport: Encodable {
        let filter: String
        let providers: [Provider]
        let warnings: [String]
        /// The kept live checks of the listed providers.
        let checks: [ProviderCheck]
    }

    /// What the wizard offers by default (`Offer-Providers: in-band-registration`, in its
    /// order): registration open or unknown, those known to need no CAPTCHA first. One rule
    /// for `providers list`, `providers check` and the wizard.
    static func offered(_ catalog: ProviderCatalog) -> [Provider] {
        let byDomain = Dictionary(uniqueKeysWithValues: catalog.providers.map { ($0.domain, $0) })
        let choices = catalog.providers.map(OnionMapProviders.choice).filter(ProviderFilter.inBandRegistration.admits)
        return ProviderOrder.noCaptchaFirst.sorted(choices).compactMap { byDomain[$0.domain] }
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
            line("key (SPKI) SHA-256", provider.spkiSHA256 ?? "none pinned")
            if provider.isOnionDomain { line("accounts", "name@\(provider.domain) (the onion's own domain)") }
            if let operatedBy = provider.operatedBy { line("operated by", operatedBy) }
            line("website", provider.website ?? "none known")
            line("server locations", provider.serverLocations.isEmpty ? "not known" : provider.serverLocations.joined(separator: ", "))
            line("server software", provider.serverSoftware ?? "not known")
            if let organization = provider.organization { line("organization", organization) }
            for (index, disagreement) in provider.disagreements.enumerated() {
                line(index == 0 ? "sources disagree" : "", disagreement)
            }
            if let live = WizardLayers.checkStore().load()[provider.domain], live.onion == provider.onion.hostname {
                line("last live check", live.summary(now: Date().timeIntervalSince1970, own: false))
            }
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

        @Argument(help: "A Prosody mod_onions onions_map file (.lua), or XMPP Providers' JSON (providers-B.json, providers.json).")
        var file: String

        @OptionGroup var maps: ProviderMapOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reportingErrors(json: output.json) {
                let bytes = try ProviderFile.read(file)
                if XMPPProvidersReport.looksLikeXMPPProviders(bytes) {
                    let report = try XMPPProvidersReport(bytes, source: file, map: try ProviderCatalog.load(extraFiles: maps.extraMaps))
                    if output.json { try Console.json(report) } else { printXMPPProviders(report) }
                    return
                }
                guard case .map(let map, _) = try ProviderCatalog.layer(fromFile: file) else { throw NotAMapError(path: file) }
                let report = MapImportReport(map: map, source: file)
                if output.json {
                    try Console.json(report)
                } else {
                    printReport(report)
                }
            }
        }

        private func printXMPPProviders(_ report: XMPPProvidersReport) {
            let width = columnWidth(report.entries.map(\.jid))
            func registration(_ entry: XMPPProvidersReport.Entry) -> String {
                switch (entry.inBandRegistration, entry.captcha) {
                case (true?, true?): "in-band, CAPTCHA"
                case (true?, _): "in-band, no CAPTCHA"
                case (false?, _): "web only"
                case (nil, _): "registration not stated"
                }
            }
            let column = report.entries.map { registration($0).count }.max() ?? 0
            for entry in report.entries {
                Console.out(pad(shortened(entry.jid), width) + "  " + pad(shortened(entry.category ?? "-"), 2) + "  " + pad(registration(entry), column)
                            + "  " + (entry.mapOnion.map { "in the map: \($0)" } ?? "no known onion"))
                if entry.inBandRegistration == false, let url = entry.webRegistrationURL {
                    Console.out(String(repeating: " ", count: width + 2) + "web registration: \(url)")
                }
                for onion in entry.onionDomains { Console.out(String(repeating: " ", count: width + 2) + "onion domain: \(onion)") }
                for difference in entry.differences {
                    Console.out(String(repeating: " ", count: width + 2) + "differs: \(difference)")
                }
            }
            let counts = report.counts
            Console.out("")
            Console.out("\(report.source): \(counts.entries) providers (XMPP Providers' format): \(counts.inBandRegistration) with "
                        + "in-band registration (\(counts.captcha) with a CAPTCHA), \(counts.inMap) in the provider map, "
                        + "\(counts.onionDomains) onion domain(s) among the alternative JIDs.")
            Console.out("XMPP Providers has no onion field: only providers already in the map (or with an onion domain) can be reached over an onion.")
            for warning in report.warnings { Console.out("warning: \(warning)") }
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

/// The widest domain column a table pads to: longer names (real ones are under 30
/// characters) overflow their own line instead of widening every line (issue 17: one
/// 450 KB key padded 2,000 lines into a gigabyte of output).
let maximumColumnWidth = 40

/// The width of a column holding `texts`: the longest, at least 6, at most `maximumColumnWidth`.
func columnWidth(_ texts: [String]) -> Int {
    min(maximumColumnWidth, max(6, texts.lazy.map(\.count).max() ?? 0))
}

/// A map's text as a table shows it: at most `limit` characters, the rest counted.
/// `--json` keeps the full values.
func shortened(_ text: String, limit: Int = 120) -> String {
    guard text.count > limit else { return text }
    return String(text.prefix(limit)) + "… (\(text.count - limit) more characters)"
}
