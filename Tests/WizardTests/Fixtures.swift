import Foundation
import Secrets
@testable import Wizard

/// A deterministic stand-in for the CSPRNG-backed generator: numbered values, so a
/// test can say exactly which generated value went where.
final class SequenceGenerator: CredentialSource, @unchecked Sendable {
    private let lock = NSLock()
    private var usernames = 0
    private var handles = 0
    private(set) var passwords = 0

    func username() -> String {
        lock.lock(); defer { lock.unlock() }
        usernames += 1
        return "generated\(usernames)"
    }

    func handle() -> String {
        lock.lock(); defer { lock.unlock() }
        handles += 1
        return "nick-\(handles)"
    }

    func password() -> SecretBytes {
        lock.lock(); defer { lock.unlock() }
        passwords += 1
        return SecretBytes(utf8: "generated-password-\(passwords)")
    }
}

enum Fixtures {
    static let openProvider = ProviderChoice(domain: "open.example", onion: String(repeating: "a", count: 56) + ".onion",
                                             registration: .open, captcha: false)
    static let captchaProvider = ProviderChoice(domain: "captcha.example", onion: String(repeating: "b", count: 56) + ".onion",
                                                directTLSPort: 5223, registration: .open, captcha: true)
    static let pinnedProvider = ProviderChoice(domain: "pinned.example", onion: String(repeating: "c", count: 56) + ".onion",
                                               directTLSPort: 5223, registration: .open,
                                               pinSHA256: String(repeating: "ab", count: 32))
    static let closedProvider = ProviderChoice(domain: "closed.example", onion: String(repeating: "d", count: 56) + ".onion",
                                               registration: .closed, webRegistrationURL: "https://closed.example/signup")
    static let providers = [captchaProvider, closedProvider, openProvider, pinnedProvider]

    static func tailsSupport() throws -> WizardTemplate { try TemplateLibrary.loadBundled("tails-support") }

    static func engine() throws -> WizardEngine { WizardEngine(template: try tailsSupport(), providers: providers) }

    /// The fork answered: a new account (what most tests are about).
    static var newAccount: AnswerSet { answers([("account", "new")]) }

    static func answers(_ pairs: [(String, String)], source: AnswerSource = .flag) -> AnswerSet {
        var set = AnswerSet()
        for (key, value) in pairs { set.set(key, value, source: source) }
        return set
    }
}

extension SecretBytes {
    var utf8String: String { withBytes { String(decoding: $0, as: UTF8.self) } }
}
