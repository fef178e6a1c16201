import Frontends
import ArgumentParser
import Diagnostics
import Foundation
import Wizard
import WizardAdapters

/// `onionboard bootstrap`: first boot, run at login by the XDG autostart entry.
/// Idempotent: a profile that already has an account on a provider of the map is
/// left alone ("already set up", exit 0). Otherwise it waits for Tor's SOCKS port
/// and runs the wizard non-interactively from an answers file and the defaults.
struct BootstrapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap",
        abstract: "First-boot setup: idempotent, waits for Tor, uses answers and defaults.",
        discussion: """
            Without --provider (or a provider in the answers file) it takes the first provider
            the template offers with open registration. It never prompts unless --frontend is
            given or it runs as onionboard-gtk (the autostart entry: the introduction, then the
            provider, certificate and CAPTCHA pages as needed). See docs/wizard.md and docs/gui.md.
            """
    )

    @Argument(help: ArgumentHelp("A bundled template id or a .wizard file.", valueName: "template"))
    var template: String = TemplateLibrary.defaultID

    @OptionGroup var answerOptions: AnswerOptions
    @OptionGroup var providerMap: ProviderMapOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var frontendOptions: FrontendOptions

    @Option(name: .customLong("wait-tor"), help: ArgumentHelp(
        "Wait at most this many seconds for Tor's SOCKS port.", valueName: "seconds"))
    var waitTor: Int = 300

    struct AlreadySetUp: Encodable {
        let ok = true
        let alreadySetUp = true
        let jid: String
        let profileDirectory: String
    }

    func run() throws {
        try reportingErrors(json: output.json) {
            // Unlike run, bootstrap never prompts unless told which frontend to use, or run as
            // onionboard-gtk (the autostart entry).
            let frontend = try frontendOptions.make(nonInteractive: false, automatic: FrontendKind.none,
                                                    context: ConsoleContext.standard(progressToStandardError: output.json))
            let launch = try WizardLaunch(template: template, answerOptions: answerOptions,
                                          extraMaps: providerMap.extraMaps)
            var presets = try launch.presets()
            let engine = launch.session.engine
            let directory = WizardEngine.profileDirectory(answer: { engine.effectiveValue($0, in: presets) }, home: homeDirectory)
            let accounts = try launch.session.writer.existingAccounts(in: directory)
            if let existing = Bootstrap.existingSetup(in: accounts, providers: launch.providers,
                                                      preferredDomain: presets.value(AnswerKeys.provider)) {
                if output.json {
                    try Console.json(AlreadySetUp(jid: existing.jid, profileDirectory: directory))
                } else {
                    Console.out("Already set up: \(existing.jid) in \(directory); nothing to do.")
                }
                return
            }
            if presets[AnswerKeys.provider] == nil, let first = Bootstrap.defaultProvider(engine.offeredProviders) {
                presets.set(AnswerKeys.provider, first.domain, source: .templateDefault)
            }
            let socks = engine.effectiveValue(AnswerKeys.torSOCKS, in: presets).flatMap(HostPort.init) ?? .torDefault
            try showingErrors(in: frontend) {
                // First what this is (the desktop window's introduction), then the wait for Tor.
                frontend.begin(launch.template, profileDirectory: launch.profileDirectory(presets))
                try Bootstrap.waitForTor(socks, limitSeconds: waitTor, probe: { TorSOCKSProbe.probe($0) }) { frontend.progress($0) }
                let report = try launch.run(frontend: frontend, threshold: .critical, saveAnswers: nil, presets: presets,
                                            begun: true)
                if output.json { try Console.json(report) } else { frontend.finish(report) }
            }
        }
    }
}
