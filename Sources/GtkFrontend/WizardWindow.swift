import CGtk
import Localization

/// The one window of a run: a heading, the page's content (scrolling when long), and a
/// row of buttons — Cancel on the left; Back, a second choice and the main action on
/// the right. Pages come and go; the window and its buttons stay. Enter activates the
/// main action, Escape the left button (Cancel, or Close at the end), and closing the
/// window does what Escape does. Main thread only.
final class WizardWindow {
    struct Action {
        var mnemonic: String
        var name: String
        var run: () -> Void
    }

    /// One page as the window shows it.
    struct Page {
        var heading: String
        var content: Widget
        var primary: Action?
        var secondary: Action?
        /// Back is shown only when there is somewhere to go back to.
        var back: (() -> Void)?
        /// The left button: Cancel while the run can be cancelled, Close at the end, or none.
        var leave: Action?
        /// Where the keyboard focus starts.
        var focus: Widget?
        /// What Escape and closing the window do, when there is no left button.
        var escape: (() -> Void)?
    }

    let window: Widget
    private let headingArea: Widget
    private let contentArea: Widget
    private let leaveButton: Widget
    private let backButton: Widget
    private let secondaryButton: Widget
    private let primaryButton: Widget
    private var page: Page?
    private var shownContent: Widget?

    init(title: String) {
        window = Widget(gtk_window_new(GTK_WINDOW_TOPLEVEL))
        gtk_window_set_title(window.cast(), title)
        gtk_window_set_default_size(window.cast(), 720, 600)
        gtk_window_set_position(window.cast(), GTK_WIN_POS_CENTER)
        gtk_window_set_icon_name(window.cast(), "pidgin")

        let layout = Make.box(spacing: 12)
        layout.margin(18)
        headingArea = Make.box()
        layout.pack(headingArea)
        contentArea = Make.box(spacing: 12)
        contentArea.margin(6)
        let viewport = Make.scrolled(contentArea)
        gtk_scrolled_window_set_shadow_type(viewport.cast(), GTK_SHADOW_NONE)
        layout.pack(viewport, expand: true)
        layout.pack(Make.separator())

        let buttons = Make.box(vertical: false, spacing: 6)
        leaveButton = Make.button(translated("_Cancel"), name: translated("Cancel"))
        backButton = Make.button(translated("_Back"), name: translated("Back"))
        secondaryButton = Make.button("", name: "")
        primaryButton = Make.button(translated("_Next"), name: translated("Next"))
        buttons.pack(leaveButton)
        buttons.packEnd(primaryButton)
        buttons.packEnd(secondaryButton)
        buttons.packEnd(backButton)
        layout.pack(buttons)
        window.add(layout)

        gtk_widget_set_can_default(primaryButton.raw, 1)
        primaryButton.addStyleClass("suggested-action")
        primaryButton.on("clicked") { [unowned self] in self.page?.primary?.run() }
        secondaryButton.on("clicked") { [unowned self] in self.page?.secondary?.run() }
        backButton.on("clicked") { [unowned self] in self.page?.back?() }
        leaveButton.on("clicked") { [unowned self] in self.page?.leave?.run() }
        window.onKeyPress { [unowned self] key in
            guard key == UInt32(GDK_KEY_Escape), let escape = self.escapeAction else { return false }
            escape()
            return true
        }
        window.onEvent("delete-event") { [unowned self] in
            self.escapeAction?()
            return true // the window stays until the run decides to end
        }
    }

    /// Replaces the page: heading, content and buttons; the old content is destroyed.
    func show(_ page: Page) {
        self.page = page
        gtk_widget_set_sensitive(contentArea.raw, 1)
        for child in children(of: headingArea) { child.destroy() }
        headingArea.pack(Make.heading(page.heading))
        shownContent?.destroy()
        shownContent = page.content
        contentArea.pack(page.content, expand: true)
        configure(primaryButton, page.primary)
        configure(secondaryButton, page.secondary)
        configure(leaveButton, page.leave)
        backButton.setVisible(page.back != nil)
        backButton.setSensitive(true)
        gtk_window_set_title(window.cast(), "\(page.heading) — onionboard")
        window.showAll()
        for (button, action) in [(primaryButton, page.primary as Action?), (secondaryButton, page.secondary),
                                 (leaveButton, page.leave)] where action == nil {
            button.setVisible(false)
        }
        backButton.setVisible(page.back != nil)
        if page.primary != nil { gtk_window_set_default(window.cast(), primaryButton.raw) }
        (page.focus ?? (page.primary != nil ? primaryButton : leaveButton)).focus()
        gtk_window_present(window.cast())
    }

    /// After the person answered: nothing more to press until the run shows the next page
    /// (Cancel stays available).
    func waitForNextPage() {
        for button in [primaryButton, secondaryButton, backButton] { button.setSensitive(false) }
        gtk_widget_set_sensitive(contentArea.raw, 0)
    }

    /// The left button only (the profile is being written: cancelling must wait).
    func setLeaveEnabled(_ enabled: Bool) { leaveButton.setSensitive(enabled) }

    private func configure(_ button: Widget, _ action: Action?) {
        guard let action else { return }
        gtk_button_set_label(button.cast(), action.mnemonic)
        gtk_button_set_use_underline(button.cast(), 1)
        button.named(action.name)
        button.setSensitive(true)
    }

    private func children(of container: Widget) -> [Widget] {
        var result: [Widget] = []
        var list = gtk_container_get_children(container.cast())
        let head = list
        while let node = list {
            if let data = node.pointee.data { result.append(Widget(data.assumingMemoryBound(to: GtkWidget.self))) }
            list = node.pointee.next
        }
        g_list_free(head)
        return result
    }

    private var escapeAction: (() -> Void)? { page?.escape ?? page?.leave?.run }

    func close() { window.destroy() }
}

extension Widget {
    /// key-press-event with the key's symbol (GDK_KEY_…); the closure says whether it handled it.
    func onKeyPress(_ body: @escaping (UInt32) -> Bool) {
        let box = KeyCallback(body)
        let handler: @convention(c) (gpointer?, UnsafeMutablePointer<GdkEventKey>?, gpointer?) -> gboolean = { _, event, data in
            guard let event else { return 0 }
            return Unmanaged<KeyCallback>.fromOpaque(data!).takeUnretainedValue().body(event.pointee.keyval) ? 1 : 0
        }
        ob_signal_connect(object, "key-press-event", unsafeBitCast(handler, to: GCallback.self),
                          Unmanaged.passRetained(box).toOpaque(), KeyCallback.releaseClosure)
    }
}

final class KeyCallback {
    let body: (UInt32) -> Bool
    init(_ body: @escaping (UInt32) -> Bool) { self.body = body }
    static let releaseClosure: @convention(c) (gpointer?, UnsafeMutablePointer<GClosure>?) -> Void = { pointer, _ in
        Unmanaged<KeyCallback>.fromOpaque(pointer!).release()
    }
}
