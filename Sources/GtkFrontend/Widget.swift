import CGtk

/// A GTK widget seen from Swift. Not an owner: a widget belongs to its container (the
/// window owns the tree), so this is a plain handle, valid until the page it belongs to
/// is replaced. Main thread only.
struct Widget {
    let raw: UnsafeMutablePointer<GtkWidget>

    init(_ raw: UnsafeMutablePointer<GtkWidget>!) { self.raw = raw }

    /// The same object as another GTK type (what the C cast macros do, unchecked).
    func cast<T>() -> UnsafeMutablePointer<T> { UnsafeMutableRawPointer(raw).assumingMemoryBound(to: T.self) }
    var object: gpointer { UnsafeMutableRawPointer(raw) }

    /// The name screen readers (and the tests, through AT-SPI) find it by.
    @discardableResult
    func named(_ name: String, description: String? = nil) -> Widget {
        let accessible = gtk_widget_get_accessible(raw)
        atk_object_set_name(accessible, name)
        if let description { atk_object_set_description(accessible, description) }
        return self
    }

    @discardableResult
    func role(_ role: AtkRole) -> Widget {
        atk_object_set_role(gtk_widget_get_accessible(raw), role)
        return self
    }

    /// Connects a signal whose handler takes (instance, user data) and returns nothing
    /// (clicked, changed, toggled, activate). The closure lives as long as the widget.
    func on(_ signal: String, _ body: @escaping () -> Void) {
        let handler: @convention(c) (gpointer?, gpointer?) -> Void = { _, data in Callback.from(data).body() }
        ob_signal_connect(object, signal, unsafeBitCast(handler, to: GCallback.self), Callback(body).retainedPointer,
                          Callback.releaseClosure)
    }

    /// Connects an event signal (delete-event): the closure says whether it handled it.
    func onEvent(_ signal: String, _ body: @escaping () -> Bool) {
        let handler: @convention(c) (gpointer?, gpointer?, gpointer?) -> gboolean = { _, _, data in
            Unmanaged<EventCallback>.fromOpaque(data!).takeUnretainedValue().body() ? 1 : 0
        }
        ob_signal_connect(object, signal, unsafeBitCast(handler, to: GCallback.self),
                          Unmanaged.passRetained(EventCallback(body)).toOpaque(), EventCallback.releaseClosure)
    }

    func add(_ child: Widget) { gtk_container_add(cast(), child.raw) }

    /// Appends to a box; `expand` lets it take the spare room.
    func pack(_ child: Widget, expand: Bool = false) {
        gtk_box_pack_start(cast(), child.raw, expand ? 1 : 0, expand ? 1 : 0, 0)
    }

    func packEnd(_ child: Widget) { gtk_box_pack_end(cast(), child.raw, 0, 0, 0) }

    func setSensitive(_ on: Bool) { gtk_widget_set_sensitive(raw, on ? 1 : 0) }
    func setVisible(_ on: Bool) { gtk_widget_set_visible(raw, on ? 1 : 0) }
    func showAll() { gtk_widget_show_all(raw) }
    func focus() { gtk_widget_grab_focus(raw) }
    func destroy() { gtk_widget_destroy(raw) }

    func margin(_ all: Int32) {
        gtk_widget_set_margin_start(raw, all)
        gtk_widget_set_margin_end(raw, all)
        gtk_widget_set_margin_top(raw, all)
        gtk_widget_set_margin_bottom(raw, all)
    }

    func addStyleClass(_ name: String) { gtk_style_context_add_class(gtk_widget_get_style_context(raw), name) }
}

/// An event handler's closure (it answers whether the event was handled).
final class EventCallback {
    let body: () -> Bool
    init(_ body: @escaping () -> Bool) { self.body = body }
    static let releaseClosure: @convention(c) (gpointer?, UnsafeMutablePointer<GClosure>?) -> Void = { pointer, _ in
        Unmanaged<EventCallback>.fromOpaque(pointer!).release()
    }
}

/// The widgets the pages are made of, each with the settings every page wants:
/// labels wrap (no 1300-pixel lines) and are left-aligned; every control gets an
/// accessible name.
enum Make {
    /// `text` laid out in the window's direction. Pango takes a paragraph's direction from its
    /// first letter, so in a right-to-left window a Persian sentence that starts with "Pidgin"
    /// would be laid out left to right: each line starts with a right-to-left mark. A text
    /// with no right-to-left letter at all (an address, a fingerprint) stays left to right.
    static func directed(_ text: String) -> String {
        guard gtk_widget_get_default_direction() == GTK_TEXT_DIR_RTL, !text.isEmpty,
              text.unicodeScalars.contains(where: { (0x0590...0x08FF).contains($0.value) || (0xFB1D...0xFEFC).contains($0.value) })
        else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { "\u{200F}" + $0 }.joined(separator: "\n")
    }

    static func label(_ text: String, selectable: Bool = false, dim: Bool = false) -> Widget {
        let label = Widget(gtk_label_new(directed(text)))
        let raw: UnsafeMutablePointer<GtkLabel> = label.cast()
        gtk_label_set_line_wrap(raw, 1)
        gtk_label_set_line_wrap_mode(raw, PANGO_WRAP_WORD_CHAR)
        gtk_label_set_max_width_chars(raw, 72)
        gtk_label_set_xalign(raw, 0)
        gtk_widget_set_halign(label.raw, GTK_ALIGN_FILL)
        if selectable {
            gtk_label_set_selectable(raw, 1)
            gtk_widget_set_can_focus(label.raw, 0) // reachable for copying, not a Tab stop
        }
        if dim { label.addStyleClass("dim-label") }
        return label
    }

    /// Text with Pango markup; `plain` parts must go through `escaped`.
    static func markup(_ markup: String) -> Widget {
        let label = self.label("")
        gtk_label_set_markup(label.cast(), directed(markup))
        return label
    }

    static func escaped(_ text: String) -> String {
        guard let escaped = g_markup_escape_text(text, -1) else { return "" }
        defer { g_free(escaped) }
        return String(cString: escaped)
    }

    /// A page's title: large, and a heading for screen readers.
    static func heading(_ text: String) -> Widget {
        markup("<span size='x-large' weight='bold'>\(escaped(text))</span>").role(ATK_ROLE_HEADING).named(text)
    }

    /// A button whose label has a mnemonic (`_Next`: Alt+N).
    static func button(_ mnemonic: String, name: String) -> Widget {
        Widget(gtk_button_new_with_mnemonic(mnemonic)).named(name)
    }

    static func entry(name: String, text: String = "", hidden: Bool = false) -> Widget {
        let entry = Widget(gtk_entry_new()).named(name)
        let raw: UnsafeMutablePointer<GtkEntry> = entry.cast()
        gtk_entry_set_text(raw, text)
        gtk_entry_set_activates_default(raw, 1) // Enter = the page's main button
        if hidden { gtk_entry_set_visibility(raw, 0) }
        gtk_widget_set_hexpand(entry.raw, 1)
        return entry
    }

    static func box(vertical: Bool = true, spacing: Int32 = 6) -> Widget {
        Widget(gtk_box_new(vertical ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL, spacing))
    }

    static func grid() -> Widget {
        let grid = Widget(gtk_grid_new())
        gtk_grid_set_row_spacing(grid.cast(), 6)
        gtk_grid_set_column_spacing(grid.cast(), 12)
        return grid
    }

    /// A label for `field`, with its mnemonic (`_Username`) moving the focus there.
    static func fieldLabel(_ mnemonic: String, for field: Widget) -> Widget {
        let label = Widget(gtk_label_new_with_mnemonic(directed(mnemonic)))
        gtk_label_set_mnemonic_widget(label.cast(), field.raw)
        gtk_label_set_xalign(label.cast(), 0)
        gtk_label_set_line_wrap(label.cast(), 1)
        gtk_label_set_max_width_chars(label.cast(), 72)
        return label
    }

    static func check(_ mnemonic: String, active: Bool, name: String) -> Widget {
        let check = Widget(gtk_check_button_new_with_mnemonic(directed(mnemonic))).named(name)
        gtk_toggle_button_set_active(check.cast(), active ? 1 : 0)
        return check
    }

    static func scrolled(_ child: Widget, minimumHeight: Int32 = 0) -> Widget {
        let scrolled = Widget(gtk_scrolled_window_new(nil, nil))
        gtk_scrolled_window_set_policy(scrolled.cast(), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC)
        if minimumHeight > 0 { gtk_scrolled_window_set_min_content_height(scrolled.cast(), minimumHeight) }
        gtk_scrolled_window_set_shadow_type(scrolled.cast(), GTK_SHADOW_IN)
        scrolled.add(child)
        return scrolled
    }

    static func separator() -> Widget { Widget(gtk_separator_new(GTK_ORIENTATION_HORIZONTAL)) }
}

/// Text of an entry.
extension Widget {
    var entryText: String {
        guard let text = gtk_entry_get_text(cast()) else { return "" }
        return String(cString: text)
    }

    func setEntryText(_ text: String) { gtk_entry_set_text(cast(), text) }

    var isActive: Bool { gtk_toggle_button_get_active(cast()) != 0 }
}

extension Widget {
    /// Connects a signal whose handler takes (instance, one argument, user data) and
    /// returns nothing (row-selected, row-activated); the argument is not needed.
    func onWithArgument(_ signal: String, _ body: @escaping () -> Void) {
        let handler: @convention(c) (gpointer?, gpointer?, gpointer?) -> Void = { _, _, data in Callback.from(data).body() }
        ob_signal_connect(object, signal, unsafeBitCast(handler, to: GCallback.self), Callback(body).retainedPointer,
                          Callback.releaseClosure)
    }
}
