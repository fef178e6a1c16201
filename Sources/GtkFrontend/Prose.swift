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
                if !lines.isEmpty { paragraphs.append(lines.joined(separator: " ")) }
                lines = []
            } else {
                lines.append(trimmed)
            }
        }
        if !lines.isEmpty { paragraphs.append(lines.joined(separator: " ")) }
        return paragraphs
    }

    static func reflowed(_ text: String) -> String { paragraphs(text).joined(separator: "\n\n") }
}
