import CGtk
import Secrets
import Wizard
import Localization

/// A page of the wizard's questions, made from the template's data alone: a provider
/// question becomes the provider list with details, a boolean a check box, a select a
/// drop-down, text an entry (with "Make another" for a generated suggestion), a secret a
/// hidden entry. Questions below the threshold go under "Advanced". A refused answer is
/// shown under its field, with the text as it was typed.
final class QuestionPage {
    let heading: String
    let content: Widget
    private(set) var focus: Widget?
    private var readers: [String: () -> String] = [:]
    private var secretEntry: Widget?
    private var mnemonics = Mnemonics()

    init(_ page: PresentedPage, submit: @escaping () -> Void) {
        let main = page.questions.filter { !$0.isAdvanced }
        let advanced = page.questions.filter(\.isAdvanced)
        let keys = Set(main.map(\.question.key))
        if let provider = page.questions.first(where: { $0.question.type == .provider }) {
            heading = provider.question.prompt
        } else if main.count == 1 {
            heading = main[0].question.prompt
        } else if keys.contains(AnswerKeys.username) {
            heading = translated("Your new account")
        } else if keys.contains(AnswerKeys.jid) {
            heading = translated("Your account")
        } else if keys.contains(AnswerKeys.torSwitch) {
            heading = translated("Joining the room with this account")
        } else {
            heading = main.first?.question.prompt ?? translated("Your new account")
        }
        content = Make.box(spacing: 18)
        if page.hasProblems {
            content.pack(Make.markup("<b>\(Make.escaped(translated("Some answers were not accepted. Each one says why below.")))</b>"))
        }
        // The provider list takes the room the page has.
        for question in main { content.pack(row(question, submit: submit), expand: question.question.type == .provider) }
        if !advanced.isEmpty {
            let expander = Widget(gtk_expander_new_with_mnemonic(mnemonics.take(translated("Advanced")))).named(translated("Advanced"))
            let inner = Make.box(spacing: 18)
            gtk_widget_set_margin_top(inner.raw, 12)
            gtk_widget_set_margin_start(inner.raw, 12)
            for question in advanced { inner.pack(row(question, submit: submit)) }
            expander.add(inner)
            gtk_expander_set_expanded(expander.cast(), advanced.contains { $0.problem != nil } ? 1 : 0)
            content.pack(expander)
        }
    }

    /// The answers as they stand (read when the person presses Next).
    func answers() -> PageAnswers {
        var values: [String: String] = [:]
        for (key, read) in readers { values[key] = read() }
        return PageAnswers(values: values, secret: secretEntry.flatMap(Self.secret))
    }

    /// The typed secret, copied from the entry's buffer straight into guarded memory
    /// (no Swift string); nil when empty (a password is generated).
    private static func secret(_ entry: Widget) -> SecretBytes? {
        guard let text = gtk_entry_get_text(entry.cast()) else { return nil }
        let length = strlen(text)
        guard length > 0 else { return nil }
        return SecretBytes(copying: UnsafeRawBufferPointer(start: text, count: length))
    }

    private func row(_ presented: PresentedQuestion, submit: @escaping () -> Void) -> Widget {
        let question = presented.question
        let box = Make.box(spacing: 6)
        if let warning = presented.question.warning {
            box.pack(Make.markup("<b>\(Make.escaped(Prose.reflowed(warning)))</b>").named(Prose.reflowed(warning)))
        }
        var field: Widget
        switch question.type {
        case .account, .pidginAccount:
            if !question.help.isEmpty { box.pack(Make.label(Prose.reflowed(question.help))) }
            let choices = ChoiceList(presented, mnemonics: &mnemonics)
            readers[question.key] = { choices.answer }
            box.pack(choices.widget)
            field = choices.focusTarget ?? choices.widget
            if focus == nil || presented.problem != nil { focus = field }
        case .provider:
            if !question.help.isEmpty { box.pack(Make.label(Prose.reflowed(question.help))) }
            let picker = ProviderPicker(presented, onActivate: submit)
            readers[question.key] = { picker.answer }
            box.pack(picker.widget, expand: true)
            field = picker.list
            if focus == nil || presented.problem != nil { focus = picker.focusTarget }
        case .boolean:
            let value = (presented.given ?? presented.defaultText ?? "no").lowercased()
            field = Make.check(mnemonics.take(question.prompt), active: ["yes", "true", "y", "1", "on"].contains(value),
                               name: question.prompt)
            readers[question.key] = { field.isActive ? "yes" : "no" }
            box.pack(field)
        case .select:
            field = Widget(gtk_combo_box_text_new()).named(question.prompt)
            for choice in presented.choices { gtk_combo_box_text_append_text(field.cast(), choice.label) }
            let current = presented.given ?? presented.defaultText
            let index = presented.choices.firstIndex { $0.label.lowercased() == current?.lowercased() } ?? 0
            gtk_combo_box_set_active(field.cast(), Int32(index))
            readers[question.key] = {
                guard let text = gtk_combo_box_text_get_active_text(field.cast()) else { return "" }
                defer { g_free(text) }
                return String(cString: text)
            }
            box.pack(Make.fieldLabel(mnemonics.take(question.prompt), for: field))
            box.pack(field)
        case .secret:
            field = Make.entry(name: question.prompt, hidden: true)
            if question.defaultValue == .generated {
                gtk_entry_set_placeholder_text(field.cast(), translated("Leave empty: a strong password is made for you"))
            }
            secretEntry = field
            box.pack(Make.fieldLabel(mnemonics.take(question.prompt), for: field))
            box.pack(field)
        case .text, .captcha:
            field = Make.entry(name: question.prompt, text: presented.given ?? presented.defaultText ?? "")
            readers[question.key] = { field.entryText }
            box.pack(Make.fieldLabel(mnemonics.take(question.prompt), for: field))
            if let regenerate = presented.regenerate {
                let line = Make.box(vertical: false, spacing: 6)
                line.pack(field, expand: true)
                let another = Make.button(translated("Make another"), name: translated("Make another: \(question.prompt)"))
                another.on("clicked") { field.setEntryText(regenerate()) }
                line.pack(another)
                box.pack(line)
            } else {
                box.pack(field)
            }
        }
        if ![.provider, .account, .pidginAccount].contains(question.type), !question.help.isEmpty {
            box.pack(Make.label(Prose.reflowed(question.help), dim: true))
        }
        if let problem = presented.problem {
            box.pack(Make.markup("<span foreground='#c01c28'>✗ \(Make.escaped(problem))</span>"))
            atk_object_set_description(gtk_widget_get_accessible(field.raw), translated("Not accepted: \(problem)"))
            if !focusOnProblem {
                focus = field
                focusOnProblem = true
            }
        }
        if focus == nil { focus = field }
        return box
    }

    /// The focus is on the first refused answer.
    private var focusOnProblem = false
}

/// Gives each label on a page its own access key (Alt+letter): the first letter of the
/// text not yet taken, so two questions never share one. C, B and N are the buttons'.
struct Mnemonics {
    private var taken: Set<Character> = ["c", "b", "n"]

    mutating func take(_ text: String) -> String {
        let escaped = text.replacing("_", with: "__")
        guard let index = escaped.indices.first(where: { index in
            let character = Character(escaped[index].lowercased())
            return character.isLetter && character.isASCII && !taken.contains(character)
        }) else { return escaped }
        taken.insert(Character(escaped[index].lowercased()))
        return String(escaped[..<index]) + "_" + String(escaped[index...])
    }
}
