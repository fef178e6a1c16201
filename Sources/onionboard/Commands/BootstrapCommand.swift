import Frontends
import ArgumentParser
import Diagnostics
import FoundationEssentials
import Glibc
import Vocabulary
import Wizard
import WizardAdapters
import Localization

/// `onionboard bootstrap`: first boot, run at login by the XDG autostart entry.
/// Idempotent: a profile that already has an account on a provider of the map is
/// left alone ("already set up", exit 0). Otherwise it waits for Tor's SOCKS port
/// and runs the wizard non-interactively from an answers file and the defaults.
struct BootstrapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap",
        abstract: "First-boot setup: idempotent, waits for Tor, uses answers and defaults.",
        discussion: """
            Without --provider (or a provider in the answers file) it checks the providers the
            template offers over Tor and takes the best one that registers without a CAPTCHA. It never prompts unless --frontend is
            given or it runs as onionboard-gtk (the autostart entry: the introduction, then the
            provider, certificate and CAPTCHA pages as needed). See docs/wizard.md and docs/gui.md.
            """
    )

    @Argument(help: ArgumentHelp("A bundled template id or a .wizard file.", valueName: "template"))
    var template: String = TemplateLibrary.defaultID

    @OptionGroup var answerOptions: AnswerOptions
    @OptionGroup var providerMap: ProviderMapOptions
    @OptionGroup var deadlines: NetworkDeadlineOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var frontendOptions: FrontendOptions

    @Option(name: .customLong("wait-tor"), help: ArgumentHelp(
        "Wait at most this many seconds for Tor to be connected and the provider's onion to answer.", valueName: "seconds"))
    var waitTor: Int = 300

    @Flag(name: .customLong("only-on-tails"), help: ArgumentHelp(
        "Do nothing unless this is Tails (/etc/amnesia/version): the package's system-wide autostart entry, which every user of any system with the package would otherwise see at login."))
    var onlyOnTails = false

    func validate() throws {
        try validateTemplateArgument(template)
        try validateDurations([("--wait-tor", Double(waitTor))])
    }

    struct NotTails: Encodable {
        let ok = true
        let skipped = "not Tails"
        let tailsVersionFile: String
    }

    struct AlreadySetUp: Encodable {
        let ok = true
        let alreadySetUp = true
        let jid: String
        let profileDirectory: String
        /// onionboard registered the account (else bootstrap never joins a room with it).
        let madeByOnionboard: Bool
        /// The room put back on onionboard's own account, when it had gone.
        let roomAdded: RoomBookmark?
        /// The pinned certificates checked again (a provider may have renewed its own).
        let certificates: [CertificateRenewal.Outcome]
    }

    func run() throws {
        try reportingErrors(json: output.json) {
            let tails = TailsLayout(environment: ProcessInfo.processInfo.environment)
            if onlyOnTails, !FileManager.default.fileExists(atPath: tails.versionFile) {
                if output.json { try Console.json(NotTails(tailsVersionFile: tails.versionFile)) }
                else { Console.out(translated("This is not Tails (no \(tails.versionFile)): nothing to do.")) }
                return
            }
            // Unlike run, bootstrap never prompts unless told which frontend to use, or run as
            // onionboard-gtk (the autostart entry).
            let frontend = try frontendOptions.make(nonInteractive: false, automatic: FrontendKind.none,
                                                    context: ConsoleContext.standard(progressToStandardError: output.json))
            var launch = try WizardLaunch(template: template, answerOptions: answerOptions,
                                          extraMaps: providerMap.extraMaps, timeouts: deadlines.timeouts)
            // Without a provider: the best live one that needs no person; the window asks only when none fits.
            launch.takesBestLiveProvider = true
            let presets = try launch.presets()
            let engine = launch.session.engine
            let directory = WizardEngine.profileDirectory(answer: { engine.effectiveValue($0, in: presets) }, home: homeDirectory)
            let accounts = try launch.session.writer.existingAccounts(in: directory)
            let socks = engine.effectiveValue(AnswerKeys.torSOCKS, in: presets).flatMap(HostPort.init) ?? .torDefault
            let decision = Bootstrap.decide(accounts, providers: launch.providers, preferredDomain: presets.value(AnswerKeys.provider),
                                            rooms: engine.templateRooms(presets))
            var existing: ExistingAccount?
            var roomAdded: RoomBookmark?
            switch decision {
            case .register:
                break
            case .alreadySetUp(let account):
                existing = account
                if !output.json { Console.out(translated("Already set up: \(account.jid) in \(directory).")) }
            case .madeElsewhere(let account):
                existing = account
                if !output.json {
                    Console.out(translated("Already set up: \(account.jid) in \(directory)."))
                    Console.out("• " + translated("""
                        \(account.jid) was not made by onionboard, so bootstrap does not join a room with it: it may carry \
                        your identity. To join the room with it anyway, run onionboard and choose “\(AccountPath.pidgin.label)”.
                        """))
                }
            case .restoreRoom(let account):
                // onionboard's own account lost its room: only the room goes back, nothing else changes.
                existing = account
                let plan = engine.restoringRoom(to: account, answers: presets, generator: SodiumCredentialSource(),
                                                homeDirectory: homeDirectory)
                let written = try launch.session.writer.writeJoin(plan, room: plan.room, certificatePEM: nil, force: answerOptions.force)
                roomAdded = plan.room
                if !output.json {
                    Console.out(translated("""
                        Added the room \(plan.room.jid) back to \(account.jid) in \(directory) (as \(plan.handle)): \
                        it had gone from Pidgin's buddy list.
                        """))
                    for warning in written.warnings { Console.out("• " + OnboardingReport.note(warning.message)) }
                }
            }
            if let existing {
                let certificates = renewedCertificates(directory: directory, accounts: accounts, launch: launch,
                                                       socks: socks, frontend: frontend)
                if output.json {
                    try Console.json(AlreadySetUp(jid: existing.jid, profileDirectory: directory,
                                                  madeByOnionboard: existing.madeByOnionboard, roomAdded: roomAdded,
                                                  certificates: certificates))
                }
                return
            }
            try showingErrors(in: frontend) {
                // First what this is (the desktop window's introduction), then the wait for Tor.
                frontend.begin(launch.template, profileDirectory: launch.profileDirectory(presets))
                // Before anything else (and before the wait for Tor): a profile that will not survive.
                launch.session.sayPersistence(for: directory) { frontend.progress($0) }
                let started = Date().timeIntervalSince1970
                try Bootstrap.waitForTor(socks, limitSeconds: waitTor, probe: WizardLayers.torState) { frontend.progress($0) }
                // Tor may accept connections before it can build circuits: failed onion
                // connections are tried again until --wait-tor is used up.
                let report = try launch.run(frontend: frontend, threshold: .critical, saveAnswers: nil, presets: presets,
                                            begun: true, retryReachUntil: started + Double(waitTor))
                if output.json { try Console.json(report) } else { frontend.finish(report) }
            }
        }
    }

    /// At every login: the pinned certificates checked again once Tor is connected, and a
    /// renewal that is vouched for pinned before Pidgin starts. Never fails the login: a
    /// Tor that does not come up in time only means no check this time.
    func renewedCertificates(directory: String, accounts: [ExistingAccount], launch: WizardLaunch, socks: HostPort,
                             frontend: Frontend) -> [CertificateRenewal.Outcome] {
        let say: @Sendable (RunEvent) -> Void = { event in if !output.json { Console.out("• \(event)") } }
        do {
            try Bootstrap.waitForTor(socks, limitSeconds: waitTor, probe: WizardLayers.torState, events: say)
        } catch {
            say(.note(translated("The pinned certificates were not checked: \(error)")))
            return []
        }
        return CertificateRenewal(registrar: launch.session.registrar, writer: launch.session.writer).check(
            directory: directory, accounts: accounts, providers: launch.providers, torSOCKS: socks,
            acceptedFingerprint: answerOptions.acceptedFingerprint,
            confirm: frontend.isInteractive ? { frontend.confirm($0) } : nil, events: say)
    }
}
