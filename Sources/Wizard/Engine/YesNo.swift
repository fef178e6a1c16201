import Localization

/// Yes and no in the person's language. A boolean answer is stored as `yes` or `no`
/// (conditions, answers files and flags use those); a person may type either the English
/// words (and y/n, true/false, 1/0, on/off) or their own language's.
extension WizardEngine {
    // Translators: the answer a person types for yes (lower case, one word; "ja", "oui").
    public static var yes: String { translated("yes") }
    // Translators: the answer a person types for no (lower case, one word; "nein", "non").
    public static var no: String { translated("no") }

    /// A boolean as typed: the English words (TemplateParser's), or the translated ones.
    public static func parseBoolean(_ text: String) -> Bool? {
        if let flag = TemplateParser.parseBoolean(text) { return flag }
        switch text.lowercased() {
        case yes.lowercased(): return true
        case no.lowercased(): return false
        default: return nil
        }
    }

    /// A stored `yes`/`no` as the person's language says it.
    public static func shown(boolean value: String) -> String {
        switch TemplateParser.parseBoolean(value) {
        case true?: yes
        case false?: no
        case nil: value
        }
    }
}
