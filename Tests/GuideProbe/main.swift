// The guide of `templates guide` in the language the environment (or --use) asks for, made
// from the fixed data of ManualGuideTests (the same providers, checks and time), so that a
// translated guide can be compared with a golden file; a test process must not change its
// own language under the other tests, so the tests run this instead.
//   guide-probe [--use LANGUAGE] md|html|labels
// `labels`: every Pidgin label the guide used, one `msgid<TAB>label as shown` a line.
import Localization
import Synchronization
import Vocabulary
import Wizard
#if canImport(Glibc)
import Glibc
#endif

Localization.start()
var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--use", arguments.count >= 2 {
    Localization.use(language: arguments[1])
    arguments.removeFirst(2)
}

let open = ProviderChoice(domain: "open.example", onion: String(repeating: "a", count: 52) + "aaad.onion",
                          registration: .open, captcha: false,
                          details: ProviderDetails(website: "https://open.example/", lastVerified: "2026-11-30: probed"))
let captcha = ProviderChoice(domain: "captcha.example", onion: String(repeating: "b", count: 52) + "bbbd.onion",
                             clientPort: 5333, registration: .open, captcha: true,
                             webRegistrationURL: "https://captcha.example/register")
let closed = ProviderChoice(domain: "closed.example", onion: String(repeating: "c", count: 52) + "cccd.onion",
                            registration: .closed, webRegistrationURL: "https://closed.example/")
let now = 1_796_500_000.0

func check(_ provider: ProviderChoice, outcome: ProviderCheck.Outcome = .reachable, ago: Double = 120) -> ProviderCheck {
    var check = ProviderCheck(domain: provider.domain, onion: provider.onion, outcome: outcome,
                              reason: outcome == .unreachable ? "not in the Tor network" : nil,
                              seconds: outcome == .reachable ? 4.2 : nil,
                              registration: outcome == .reachable ? (provider.captcha == true ? .captcha : .open) : nil,
                              certificateSHA256: outcome == .reachable ? String(repeating: "ab", count: 32) : nil,
                              checkedAt: now - ago)
    if outcome == .reachable { check.certificateSHA1 = "0123456789abcdef0123456789abcdef01234567" }
    return check
}

let used = Mutex<[(String, String)]>([])
let labels = PidginLabels { msgid in
    let shown = Localization.pidgin(msgid)
    used.withLock { list in if !list.contains(where: { $0.0 == msgid }) { list.append((msgid, shown)) } }
    return shown
}
let checks = [check(open), check(captcha, outcome: .unreachable)]
let input = GuideInput(template: try TemplateLibrary.loadBundled("tails-support").localized(), providers: [closed, captcha, open],
                       checks: Dictionary(uniqueKeysWithValues: checks.map { ($0.domain, $0) }),
                       now: now, generator: "onionboard (test)", labels: labels)
let guide = try ManualGuide.make(input)
switch arguments.first {
case "md": print(guide.markdown(), terminator: "")
case "html":
    let tag = String((Localization.catalogLanguage ?? "en").map { $0 == "_" ? "-" : $0 })
    print(guide.html(language: tag, rightToLeft: Localization.isRightToLeft), terminator: "")
case "labels":
    for (msgid, shown) in used.withLock({ $0 }) { print("\(msgid)\t\(PidginLabels.plain(shown))") }
default:
    print("usage: guide-probe [--use LANGUAGE] md|html|labels")
    exit(64)
}
