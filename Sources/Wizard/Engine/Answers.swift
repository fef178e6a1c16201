import Diagnostics
import Localization

/// Where an answer came from. Precedence, highest first: flag, answers file,
/// environment, then the template's default (or a generated value).
public enum AnswerSource: Sendable, Equatable, Codable, CustomStringConvertible {
    case flag
    case answersFile(path: String, line: Int)
    case environment(variable: String)
    /// Typed by the person at a prompt.
    case user
    case templateDefault
    /// Made up by the credential generator.
    case generated

    public var description: String {
        switch self {
        case .flag: translated("command-line flag")
        case .answersFile(let path, let line): "\(path):\(line)"
        case .environment(let variable): translated("environment variable \(variable)")
        case .user: translated("your answer")
        case .templateDefault: translated("template default")
        case .generated: translated("generated")
        }
    }
}

extension AnswerSource {
    /// Given during the conversation (typed, or a default accepted with Enter), so the
    /// conversation may ask it again; flags, files and the environment it cannot.
    public var isAskedHere: Bool {
        switch self {
        case .user, .templateDefault, .generated: true
        case .flag, .answersFile, .environment: false
        }
    }
}

public struct Answer: Sendable, Equatable {
    public var value: String
    public var source: AnswerSource

    public init(_ value: String, source: AnswerSource) {
        self.value = value
        self.source = source
    }
}

/// Answers by key. Secrets are never stored here: only the fact that one was given.
public struct AnswerSet: Sendable, Equatable {
    public private(set) var answers: [String: Answer] = [:]
    /// Keys answered in the order they were set (for saving and reports).
    public private(set) var keys: [String] = []

    public init() {}

    public subscript(key: String) -> Answer? { answers[key] }

    public func value(_ key: String) -> String? { answers[key]?.value }

    public mutating func set(_ key: String, _ value: String, source: AnswerSource) {
        if answers[key] == nil { keys.append(key) }
        answers[key] = Answer(value, source: source)
    }

    public mutating func remove(_ key: String) {
        answers[key] = nil
        keys.removeAll { $0 == key }
    }

    public var isEmpty: Bool { answers.isEmpty }

    /// These answers, with `lower` filling the keys they lack (self wins).
    public func overlaying(_ lower: AnswerSet) -> AnswerSet {
        var merged = self
        for key in lower.keys where merged.answers[key] == nil {
            merged.set(key, lower.answers[key]!.value, source: lower.answers[key]!.source)
        }
        return merged
    }

    /// Flags over the answers file over the environment.
    public static func layered(flags: AnswerSet, file: AnswerSet, environment: AnswerSet) -> AnswerSet {
        flags.overlaying(file).overlaying(environment)
    }
}

/// The answers file: `key = value` lines, `#` comments, blank lines. It never holds a
/// password (`--password-file` does).
public enum AnswersFile {
    public static func parse(_ text: String, path: String) throws -> AnswerSet {
        var answers = AnswerSet()
        var problems: [TemplateDiagnostic] = []
        var seen: [String: Int] = [:]
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            let line = String(rawLine) // "\r\n" is one newline Character: no "\r" is left over
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                problems.append(.init(file: path, line: number, column: 1, message: "expected `key = value`"))
                continue
            }
            let key = line[..<equals].trimmingWhitespace()
            let value = line[line.index(after: equals)...].trimmingWhitespace()
            guard AnswerKeys.isValidKey(key) else {
                problems.append(.init(file: path, line: number, column: 1, message: "`\(key)` is not an answer key (lower-case letters, digits, hyphens)"))
                continue
            }
            if key == AnswerKeys.password {
                problems.append(.init(file: path, line: number, column: 1, message: "a password never goes into an answers file; use --password-file FILE (or leave it out to generate one)"))
                continue
            }
            if let previous = seen[key] {
                problems.append(.init(file: path, line: number, column: 1, message: "`\(key)` is already answered on line \(previous)"))
                continue
            }
            seen[key] = number
            answers.set(key, value, source: .answersFile(path: path, line: number))
        }
        guard problems.isEmpty else { throw AnswersError.invalidFile(path: path, problems: problems) }
        return answers
    }

    /// The file `--save-answers` writes: every non-secret answer, replayable with `--answers`.
    public static func render(_ answers: AnswerSet, template: WizardTemplate) -> String {
        var lines = ["# onionboard answers for the wizard \(template.id)",
                     "# Replay: onionboard run \(template.id) --answers THIS-FILE",
                     "# The password is never saved here; pass --password-file to set one."]
        for key in answers.keys {
            let type = template.question(key)?.type ?? .text
            guard type != .secret, type != .captcha, key != AnswerKeys.password else { continue }
            lines.append("\(key) = \(answers[key]!.value)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension AnswerSet {
    /// Answers from `ONIONBOARD_<KEY>` variables, for every question the template has
    /// and every key with a dedicated flag. Never the password.
    public static func fromEnvironment(_ environment: [String: String], template: WizardTemplate) -> AnswerSet {
        var answers = AnswerSet()
        var keys: [(String, QuestionType)] = template.questions.map { ($0.key, $0.type) }
        for key in AnswerKeys.dedicatedFlags.keys.sorted() where template.question(key) == nil {
            keys.append((key, key == AnswerKeys.password ? .secret : .text))
        }
        for (key, type) in keys {
            if type == .secret {
                // Never taken from the environment, but not ignored either: noted (without
                // its value) so that `WizardEngine.check` refuses it and says how.
                let variable = AnswerKeys.variableName(for: key)
                if environment[variable] != nil { answers.set(key, "", source: .environment(variable: variable)) }
                continue
            }
            guard let variable = AnswerKeys.environmentVariable(for: key, type: type),
                  let value = environment[variable], !value.isEmpty else { continue }
            answers.set(key, value, source: .environment(variable: variable))
        }
        return answers
    }
}

public enum AnswersError: ClassifiedError, Equatable {
    case invalidFile(path: String, problems: [TemplateDiagnostic])
    /// Preset answers (flags, file, environment) that the template does not accept.
    case invalidAnswers([PresetProblem])
    /// A non-interactive run lacks answers; every missing key is listed.
    case missing([MissingAnswer])
    /// A non-interactive run without a provider, and no provider checked over Tor just now
    /// registers an account without a person: each one with why.
    case noProviderFits(MissingAnswer, reasons: [String])

    public var category: ErrorCategory {
        switch self {
        case .invalidFile, .invalidAnswers: .invalidData
        case .missing, .noProviderFits: .missingAnswers
        }
    }

    /// Every missing answer (for `--json`).
    public var missingAnswers: [MissingAnswer] {
        switch self {
        case .missing(let list): list
        case .noProviderFits(let answer, _): [answer]
        default: []
        }
    }

    public var description: String {
        switch self {
        case .invalidFile(let path, let problems):
            "the answers file \(path) has problems:\n" + problems.map(\.description).joined(separator: "\n")
        case .invalidAnswers(let problems):
            translated("some answers are not acceptable:") + "\n" + problems.map { "  \($0)" }.joined(separator: "\n")
        case .missing(let missing):
            translated("a non-interactive run needs answers that were not given:") + "\n"
                + missing.map { "  \($0)" }.joined(separator: "\n")
                + "\n" + translated("Give them as flags, in an --answers file, or as environment variables.")
        case .noProviderFits(let missing, let reasons):
            translated("a non-interactive run needs answers that were not given:") + "\n  \(missing)\n"
                + translated("No provider fits a run without a person (each was checked over Tor just now; one that needs a CAPTCHA needs a person):")
                + "\n" + reasons.map { "  \($0)" }.joined(separator: "\n")
                + "\n" + translated("Give the provider as a flag, in an --answers file, or as an environment variable.")
        }
    }
}

/// A preset answer that cannot be used, and why.
public struct PresetProblem: Sendable, Equatable, Codable, CustomStringConvertible {
    public var key: String
    public var value: String
    public var source: String
    public var reason: String

    public var description: String { translated("\(key) = \(value) (from \(source)): \(reason)") }
}

/// A required answer that a non-interactive run does not have.
public struct MissingAnswer: Sendable, Equatable, Codable, CustomStringConvertible {
    public var key: String
    /// The flag that answers it (`--provider`), or an explanation when no flag can.
    public var flag: String
    public var environmentVariable: String?
    public var prompt: String

    public var description: String {
        // Translators: {0} is the question's key, {1} the question, {2} the flag that answers it (or what to do instead).
        guard let environmentVariable else { return translated("\(key): \(prompt) — \(flag)") }
        // Translators: as above, and {3} the environment variable that answers it too.
        return translated("\(key): \(prompt) — \(flag) or \(environmentVariable)")
    }
}
