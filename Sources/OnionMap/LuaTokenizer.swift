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
    /// Character offsets into the source, for quoting values verbatim.
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

/// Splits source text into `LuaToken`s: names, quoted strings, integers, the symbols
/// `{ } [ ] = ; ,`. Skips whitespace (spaces, tabs, any line ending) and `--` comments,
/// including `--[[ block ]]` comments. Hand-written, so no Lua code ever runs.
struct LuaTokenizer {
    private let characters: [Character]
    private var offset = 0
    private var line = 1
    private var column = 1

    init(_ text: String) {
        var characters = Array(text)
        if characters.first == "\u{FEFF}" { characters.removeFirst() }
        self.characters = characters
    }

    func text(from start: Int, to end: Int) -> String {
        String(characters[start..<end])
    }

    mutating func next() throws(LuaSyntaxProblem) -> LuaToken {
        try skipWhitespaceAndComments()
        let startLine = line, startColumn = column, start = offset
        func token(_ kind: LuaToken.Kind) -> LuaToken {
            LuaToken(kind: kind, line: startLine, column: startColumn, start: start, end: offset)
        }
        guard let character = peek() else { return token(.end) }

        switch character {
        case "{", "}", "[", "]", "=", ";", ",":
            advance()
            return token(.symbol(character))
        case "\"", "'":
            let value = try readString(quote: character)
            return token(.string(value))
        case _ where character.isASCII && (character.isLetter || character == "_"):
            var name = ""
            while let c = peek(), c.isASCII, c.isLetter || c.isNumber || c == "_" {
                name.append(c)
                advance()
            }
            return token(.name(name))
        case _ where character.isASCII && character.isNumber:
            var digits = ""
            while let c = peek(), c.isASCII, c.isLetter || c.isNumber || c == "." {
                digits.append(c)
                advance()
            }
            guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw problem(line: startLine, column: startColumn,
                              "malformed number '\(digits)' (only whole decimal numbers are allowed)")
            }
            return token(.number(digits))
        default:
            let shown = character.isWhitespace ? "a control character" : "'\(character)'"
            throw problem(line: startLine, column: startColumn, "unexpected character \(shown)")
        }
    }

    // MARK: - Pieces

    private func peek(_ ahead: Int = 0) -> Character? {
        offset + ahead < characters.count ? characters[offset + ahead] : nil
    }

    private mutating func advance() {
        let character = characters[offset]
        offset += 1
        if character.isNewline {
            line += 1
            column = 1
        } else {
            column += 1
        }
    }

    private func problem(line: Int, column: Int, _ message: String) -> LuaSyntaxProblem {
        LuaSyntaxProblem(line: line, column: column, message: message)
    }

    private mutating func skipWhitespaceAndComments() throws(LuaSyntaxProblem) {
        while let character = peek() {
            if character.isWhitespace {
                advance()
            } else if character == "-" && peek(1) == "-" {
                let startLine = line, startColumn = column
                advance(); advance()
                if let level = longBracketLevel() {
                    guard skipLongBracket(level: level) else {
                        throw problem(line: startLine, column: startColumn, "unfinished --[[ comment")
                    }
                } else {
                    while let c = peek(), !c.isNewline { advance() }
                }
            } else {
                return
            }
        }
    }

    /// At `[[` or `[==[`: the number of `=` signs; otherwise nil.
    private func longBracketLevel() -> Int? {
        guard peek() == "[" else { return nil }
        var level = 0
        while peek(1 + level) == "=" { level += 1 }
        return peek(1 + level) == "[" ? level : nil
    }

    /// Skips `[==[ ... ]==]`; false if the file ends first.
    private mutating func skipLongBracket(level: Int) -> Bool {
        for _ in 0..<(level + 2) { advance() }
        let closing = Array("]" + String(repeating: "=", count: level) + "]")
        while peek() != nil {
            if (0..<closing.count).allSatisfy({ peek($0) == closing[$0] }) {
                for _ in closing { advance() }
                return true
            }
            advance()
        }
        return false
    }

    private mutating func readString(quote: Character) throws(LuaSyntaxProblem) -> String {
        let startLine = line, startColumn = column
        advance()
        var value = ""
        while true {
            guard let character = peek(), !character.isNewline else {
                throw problem(line: startLine, column: startColumn,
                              "unfinished string: the closing \(quote) is missing on this line")
            }
            advance()
            if character == quote { return value }
            guard character == "\\" else {
                value.append(character)
                continue
            }
            let escapeLine = line, escapeColumn = column - 1
            guard let escaped = peek(), !escaped.isNewline else {
                throw problem(line: escapeLine, column: escapeColumn, "unfinished escape sequence in a string")
            }
            advance()
            switch escaped {
            case "n": value.append("\n")
            case "t": value.append("\t")
            case "r": value.append("\r")
            case "\\", "\"", "'": value.append(escaped)
            default:
                throw problem(line: escapeLine, column: escapeColumn,
                              "unsupported escape sequence '\\\(escaped)' in a string")
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
