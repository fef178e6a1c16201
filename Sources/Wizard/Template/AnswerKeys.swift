import Localization

/// The keys the plan understands and the flag or variable that answers each. Any
/// other key a template defines is answered with `--set KEY=VALUE`.
public enum AnswerKeys {
    public static let provider = "provider"
    public static let username = "username"
    public static let password = "password"
    public static let room = "room"
    public static let handle = "handle"
    public static let alias = "alias"
    public static let group = "group"
    public static let purpleDirectory = "purple-dir"
    public static let torSOCKS = "tor-socks"
    public static let directTLS = "direct-tls"
    /// The fork: `new`, `existing` or `pidgin` (an `account` question).
    public static let account = "account"
    /// The address of an account the person already has.
    public static let jid = "jid"
    /// The onion of that account's server, when the provider map does not know it.
    public static let onion = "onion"
    /// Which of the Pidgin profile's accounts joins the room (its bare address).
    public static let pidginAccount = "pidgin-account"
    /// `yes`: route that Pidgin account through Tor, to its provider's onion.
    public static let torSwitch = "tor-switch"

    /// Keys with a dedicated flag of `onionboard run`.
    public static let dedicatedFlags: [String: String] = [
        provider: "--provider", username: "--username", password: "--password-file",
        room: "--room", handle: "--handle", alias: "--alias", group: "--group",
        purpleDirectory: "--purple-dir", torSOCKS: "--tor-socks",
    ]

    public static func flag(for key: String, type: QuestionType) -> String {
        if let flag = dedicatedFlags[key] { return flag }
        if type == .secret { return "--password-file" }
        if type == .captcha { return "(answered during registration; not available non-interactively)" }
        return "--set \(key)=VALUE"
    }

    /// `ONIONBOARD_PURPLE_DIR` for `purple-dir`; nil for secrets and CAPTCHAs.
    public static func environmentVariable(for key: String, type: QuestionType) -> String? {
        guard type != .secret, type != .captcha else { return nil }
        return variableName(for: key)
    }

    /// The variable that would answer `key` (`ONIONBOARD_PASSWORD` for `password`, refused).
    static func variableName(for key: String) -> String {
        "ONIONBOARD_" + key.uppercased().replacing("-", with: "_")
    }

    /// What a person is told who gives a password where none is taken.
    public static var passwordAdvice: String {
        translated("""
            a password is never taken from the command line, an answers file or the environment; \
            give it with --password-file FILE (or --password-file - for standard input), or leave it out and a strong one is generated
            """)
    }

    /// A key is lower-case letters, digits and hyphens, starting with a letter.
    public static func isValidKey(_ key: String) -> Bool {
        guard let first = key.first, first.isASCII, first.isLowercase else { return false }
        return key.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }
}
