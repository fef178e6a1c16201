import FoundationEssentials
import Vocabulary

/// Reads a `.wizard` file: RFC 822-style stanzas as in debconf templates. The first
/// stanza describes the wizard (`Template:`), each following one a question
/// (`Question:`). Lines starting with a space continue the previous field; ` .` is an
/// empty line; `#` at the start of a line is a comment. Every problem is collected
/// with its line and column, so `templates check` can report them all at once.
public struct TemplateParser {
    public let origin: String
    private var diagnostics: [TemplateDiagnostic] = []
    /// Every question key in the file, to tell "unknown" from "asked later" in conditions.
    private var allKeys: Set<String> = []
    /// Question keys seen so far with their lines, conditions and types (a key may come
    /// again when the conditions exclude each other), including questions with other problems.
    private var seenKeys: [String: [(line: Int, condition: Condition?, type: QuestionType)]] = [:]

    public init(origin: String) {
        self.origin = origin
    }

    /// The template and every problem found. The template is nil when there was any problem.
    public static func parse(_ text: String, origin: String) -> (template: WizardTemplate?, diagnostics: [TemplateDiagnostic]) {
        var parser = TemplateParser(origin: origin)
        let template = parser.run(text)
        let sorted = parser.diagnostics.enumerated().sorted {
            ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
        }.map(\.element)
        return (sorted.isEmpty ? template : nil, sorted)
    }

    // MARK: - Stanzas and fields

    struct Field {
        var name: String        // lower-cased
        var spelledName: String
        var line: Int
        var value: String
        var valueColumn: Int
        var continuation: [String] = []
        /// The line of each continuation line (for messages about one of them).
        var continuationLines: [Int] = []
    }

    struct Stanza {
        var line: Int
        var fields: [Field] = []
        func field(_ name: String) -> Field? { fields.first { $0.name == name } }
    }

    /// The value of a field naming one of `Value`'s cases; `fallback` when the field is
    /// absent, and when it names no case (then a located error, and `ok` turns false).
    private mutating func choice<Value: RawRepresentable & CaseIterable>(
        _ stanza: Stanza, _ name: String, default fallback: Value, ok: inout Bool,
        unknown message: (_ value: String, _ known: String) -> String
    ) -> Value where Value.RawValue == String {
        guard let field = stanza.field(name) else { return fallback }
        if let value = Value(rawValue: field.value) { return value }
        error(field.line, field.valueColumn, message(field.value, Value.allCases.map(\.rawValue).joined(separator: ", ")))
        ok = false
        return fallback
    }

    mutating func error(_ line: Int, _ column: Int, _ message: String) {
        diagnostics.append(TemplateDiagnostic(file: origin, line: line, column: column, message: message))
    }

    private mutating func splitStanzas(_ text: String) -> [Stanza] {
        var stanzas: [Stanza] = []
        var current: Stanza?
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            let line = String(rawLine) // "\r\n" is one newline Character: no "\r" is left over
            if line.hasPrefix("#") { continue }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if let stanza = current { stanzas.append(stanza) }
                current = nil
                continue
            }
            if line.first == " " || line.first == "\t" {
                guard current != nil, !current!.fields.isEmpty else {
                    error(number, 1, "a continuation line (starting with a space) must follow a field")
                    continue
                }
                let content = String(line.dropFirst())
                let text = content.trimmingWhitespace() == "." ? "" : content
                current!.fields[current!.fields.count - 1].continuation.append(text)
                current!.fields[current!.fields.count - 1].continuationLines.append(number)
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                error(number, 1, "expected `Field: value` (or a continuation line starting with a space)")
                continue
            }
            let name = String(line[..<colon])
            guard let first = name.first, first.isLetter,
                  name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) || TranslatedFieldName(name) != nil else {
                error(number, 1, "`\(name)` is not a field name (letters, digits and hyphens; a translation adds -LL.UTF-8)")
                continue
            }
            let afterColon = line[line.index(after: colon)...]
            let value = afterColon.trimmingWhitespace()
            let leading = afterColon.prefix { $0 == " " || $0 == "\t" }.count
            let column = line.distance(from: line.startIndex, to: colon) + 2 + leading
            if current == nil { current = Stanza(line: number) }
            if let previous = current!.field(name.lowercased()) {
                error(number, 1, "duplicate field `\(name)` (already set on line \(previous.line))")
                continue
            }
            current!.fields.append(Field(name: name.lowercased(), spelledName: name, line: number,
                                         value: value, valueColumn: column))
        }
        if let stanza = current { stanzas.append(stanza) }
        return stanzas
    }

    // MARK: - The template

    static let headerFields = ["template", "title", "description", "room", "room-group", "room-alias",
                               "room-alternatives", "autojoin", "offer-providers", "provider-order"]
    static let questionFields = ["question", "type", "description", "default", "priority", "validation",
                                 "condition", "choices", "flag", "warning"]
    /// Keys the injected generator can make up a value for.
    static let generatableKeys: Set<String> = [AnswerKeys.username, AnswerKeys.handle, AnswerKeys.password]

    private mutating func run(_ text: String) -> WizardTemplate? {
        let stanzas = splitStanzas(text)
        guard let header = stanzas.first else {
            error(1, 1, "the file is empty: a template starts with a `Template:` stanza")
            return nil
        }
        guard header.field("template") != nil else {
            error(header.line, 1, "the first stanza must start the template with `Template: ID`")
            for stanza in stanzas where stanza.field("question") != nil { _ = parseQuestion(stanza, earlier: [], room: nil) }
            return nil
        }
        var template = parseHeader(header)
        var questions: [Question] = []
        allKeys = Set(stanzas.compactMap { $0.field("question")?.value })
        for stanza in stanzas.dropFirst() {
            if let extra = stanza.field("template") {
                error(extra.line, 1, "only one `Template:` stanza per file")
                continue
            }
            guard stanza.field("question") != nil else {
                error(stanza.line, 1, "a question stanza starts with `Question: KEY`")
                continue
            }
            let translated = translations(in: stanza, translatable: ["description", "warning"])
            if let question = parseQuestion(stanza, earlier: questions, room: template?.room) {
                let index = questions.count
                questions.append(question)
                for (language, field, value, continuation) in translated {
                    var text = template?.translations[language]?.questions[index] ?? TemplateTranslation.QuestionText()
                    if field == "warning" {
                        text.warning = ([value] + continuation).joined(separator: "\n")
                    } else {
                        text.prompt = value
                        text.help = continuation.joined(separator: "\n")
                    }
                    template?.translations[language, default: TemplateTranslation()].questions[index] = text
                }
            }
        }
        let providerQuestions = questions.filter { $0.type == .provider }
        if providerQuestions.isEmpty {
            error(header.line, 1, "the template has no question of type `provider` (key `provider`): every wizard chooses a provider")
        } else if providerQuestions.count > 1 {
            error(providerQuestions[1].line, 1, "only one question of type `provider` per template")
        }
        for type in [QuestionType.account, .pidginAccount] {
            let asked = questions.filter { $0.type == type }
            if asked.count > 1 { error(asked[1].line, 1, "only one question of type `\(type.rawValue)` per template") }
        }
        template?.questions = questions
        return template
    }

    private mutating func parseHeader(_ stanza: Stanza) -> WizardTemplate? {
        let translated = translations(in: stanza, translatable: ["title", "description", "room-alias"])
        for field in stanza.fields where !Self.headerFields.contains(field.name) && TranslatedFieldName(field.spelledName) == nil {
            let hint = Self.questionFields.contains(field.name) ? " (it belongs in a `Question:` stanza)" : ""
            error(field.line, 1, "unknown field `\(field.spelledName)` in the `Template:` stanza\(hint); known fields: \(Self.headerFields.map(capitalized).joined(separator: ", "))")
        }
        var ok = true
        let idField = stanza.field("template")!
        if !AnswerKeys.isValidKey(idField.value) {
            error(idField.line, idField.valueColumn, "a template id is lower-case letters, digits and hyphens, starting with a letter (got `\(idField.value)`)")
            ok = false
        }
        for required in ["title", "room"] where stanza.field(required) == nil {
            error(stanza.line, 1, "the `Template:` stanza lacks the required field `\(capitalized(required))`")
            ok = false
        }
        var room = RoomBookmark(jid: "")
        if let field = stanza.field("room") {
            switch Validation.jid.check(field.value) {
            case .success(let jid): room.jid = jid
            case .failure(let failure):
                error(field.line, field.valueColumn, "`Room` must be a room address (room@conference.example.org): \(failure.reason)")
                ok = false
            }
        }
        room.group = stanza.field("room-group")?.value ?? "Chats"
        room.alias = stanza.field("room-alias")?.value ?? stanza.field("title")?.value ?? room.jid
        if let field = stanza.field("autojoin") {
            if let flag = Self.parseBoolean(field.value) { room.autojoin = flag } else {
                error(field.line, field.valueColumn, "`Autojoin` is yes or no (got `\(field.value)`)")
                ok = false
            }
        }
        let filter = choice(stanza, "offer-providers", default: ProviderFilter.inBandRegistration, ok: &ok) {
            "unknown `Offer-Providers` value `\($0)`; known: \($1)"
        }
        let order = choice(stanza, "provider-order", default: ProviderOrder.noCaptchaFirst, ok: &ok) {
            "unknown `Provider-Order` value `\($0)`; known: \($1)"
        }
        let intro = stanza.field("description").map { ([$0.value] + $0.continuation).joined(separator: "\n") } ?? ""
        let alternatives = stanza.field("room-alternatives").map { parseRoomAlternatives($0, room: room, ok: &ok) } ?? []
        guard ok else { return nil }
        var template = WizardTemplate(id: idField.value, title: stanza.field("title")!.value, intro: intro, room: room,
                                      providerFilter: filter, providerOrder: order, questions: [], origin: origin)
        template.roomAlternatives = alternatives
        for (language, field, value, continuation) in translated {
            if field == "title" {
                template.translations[language, default: TemplateTranslation()].title = value
            } else if field == "room-alias" {
                template.translations[language, default: TemplateTranslation()].roomAlias = value
            } else {
                template.translations[language, default: TemplateTranslation()].intro = ([value] + continuation).joined(separator: "\n")
            }
        }
        return template
    }

    /// `Room-Alternatives`: one room per line (the value, then continuation lines), each
    /// `room@service` optionally followed by the name its bookmark gets; offered when the
    /// template's room turns out missing or closed. Same group and autojoin as `Room`.
    private mutating func parseRoomAlternatives(_ field: Field, room: RoomBookmark, ok: inout Bool) -> [RoomBookmark] {
        var rooms: [RoomBookmark] = []
        var seen: [String: Int] = [room.jid.lowercased(): 0]
        let lines = [(field.value, field.line, field.valueColumn)]
            + zip(field.continuation, field.continuationLines).map { ($0.0, $0.1, 2) }
        for (text, line, column) in lines {
            let trimmed = text.trimmingWhitespace()
            if trimmed.isEmpty { continue }
            let parts = trimmed.split(separator: " ", maxSplits: 1).map(String.init)
            let jidColumn = column + (text.count - text.drop { $0 == " " || $0 == "\t" }.count)
            switch Validation.jid.check(parts[0]) {
            case .failure(let failure):
                error(line, jidColumn, "`Room-Alternatives`: `\(parts[0])` is not a room address (room@conference.example.org): \(failure.reason)")
                ok = false
            case .success(let jid):
                if let earlier = seen[jid.lowercased()] {
                    error(line, jidColumn, earlier == 0 ? "`Room-Alternatives`: \(jid) is the template's own `Room`"
                                                        : "`Room-Alternatives`: \(jid) is listed twice (also on line \(earlier))")
                    ok = false
                    continue
                }
                seen[jid.lowercased()] = line
                let alias = parts.count > 1 ? parts[1].trimmingWhitespace() : nil
                rooms.append(RoomBookmark(jid: jid, alias: alias ?? jid, group: room.group, autojoin: room.autojoin))
            }
        }
        if rooms.isEmpty && ok {
            error(field.line, field.valueColumn, "`Room-Alternatives` lists no room: give one room address per line, or leave the field out")
            ok = false
        }
        return rooms
    }

    private mutating func parseQuestion(_ stanza: Stanza, earlier: [Question], room: RoomBookmark?) -> Question? {
        for field in stanza.fields where !Self.questionFields.contains(field.name) && TranslatedFieldName(field.spelledName) == nil {
            let hint = Self.headerFields.contains(field.name) ? " (it belongs in the `Template:` stanza)" : ""
            error(field.line, 1, "unknown field `\(field.spelledName)` in a question\(hint); known fields: \(Self.questionFields.map(capitalized).joined(separator: ", "))")
        }
        var ok = true
        let keyField = stanza.field("question")!
        let key = keyField.value
        if !AnswerKeys.isValidKey(key) {
            error(keyField.line, keyField.valueColumn, "a question key is lower-case letters, digits and hyphens, starting with a letter (got `\(key)`)")
            ok = false
        }
        for required in ["type", "description"] where stanza.field(required) == nil {
            error(stanza.line, 1, "question `\(key)` lacks the required field `\(capitalized(required))`")
            ok = false
        }
        let type = choice(stanza, "type", default: QuestionType.text, ok: &ok) { "unknown type `\($0)`; known types: \($1)" }
        if type == .provider, key != AnswerKeys.provider {
            error(keyField.line, keyField.valueColumn, "the question of type `provider` must have the key `provider` (got `\(key)`)")
            ok = false
        }
        if type == .secret, key != AnswerKeys.password {
            error(keyField.line, keyField.valueColumn, "the only secret question is `password` (the account password); got `\(key)`")
            ok = false
        }
        for (special, specialKey) in [(QuestionType.account, AnswerKeys.account), (.pidginAccount, AnswerKeys.pidginAccount)]
        where type == special && key != specialKey {
            error(keyField.line, keyField.valueColumn, "the question of type `\(special.rawValue)` must have the key `\(specialKey)` (got `\(key)`)")
            ok = false
        }
        let priority = choice(stanza, "priority", default: Priority.medium, ok: &ok) { "unknown priority `\($0)`; known: \($1)" }
        var choices: [String] = []
        if let field = stanza.field("choices") {
            choices = field.value.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            if type == .account {
                let known = AccountPath.allCases.map(\.rawValue)
                if let unknown = choices.first(where: { !known.contains($0) }) {
                    error(field.line, field.valueColumn, "`\(unknown)` is not a way to come by an account; an `account` question offers \(known.joined(separator: ", "))")
                    ok = false
                } else if choices.isEmpty {
                    error(field.line, field.valueColumn, "`Choices` lists no choice (comma-separated)")
                    ok = false
                }
            } else if type != .select {
                error(field.line, 1, "`Choices` only applies to questions of type `select`")
                ok = false
            } else if choices.isEmpty {
                error(field.line, field.valueColumn, "`Choices` lists no choice (comma-separated)")
                ok = false
            }
        } else if type == .select {
            error(stanza.line, 1, "question `\(key)` is of type `select` but has no `Choices`")
            ok = false
        } else if type == .account {
            choices = AccountPath.allCases.map(\.rawValue)
        }
        var validation: Validation?
        if let field = stanza.field("validation") {
            if let named = Validation.namedRules[field.value] {
                validation = named
            } else if field.value.hasPrefix("regex ") || field.value.hasPrefix("regex\t") {
                let pattern = field.value.dropFirst(6).trimmingWhitespace()
                let patternColumn = field.valueColumn + field.value.distance(from: field.value.startIndex,
                                                                            to: field.value.firstRange(of: pattern)?.lowerBound ?? field.value.startIndex)
                do throws(TemplateRegex.Problem) {
                    _ = try TemplateRegex(pattern)
                    validation = .regex(pattern)
                } catch {
                    self.error(field.line, patternColumn + error.offset, "`\(pattern)` is not a valid regular expression: \(error.message)")
                    ok = false
                }
            } else {
                error(field.line, field.valueColumn, "unknown validation `\(field.value)`; known: \(Validation.namedRules.keys.sorted().joined(separator: ", ")), regex PATTERN")
                ok = false
            }
            if validation != nil, [.provider, .boolean, .select, .captcha, .account, .pidginAccount].contains(type) {
                error(field.line, 1, "`Validation` does not apply to questions of type `\(type.rawValue)`")
                ok = false
            }
        }
        var condition: Condition?
        if let field = stanza.field("condition") {
            condition = parseCondition(field, earlier: earlier)
            if condition == nil { ok = false }
        }
        // A key comes once, or again where the conditions exclude each other (the same
        // question worded for another path): each variant has a condition and the same type.
        if let previous = seenKeys[key] {
            if let clash = previous.first(where: { other in
                guard let condition, let otherCondition = other.condition else { return true }
                return !condition.excludes(otherCondition)
            }) {
                error(keyField.line, keyField.valueColumn, "duplicate question key `\(key)` (first defined on line \(previous[0].line)); "
                      + "a key may come again only when the conditions of both exclude each other (as `account = new` and `account = existing`)"
                      + (clash.condition == nil || condition == nil ? "" : "; line \(clash.line)'s condition can hold together with this one"))
                ok = false
            } else if let other = previous.first(where: { $0.type != type }) {
                error(keyField.line, keyField.valueColumn, "question `\(key)` is of type `\(other.type.rawValue)` on line \(other.line); its variants must have the same type")
                ok = false
            }
        }
        seenKeys[key, default: []].append((keyField.line, condition, type))
        var defaultValue = DefaultValue.none
        if let field = stanza.field("default") {
            if field.value == "generated" {
                if Self.generatableKeys.contains(key) {
                    defaultValue = .generated
                } else {
                    error(field.line, field.valueColumn, "`generated` defaults exist only for \(Self.generatableKeys.sorted().joined(separator: ", ")) (not `\(key)`)")
                    ok = false
                }
            } else if type == .secret || type == .captcha || type == .provider || type == .pidginAccount {
                error(field.line, field.valueColumn, "a question of type `\(type.rawValue)` cannot have a written default\(type == .secret ? " (only `generated`: a secret never sits in a file)" : "")")
                ok = false
            } else if type == .boolean {
                if let flag = Self.parseBoolean(field.value) { defaultValue = .literal(flag ? "yes" : "no") } else {
                    error(field.line, field.valueColumn, "the default of a boolean is yes or no (got `\(field.value)`)")
                    ok = false
                }
            } else if type == .select || type == .account, !choices.isEmpty, !choices.contains(field.value) {
                error(field.line, field.valueColumn, "the default `\(field.value)` is not one of the choices (\(choices.joined(separator: ", ")))")
                ok = false
            } else if let validation, case .failure(let failure) = validation.check(field.value) {
                error(field.line, field.valueColumn, "the default `\(field.value)` fails its own validation: \(failure.reason)")
                ok = false
            } else {
                defaultValue = .literal(field.value)
            }
        } else if let room {
            // The room's own questions default to the values in the `Template:` stanza.
            switch key {
            case AnswerKeys.room: defaultValue = .literal(room.jid)
            case AnswerKeys.alias: defaultValue = .literal(room.alias ?? room.jid)
            case AnswerKeys.group: defaultValue = .literal(room.group)
            // The onion of an account's server: the map's, when it knows the account's domain.
            case AnswerKeys.onion: defaultValue = .mapOnion
            default: break
            }
            // A written default is checked above; one taken from the room must pass too.
            if case .literal(let value) = defaultValue, let validation, case .failure(let failure) = validation.check(value),
               let field = stanza.field("validation") {
                error(field.line, field.valueColumn, "the default `\(value)` (from the `Template:` stanza's room) fails this validation: \(failure.reason)")
                ok = false
            }
        }
        if let field = stanza.field("flag"), AnswerKeys.isValidKey(key) {
            let expected = AnswerKeys.flag(for: key, type: type)
            if field.value != expected {
                error(field.line, field.valueColumn, "question `\(key)` is answered by `\(expected)`, not `\(field.value)` (the `Flag` field documents it and may be left out)")
                ok = false
            }
        }
        let description = stanza.field("description")
        let warning = stanza.field("warning").map { ([$0.value] + $0.continuation).joined(separator: "\n") }
        guard ok else { return nil }
        return Question(key: key, type: type, prompt: description?.value ?? "",
                        help: description?.continuation.joined(separator: "\n") ?? "",
                        defaultValue: defaultValue, priority: priority, validation: validation,
                        condition: condition, choices: choices, warning: warning, line: keyField.line)
    }

    private mutating func parseCondition(_ field: Field, earlier: [Question]) -> Condition? {
        var clauses: [Condition.Clause] = []
        var ok = true
        var offset = 0
        let parts = field.value.components(separatedBy: " and ")
        for part in parts {
            let leading = part.prefix { $0 == " " }.count
            let column = field.valueColumn + offset + leading
            offset += part.count + 5
            let text = part.trimmingWhitespace()
            let negated = text.contains("!=")
            let pieces = text.components(separatedBy: negated ? "!=" : "=")
            guard pieces.count == 2 else {
                error(field.line, column, "a condition clause is `KEY = VALUE`, `KEY != VALUE` or `provider.ATTRIBUTE = VALUE`, joined with `and` (got `\(text)`)")
                ok = false
                continue
            }
            let name = pieces[0].trimmingWhitespace()
            let value = pieces[1].trimmingWhitespace()
            guard !name.isEmpty, !value.isEmpty else {
                error(field.line, column, "a condition clause needs a name and a value (got `\(text)`)")
                ok = false
                continue
            }
            if name.hasPrefix(AnswerKeys.pidginAccount + ".") {
                let attribute = String(name.dropFirst(AnswerKeys.pidginAccount.count + 1))
                guard let known = PidginAccountAttribute(rawValue: attribute) else {
                    error(field.line, column, "unknown attribute `\(attribute)` of the Pidgin account; known: \(PidginAccountAttribute.allCases.map(\.rawValue).joined(separator: ", "))")
                    ok = false
                    continue
                }
                if !earlier.contains(where: { $0.type == .pidginAccount }) {
                    error(field.line, column, "the condition reads `\(name)` but the Pidgin account is chosen after this question")
                    ok = false
                }
                clauses.append(.init(subject: .pidginAccount(known), negated: negated, value: value))
            } else if name.hasPrefix("provider.") {
                let attribute = String(name.dropFirst("provider.".count))
                guard let known = ProviderAttribute(rawValue: attribute) else {
                    error(field.line, column, "unknown provider attribute `\(attribute)`; known: \(ProviderAttribute.allCases.map(\.rawValue).joined(separator: ", "))")
                    ok = false
                    continue
                }
                if !earlier.contains(where: { $0.type == .provider }) {
                    error(field.line, column, "the condition reads `\(name)` but the provider is chosen after this question")
                    ok = false
                }
                clauses.append(.init(subject: .provider(known), negated: negated, value: value))
            } else {
                guard earlier.contains(where: { $0.key == name }) else {
                    error(field.line, column, allKeys.contains(name)
                          ? "the condition refers to `\(name)`, which is asked after this question (or is this question)"
                          : "the condition refers to an unknown key `\(name)`")
                    ok = false
                    continue
                }
                clauses.append(.init(subject: .answer(name), negated: negated, value: value))
            }
        }
        return ok ? Condition(clauses: clauses) : nil
    }

    static func parseBoolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "yes", "true", "1", "on", "y": true
        case "no", "false", "0", "off", "n": false
        default: nil
        }
    }

    private func capitalized(_ name: String) -> String {
        name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-")
    }
}

extension WizardTemplate {
    /// Parses a template, throwing every problem at once.
    public static func parse(_ text: String, origin: String) throws -> WizardTemplate {
        let (template, diagnostics) = TemplateParser.parse(text, origin: origin)
        guard let template, diagnostics.isEmpty else {
            throw TemplateError.invalid(origin: origin, diagnostics: diagnostics)
        }
        return template
    }
}
