// onionboard — GPL-3.0-or-later.
import Vocabulary

/// Where a JSON text first goes wrong, for error messages: JSONDecoder only says "not
/// valid JSON". It scans what JSONDecoder accepts — RFC 8259, plus one trailing comma in an
/// object or array; no comments; no unpaired surrogate escapes — and stops at the first
/// problem; it builds nothing.
struct JSONSyntax {
    struct Problem: Equatable {
        /// Byte offset of the offending byte (the text's length for an early end).
        let offset: Int
        let message: String
    }

    private let bytes: [UInt8]
    private var index = 0
    /// Nesting allowed before the text is refused (JSONDecoder's own limit is about 512).
    private let maximumDepth = 512

    /// The first problem in `bytes`, or nil when it is well-formed JSON.
    static func firstProblem(in bytes: [UInt8]) -> Problem? {
        var scanner = JSONSyntax(bytes: bytes)
        do {
            scanner.skipByteOrderMark()
            scanner.skipWhitespace()
            try scanner.value(depth: 0)
            scanner.skipWhitespace()
            if scanner.index < bytes.count { throw scanner.problem("unexpected \(scanner.shown) after the end of the document") }
            return nil
        } catch let problem as Problem {
            return problem
        } catch {
            return Problem(offset: scanner.index, message: "\(error)")
        }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private var shown: String {
        guard let byte = current else { return "the end of the text" }
        return byte >= 0x20 && byte < 0x7f ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\([byte].lowercaseHex())"
    }

    private func problem(_ message: String) -> Problem { Problem(offset: index, message: message) }

    private mutating func skipByteOrderMark() {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func value(depth: Int) throws(Problem) {
        guard depth < maximumDepth else { throw problem("nested more than \(maximumDepth) levels deep") }
        switch current {
        case UInt8(ascii: "{"): try object(depth: depth)
        case UInt8(ascii: "["): try array(depth: depth)
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case let byte? where byte == UInt8(ascii: "-") || Self.isDigit(byte): try number()
        default: throw problem("expected a value, found \(shown)")
        }
    }

    private mutating func object(depth: Int) throws(Problem) {
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return }
        while true {
            guard current == UInt8(ascii: "\"") else { throw problem("expected a member name in quotes, found \(shown)") }
            try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw problem("expected ':' after the member name, found \(shown)") }
            index += 1
            skipWhitespace()
            try value(depth: depth + 1)
            skipWhitespace()
            if current == UInt8(ascii: "}") { index += 1; return }
            guard current == UInt8(ascii: ",") else { throw problem("expected ',' or '}' after a member, found \(shown)") }
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "}") { index += 1; return }
        }
    }

    private mutating func array(depth: Int) throws(Problem) {
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return }
        while true {
            try value(depth: depth + 1)
            skipWhitespace()
            if current == UInt8(ascii: "]") { index += 1; return }
            guard current == UInt8(ascii: ",") else { throw problem("expected ',' or ']' after an element, found \(shown)") }
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") { index += 1; return }
        }
    }

    private mutating func string() throws(Problem) {
        index += 1
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""): index += 1; return
            case UInt8(ascii: "\\"):
                index += 1
                guard let escaped = current else { break }
                if escaped == UInt8(ascii: "u") {
                    let start = index - 1
                    let unit = try codeUnit()
                    if (0xDC00...0xDFFF).contains(unit) {
                        throw Problem(offset: start, message: "a low surrogate \\u escape without a high one before it")
                    }
                    if (0xD800...0xDBFF).contains(unit) {
                        guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                            throw Problem(offset: start, message: "a high surrogate \\u escape without a low one after it")
                        }
                        index += 1
                        guard (0xDC00...0xDFFF).contains(try codeUnit()) else {
                            throw Problem(offset: start, message: "a high surrogate \\u escape without a low one after it")
                        }
                    }
                } else if Array(#""\/bfnrt"#.utf8).contains(escaped) {
                    index += 1
                } else {
                    throw problem("unknown escape \\\(Character(Unicode.Scalar(escaped)))")
                }
            case 0..<0x20: throw problem("control character \(shown) in a string (escape it)")
            default: index += 1
            }
        }
        throw problem("unfinished string")
    }

    /// The four hex digits after `\\u` (at `u`), as a UTF-16 code unit.
    private mutating func codeUnit() throws(Problem) -> UInt16 {
        index += 1
        var unit: UInt16 = 0
        for _ in 0..<4 {
            guard let digit = current, let value = Self.hexValue(digit) else { throw problem("expected 4 hex digits after \\u, found \(shown)") }
            unit = unit << 4 | UInt16(value)
            index += 1
        }
        return unit
    }

    private mutating func literal(_ word: String) throws(Problem) {
        for expected in word.utf8 {
            guard current == expected else { throw problem("expected '\(word)', found \(shown)") }
            index += 1
        }
    }

    private mutating func number() throws(Problem) {
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, Self.isDigit(first) else { throw problem("expected a digit, found \(shown)") }
        index += 1
        if first != UInt8(ascii: "0") { while let digit = current, Self.isDigit(digit) { index += 1 } }
        if current == UInt8(ascii: ".") {
            index += 1
            guard let digit = current, Self.isDigit(digit) else { throw problem("expected a digit after '.', found \(shown)") }
            while let digit = current, Self.isDigit(digit) { index += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let digit = current, Self.isDigit(digit) else { throw problem("expected a digit in the exponent, found \(shown)") }
            while let digit = current, Self.isDigit(digit) { index += 1 }
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension JSONSyntax.Problem: Error {}
