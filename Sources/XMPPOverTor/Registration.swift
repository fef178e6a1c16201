import Diagnostics
import FoundationEssentials
import Glibc
import Vocabulary

/// What the server asks for (XEP-0077 §3.1): the reply to the registration form get.
public struct RegistrationForm: Sendable, Equatable {
    public let instructions: String?
    /// Legacy field names (`username`, `password`, `email`, …) in the server's order.
    public let legacyFields: [String]
    /// An XEP-0004 form; when present it takes precedence over the legacy fields.
    public let dataForm: DataForm?
    /// XEP-0066 out-of-band URL: registration happens on a web page.
    public let outOfBandURL: String?
    /// XEP-0231 data sent inline with a CAPTCHA form.
    public let binaryData: [BinaryData]
    /// `<registered/>`: the stream is already registered.
    public let alreadyRegistered: Bool

    static let ignoredLegacy: Set<String> = ["instructions", "registered", "key", "x", "data"]

    init(query: XMLElement) {
        instructions = query.child("instructions")?.text
        legacyFields = query.children.filter { $0.namespace == Namespace.register && !Self.ignoredLegacy.contains($0.name) }
            .map(\.name)
        dataForm = query.children("x", namespace: Namespace.dataForms).compactMap(DataForm.init).first
        outOfBandURL = query.child("x", namespace: Namespace.outOfBand)?.child("url")?.text
        binaryData = query.children("data", namespace: Namespace.bob).compactMap(BinaryData.init)
        alreadyRegistered = query.child("registered") != nil
    }

    init(iq: XMLElement) {
        self.init(query: iq.child("query", namespace: Namespace.register) ?? XMLElement("query", namespace: Namespace.register))
        // ejabberd sends the CAPTCHA image as a sibling of <query>.
        binaryDataExtra = iq.children("data", namespace: Namespace.bob).compactMap(BinaryData.init)
    }

    private var binaryDataExtra: [BinaryData] = []
    /// Every inline BoB blob, wherever the server put it.
    public var allBinaryData: [BinaryData] { binaryData + binaryDataExtra }

    /// True when the form contains a challenge with media (a CAPTCHA).
    public var hasCAPTCHA: Bool {
        dataForm?.fields.contains { !$0.media.isEmpty } ?? false
    }

    /// Fields onionboard cannot fill itself: everything but username and password that
    /// the server requires (legacy: every field it returned), and CAPTCHA answers.
    public var fieldsForCaller: [String] {
        let ours: Set<String> = ["username", "password"]
        if let dataForm {
            return dataForm.fields.compactMap { field in
                guard let variable = field.variable, !ours.contains(variable), !field.isHidden, field.type != "fixed"
                else { return nil }
                return field.required || !field.media.isEmpty ? variable : nil
            }
        }
        return legacyFields.filter { !ours.contains($0) }
    }

    /// Only instructions or an out-of-band URL: in-band registration is not possible.
    public var isWebOnly: Bool {
        dataForm == nil && legacyFields.isEmpty
    }
}

/// Why registration did not create the account. Conditions are mapped by condition AND
/// type (RFC 6120 §8.3), and the server's own `<text/>` is always kept.
public enum RegistrationError: ClassifiedError, Equatable {
    /// `cancel/conflict`: the name is taken; try another one.
    case usernameTaken(username: String, serverText: String?)
    /// `modify/not-acceptable`, `bad-request`, `jid-malformed`: a field was refused.
    case notAcceptable(condition: String, serverText: String?)
    /// `not-allowed`, `forbidden`, `service-unavailable`: in-band registration is closed.
    case closed(condition: String, serverText: String?, webRegistrationURL: String?)
    /// `type='wait'`, `policy-violation`, `resource-constraint`: rate limited.
    case rateLimited(condition: String, serverText: String?, retryAfterSeconds: Int?)
    /// The server only points to a web page (or only gives instructions).
    case webRegistrationOnly(url: String?, instructions: String?)
    /// The CAPTCHA answer was wrong (a new stream and form are needed).
    case captchaFailed(serverText: String?)
    /// Every CAPTCHA form of the run was answered wrongly or expired.
    case captchaAttemptsExhausted(attempts: Int, webRegistrationURL: String?, serverText: String?)
    /// The form has a CAPTCHA and nobody can answer it (a non-interactive run).
    case captchaRequired(webRegistrationURL: String?)
    /// The server registers only with an invitation (XEP-0401/0445) and none was given.
    case invitationRequired(serverText: String?)
    /// An invite token was refused (XEP-0445 `forbidden` / `item-not-found`).
    case inviteRejected(serverText: String?)
    /// The caller could not answer the fields the server asked for.
    case unansweredFields([String])
    case other(condition: String, type: String, serverText: String?)

    public var category: ErrorCategory {
        switch self {
        case .rateLimited: .tryLater
        case .unansweredFields, .captchaRequired: .missingAnswers
        default: .refused
        }
    }

    /// The server's own text, sanitised and marked as its (" (server says: “…”)").
    private static func quote(_ text: String?) -> String { ServerText.appended(text) }

    /// A condition or type name from the server, made safe to show.
    private static func word(_ text: String) -> String { ServerText.sanitised(text, maximumLength: 64) }

    public var description: String {
        switch self {
        case .usernameTaken(let username, let text):
            "the username '\(username)' is already taken on this server (conflict); choose another one." + Self.quote(text)
        case .notAcceptable(let condition, let text):
            "the server did not accept the registration data (\(Self.word(condition))); check the username (letters and digits are safest) and the other fields." + Self.quote(text)
        case .closed(let condition, let text, let url):
            "this server does not allow registering accounts from this client (\(Self.word(condition)))."
                + (url.map { " Register on the provider's web page instead: \(ServerText.sanitised($0))" } ?? "") + Self.quote(text)
        case .rateLimited(let condition, let text, let retry):
            "the server is rate-limiting registrations (\(Self.word(condition))); "
                + (retry.map { "try again in about \(max(1, $0 / 60)) minute(s)." } ?? "try again later (the server did not say when; usually after 10 minutes or more).")
                + Self.quote(text)
        case .webRegistrationOnly(let url, let instructions):
            "this server only allows registration on its web page"
                + (url.map { ": \(ServerText.sanitised($0))" } ?? ".") + Self.quote(instructions)
        case .captchaFailed(let text):
            "the CAPTCHA answer was not accepted; a new attempt needs a new form." + Self.quote(text)
        case .captchaAttemptsExhausted(let attempts, let url, let text):
            "the CAPTCHA was not solved in \(attempts) attempt(s) (a wrong answer, or the form expired); no account was created."
                + (url.map { " You can register on the provider's web page instead: \($0) — or run onionboard again for new pictures." }
                    ?? " Run onionboard again for new pictures.") + Self.quote(text)
        case .captchaRequired(let url):
            "this server asks for a CAPTCHA, which needs a person: run onionboard interactively"
                + (url.map { ", or register on the provider's web page: \(ServerText.sanitised($0))" } ?? "") + ". Nothing was registered or written."
        case .invitationRequired(let text):
            "this server creates accounts only with an invitation; ask the provider or a member for an invite link (xmpp:…?register;preauth=…)." + Self.quote(text)
        case .inviteRejected(let text):
            "The invite token is invalid or expired (or was already used); ask for a new invite link." + Self.quote(text)
        case .unansweredFields(let fields):
            "the server asks for fields that were not answered: \(fields.map { Self.word($0) }.joined(separator: ", "))"
        case .other(let condition, let type, let text):
            "registration failed: \(Self.word(type))/\(Self.word(condition))." + Self.quote(text)
        }
    }
}

/// The `<error/>` of an iq: condition, type and text.
struct StanzaError: Equatable {
    let condition: String
    let type: String
    let text: String?
    /// An application-specific condition (a child in another namespace, e.g. XEP-0060's
    /// `precondition-not-met`), as `namespace#name`.
    let applicationCondition: String?

    init(iq: XMLElement) {
        let error = iq.child("error")
        type = error?[attribute: "type"] ?? "cancel"
        condition = error?.definedCondition(namespace: Namespace.stanzas) ?? "undefined-condition"
        text = error?.errorText
        applicationCondition = error?.children.first { $0.namespace != Namespace.stanzas && $0.namespace != nil }
            .map { "\($0.namespace!)#\($0.name)" }
    }

    /// Maps a registration error (XEP-0077 §3, with Prosody's and ejabberd's real answers).
    func registrationError(username: String, webRegistrationURL: String?, hadCAPTCHA: Bool) -> RegistrationError {
        if type == "wait" || condition == "policy-violation" || condition == "resource-constraint" {
            // ejabberd's registration_timeout is 600 s by default; Prosody does not say.
            let retry = text?.contains("so quickly") == true ? 600 : nil
            return .rateLimited(condition: condition, serverText: text, retryAfterSeconds: retry)
        }
        switch condition {
        case "conflict": return .usernameTaken(username: username, serverText: text)
        case "not-allowed" where hadCAPTCHA: return .captchaFailed(serverText: text)
        case "not-acceptable" where hadCAPTCHA && (text.map { $0.lowercased().contains("captcha") } ?? true):
            return .captchaFailed(serverText: text)
        case "not-allowed", "forbidden", "service-unavailable", "registration-required", "feature-not-implemented":
            return .closed(condition: condition, serverText: text, webRegistrationURL: webRegistrationURL)
        case "not-acceptable" where text?.lowercased().contains("invitation") == true:
            return .invitationRequired(serverText: text)
        case "not-acceptable", "bad-request", "jid-malformed":
            return .notAcceptable(condition: condition, serverText: text)
        default: return .other(condition: condition, type: type, serverText: text)
        }
    }
}

/// Builds the iq-set for a form: the data form when there is one, else the legacy
/// fields — never both (XEP-0077 §6). The password is not in the element: a marker
/// stands in for it and is replaced by the secret's bytes only while writing.
enum RegistrationSubmission {
    static func query(form: RegistrationForm, username: String, passwordMarker: String,
                      answers: [String: String]) throws -> XMLElement {
        let ours = ["username": username, "password": passwordMarker]
        let missing = form.fieldsForCaller.filter { answers[$0] == nil }
        if let dataForm = form.dataForm {
            let requiredMissing = missing.filter { dataForm.field($0)?.required ?? false }
            guard requiredMissing.isEmpty else { throw RegistrationError.unansweredFields(requiredMissing) }
            var values: [String: [String]] = [:]
            for (key, value) in answers { values[key] = [value] }
            for (key, value) in ours where dataForm.field(key) != nil { values[key] = [value] }
            return XMLElement("query", namespace: Namespace.register, children: [dataForm.submission(values)])
        }
        guard missing.isEmpty else { throw RegistrationError.unansweredFields(missing) }
        let children = form.legacyFields.map { name in
            XMLElement(name, text: ours[name] ?? answers[name] ?? "")
        }
        return XMLElement("query", namespace: Namespace.register, children: children)
    }
}
