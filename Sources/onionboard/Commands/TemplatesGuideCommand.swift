import ArgumentParser
import Diagnostics
import FoundationEssentials
import Localization
import Platform
import Vocabulary
import Wizard
import WizardAdapters

extension TemplatesCommand {
    /// `onionboard templates guide TEMPLATE`: the manual for doing by hand what the wizard
    /// does, from the same template and provider data (and the kept live checks).
    struct Guide: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the step-by-step manual for doing by hand, in Pidgin, what a wizard does.",
            discussion: """
            Made from the template and the current provider data: the provider and its onion, the \
            password, Pidgin's account dialog field by field, the certificate's fingerprint to compare \
            (from the last `onionboard providers check`), and the room. Written to standard output: \
            `onionboard templates guide --format html > guide.html`. In the language of the messages \
            (LANGUAGE, LC_ALL, LC_MESSAGES, LANG) or the one --lang names, with Pidgin's labels as the \
            installed Pidgin shows them in that language.
            """)

        @Argument(help: ArgumentHelp("A bundled template id or a .wizard file.", valueName: "template"))
        var template: String = TemplateLibrary.defaultID

        @Option(help: ArgumentHelp("md (Markdown) or html (one self-contained page that prints well).", valueName: "format"))
        var format: ManualGuide.Format = .markdown

        @Option(help: ArgumentHelp("The provider the guide is for (default: the best the data and the last checks offer).",
                                   valueName: "domain"))
        var provider: String?

        @Option(name: .customLong("tor-socks"), help: ArgumentHelp("Tor's SOCKS port as Pidgin should use it.", valueName: "host:port"))
        var torSOCKS: String = "127.0.0.1:9050"

        @Option(name: .customLong("lang"), help: ArgumentHelp(
            "The guide's language (en, or one of the translations: de, es, fa, fr, ru, zh_CN); default: the environment's.",
            valueName: "language"))
        var language: String?

        @OptionGroup var providerMap: ProviderMapOptions

        func validate() throws {
            guard let language, language != "en" else { return }
            let installed = Localization.installedLanguages
            guard installed.contains(language) else {
                throw ValidationError("--lang: no translation for “\(language)”; the languages are "
                                      + (["en"] + installed).joined(separator: ", "))
            }
        }

        func run() throws {
            try reportingErrors(json: false) {
                let socks: HostPort
                do { socks = try HostPort(parsing: torSOCKS) } catch {
                    throw ValidationError("--tor-socks: \(error)")
                }
                if let language { Localization.use(language: language) }
                let template = try TemplateLibrary.load(self.template).localized()
                let input = GuideInput(template: template,
                                       providers: try OnionMapProviders(extraFiles: providerMap.extraMaps).allProviders(),
                                       checks: WizardLayers.checkStore().load(), chosenDomain: provider,
                                       now: Date().timeIntervalSince1970, generator: "onionboard \(Onionboard.version)",
                                       torSOCKS: socks)
                let guide = try ManualGuide.make(input)
                // HTML's language tag is BCP 47's: zh-CN, not gettext's zh_CN.
                let tag = String((Localization.catalogLanguage ?? "en").map { $0 == "_" ? "-" : $0 })
                StandardStreams.writeOutput(guide.rendered(as: format, language: tag, rightToLeft: Localization.isRightToLeft))
            }
        }
    }
}

extension ManualGuide.Format: ExpressibleByArgument {}
