import FoundationEssentials
import Vocabulary

/// Template text as paragraphs: the lines of a paragraph joined (a window wraps them to
/// its width), paragraphs apart. A line " ." in a template is an empty line here.
enum Prose {
    static func paragraphs(_ text: String) -> [String] {
        var paragraphs: [String] = []
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed == "." {
                if !lines.isEmpty { paragraphs.append(joined(lines)) }
                lines = []
            } else {
                lines.append(trimmed)
            }
        }
        if !lines.isEmpty { paragraphs.append(joined(lines)) }
        return paragraphs
    }

    /// The lines of a paragraph with a space between them, except between two Chinese or
    /// Japanese characters (those scripts put no spaces between words).
    static func joined(_ lines: [String]) -> String {
        var text = ""
        for line in lines {
            if let last = text.unicodeScalars.last, let first = line.unicodeScalars.first,
               !(isIdeographic(last) && isIdeographic(first)) {
                text += " "
            }
            text += line
        }
        return text
    }

    private static func isIdeographic(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3000...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0xFF00...0xFFEF: true
        default: false
        }
    }

    static func reflowed(_ text: String) -> String { paragraphs(text).joined(separator: "\n\n") }
}
