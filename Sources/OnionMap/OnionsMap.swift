// onionboard — GPL-3.0-or-later.
import Diagnostics

/// One `["domain"] = value` line of a Prosody `mod_onions` `onions_map`.
public struct OnionsMapEntry: Sendable, Equatable {
    /// The key as written (an XMPP domain, sometimes a MUC component).
    public let domain: String
    /// The value exactly as it appears in the file (`"x.onion"` or `{ host = ..., port = ... }`).
    public let rawValue: String
    /// The onion name from the value (the string, or the table's `host`), as written.
    public let host: String?
    /// The table's `port` (a number or a numeric string); mod_onions means the s2s port.
    public let port: Int?
    /// Set when the value is well-formed Lua but not a usable map value (no host, bad port, ...).
    public let valueProblem: String?
    public let line: Int
    public let column: Int
}

/// Something the parser accepted but that the real Lua would not, or that looks wrong.
public struct OnionsMapWarning: Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String

    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A parsed `onions_map = { ... }` file, entries in file order, duplicates kept.
public struct OnionsMap: Sendable, Equatable {
    public let entries: [OnionsMapEntry]
    public let warnings: [OnionsMapWarning]

    /// A domain that appears more than once (compared case-insensitively), with its lines.
    public struct Duplicate: Sendable, Equatable {
        public let domain: String
        public let lines: [Int]
    }

    public var duplicates: [Duplicate] {
        var lines: [String: [Int]] = [:]
        var order: [String] = []
        for entry in entries {
            let key = entry.domain.lowercased()
            if lines[key] == nil { order.append(key) }
            lines[key, default: []].append(entry.line)
        }
        return order.compactMap { key in
            let found = lines[key]!
            return found.count > 1 ? Duplicate(domain: key, lines: found) : nil
        }
    }

    /// Parses the text of an onions_map file. `source` names the file in error messages.
    ///
    /// Accepts every variant that real upstream files use: string or `{ host, port }`
    /// values, string or number ports, `;` `,` or missing separators, `--` comments, any
    /// whitespace, no final newline, an optional `;` after the closing brace.
    public static func parse(_ text: String, source: String) throws(OnionsMapSyntaxError) -> OnionsMap {
        try parse(Array(text.utf8), source: source)
    }

    /// Parses the bytes of an onions_map file (UTF-8; invalid sequences in strings read as U+FFFD).
    public static func parse(_ bytes: [UInt8], source: String) throws(OnionsMapSyntaxError) -> OnionsMap {
        var parser = OnionsMapParser(bytes)
        do {
            return try parser.parseFile()
        } catch {
            throw OnionsMapSyntaxError(source: source, line: error.line, column: error.column,
                                       message: error.message)
        }
    }
}

/// A real syntax error: the file cannot be read as an onions_map.
public struct OnionsMapSyntaxError: ClassifiedError, Equatable {
    public let source: String
    public let line: Int
    public let column: Int
    /// What was expected and what was found instead.
    public let message: String

    public var category: ErrorCategory { .invalidData }

    public var description: String {
        "\(source):\(line):\(column): syntax error: \(message)"
    }
}

/// Recursive-descent parser over `LuaTokenizer`:
///
///     file  = "onions_map" "=" "{" { entry [ ";" | "," ] } "}" [ ";" ]
///     entry = "[" string "]" "=" ( string | "{" { name "=" ( string | number ) [ ";" | "," ] } "}" )
struct OnionsMapParser {
    private var tokenizer: LuaTokenizer
    private var current: LuaToken
    private var pendingError: LuaSyntaxProblem?
    private var warnings: [OnionsMapWarning] = []

    init(_ bytes: [UInt8]) {
        tokenizer = LuaTokenizer(bytes)
        current = LuaToken(kind: .end, line: 1, column: 1, start: 0, end: 0)
        do { current = try tokenizer.next() } catch { pendingError = error }
    }

    mutating func parseFile() throws(LuaSyntaxProblem) -> OnionsMap {
        if let pendingError { throw pendingError }
        guard case .name("onions_map") = current.kind else {
            throw unexpected("'onions_map = {' at the start of the file")
        }
        try advance()
        try expect("=", "'=' after 'onions_map'")
        let open = current
        try expect("{", "'{' to open the map")

        var entries: [OnionsMapEntry] = []
        while current.kind != .symbol("}") {
            guard current.kind == .symbol("[") else {
                if current.kind == .end {
                    throw LuaSyntaxProblem(line: current.line, column: current.column,
                                           message: "expected '}' to close the '{' at line \(open.line), found the end of the file")
                }
                throw unexpected("an entry '[\"domain\"] = ...' or '}' to close the map")
            }
            let entry = try parseEntry()
            entries.append(entry)
            if current.kind == .symbol(";") || current.kind == .symbol(",") {
                try advance()
            } else if current.kind == .symbol("[") {
                warnings.append(OnionsMapWarning(
                    line: entry.line, column: entry.column,
                    message: "no ';' or ',' after the entry for \"\(entry.domain)\" (accepted, but Lua and Prosody reject this file)"))
            } else if current.kind != .symbol("}") {
                throw unexpected("';', ',' or '}' after the entry for \"\(entry.domain)\"")
            }
        }
        try advance()
        if current.kind == .symbol(";") { try advance() }
        guard current.kind == .end else {
            throw unexpected("the end of the file after the map's closing '}'")
        }
        return OnionsMap(entries: entries, warnings: warnings)
    }

    // MARK: - Entries

    private mutating func parseEntry() throws(LuaSyntaxProblem) -> OnionsMapEntry {
        let start = current
        try advance()  // "["
        guard case .string(let domain) = current.kind else {
            throw unexpected("a quoted domain after '[' (like [\"example.org\"])")
        }
        try advance()
        try expect("]", "']' after the domain \"\(domain)\"")
        try expect("=", "'=' after [\"\(domain)\"]")

        let valueStart = current
        var host: String?
        var port: Int?
        var problem: String?
        switch current.kind {
        case .string(let value):
            host = value
            try advance()
        case .symbol("{"):
            (host, port, problem) = try parseTableValue(domain: domain)
        default:
            throw unexpected("a string \"….onion\" or a table { host = \"….onion\", port = 5269 } as the value of \"\(domain)\"")
        }
        let raw = tokenizer.text(from: valueStart.start, to: previousEnd)
        return OnionsMapEntry(domain: domain, rawValue: raw, host: host, port: port,
                              valueProblem: problem, line: start.line, column: start.column)
    }

    /// `{ host = "x.onion", port = "5222" }`; returns host, port and a problem if not usable.
    private mutating func parseTableValue(domain: String) throws(LuaSyntaxProblem) -> (String?, Int?, String?) {
        try advance()  // "{"
        var host: String?
        var port: Int?
        var problems: [String] = []
        while current.kind != .symbol("}") {
            guard case .name(let field) = current.kind else {
                throw unexpected("a field name (host or port) or '}' in the value of \"\(domain)\"")
            }
            try advance()
            try expect("=", "'=' after '\(field)'")
            let valueToken = current
            let text: String
            switch valueToken.kind {
            case .string(let value): text = value
            case .number(let digits): text = digits
            default: throw unexpected("a string or a number for '\(field)'")
            }
            try advance()
            switch field {
            case "host":
                if case .string = valueToken.kind { host = text } else {
                    problems.append("host must be a quoted string")
                }
            case "port":
                if let number = Int(text), (1...65535).contains(number) {
                    port = number
                } else {
                    problems.append("port \"\(text)\" is not a port number (1-65535)")
                }
            default:
                problems.append("unknown field '\(field)' (mod_onions knows host and port)")
            }
            if current.kind == .symbol(";") || current.kind == .symbol(",") {
                try advance()
            } else if current.kind != .symbol("}") {
                if case .name = current.kind {
                    warnings.append(OnionsMapWarning(
                        line: valueToken.line, column: valueToken.column,
                        message: "no ',' between the fields of \"\(domain)\" (accepted, but Lua rejects it)"))
                } else {
                    throw unexpected("',' or '}' in the value of \"\(domain)\"")
                }
            }
        }
        try advance()  // "}"
        if host == nil && !problems.contains(where: { $0.hasPrefix("host") }) {
            problems.insert("the table has no host", at: 0)
        }
        return (host, port, problems.isEmpty ? nil : problems.joined(separator: "; "))
    }

    // MARK: - Token helpers

    private var previousEnd = 0

    private mutating func advance() throws(LuaSyntaxProblem) {
        previousEnd = current.end
        current = try tokenizer.next()
    }

    private mutating func expect(_ symbol: Character, _ what: String) throws(LuaSyntaxProblem) {
        guard current.kind == .symbol(symbol) else { throw unexpected(what) }
        try advance()
    }

    private func unexpected(_ expected: String) -> LuaSyntaxProblem {
        LuaSyntaxProblem(line: current.line, column: current.column,
                         message: "expected \(expected), found \(current.shown)")
    }
}
