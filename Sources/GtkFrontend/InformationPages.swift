import CGtk
import Vocabulary
import FoundationEssentials
import Wizard
import Localization

/// The pages that only say something (with at most a button or two): the introduction,
/// the certificate decision, the error. Each is its content widget.
enum InformationPages {
    /// What the wizard does (the template's description) and what it does not do, and —
    /// on Tails — whether the account will survive a restart.
    static func introduction(_ template: WizardTemplate, persistence: String?) -> Widget {
        let content = Make.box(spacing: 12)
        for paragraph in Prose.paragraphs(template.intro) { content.pack(Make.label(paragraph)) }
        content.pack(Make.markup("<b>\(Make.escaped(translated("What it does not do")))</b>"))
        for line in [
            translated("It sends nothing outside Tor: the provider is reached through its onion address, and no name is looked up outside Tor."),
            translated("It asks nothing about you. The suggested username and nickname are made up at random."),
            translated("It keeps the accounts Pidgin already has; a file it changes is backed up first."),
            translated("Nothing happens until you press Next, and you can go back or cancel until the account is being created."),
        ] { content.pack(Make.label("• " + line)) }
        if let persistence {
            // Translators: Tails' name for the encrypted storage on its USB stick (use Tails' own translation).
            content.pack(Make.markup("<b>\(Make.escaped(translated("Persistent Storage")))</b>"))
            content.pack(Make.label(persistence))
        }
        return content
    }

    static func certificate(_ certificate: CertificateSummary) -> Widget {
        let content = Make.box(spacing: 12)
        content.pack(Make.label(translated("No authority this computer trusts vouches for the server's certificate. Compare it with what the provider publishes, if you can.")))
        if certificate.overOnion {
            content.pack(Make.label(translated("""
                You reached the server through its onion address, so Tor has already checked that \
                this is the right server: the onion address itself is its key. The certificate only adds \
                encryption inside the Tor circuit.
                """)))
        }
        let grid = Make.grid()
        var row: Int32 = 0
        func add(_ name: String, _ value: Widget) {
            let key = Make.label(name, dim: true)
            gtk_widget_set_valign(key.raw, GTK_ALIGN_START)
            gtk_widget_set_hexpand(value.raw, 1)
            gtk_grid_attach(grid.cast(), key.raw, 0, row, 1, 1)
            gtk_grid_attach(grid.cast(), value.raw, 1, row, 1, 1)
            row += 1
        }
        // Subject, names and issuer are the server's words (its certificate's): sanitised.
        add(translated("Subject"), Make.label(ServerText.sanitised(certificate.subject), selectable: true))
        if !certificate.subjectAltNames.isEmpty {
            add(translated("Names"), Make.label(certificate.subjectAltNames.map { ServerText.sanitised($0, maximumLength: 100) }
                .joined(separator: "\n"), selectable: true))
        }
        add(translated("Issuer"), Make.label(ServerText.sanitised(certificate.issuer), selectable: true))
        add(translated("Expires"), Make.label(certificate.notAfter, selectable: true))
        let fingerprint = Make.markup("<tt>\(Make.escaped(groupedFingerprint(certificate.sha256)))</tt>")
        gtk_label_set_selectable(fingerprint.cast(), 1)
        fingerprint.named(translated("SHA-256 fingerprint \(groupedFingerprint(certificate.sha256, lines: false))"))
        add("SHA-256", fingerprint)
        content.pack(grid)
        content.pack(Make.markup("<b>\(Make.escaped(translated("What trusting means")))</b>"))
        content.pack(Make.label(translated("""
            Pidgin remembers this certificate for this server and checks it every time it connects: \
            if the server ever shows another one, Pidgin warns you instead of logging in. \
            If you do not trust it, nothing is created and nothing is written.
            """)))
        return content
    }

    /// `AB:CD:…` in four lines of eight bytes, easier to compare by eye.
    static func groupedFingerprint(_ hex: String, lines: Bool = true) -> String {
        let bytes = stride(from: 0, to: hex.count, by: 2).map { offset -> String in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return String(hex[start..<(hex.index(start, offsetBy: 2, limitedBy: hex.endIndex) ?? hex.endIndex)]).uppercased()
        }
        let groups = stride(from: 0, to: bytes.count, by: 8).map { bytes[$0..<min($0 + 8, bytes.count)].joined(separator: ":") }
        return groups.joined(separator: lines ? "\n" : " ")
    }

    static func error(_ message: String, nothingWritten: Bool) -> Widget {
        let content = Make.box(spacing: 12)
        // Messages are written to follow "onionboard: " on a terminal; a page starts a sentence.
        let sentence = message.prefix(1).uppercased() + message.dropFirst()
        let text = Make.label(sentence, selectable: true).named(translated("Error: \(sentence)"))
        content.pack(text)
        if nothingWritten {
            content.pack(Make.label(translated("Nothing was written to the Pidgin profile.")))
        }
        content.pack(Make.label(translated("The same message is on onionboard's standard error, for a report."), dim: true))
        return content
    }
}
