import CGtk
import FoundationEssentials
import Vocabulary
import Wizard
import Localization

/// What the server asks during registration: a CAPTCHA (its picture inline, above the
/// entry for its answer) and any other field. After a refused answer the server sends a
/// new picture, and the page says so.
final class FieldsPage {
    let content: Widget
    private(set) var focus: Widget?
    private var readers: [String: () -> String] = [:]
    /// Kept alive while the page shows it.
    private var pictures: [Picture] = []
    private var mnemonics = Mnemonics()

    var heading: String {
        isCAPTCHA ? translated("Prove that a person is creating this account") : translated("The server asks for more")
    }
    private let isCAPTCHA: Bool

    init(_ fields: [RegistrationField], retry: Bool) {
        isCAPTCHA = fields.contains { $0.kind == .captcha }
        content = Make.box(spacing: 12)
        let captcha = fields.first { $0.kind == .captcha }
        if retry || captcha?.previousAnswerRejected == true {
            let notice = translated("That answer was not accepted — here is a new picture.")
            content.pack(Make.markup("<b>\(Make.escaped(notice))</b>").named(notice))
        }
        if let time = captcha?.captchaTimeNotice { content.pack(Make.label(time).named(time)) }
        for field in fields { content.pack(row(field)) }
    }

    func answers() -> [String: String] { readers.mapValues { $0() } }

    /// Names of the required fields still empty.
    func missing(_ fields: [RegistrationField]) -> [String] {
        fields.filter { $0.required && $0.kind != .boolean && (readers[$0.name]?() ?? "").isEmpty }
            .map { ServerText.sanitised($0.label, maximumLength: 80) }
    }

    private func row(_ field: RegistrationField) -> Widget {
        let box = Make.box(spacing: 6)
        // Everything about the field is the server's words: sanitised, and marked as its.
        let label = ServerText.sanitised(field.label, maximumLength: 80)
        if let instructions = field.instructions, !instructions.isEmpty {
            box.pack(Make.label(ServerText.quoted(Prose.reflowed(instructions))))
        }
        if field.kind == .captcha {
            box.pack(picture(field))
        }
        if field.kind == .boolean {
            let check = Make.check(mnemonics.take(label), active: false, name: label)
            readers[field.name] = { check.isActive ? "true" : "false" }
            box.pack(check)
            if focus == nil { focus = check }
            return box
        }
        let name = field.kind == .captcha ? translated("CAPTCHA answer") : label
        let entry = Make.entry(name: name, hidden: field.kind == .secret)
        readers[field.name] = { entry.entryText }
        box.pack(Make.fieldLabel(mnemonics.take(field.kind == .captcha ? translated("Answer: \(label)") : label), for: entry))
        box.pack(entry)
        if !field.mediaLocations.isEmpty {
            let lead = field.kind == .captcha ? translated("Cannot read it? The provider also shows it at (open in Tor Browser):")
                : translated("See:")
            box.pack(Make.label(lead + "\n" + field.mediaLocations.map { ServerText.sanitised($0) }.joined(separator: "\n"),
                                selectable: true, dim: true))
        }
        if focus == nil { focus = entry }
        return box
    }

    /// The inline picture, enlarged by a whole factor to at least 90 pixels high. A sound or
    /// anything else GdkPixbuf cannot show is described instead (its links remain).
    private func picture(_ field: RegistrationField) -> Widget {
        guard let media = field.media, field.mediaType?.hasPrefix("image/") ?? true, let picture = Picture(media) else {
            return Make.label(translated("The server sent a CAPTCHA this window cannot show (\(field.mediaType ?? translated("unknown type")))."))
        }
        let factor = max(1, min(4, Int32((90 + picture.height - 1) / max(picture.height, 1))))
        let shown = picture.scaled(by: factor)
        pictures.append(shown)
        let image = shown.imageWidget().named(translated("CAPTCHA picture"), description: translated("The text to type into the answer field"))
        gtk_widget_set_halign(image.raw, GTK_ALIGN_START)
        let frame = Widget(gtk_frame_new(nil))
        gtk_widget_set_halign(frame.raw, GTK_ALIGN_START)
        frame.add(image)
        return frame
    }
}
