import CGtk
import Wizard
import Localization

/// The provider question: every offered provider in a list with its live state (checked
/// over Tor when the wizard started) under its name, and the selected one's details beside
/// it (website, where its servers are, software, sources and dates). Pre-selected: the
/// answer given before (after Back), else the best live one (the question's default), else
/// the one the data suggests, else the first. Enter or a double click on a row is the page's Next.
final class ProviderPicker {
    let widget: Widget
    let list: Widget
    private let choices: [PresentedQuestion.Choice]
    private let details: Widget
    private var rows: [Widget] = []

    init(_ question: PresentedQuestion, onActivate: @escaping () -> Void) {
        choices = question.choices
        widget = Make.box(vertical: false, spacing: 12)
        list = Widget(gtk_list_box_new()).named(translated("Providers"))
        gtk_list_box_set_selection_mode(list.cast(), GTK_SELECTION_BROWSE)
        for choice in choices {
            let row = Widget(gtk_list_box_row_new()).named("\(choice.label), \(choice.detail)")
            let text = Make.box(spacing: 2)
            text.margin(6)
            text.pack(Make.markup("<b>\(Make.escaped(choice.label))</b>"))
            text.pack(Make.label(choice.detail, dim: true))
            row.add(text)
            list.add(row)
            rows.append(row)
        }
        let scrolled = Make.scrolled(list, minimumHeight: 300)
        gtk_widget_set_size_request(scrolled.raw, 280, -1)
        widget.pack(scrolled)
        details = Make.box(spacing: 8)
        gtk_widget_set_hexpand(details.raw, 1)
        widget.pack(details, expand: true)

        list.onWithArgument("row-selected") { [unowned self] in self.showDetails() }
        list.onWithArgument("row-activated") { onActivate() }
        if let index = Self.preselection(question), rows.indices.contains(index) {
            gtk_list_box_select_row(list.cast(), rows[index].cast())
        }
        showDetails()
    }

    static func preselection(_ question: PresentedQuestion) -> Int? {
        let providers = question.choices.compactMap(\.provider)
        if let given = question.given?.lowercased(), let index = question.choices.firstIndex(where: { $0.label == given }) {
            return index
        }
        // The best provider the live checks found (the question's default).
        if let best = question.defaultText?.lowercased(), let index = question.choices.firstIndex(where: { $0.label == best }) {
            return index
        }
        if let preferred = Bootstrap.defaultProvider(providers),
           let index = question.choices.firstIndex(where: { $0.label == preferred.domain }) {
            return index
        }
        return question.choices.isEmpty ? nil : 0
    }

    var selectedIndex: Int? {
        guard let row = gtk_list_box_get_selected_row(list.cast()) else { return nil }
        return Int(gtk_list_box_row_get_index(row))
    }

    /// The answer: the selected provider's domain ("" when none is selected).
    var answer: String { selectedIndex.map { choices[$0].label } ?? "" }

    /// The focus goes to the selected row, so arrow keys move through the list.
    var focusTarget: Widget { selectedIndex.map { rows[$0] } ?? list }

    private func showDetails() {
        var child = gtk_container_get_children(details.cast())
        let head = child
        while let node = child {
            gtk_widget_destroy(node.pointee.data.assumingMemoryBound(to: GtkWidget.self))
            child = node.pointee.next
        }
        g_list_free(head)
        guard let index = selectedIndex else { return }
        let choice = choices[index]
        details.pack(Make.markup("<span size='large' weight='bold'>\(Make.escaped(choice.label))</span>"))
        let grid = Make.grid()
        var row: Int32 = 0
        func add(_ name: String, _ value: String) {
            let key = Make.label(name, dim: true)
            gtk_widget_set_valign(key.raw, GTK_ALIGN_START)
            gtk_grid_attach(grid.cast(), key.raw, 0, row, 1, 1)
            let text = Make.label(value, selectable: true)
            gtk_label_set_max_width_chars(text.cast(), 40)
            gtk_widget_set_hexpand(text.raw, 1)
            gtk_grid_attach(grid.cast(), text.raw, 1, row, 1, 1)
            row += 1
        }
        if let provider = choice.provider {
            for (name, value) in provider.facts(live: choice.live) { add(name, value) }
        } else if !choice.detail.isEmpty {
            add(translated("About"), choice.detail)
        }
        details.pack(grid)
        details.showAll()
    }
}
