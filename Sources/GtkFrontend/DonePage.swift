import CGtk
import FoundationEssentials
import Frontends
import Secrets
import Wizard
import Localization

/// The end: the new address, the password (hidden until asked for, and copyable), what
/// happens next, and the details of what was written. The password goes from guarded
/// memory into the entry or the clipboard only when the person asks.
final class DonePage {
    let content: Widget
    let focus: Widget
    private let password: SecretBytes?
    private let passwordEntry: Widget
    private let showButton: Widget
    private var shown = false

    init(_ report: OnboardingReport, password: SecretBytes?, pidginInstalled: Bool) {
        self.password = password
        content = Make.box(spacing: 14)
        let lead = switch report.account {
        case .new: translated("Your new address:")
        case .existing: translated("Your address:")
        case .pidgin: translated("The room was added to Pidgin's account:")
        }
        content.pack(Make.label(lead))
        let address = Make.markup("<span size='x-large' weight='bold'>\(Make.escaped(report.jid))</span>")
        gtk_label_set_selectable(address.cast(), 1)
        address.named(report.account == .new ? translated("Your new address: \(report.jid)") : translated("Account: \(report.jid)"))
        content.pack(address)
        let showsPassword = report.account != .pidgin

        passwordEntry = Make.entry(name: translated("Password"), hidden: true)
        gtk_editable_set_editable(OpaquePointer(passwordEntry.raw), 0)
        gtk_entry_set_placeholder_text(passwordEntry.cast(), translated("hidden"))
        showButton = Make.button(translated("_Show password"), name: translated("Show password"))
        let copyButton = Make.button(translated("C_opy password"), name: translated("Copy password"))
        let line = Make.box(vertical: false, spacing: 6)
        line.pack(Make.fieldLabel(translated("Pass_word:"), for: passwordEntry))
        line.pack(passwordEntry, expand: true)
        line.pack(showButton)
        line.pack(copyButton)
        if showsPassword { content.pack(line) }
        if password == nil {
            showButton.setSensitive(false)
            copyButton.setSensitive(false)
        }
        if showsPassword {
            content.pack(Make.label(report.passwordGenerated
                ? translated("The password was made up for you and is stored in the Pidgin profile: Pidgin logs in by itself, you never need to type it.")
                    + " " + PasswordAdvice.text()
                : report.account == .existing ? translated("Your password is stored in the Pidgin profile: Pidgin logs in by itself.")
                : translated("The password you chose is stored in the Pidgin profile: Pidgin logs in by itself."), dim: true))
        }

        content.pack(Make.markup("<b>\(Make.escaped(translated("What happens next")))</b>"))
        let room = report.room
        let roomName = room.alias ?? room.jid
        let directory = report.profile.directory
        let next: String = switch (pidginInstalled, room.autojoin, report.throughTor) {
        case (true, true, true): translated("Start Pidgin: it connects through Tor by itself and joins \(roomName) (\(room.jid)) as \(report.handle).")
        case (true, false, true): translated("Start Pidgin: it connects through Tor by itself; the room \(room.jid) is in its buddy list.")
        case (false, true, true):
            translated("Start Pidgin (or another libpurple client reading \(directory)): it connects through Tor and joins \(roomName) (\(room.jid)) as \(report.handle).")
        case (false, false, true):
            translated("Start Pidgin (or another libpurple client reading \(directory)): it connects through Tor; the room \(room.jid) is in its buddy list.")
        case (true, true, false): translated("Start Pidgin: it connects (not through Tor) by itself and joins \(roomName) (\(room.jid)) as \(report.handle).")
        case (true, false, false): translated("Start Pidgin: it connects (not through Tor) by itself; the room \(room.jid) is in its buddy list.")
        case (false, true, false):
            translated("Start Pidgin (or another libpurple client reading \(directory)): it connects (not through Tor) and joins \(roomName) (\(room.jid)) as \(report.handle).")
        case (false, false, false):
            translated("Start Pidgin (or another libpurple client reading \(directory)): it connects (not through Tor); the room \(room.jid) is in its buddy list.")
        }
        content.pack(Make.label(next))
        for warning in report.profile.warnings {
            content.pack(Make.markup("<b>\(Make.escaped(translated("Note:")))</b> \(Make.escaped(warning.message))"))
        }
        let expander = Widget(gtk_expander_new_with_mnemonic(translated("_Details"))).named(translated("Details"))
        let notes = Set(report.profile.warnings.map { OnboardingReport.note($0.description) })
        let details = Make.label(report.summaryLines.filter { !notes.contains($0) }.joined(separator: "\n"), selectable: true)
        gtk_widget_set_margin_start(details.raw, 12)
        expander.add(details)
        content.pack(expander)
        if !report.throughTor {
            content.pack(Make.markup("<b>\(Make.escaped(translated("Warning:")))</b> "
                + Make.escaped(translated("\(report.jid) does not connect through Tor: its server sees this computer's address."))))
        }
        focus = showsPassword ? showButton : expander

        showButton.on("clicked") { [unowned self] in self.toggle() }
        copyButton.on("clicked") { [unowned self] in self.copy() }
    }

    /// Show puts the password in the entry and makes it visible; Hide empties it again (the
    /// entry's buffer zeroes its memory when freed).
    private func toggle() {
        shown.toggle()
        if shown {
            password?.withBytes { bytes in
                withCString(bytes) { text, characters in
                    gtk_entry_buffer_set_text(gtk_entry_get_buffer(passwordEntry.cast()), text, characters)
                }
            }
        } else {
            gtk_entry_buffer_set_text(gtk_entry_get_buffer(passwordEntry.cast()), "", 0)
        }
        gtk_entry_set_visibility(passwordEntry.cast(), shown ? 1 : 0)
        gtk_button_set_label(showButton.cast(), shown ? translated("_Hide password") : translated("_Show password"))
        showButton.named(shown ? translated("Hide password") : translated("Show password"))
    }

    private func copy() {
        password?.withBytes { bytes in
            withCString(bytes) { text, _ in gtk_clipboard_set_text(ob_clipboard(), text, Int32(bytes.count)) }
        }
    }

    /// The bytes as a NUL-terminated C string in a temporary buffer, zeroed afterwards,
    /// with their count of UTF-8 characters.
    private func withCString(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafePointer<CChar>, Int32) -> Void) {
        var buffer = [UInt8](repeating: 0, count: bytes.count + 1)
        defer { wipe(&buffer) }
        let characters = bytes.reduce(Int32(0)) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        buffer.withUnsafeMutableBytes { $0.copyMemory(from: bytes) }
        buffer.withUnsafeBytes { body($0.bindMemory(to: CChar.self).baseAddress!, characters) }
    }
}
