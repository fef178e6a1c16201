import Localization

/// The guide as Markdown (for reading in a terminal or a wiki) or as one self-contained HTML
/// page (no external file, style included, prints on A4 and Letter).
extension ManualGuide {
    public enum Format: String, Sendable, CaseIterable {
        case markdown = "md"
        case html
    }

    public func rendered(as format: Format, language: String = "en", rightToLeft: Bool = false) -> String {
        switch format {
        case .markdown: markdown()
        case .html: html(language: language, rightToLeft: rightToLeft)
        }
    }

    public func markdown() -> String {
        var out = "# \(title)\n\n_\(origin)_\n"
        for section in sections {
            out += "\n## \(section.title)\n"
            for block in section.blocks {
                out += "\n"
                switch block {
                case .paragraph(let text):
                    out += text + "\n"
                case .steps(let steps):
                    for (index, step) in steps.enumerated() { out += "\(index + 1). \(step)\n" }
                case .fields(let dialog, let fields):
                    out += "**\(dialog)**\n\n| | |\n|---|---|\n"
                    for field in fields {
                        let value = field.value.isEmpty ? "_\(Self.empty)_"
                            : field.isPlaceholder ? "_\(Self.markdownCell(field.value))_" : "`\(Self.markdownCell(field.value))`"
                        out += "| \(Self.markdownCell(field.label)) | \(value)"
                            + (field.note.map { " — \(Self.markdownCell($0))" } ?? "") + " |\n"
                    }
                case .table(let header, let rows):
                    out += "| " + header.map(Self.markdownCell).joined(separator: " | ") + " |\n"
                    out += "|" + String(repeating: "---|", count: header.count) + "\n"
                    for row in rows { out += "| " + row.map(Self.markdownCell).joined(separator: " | ") + " |\n" }
                case .literal(let text):
                    out += "    \(text)\n"
                case .warning(let text):
                    out += "> **!** \(text)\n"
                }
            }
        }
        return out
    }

    public func html(language: String = "en", rightToLeft: Bool = false) -> String {
        var out = """
        <!DOCTYPE html>
        <html lang="\(Self.escape(language))" dir="\(rightToLeft ? "rtl" : "ltr")">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Self.escape(title))</title>
        <style>
        body { font: 11pt/1.45 "DejaVu Sans", "Noto Sans", sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em; color: #111; }
        h1 { font-size: 1.6em; margin-bottom: .2em; }
        h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #999; break-after: avoid; page-break-after: avoid; }
        .origin { color: #444; font-style: italic; }
        table { border-collapse: collapse; margin: .6em 0; width: 100%; break-inside: avoid; page-break-inside: avoid; }
        caption { text-align: start; font-weight: bold; padding: .2em 0; }
        th, td { border: 1px solid #999; padding: .25em .5em; text-align: start; vertical-align: top; }
        code, .literal { font-family: "DejaVu Sans Mono", "Noto Sans Mono", monospace; overflow-wrap: anywhere; }
        .literal { display: block; direction: ltr; unicode-bidi: isolate; border: 1px solid #999; padding: .5em; margin: .6em 0; font-size: 1.05em; }
        .empty { color: #666; font-style: italic; }
        .note { color: #333; }
        .warning { border-inline-start: 4px solid #a40; padding: .3em .8em; background: #fbeee6; }
        li { margin: .2em 0; }
        @media print {
          body { margin: 0; max-width: none; font-size: 10pt; }
          .warning { background: none; }
          @page { margin: 18mm 15mm; }
        }
        </style>
        </head>
        <body>
        <h1>\(Self.escape(title))</h1>
        <p class="origin">\(Self.inline(origin))</p>

        """
        for section in sections {
            out += "<h2>\(Self.escape(section.title))</h2>\n"
            for block in section.blocks {
                switch block {
                case .paragraph(let text):
                    out += "<p>\(Self.inline(text))</p>\n"
                case .steps(let steps):
                    out += "<ol>\n" + steps.map { "<li>\(Self.inline($0))</li>\n" }.joined() + "</ol>\n"
                case .fields(let dialog, let fields):
                    out += "<table>\n<caption>\(Self.escape(dialog))</caption>\n"
                    for field in fields {
                        let value = field.value.isEmpty ? "<span class=\"empty\">\(Self.escape(Self.empty))</span>"
                            : field.isPlaceholder ? "<em>\(Self.escape(field.value))</em>" : "<code>\(Self.escape(field.value))</code>"
                        out += "<tr><th scope=\"row\">\(Self.escape(field.label))</th><td>\(value)"
                            + (field.note.map { " <span class=\"note\">— \(Self.inline($0))</span>" } ?? "") + "</td></tr>\n"
                    }
                    out += "</table>\n"
                case .table(let header, let rows):
                    out += "<table>\n<tr>" + header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>\n"
                    for row in rows { out += "<tr>" + row.map { "<td>\(Self.inline($0))</td>" }.joined() + "</tr>\n" }
                    out += "</table>\n"
                case .literal(let text):
                    out += "<p class=\"literal\">\(Self.escape(text))</p>\n"
                case .warning(let text):
                    out += "<p class=\"warning\">\(Self.inline(text))</p>\n"
                }
            }
        }
        return out + "</body>\n</html>\n"
    }

    /// What the guide shows for a field to leave empty.
    static var empty: String {
        // Translators: shown in a table for a field of Pidgin's dialog that stays empty.
        translated("(empty)")
    }

    /// HTML text with `code` spans (the only markup the guide's sentences use).
    static func inline(_ text: String) -> String {
        var out = ""
        var inCode = false
        for part in text.split(separator: "`", omittingEmptySubsequences: false) {
            let escaped = escape(String(part))
            out += inCode ? "<code>\(escaped)</code>" : escaped
            inCode.toggle()
        }
        return out
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A table cell's text: a `|` would end the cell, a line break the row.
    static func markdownCell(_ text: String) -> String {
        String(text.map { $0 == "\n" ? " " : $0 }).split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}
