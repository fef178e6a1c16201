import CGtk
import Wizard

/// One of a few choices, each a radio button with what it means under it: the fork at
/// the start (a new account, one's own, one Pidgin has) and the Pidgin account to join with.
/// Pre-selected: the answer given before (after Back), else the question's default.
final class ChoiceList {
    let widget: Widget
    private var buttons: [(button: Widget, answer: String)] = []

    init(_ question: PresentedQuestion, mnemonics: inout Mnemonics) {
        widget = Make.box(spacing: 12)
        var group: UnsafeMutablePointer<GtkRadioButton>?
        for choice in question.choices {
            let button = Widget(gtk_radio_button_new_with_mnemonic_from_widget(group, mnemonics.take(choice.label)))
                .named(choice.label, description: choice.detail.isEmpty ? nil : choice.detail)
            group = button.cast()
            let row = Make.box(spacing: 2)
            row.pack(button)
            if !choice.detail.isEmpty {
                let detail = Make.label(choice.detail, dim: true)
                gtk_widget_set_margin_start(detail.raw, 26)
                row.pack(detail)
            }
            widget.pack(row)
            buttons.append((button, choice.answer))
        }
        let current = (question.given ?? question.defaultText)?.lowercased()
        if let index = buttons.firstIndex(where: { $0.answer.lowercased() == current }) ?? (buttons.isEmpty ? nil : 0) {
            gtk_toggle_button_set_active(buttons[index].button.cast(), 1)
        }
    }

    /// The chosen answer ("" when none is chosen).
    var answer: String { buttons.first { $0.button.isActive }?.answer ?? "" }

    /// The focus goes to the chosen button (arrow keys move between the choices).
    var focusTarget: Widget? { buttons.first { $0.button.isActive }?.button ?? buttons.first?.button }
}
