/// Pidgin's own words for its dialogs, in the person's language, from Pidgin's installed
/// catalog (Debian: /usr/share/locale/LL/LC_MESSAGES/pidgin.mo): a text that tells someone
/// which field of Pidgin to fill names it exactly as their Pidgin shows it.
enum PidginLabels {
    static let domain = "pidgin"
    static var directory: String { CatalogDirectory.system }

    /// Without the access key: `_Benutzer:` → `Benutzer:`, and the form Chinese and Japanese
    /// use, `用户名(_U)：` → `用户名：`.
    static func withoutMnemonic(_ label: String) -> String {
        var text = Array(label)
        if let open = text.indices.first(where: { $0 + 3 < text.count && text[$0] == "(" && text[$0 + 1] == "_" && text[$0 + 3] == ")" }) {
            let start = open > 0 && text[open - 1] == " " ? open - 1 : open
            text.removeSubrange(start...(open + 3))
        }
        // "__" would be a literal underscore; Pidgin's labels have none.
        text.removeAll { $0 == "_" }
        return String(text)
    }
}

extension Localization {
    /// Pidgin's label `msgid` (its English source text, e.g. `"_Username:"`,
    /// `"Use TLS/SSL"`… as in pidgin.pot) as the person's Pidgin shows it, without the
    /// mnemonic underscores; with `withoutColon`, also without a final colon (":", " :" in
    /// French, "：" in Chinese). The English text when Pidgin has no translation of it.
    public static func pidgin(_ msgid: String, withoutColon: Bool = false) -> String {
        var label = PidginLabels.withoutMnemonic(lookUp(msgid, in: current.pidgin))
        guard withoutColon else { return label }
        while let last = label.last, last == ":" || last == "：" || last == " " || last == "\u{00A0}" || last == "\u{202F}" {
            label.removeLast()
        }
        return label
    }
}
