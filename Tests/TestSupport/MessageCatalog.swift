import Foundation

/// A message catalog of po/ as the tests read it (the source the build compiles): each
/// msgid with its translation — one text, or the plural forms. `template()` is
/// po/onionboard.pot, the English entries themselves.
public struct MessageCatalog: Sendable {
    public struct Entry: Sendable {
        public var msgid: String
        public var plural: String?
        /// The translation (its forms); empty in the template.
        public var forms: [String]
    }

    public let language: String
    public let entries: [Entry]
    private let byID: [String: Entry]

    public static var directory: URL { TestSupport.packageRoot.appendingPathComponent("po") }

    /// po/LL.po.
    public static func load(_ language: String) throws -> MessageCatalog {
        try MessageCatalog(language: language, text: String(contentsOf: directory.appendingPathComponent("\(language).po"), encoding: .utf8))
    }

    /// po/onionboard.pot: every entry the sources have, in English.
    public static func template() throws -> MessageCatalog {
        try MessageCatalog(language: "", text: String(contentsOf: directory.appendingPathComponent("onionboard.pot"), encoding: .utf8))
    }

    /// The languages with a catalog (po/*.po).
    public static func languages() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".po") }
            .map { String($0.dropLast(3)) }.sorted()
    }

    init(language: String, text: String) {
        self.language = language
        var entries: [Entry] = []
        var fields: [String: String] = [:]
        var key: String?
        func flush() {
            if let msgid = fields["msgid"], !msgid.isEmpty {
                let forms = fields["msgstr"].map { [$0] }
                    ?? fields.keys.filter { $0.hasPrefix("msgstr[") }.sorted().compactMap { fields[$0] }
                entries.append(Entry(msgid: msgid, plural: fields["msgid_plural"], forms: forms.allSatisfy(\.isEmpty) ? [] : forms))
            }
            fields = [:]
            key = nil
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { flush(); continue }
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("\"") {
                if let key { fields[key, default: ""] += Self.unquoted(line) }
                continue
            }
            guard let space = line.firstIndex(of: " ") else { continue }
            let name = String(line[..<space])
            if name == "msgid", fields["msgid"] != nil { flush() }
            key = name
            fields[name] = Self.unquoted(line[line.index(after: space)...])
        }
        flush()
        self.entries = entries
        byID = Dictionary(entries.map { ($0.msgid, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private static func unquoted<S: StringProtocol>(_ quoted: S) -> String {
        var text = ""
        var escaped = false
        for character in quoted.dropFirst().dropLast() {
            if escaped {
                switch character {
                case "n": text.append("\n")
                case "t": text.append("\t")
                default: text.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                text.append(character)
            }
        }
        return text
    }

    public func entry(_ msgid: String) -> Entry? { byID[msgid] }

    /// The translation of `msgid` (its first form) with `{0}`, `{1}`… filled in, as the
    /// program shows it; the English when the catalog has none.
    public func text(_ msgid: String, _ values: String...) -> String {
        Self.filled(byID[msgid]?.forms.first ?? msgid, values)
    }

    /// The longest stretch of the translation between placeholders (trimmed): something
    /// to wait for on a screen.
    public func fragment(_ msgid: String) -> String {
        let text = byID[msgid]?.forms.first ?? msgid
        return Self.fragments(text).max { $0.count < $1.count } ?? text
    }

    /// The literal parts of a catalog text, without its `{N}` placeholders.
    public static func fragments(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "{", let close = text[index...].firstIndex(of: "}"),
               Int(text[text.index(after: index)..<close]) != nil {
                parts.append(current)
                current = ""
                index = text.index(after: close)
                continue
            }
            current.append(text[index])
            index = text.index(after: index)
        }
        parts.append(current)
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func filled(_ text: String, _ values: [String]) -> String {
        var result = text
        for (index, value) in values.enumerated() { result = result.replacingOccurrences(of: "{\(index)}", with: value) }
        return result.replacingOccurrences(of: "{{", with: "{").replacingOccurrences(of: "}}", with: "}")
    }
}
