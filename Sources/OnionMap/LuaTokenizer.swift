// onionboard — GPL-3.0-or-later.

/// A token of the small Lua subset that `onions_map` files use.
struct LuaToken: Equatable {
    enum Kind: Equatable {
        case name(String)
        case string(String)
        case number(String)
        case symbol(Character)   // { } [ ] = ; ,
        case end
    }

    let kind: Kind
    let line: Int
    let column: Int
    /// Byte offsets into the source, for quoting values verbatim.
    let start: Int
    let end: Int

    /// How the token reads in an error message.
    var shown: String {
        switch kind {
        case .name(let name): "'\(name)'"
        case .string(let value): "the string \"\(value)\""
        case .number(let text): "the number \(text)"
        case .symbol(let symbol): "'\(symbol)'"
        case .end: "the end of the file"
        }
    }
}

/// Splits source bytes into `LuaToken`s: names, quoted strings, integers, the symbols
/// `{ } [ ] = ; ,`. Skips Lua's whitespace (space, tab, `\n`, `\r`, `\v`, `\f`) and `--`
/// comments, including `--[[ block ]]` comments. Hand-written, so no Lua code ever runs.
///
/// Works on the UTF-8 bytes, as Lua's own lexer does: an array of `Character`s cost 16
/// bytes per byte of input and a grapheme break per step (issue 17). Columns count
/// Unicode scalars; a line ends at `\n`, `\r` or `\r\n`.
struct LuaTokenizer {
    private let bytes: [UInt8]
    private var offset = 0
    private var line = 1
    private var column = 1

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3 }  // a UTF-8 byte order mark
    }

    init(_ text: String) {
        self.init(Array(text.utf8))
    }

    func text(from start: Int, to end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    mutating func next() throws(LuaSyntaxProblem) -> LuaToken {
        try skipWhitespaceAndComments()
        let startLine = line, startColumn = column, start = offset
        func token(_ kind: LuaToken.Kind) -> LuaToken {
            LuaToken(kind: kind, line: startLine, column: startColumn, start: start, end: offset)
        }
        guard let byte = peek() else { return token(.end) }

        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"),
             UInt8(ascii: "="), UInt8(ascii: ";"), UInt8(ascii: ","):
            advance()
            return token(.symbol(Character(Unicode.Scalar(byte))))
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            let value = try readString(quote: byte)
            return token(.string(value))
        case _ where Self.isLetter(byte) || byte == UInt8(ascii: "_"):
            while let b = peek(), Self.isLetter(b) || Self.isDigit(b) || b == UInt8(ascii: "_") { advance() }
            return token(.name(text(from: start, to: offset)))
        case _ where Self.isDigit(byte):
            var allDigits = true
            while let b = peek(), Self.isLetter(b) || Self.isDigit(b) || b == UInt8(ascii: ".") {
                allDigits = allDigits && Self.isDigit(b)
                advance()
            }
            let digits = text(from: start, to: offset)
            guard allDigits else {
                throw problem(line: startLine, column: startColumn,
                              "malformed number '\(digits)' (only whole decimal numbers are allowed)")
            }
            return token(.number(digits))
        default:
            throw problem(line: startLine, column: startColumn, "unexpected character \(describeCharacter(at: offset))")
        }
    }

    // MARK: - Pieces

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isNewline(_ byte: UInt8) -> Bool {
        byte == 0x0A || byte == 0x0D
    }

    /// Space, tab, line feed, carriage return, vertical tab, form feed (Lua's `isspace`).
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        offset + ahead < bytes.count ? bytes[offset + ahead] : nil
    }

    private mutating func advance() {
        let byte = bytes[offset]
        offset += 1
        if byte == 0x0A || (byte == 0x0D && peek() != 0x0A) {  // \r\n is one line end
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {  // not a UTF-8 continuation byte: a new scalar
            column += 1
        }
    }

    /// The character at `index` as an error message shows it.
    private func describeCharacter(at index: Int) -> String {
        let byte = bytes[index]
        if byte < 0x20 || byte == 0x7F { return "a control character" }
        var end = index + 1
        while end < bytes.count, end - index < 4, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return "'\(String(decoding: bytes[index..<end], as: UTF8.self))'"
    }

    private func problem(line: Int, column: Int, _ message: String) -> LuaSyntaxProblem {
        LuaSyntaxProblem(line: line, column: column, message: message)
    }

    private mutating func skipWhitespaceAndComments() throws(LuaSyntaxProblem) {
        while let byte = peek() {
            if Self.isWhitespace(byte) {
                advance()
            } else if byte == UInt8(ascii: "-") && peek(1) == UInt8(ascii: "-") {
                let startLine = line, startColumn = column
                advance(); advance()
                if let level = longBracketLevel() {
                    guard skipLongBracket(level: level) else {
                        throw problem(line: startLine, column: startColumn, "unfinished --[[ comment")
                    }
                } else {
                    while let b = peek(), !Self.isNewline(b) { advance() }
                }
            } else {
                return
            }
        }
    }

    /// At `[[` or `[==[`: the number of `=` signs; otherwise nil.
    private func longBracketLevel() -> Int? {
        guard peek() == UInt8(ascii: "[") else { return nil }
        var level = 0
        while peek(1 + level) == UInt8(ascii: "=") { level += 1 }
        return peek(1 + level) == UInt8(ascii: "[") ? level : nil
    }

    /// Skips `[==[ ... ]==]`; false if the file ends first.
    private mutating func skipLongBracket(level: Int) -> Bool {
        for _ in 0..<(level + 2) { advance() }
        while let byte = peek() {
            if byte == UInt8(ascii: "]") && closesLongBracket(level: level) {
                for _ in 0..<(level + 2) { advance() }
                return true
            }
            advance()
        }
        return false
    }

    /// At `]`: whether `]`, `level` times `=`, `]` follow.
    private func closesLongBracket(level: Int) -> Bool {
        for index in 1...level + 1 where peek(index) != (index <= level ? UInt8(ascii: "=") : UInt8(ascii: "]")) {
            return false
        }
        return true
    }

    private mutating func readString(quote: UInt8) throws(LuaSyntaxProblem) -> String {
        let startLine = line, startColumn = column
        advance()
        var value: [UInt8] = []
        while true {
            guard let byte = peek(), !Self.isNewline(byte) else {
                throw problem(line: startLine, column: startColumn,
                              "unfinished string: the closing \(Character(Unicode.Scalar(quote))) is missing on this line")
            }
            advance()
            if byte == quote { return String(decoding: value, as: UTF8.self) }
            guard byte == UInt8(ascii: "\\") else {
                value.append(byte)
                continue
            }
            let escapeLine = line, escapeColumn = column - 1
            guard let escaped = peek(), !Self.isNewline(escaped) else {
                throw problem(line: escapeLine, column: escapeColumn, "unfinished escape sequence in a string")
            }
            let shown = describeCharacter(at: offset)
            advance()
            switch escaped {
            case UInt8(ascii: "n"): value.append(0x0A)
            case UInt8(ascii: "t"): value.append(0x09)
            case UInt8(ascii: "r"): value.append(0x0D)
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): value.append(escaped)
            default:
                let sequence = shown.hasPrefix("'") ? String(shown.dropFirst().dropLast()) : shown
                throw problem(line: escapeLine, column: escapeColumn,
                              "unsupported escape sequence '\\\(sequence)' in a string")
            }
        }
    }
}

/// A syntax problem found by the tokenizer or parser, before the file name is known.
struct LuaSyntaxProblem: Error {
    let line: Int
    let column: Int
    let message: String
}
