import Frontends
import ArgumentParser
import Diagnostics
import FoundationEssentials
import Glibc
import Platform
import Vocabulary
import Secrets
import Wizard
import WizardAdapters

/// The flags that answer wizard questions, shared by `run` and `bootstrap`. Every
/// question of a template has one: a dedicated flag, or `--set KEY=VALUE`.
struct AnswerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The provider's XMPP domain (see `onionboard providers list`).", valueName: "domain"))
    var provider: String?

    @Option(help: ArgumentHelp("Username for the new account (default: generated).", valueName: "name"))
    var username: String?

    @Option(name: .customLong("password-file"), help: ArgumentHelp(
        "Read the password from this file, or standard input with `-` (default: a generated 130-bit password).",
        valueName: "file"))
    var passwordFile: String?

    @Option(help: ArgumentHelp("Room to join, e.g. tails@conference.riseup.net (default: the template's).", valueName: "jid"))
    var room: String?

    @Option(help: ArgumentHelp("Your nickname in the room (default: generated).", valueName: "nick"))
    var handle: String?

    @Option(help: ArgumentHelp("The room's name in the buddy list.", valueName: "name"))
    var alias: String?

    @Option(help: ArgumentHelp("The buddy-list group of the room.", valueName: "name"))
    var group: String?

    @Option(name: .customLong("purple-dir"), help: ArgumentHelp("Pidgin profile directory (default: ~/.purple).", valueName: "dir"))
    var purpleDir: String?

    @Option(name: .customLong("tor-socks"), help: ArgumentHelp("Tor's SOCKS port (default: 127.0.0.1:9050).", valueName: "host:port"))
    var torSocks: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Answer any question by its key (repeatable).", valueName: "key=value"))
    var sets: [String] = []

    @Option(help: ArgumentHelp("Read answers from a file of `key = value` lines (never the password).", valueName: "file"))
    var answers: String?

    @Option(name: .customLong("accept-fingerprint"), help: ArgumentHelp(
        "Trust the server certificate with this SHA-256 fingerprint when the map does not pin one.",
        valueName: "sha256"))
    var acceptFingerprint: String?

    @Flag(help: "Write the profile even while Pidgin or finch seems to run.")
    var force = false

    func validate() throws {
        for item in sets where !item.contains("=") {
            throw ValidationError("--set takes KEY=VALUE (got \(item))")
        }
        try validateFingerprints(pin: nil, accepted: acceptFingerprint)
    }

    /// The answers given as flags.
    var flagAnswers: AnswerSet {
        var answers = AnswerSet()
        let dedicated: [(String, String?)] = [
            (AnswerKeys.provider, provider), (AnswerKeys.username, username), (AnswerKeys.room, room),
            (AnswerKeys.handle, handle), (AnswerKeys.alias, alias), (AnswerKeys.group, group),
            (AnswerKeys.purpleDirectory, purpleDir), (AnswerKeys.torSOCKS, torSocks),
        ]
        for (key, value) in dedicated { if let value { answers.set(key, value, source: .flag) } }
        for item in sets {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            answers.set(String(parts[0]).trimmingWhitespace(),
                        String(parts[1]).trimmingWhitespace(), source: .flag)
        }
        return answers
    }

    var acceptedFingerprint: String? {
        acceptFingerprint.flatMap { try? Validation.fingerprint.check($0).get() }
    }

    func fileAnswers() throws -> AnswerSet {
        guard let answers else { return AnswerSet() }
        return try AnswersFile.load(path: answers)
    }

    func password() throws -> SecretBytes? {
        try passwordFile.map { try readPasswordFile($0, prompt: "Password") }
    }
}


var homeDirectory: String {
    HomeDirectory.current
}
