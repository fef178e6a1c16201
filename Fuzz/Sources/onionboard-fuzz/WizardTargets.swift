// onionboard — GPL-3.0-or-later.
@testable import Wizard

/// `templates check` and `run --template FILE`: the template parser, whose regex
/// validations now run with a step budget (a slow pattern is a libFuzzer timeout).
enum TemplatesTarget {
    static func run(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        let (template, diagnostics) = TemplateParser.parse(text, origin: "fuzz.wizard")
        invariant((template == nil) == !diagnostics.isEmpty, "a template with \(diagnostics.count) diagnostics")
        // Lines as the parser counts them (any Unicode line break; "\r\n" is one).
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).count
        for diagnostic in diagnostics {
            invariant(diagnostic.file == "fuzz.wizard" && diagnostic.line >= 1 && diagnostic.line <= lines + 1
                      && diagnostic.column >= 1, "diagnostic at \(diagnostic.line):\(diagnostic.column) of \(lines) lines")
        }
        guard let template else { return }
        let keys = template.questions.map(\.key)
        invariant(Set(keys).count == keys.count, "duplicate keys \(keys)")
        for question in template.questions {
            if case .literal(let value) = question.defaultValue, let validation = question.validation {
                if case .failure(let failure) = validation.check(value) {
                    invariant(false, "the default of \(question.key) fails its validation: \(failure)")
                }
            }
        }
    }
}

/// `--answers FILE` and `--save-answers FILE`: parse, render, parse again.
enum AnswersTarget {
    static let template = try! TemplateLibrary.loadBundled(TemplateLibrary.defaultID)

    static func run(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        guard let answers = try? AnswersFile.parse(text, path: "fuzz.answers") else { return }
        invariant(answers.value(AnswerKeys.password) == nil, "a password was read from an answers file")
        let rendered = AnswersFile.render(answers, template: template)
        guard let again = try? AnswersFile.parse(rendered, path: "saved.answers") else {
            invariant(false, "saved answers do not read back:\n\(rendered)")
            return
        }
        let kept = answers.keys.filter { key in
            let type = template.question(key)?.type ?? .text
            return type != .secret && type != .captcha
        }
        invariant(again.keys == kept, "keys \(again.keys) after saving, \(kept) before")
        for key in kept {
            invariant(again.value(key) == answers.value(key),
                      "\(key): \(String(reflecting: answers.value(key))) saved and read back as \(String(reflecting: again.value(key)))")
        }
    }
}
