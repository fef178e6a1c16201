import Localization

/// Text a server (or its certificate) supplied — error texts, instructions, form labels,
/// CAPTCHA hints, URLs, names — made safe to show: one line, no control or bidi trickery,
/// bounded. A server must not be able to forge a line of ours ("registered victim@…") with
/// a newline, a C1 control (U+009B is a terminal escape) or a right-to-left override.
/// Every frontend and error message shows server text through this, marked as the server's.
public enum ServerText {
    /// Characters kept of one text; the rest is cut and marked with "…".
    public static let maximumLength = 300

    /// `text` on one line: line breaks, tabs and other whitespace become single spaces;
    /// other control characters (C0, DEL, C1) become U+FFFD; bidi embeddings, overrides,
    /// isolates and marks, and other invisible format characters are dropped (zero-width
    /// joiners stay: scripts and emoji need them); at most `maximumLength` characters.
    public static func sanitised(_ text: String, maximumLength: Int = maximumLength) -> String {
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if isSpace(scalar) {
                pendingSpace = !scalars.isEmpty
                continue
            }
            let replacement: Unicode.Scalar?
            switch scalar.properties.generalCategory {
            case .control: replacement = "\u{FFFD}"
            case .format: replacement = scalar.value == 0x200C || scalar.value == 0x200D ? scalar : nil
            case .lineSeparator, .paragraphSeparator: replacement = nil
            default: replacement = scalar
            }
            guard let replacement else { continue }
            if pendingSpace { scalars.append(" ") }
            pendingSpace = false
            scalars.append(replacement)
        }
        let line = String(scalars)
        guard line.count > maximumLength else { return line }
        return String(line.prefix(maximumLength - 1)) + "…"
    }

    /// `server says: “…”`, the mark every frontend and message puts on server text.
    public static func quoted(_ text: String) -> String {
        // Translators: marks text a server sent (its own words, often English), so nobody takes it for ours.
        translated("server says: “\(sanitised(text))”")
    }

    /// " (server says: “…”)" to append to a sentence of ours, or "" when there is no text.
    public static func appended(_ text: String?) -> String {
        guard let text, !sanitised(text).isEmpty else { return "" }
        return " (\(quoted(text)))"
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }
}
