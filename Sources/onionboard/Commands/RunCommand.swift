import Frontends
import ArgumentParser
import Diagnostics
import FoundationEssentials
import Glibc
import Platform
import Vocabulary
import Wizard
import WizardAdapters
import XMPPOverTor

/// `onionboard run [TEMPLATE]`: the wizard. Asks what flags, answers file and
/// environment leave open (or, with --non-interactive, lists it and exits 3), then
/// registers over Tor and writes the Pidgin profile.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a wizard: choose a provider, register over Tor, write the Pidgin profile.",
        discussion: """
            Answers come from, highest first: flags, --answers FILE, ONIONBOARD_<KEY> environment
            variables, the template's defaults. The password is generated unless --password-file
            is given; it is never read from an answers file or the environment.
            Follow the original guide's room with --room tails@conference.riseup.net.
            """
    )

    @Argument(help: ArgumentHelp("A bundled template id or a .wizard file.", valueName: "template"))
    var template: String = TemplateLibrary.defaultID

    @OptionGroup var answerOptions: AnswerOptions
    @OptionGroup var providerMap: ProviderMapOptions
    @OptionGroup var deadlines: NetworkDeadlineOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var frontendOptions: FrontendOptions

    @Flag(name: [.customLong("non-interactive"), .customLong("yes")],
          help: "Never prompt: missing answers are listed (exit 3) and nothing is written.")
    var nonInteractive = false

    @Option(help: ArgumentHelp("Ask questions of this priority and above: low, medium, high, critical.", valueName: "priority"))
    var priority: String = Priority.medium.rawValue

    @Option(name: .customLong("save-answers"), help: ArgumentHelp(
        "Write the answers (never the password) to this file for replay with --answers.", valueName: "file"))
    var saveAnswers: String?

    func validate() throws {
        try validateTemplateArgument(template)
        guard Priority(rawValue: priority) != nil else {
            throw ValidationError("--priority is one of low, medium, high, critical (got \(priority))")
        }
        if answerOptions.passwordFile == "-" && !nonInteractive && !passwordTypedAtTerminal("-") {
            throw ValidationError("--password-file - reads standard input to its end, so no question could be answered after it; use a file, or add --non-interactive")
        }
    }

    @Option(name: .customLong("invite"), help: ArgumentHelp(
        "An invite link (xmpp:example.org?register;preauth=TOKEN): picks the provider by its domain, uses the token, and the username it suggests.",
        valueName: "uri"))
    var invite: String?

    @Flag(name: .customLong("no-server-bookmark"),
          help: "Do not bookmark the room on the server (XEP-0402/0049); only the Pidgin profile gets it.")
    var noServerBookmark = false

    func run() throws {
        try reportingErrors(json: output.json) {
            let context = ConsoleContext.standard(progressToStandardError: output.json)
            let frontend = try frontendOptions.make(nonInteractive: nonInteractive, context: context)
            try showingErrors(in: frontend) {
                var launch = try WizardLaunch(template: template, answerOptions: answerOptions,
                                              extraMaps: providerMap.extraMaps, timeouts: deadlines.timeouts)
                launch.invite = try invite.map { try InviteURI($0) }
                launch.serverBookmark = !noServerBookmark
                let report = try launch
                    .run(frontend: frontend, threshold: Priority(rawValue: priority)!, saveAnswers: saveAnswers)
                if output.json { try Console.json(report) } else { frontend.finish(report) }
            }
        }
    }
}

/// The pieces `run` and `bootstrap` share: load template and providers, gather the
/// preset answers, plan, save answers, execute.
struct WizardLaunch {
    let template: WizardTemplate
    let providers: [ProviderChoice]
    let answerOptions: AnswerOptions
    let session: OnboardingSession
    /// `--invite`: sets the provider (and a suggested username) and carries the token.
    var invite: InviteURI?
    var serverBookmark = true
    /// Without a provider, take the best live one that needs no person (bootstrap).
    var takesBestLiveProvider = false

    init(template name: String, answerOptions: AnswerOptions, extraMaps: [String], timeouts: Timeouts) throws {
        // In the person's language when the template has it (Description-LL.UTF-8…).
        template = try TemplateLibrary.load(name).localized()
        providers = try WizardLayers.providers(extraMaps: extraMaps)
        self.answerOptions = answerOptions
        session = OnboardingSession(template: template, providers: providers,
                                    registrar: WizardLayers.registrar(timeouts: timeouts), writer: WizardLayers.profileWriter())
        session.torState = WizardLayers.torState
        session.checkStore = WizardLayers.checkStore()
        session.onionCheck = WizardLayers.onionCheck
    }

    func presets() throws -> AnswerSet {
        var flags = answerOptions.flagAnswers
        if let invite {
            if let given = flags.value(AnswerKeys.provider), given.lowercased() != invite.domain {
                throw ValidationError("--provider \(given) disagrees with the invite link, which is for \(invite.domain)")
            }
            flags.set(AnswerKeys.provider, invite.domain, source: .flag)
            if let name = invite.suggestedUsername, flags.value(AnswerKeys.username) == nil {
                flags.set(AnswerKeys.username, name, source: .flag)
            }
        }
        return try session.presets(flags: flags, file: try answerOptions.fileAnswers(),
                                   environment: AnswerSet.fromEnvironment(ProcessInfo.processInfo.environment, template: template),
                                   homeDirectory: homeDirectory)
    }

    func options(interactive: Bool, threshold: Priority, retryReachUntil: Double?) -> OnboardingSession.Options {
        OnboardingSession.Options(interactive: interactive, threshold: threshold,
                                  acceptedFingerprint: answerOptions.acceptedFingerprint,
                                  homeDirectory: homeDirectory, force: answerOptions.force, retryReachUntil: retryReachUntil,
                                  takesBestLiveProvider: takesBestLiveProvider)
    }

    /// The profile directory the answers name so far (~/.purple unless answered).
    func profileDirectory(_ presets: AnswerSet) -> String {
        WizardEngine.profileDirectory(answer: { session.engine.effectiveValue($0, in: presets) }, home: homeDirectory)
    }

    /// `begun`: the caller has already called `frontend.begin` (bootstrap, before waiting for Tor).
    /// `retryReachUntil`: bootstrap's --wait-tor end, while Tor may still be connecting.
    func run(frontend: Frontend, threshold: Priority, saveAnswers: String?, presets given: AnswerSet? = nil,
             begun: Bool = false, retryReachUntil: Double? = nil) throws -> OnboardingReport {
        let presets = try given ?? presets()
        let options = options(interactive: frontend.isInteractive, threshold: threshold, retryReachUntil: retryReachUntil)
        if !begun { frontend.begin(template, profileDirectory: profileDirectory(presets)) }
        let sink = EventSink(frontend)
        switch try session.decide(presets: presets, password: try answerOptions.password(), options: options,
                                  asker: frontend.isInteractive ? frontend : nil, events: { sink.send($0) }) {
        case .onboarding(var plan):
            if !plan.usesExistingAccount { frontend.accountPassword(plan.password) }
            if let saveAnswers {
                try AnswersFile.save(AnswersFile.render(plan.answers, template: template), to: saveAnswers)
            }
            plan.inviteToken = invite?.token
            plan.serverBookmark = serverBookmark && plan.serverBookmark
            return try session.execute(plan, options: options, interaction: frontend, events: { sink.send($0) })
        case .join(let plan):
            if let saveAnswers {
                try AnswersFile.save(AnswersFile.render(plan.answers, template: template), to: saveAnswers)
            }
            return try session.execute(.join(plan), options: options, interaction: frontend, events: { sink.send($0) })
        }
    }
}

/// A desktop run has no terminal to print an error to: show it in a window too
/// (not a cancel, which the person did themselves).
func showingErrors(in frontend: Frontend, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as FrontendError where error == .cancelled {
        throw error
    } catch {
        frontend.failed(String(describing: error))
        throw error
    }
}

/// Hands progress events from the run (possibly another thread) to the frontend.
final class EventSink: @unchecked Sendable {
    private let frontend: Frontend
    private let lock = Lock()
    init(_ frontend: Frontend) { self.frontend = frontend }
    func send(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        frontend.progress(event)
    }
}
