/// A template's `Validation: regex PATTERN`: ICU's syntax without the parts that need
/// backtracking, compiled to a Thompson NFA and run over the answer with all states at once
/// (Pike's VM, without captures). The time is at most the pattern's size times the answer's
/// length whatever the pattern, so `(a+)+$` on a near miss answers at once instead of
/// backtracking for minutes; and no ICU is linked (issue 14).
///
/// Supported: literals and escapes (`\t \n \r \f \a \e \xhh \x{h…} \uhhhh \Uhhhhhhhh \0ooo`,
/// `\Q…\E`, any escaped punctuation), `.`, classes `[…]` and `[^…]` with ranges and the
/// escapes below, `\d \D \w \W \s \S \h \H`, `\p{…}` / `\P{…}` (general categories such
/// as `L`, `Lu`, `Nd`, and `Alphabetic`, `White_Space`, `ASCII`, `Any`), groups `(…)`,
/// `(?:…)`, `(?<name>…)`, flags `(?ismx-ismx)` and `(?ismx-ismx:…)`, alternation,
/// quantifiers `* + ? {n} {n,} {n,m}` (lazy forms too: they match the same answers),
/// anchors `^ $ \A \z \Z \b \B`. Refused with a reason: back-references, look-around,
/// atomic groups and possessive quantifiers (they need backtracking), nested sets.
struct TemplateRegex: Sendable {
    /// Why a pattern cannot be used, and where (a scalar offset into the pattern).
    struct Problem: Error, Equatable, Sendable {
        let offset: Int
        let message: String
    }

    /// The most NFA instructions a pattern may compile to (a counted repetition copies its
    /// body): templates hold short patterns; this keeps a hostile one from taking memory.
    static let maximumInstructions = 20_000

    private let program: [Instruction]

    init(_ pattern: String) throws(Problem) {
        var parser = RegexParser(Array(pattern.unicodeScalars))
        let tree = try parser.parse()
        var compiler = RegexCompiler()
        try compiler.emit(tree)
        compiler.program.append(.accept)
        guard compiler.program.count <= Self.maximumInstructions else {
            throw Problem(offset: 0, message: "the pattern is too large (its repetitions expand to more than \(Self.maximumInstructions) steps)")
        }
        program = compiler.program
    }

    /// Whether all of `text` matches, or nil when the match took more than `stepBudget`
    /// steps (instructions visited: at most the program's size per scalar of `text`).
    func wholeMatch(_ text: String, stepBudget: Int = 20_000_000) -> Bool? {
        let scalars = Array(text.unicodeScalars)
        var current = ThreadList(capacity: program.count)
        var next = ThreadList(capacity: program.count)
        var steps = 0
        add(0, at: 0, in: scalars, to: &current, steps: &steps)
        for position in 0...scalars.count {
            if steps > stepBudget { return nil }
            for pc in current.states {
                switch program[pc] {
                case .accept:
                    if position == scalars.count { return true }
                case .scalar(let set):
                    if position < scalars.count, set.matches(scalars[position]) {
                        add(pc + 1, at: position + 1, in: scalars, to: &next, steps: &steps)
                    }
                case .split, .jump, .assert:
                    break
                }
            }
            if next.states.isEmpty { return false }
            swap(&current, &next)
            next.clear()
        }
        return false
    }

    /// Adds `pc` and everything reachable from it without consuming a scalar.
    private func add(_ pc: Int, at position: Int, in scalars: [Unicode.Scalar], to list: inout ThreadList, steps: inout Int) {
        var pending = [pc]
        while let pc = pending.popLast() {
            guard list.insert(pc) else { continue }
            steps += 1
            switch program[pc] {
            case .jump(let target): pending.append(target)
            case .split(let first, let second): pending.append(second); pending.append(first)
            case .assert(let assertion):
                if assertion.holds(at: position, in: scalars) { pending.append(pc + 1) }
            case .scalar, .accept: break
            }
        }
    }
}

/// The states live at one position, each once (a generation-stamped set).
private struct ThreadList {
    private(set) var states: [Int] = []
    private var seen: [Bool]

    init(capacity: Int) { seen = Array(repeating: false, count: capacity) }

    /// False when `pc` was already there.
    mutating func insert(_ pc: Int) -> Bool {
        if seen[pc] { return false }
        seen[pc] = true
        states.append(pc)
        return true
    }

    mutating func clear() {
        for pc in states { seen[pc] = false }
        states.removeAll(keepingCapacity: true)
    }
}

private enum Instruction: Sendable {
    case scalar(ScalarSet)
    case split(Int, Int)
    case jump(Int)
    case assert(Assertion)
    case accept
}

// MARK: - What one position matches

/// A set of scalars one position of the pattern accepts.
struct ScalarSet: Sendable {
    enum Item: Sendable {
        case range(ClosedRange<UInt32>)
        case property(PropertyClass, negated: Bool)
    }

    var items: [Item]
    var negated = false
    var caseInsensitive = false

    static func literal(_ scalar: Unicode.Scalar, caseInsensitive: Bool) -> ScalarSet {
        ScalarSet(items: [.range(scalar.value...scalar.value)], caseInsensitive: caseInsensitive)
    }

    static func dot(matchesLineBreaks: Bool) -> ScalarSet {
        matchesLineBreaks ? ScalarSet(items: [.property(.any, negated: false)])
                          : ScalarSet(items: [.property(.lineTerminator, negated: false)], negated: true)
    }

    func matches(_ scalar: Unicode.Scalar) -> Bool {
        contains(scalar) != negated
    }

    /// Whether the set (before negation) holds `scalar`; case-insensitively, also when it
    /// holds one of the scalar's other cases (simple one-scalar mappings).
    private func contains(_ scalar: Unicode.Scalar) -> Bool {
        if containsExactly(scalar) { return true }
        guard caseInsensitive else { return false }
        // The other cases, and theirs (ſ → S → s), as ICU's case closure finds them.
        var others = Self.otherCases(of: scalar)
        for other in others { others += Self.otherCases(of: other) }
        return others.contains { $0 != scalar && containsExactly($0) }
    }

    private static func otherCases(of scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        [scalar.properties.lowercaseMapping, scalar.properties.uppercaseMapping, scalar.properties.titlecaseMapping]
            .compactMap { $0.unicodeScalars.count == 1 ? $0.unicodeScalars.first : nil }
    }

    private func containsExactly(_ scalar: Unicode.Scalar) -> Bool {
        items.contains { item in
            switch item {
            case .range(let range): range.contains(scalar.value)
            case .property(let property, let negated): property.contains(scalar) != negated
            }
        }
    }
}

/// The named classes: `\d \w \s \h`, `\p{…}` and the line terminators `.` does not match.
enum PropertyClass: Sendable {
    case any, ascii, lineTerminator, digit, word, space, horizontalSpace, alphabetic, whiteSpace
    case uppercase, lowercase
    case categories([Unicode.GeneralCategory])

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        switch self {
        case .any: return true
        case .ascii: return scalar.isASCII
        case .lineTerminator: return [0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029].contains(scalar.value)
        case .digit: return properties.generalCategory == .decimalNumber
        case .word:
            // ICU's \w: Alphabetic, marks, decimal digits, connector punctuation, ZWNJ, ZWJ.
            switch properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
            default: return properties.isAlphabetic || scalar.value == 0x200C || scalar.value == 0x200D
            }
        case .space, .whiteSpace: return properties.isWhitespace
        case .horizontalSpace: return scalar == "\t" || properties.generalCategory == .spaceSeparator
        case .alphabetic: return properties.isAlphabetic
        case .uppercase: return properties.isUppercase
        case .lowercase: return properties.isLowercase
        case .categories(let categories): return categories.contains(properties.generalCategory)
        }
    }

    /// `\p{name}`: a general category (short or long name) or one of a few binary properties.
    static func named(_ raw: String) -> PropertyClass? {
        let name = raw.lowercased().filter { $0 != "_" && $0 != " " && $0 != "-" }
        let categories: [String: [Unicode.GeneralCategory]] = [
            "l": [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter], "letter": [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter],
            "lu": [.uppercaseLetter], "uppercaseletter": [.uppercaseLetter], "ll": [.lowercaseLetter], "lowercaseletter": [.lowercaseLetter],
            "lt": [.titlecaseLetter], "titlecaseletter": [.titlecaseLetter], "lm": [.modifierLetter], "modifierletter": [.modifierLetter],
            "lo": [.otherLetter], "otherletter": [.otherLetter],
            "m": [.nonspacingMark, .spacingMark, .enclosingMark], "mark": [.nonspacingMark, .spacingMark, .enclosingMark],
            "mn": [.nonspacingMark], "mc": [.spacingMark], "me": [.enclosingMark],
            "n": [.decimalNumber, .letterNumber, .otherNumber], "number": [.decimalNumber, .letterNumber, .otherNumber],
            "nd": [.decimalNumber], "decimalnumber": [.decimalNumber], "nl": [.letterNumber], "no": [.otherNumber],
            "p": [.connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation, .otherPunctuation],
            "punctuation": [.connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation, .otherPunctuation],
            "pc": [.connectorPunctuation], "pd": [.dashPunctuation], "ps": [.openPunctuation], "pe": [.closePunctuation],
            "pi": [.initialPunctuation], "pf": [.finalPunctuation], "po": [.otherPunctuation],
            "s": [.mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol], "symbol": [.mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol],
            "sm": [.mathSymbol], "sc": [.currencySymbol], "sk": [.modifierSymbol], "so": [.otherSymbol],
            "z": [.spaceSeparator, .lineSeparator, .paragraphSeparator], "separator": [.spaceSeparator, .lineSeparator, .paragraphSeparator],
            "zs": [.spaceSeparator], "zl": [.lineSeparator], "zp": [.paragraphSeparator],
            "c": [.control, .format, .surrogate, .privateUse, .unassigned], "other": [.control, .format, .surrogate, .privateUse, .unassigned],
            "cc": [.control], "cf": [.format], "cs": [.surrogate], "co": [.privateUse], "cn": [.unassigned],
        ]
        if let listed = categories[name] { return .categories(listed) }
        switch name {
        case "any": return .any
        case "ascii": return .ascii
        case "alphabetic", "alpha": return .alphabetic
        case "whitespace", "space": return .whiteSpace
        case "uppercase", "upper": return .uppercase
        case "lowercase", "lower": return .lowercase
        default: return nil
        }
    }
}

/// Zero-width conditions at a position.
enum Assertion: Sendable {
    case textStart, textEnd, textEndOrFinalLineBreak, lineStart, lineEnd, wordBoundary, notWordBoundary

    func holds(at position: Int, in scalars: [Unicode.Scalar]) -> Bool {
        let before = position > 0 ? scalars[position - 1] : nil
        let after = position < scalars.count ? scalars[position] : nil
        switch self {
        case .textStart: return position == 0
        case .textEnd: return position == scalars.count
        case .textEndOrFinalLineBreak:
            if position == scalars.count { return true }
            if position == scalars.count - 1, let after, PropertyClass.lineTerminator.contains(after) { return true }
            // Before a final "\r\n".
            return position == scalars.count - 2 && scalars[position] == "\r" && scalars[position + 1] == "\n"
        case .lineStart:
            guard let before else { return true }
            // Not between the two halves of "\r\n".
            return PropertyClass.lineTerminator.contains(before) && !(before == "\r" && after == "\n")
        case .lineEnd:
            guard let after else { return true }
            return PropertyClass.lineTerminator.contains(after) && !(before == "\r" && after == "\n")
        case .wordBoundary, .notWordBoundary:
            let wordBefore = before.map(PropertyClass.word.contains) ?? false
            let wordAfter = after.map(PropertyClass.word.contains) ?? false
            return (wordBefore != wordAfter) == (self == .wordBoundary)
        }
    }
}

// MARK: - Parsing

indirect enum RegexNode: Sendable {
    case empty
    case set(ScalarSet)
    case assertion(Assertion)
    case sequence([RegexNode])
    case alternatives([RegexNode])
    /// `maximum` nil: unbounded.
    case repetition(RegexNode, minimum: Int, maximum: Int?)
}

/// ICU's pattern syntax (the subset TemplateRegex documents), one scalar at a time.
private struct RegexParser {
    struct Flags {
        var caseInsensitive = false
        var dotMatchesLineBreaks = false
        var multiline = false
        var extended = false
    }

    private let pattern: [Unicode.Scalar]
    private var index = 0
    private var flags = Flags()
    /// The largest count `{n,m}` may give.
    private let maximumCount = 1000

    init(_ pattern: [Unicode.Scalar]) { self.pattern = pattern }

    private var current: Unicode.Scalar? { index < pattern.count ? pattern[index] : nil }

    private func problem(_ message: String, at offset: Int? = nil) -> TemplateRegex.Problem {
        TemplateRegex.Problem(offset: offset ?? index, message: message)
    }

    private func unsupported(_ what: String, at offset: Int) -> TemplateRegex.Problem {
        problem("\(what) is not supported in template patterns (they are matched without backtracking)", at: offset)
    }

    mutating func parse() throws(TemplateRegex.Problem) -> RegexNode {
        // As NSRegularExpression did, an empty pattern is refused.
        guard !pattern.isEmpty else { throw problem("the pattern is empty") }
        let node = try alternatives()
        if let extra = current { throw problem("unmatched '\(extra)'") }
        return node
    }

    private mutating func alternatives() throws(TemplateRegex.Problem) -> RegexNode {
        var branches = [try sequence()]
        while current == "|" {
            index += 1
            branches.append(try sequence())
        }
        return branches.count == 1 ? branches[0] : .alternatives(branches)
    }

    private mutating func sequence() throws(TemplateRegex.Problem) -> RegexNode {
        var items: [RegexNode] = []
        while true {
            skipExtendedSpace()
            guard let scalar = current, scalar != "|", scalar != ")" else { break }
            let start = index
            if scalar == "\\", index + 1 < pattern.count, pattern[index + 1] == "Q" {
                // \Q…\E: literals; a quantifier after it repeats the last one only, as in ICU.
                index += 2
                var quoted: [Unicode.Scalar] = []
                while let literal = current {
                    if literal == "\\", index + 1 < pattern.count, pattern[index + 1] == "E" { index += 2; break }
                    quoted.append(literal)
                    index += 1
                }
                let literals = quoted.map { RegexNode.set(.literal($0, caseInsensitive: flags.caseInsensitive)) }
                items += literals.dropLast()
                if let last = literals.last { items.append(try quantified(last, start: start)) }
                continue
            }
            guard let atom = try atom() else { continue }
            items.append(try quantified(atom, start: start))
        }
        return items.count == 1 ? items[0] : (items.isEmpty ? .empty : .sequence(items))
    }

    /// In `(?x)` mode, white space and `#` comments between atoms are not part of the pattern.
    private mutating func skipExtendedSpace() {
        guard flags.extended else { return }
        while let scalar = current {
            if scalar.properties.isWhitespace {
                index += 1
            } else if scalar == "#" {
                while let inComment = current, !PropertyClass.lineTerminator.contains(inComment) { index += 1 }
            } else {
                return
            }
        }
    }

    /// One atom, or nil for a construct that only changed the flags.
    private mutating func atom() throws(TemplateRegex.Problem) -> RegexNode? {
        let start = index
        let scalar = current!
        index += 1
        switch scalar {
        case "(": return try group(start: start)
        case "[": return .set(try bracketSet(start: start))
        case ".": return .set(.dot(matchesLineBreaks: flags.dotMatchesLineBreaks))
        case "^": return .assertion(flags.multiline ? .lineStart : .textStart)
        case "$": return .assertion(flags.multiline ? .lineEnd : .textEndOrFinalLineBreak)
        case "\\": return try escape(start: start)
        case "*", "+", "?": throw problem("'\(scalar)' has nothing to repeat", at: start)
        case "{": throw problem("'{' has nothing to repeat", at: start)
        default: return .set(.literal(scalar, caseInsensitive: flags.caseInsensitive))
        }
    }

    private mutating func group(start: Int) throws(TemplateRegex.Problem) -> RegexNode? {
        let saved = flags
        if current == "?" {
            index += 1
            switch current {
            case ":": index += 1
            case "=", "!": throw unsupported("look-ahead '(?\(current!)'", at: start)
            case ">": throw unsupported("an atomic group '(?>'", at: start)
            case "#":
                // A comment group.
                while let scalar = current, scalar != ")" { index += 1 }
                guard current == ")" else { throw problem("unfinished comment group", at: start) }
                index += 1
                return nil
            case "<":
                index += 1
                if current == "=" || current == "!" { throw unsupported("look-behind '(?<\(current!)'", at: start) }
                // A named group: the name, then the group as any other.
                var name = ""
                while let scalar = current, scalar != ">" {
                    guard scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) else {
                        throw problem("a group name may hold only letters and digits", at: index)
                    }
                    name.unicodeScalars.append(scalar)
                    index += 1
                }
                guard current == ">", !name.isEmpty else { throw problem("unfinished group name", at: start) }
                index += 1
            default:
                // Flags: (?ismx-ismx) for the rest of the enclosing group, (?ismx-ismx:…) for its own.
                var on = true
                var changed = flags
                while let scalar = current, scalar != ")" && scalar != ":" {
                    switch scalar {
                    case "i": changed.caseInsensitive = on
                    case "s": changed.dotMatchesLineBreaks = on
                    case "m": changed.multiline = on
                    case "x": changed.extended = on
                    case "-" where on: on = false
                    case "w": throw unsupported("the flag 'w' (word boundaries by UAX 29)", at: index)
                    default: throw problem("unknown group '(?\(scalar)'", at: start)
                    }
                    index += 1
                }
                guard let end = current else { throw problem("unmatched '('", at: start) }
                index += 1
                if end == ")" {
                    flags = changed
                    return nil
                }
                flags = changed
            }
        }
        let inner = try alternatives()
        guard current == ")" else { throw problem("unmatched '('", at: start) }
        index += 1
        flags = saved
        return inner
    }

    private mutating func quantified(_ atom: RegexNode, start: Int) throws(TemplateRegex.Problem) -> RegexNode {
        var node = atom
        while true {
            skipExtendedSpace()
            guard let scalar = current else { return node }
            let quantifierStart = index
            let bounds: (Int, Int?)
            switch scalar {
            case "*": index += 1; bounds = (0, nil)
            case "+": index += 1; bounds = (1, nil)
            case "?": index += 1; bounds = (0, 1)
            case "{": bounds = try interval()
            default: return node
            }
            if current == "+" { throw unsupported("a possessive quantifier ('\(scalar)+')", at: quantifierStart) }
            if current == "?" { index += 1 } // lazy: the same answers match
            node = .repetition(node, minimum: bounds.0, maximum: bounds.1)
        }
    }

    /// `{n}`, `{n,}`, `{n,m}` at `{`.
    private mutating func interval() throws(TemplateRegex.Problem) -> (Int, Int?) {
        let start = index
        index += 1
        guard let minimum = number() else { throw problem("'{' must start a count such as {2}, {2,} or {2,5}", at: start) }
        var maximum: Int? = minimum
        if current == "," {
            index += 1
            maximum = number()
        }
        guard current == "}" else { throw problem("'{' must start a count such as {2}, {2,} or {2,5}", at: start) }
        index += 1
        if let maximum, maximum < minimum { throw problem("the count {\(minimum),\(maximum)} is backwards", at: start) }
        if minimum > maximumCount || (maximum ?? 0) > maximumCount {
            throw problem("counts above \(maximumCount) are not supported in template patterns", at: start)
        }
        return (minimum, maximum)
    }

    private mutating func number() -> Int? {
        var value = 0
        var digits = 0
        while let scalar = current, ("0"..."9").contains(scalar) {
            value = min(value * 10 + Int(scalar.value - 48), 1_000_000)
            digits += 1
            index += 1
        }
        return digits > 0 ? value : nil
    }

    /// After a backslash outside a set.
    private mutating func escape(start: Int) throws(TemplateRegex.Problem) -> RegexNode? {
        guard let scalar = current else { throw problem("the pattern ends with a lone '\\'", at: start) }
        switch scalar {
        case "A": index += 1; return .assertion(.textStart)
        case "z": index += 1; return .assertion(.textEnd)
        case "Z": index += 1; return .assertion(.textEndOrFinalLineBreak)
        case "b": index += 1; return .assertion(.wordBoundary)
        case "B": index += 1; return .assertion(.notWordBoundary)
        case "E": index += 1; return nil
        case "1"..."9": throw unsupported("a back-reference '\\\(scalar)'", at: start)
        case "k": throw unsupported("a named back-reference '\\k'", at: start)
        case "G", "X", "R", "N": throw unsupported("'\\\(scalar)'", at: start)
        default:
            return .set(try escapedSet(start: start))
        }
    }

    /// An escape that stands for scalars (after the backslash), inside or outside a set.
    private mutating func escapedSet(start: Int) throws(TemplateRegex.Problem) -> ScalarSet {
        let scalar = current!
        index += 1
        let insensitive = flags.caseInsensitive
        func property(_ property: PropertyClass, negated: Bool) -> ScalarSet {
            ScalarSet(items: [.property(property, negated: negated)], caseInsensitive: insensitive)
        }
        switch scalar {
        case "d": return property(.digit, negated: false)
        case "D": return property(.digit, negated: true)
        case "w": return property(.word, negated: false)
        case "W": return property(.word, negated: true)
        case "s": return property(.space, negated: false)
        case "S": return property(.space, negated: true)
        case "h": return property(.horizontalSpace, negated: false)
        case "H": return property(.horizontalSpace, negated: true)
        case "p", "P":
            guard current == "{" else { throw problem("'\\\(scalar)' needs a property in braces, such as \\\(scalar){L}", at: start) }
            index += 1
            var name = ""
            while let inName = current, inName != "}" { name.unicodeScalars.append(inName); index += 1 }
            guard current == "}" else { throw problem("unfinished '\\\(scalar){'", at: start) }
            index += 1
            guard let named = PropertyClass.named(name) else {
                throw problem("unknown or unsupported property '\(name)' (general categories such as L, Lu, Nd, P, "
                              + "and Alphabetic, White_Space, ASCII, Any are supported)", at: start)
            }
            return property(named, negated: scalar == "P")
        default:
            return .literal(try escapedScalar(scalar, start: start), caseInsensitive: insensitive)
        }
    }

    /// The scalar an escape such as `\n`, `\x41` or `\.` stands for (after its letter).
    private mutating func escapedScalar(_ scalar: Unicode.Scalar, start: Int) throws(TemplateRegex.Problem) -> Unicode.Scalar {
        switch scalar {
        case "t": return "\t"
        case "n": return "\n"
        case "r": return "\r"
        case "f": return "\u{0C}"
        case "a": return "\u{07}"
        case "e": return "\u{1B}"
        case "0":
            var value: UInt32 = 0
            var digits = 0
            while digits < 3, let digit = current, ("0"..."7").contains(digit) {
                value = value * 8 + digit.value - 48
                digits += 1
                index += 1
            }
            return Unicode.Scalar(value)!
        case "x":
            if current == "{" {
                index += 1
                let value = try hexDigits(count: nil, start: start)
                guard current == "}" else { throw problem("unfinished '\\x{'", at: start) }
                index += 1
                return try validScalar(value, start: start)
            }
            return try validScalar(try hexDigits(count: 2, start: start), start: start)
        case "u": return try validScalar(try hexDigits(count: 4, start: start), start: start)
        case "U": return try validScalar(try hexDigits(count: 8, start: start), start: start)
        default:
            // Escaped letters and digits are reserved: only punctuation and symbols stand for themselves.
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                throw problem("unknown escape '\\\(scalar)'", at: start)
            }
            return scalar
        }
    }

    private mutating func hexDigits(count: Int?, start: Int) throws(TemplateRegex.Problem) -> UInt32 {
        var value: UInt32 = 0
        var digits = 0
        while count.map({ digits < $0 }) ?? true, let digit = current, let nibble = Self.hexLetterValue(digit) {
            guard digits < 8 else { throw problem("too many hex digits", at: start) }
            value = value * 16 + nibble
            digits += 1
            index += 1
        }
        guard digits > 0, count.map({ digits == $0 }) ?? true else { throw problem("expected hex digits in the escape", at: start) }
        return value
    }

    private static func hexLetterValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": scalar.value - 48
        case "a"..."f": scalar.value - 87
        case "A"..."F": scalar.value - 55
        default: nil
        }
    }

    private func validScalar(_ value: UInt32, start: Int) throws(TemplateRegex.Problem) -> Unicode.Scalar {
        guard let scalar = Unicode.Scalar(value) else { throw problem("the escape names no Unicode scalar", at: start) }
        return scalar
    }

    /// `[…]` or `[^…]`, after the `[`.
    private mutating func bracketSet(start: Int) throws(TemplateRegex.Problem) -> ScalarSet {
        var set = ScalarSet(items: [], caseInsensitive: flags.caseInsensitive)
        if current == "^" { set.negated = true; index += 1 }
        var first = true
        while true {
            if flags.extended { while let scalar = current, scalar.properties.isWhitespace { index += 1 } }
            guard let scalar = current else { throw problem("unmatched '['", at: start) }
            if scalar == "]" && !first { index += 1; return set }
            first = false
            let itemStart = index
            if scalar == "[" { throw unsupported("a nested set or set operation '['", at: itemStart) }
            if scalar == "&", index + 1 < pattern.count, pattern[index + 1] == "&" {
                throw unsupported("a set intersection '&&'", at: itemStart)
            }
            index += 1
            var low: Unicode.Scalar
            if scalar == "\\" {
                guard let escaped = current else { throw problem("unmatched '['", at: start) }
                if "dDwWsShHpP".unicodeScalars.contains(escaped) {
                    // A class (negated ones too) is one more item of the set.
                    set.items += try escapedSet(start: itemStart).items
                    continue
                }
                if escaped == "b" { throw unsupported("'\\b' inside a set", at: itemStart) }
                index += 1
                low = try escapedScalar(escaped, start: itemStart)
            } else {
                low = scalar
            }
            // A range a-z (a '-' before the closing ']' is literal).
            if current == "-", index + 1 < pattern.count, pattern[index + 1] != "]" {
                index += 1
                let highStart = index
                var high = current!
                index += 1
                if high == "[" { throw unsupported("a nested set or set operation '['", at: highStart) }
                if high == "\\" {
                    guard let escaped = current else { throw problem("unmatched '['", at: start) }
                    index += 1
                    high = try escapedScalar(escaped, start: highStart)
                }
                guard low.value <= high.value else { throw problem("the range \(low)-\(high) is backwards", at: itemStart) }
                set.items.append(.range(low.value...high.value))
            } else {
                set.items.append(.range(low.value...low.value))
            }
        }
    }
}

// MARK: - Compiling

private struct RegexCompiler {
    var program: [Instruction] = []

    mutating func emit(_ node: RegexNode) throws(TemplateRegex.Problem) {
        guard program.count <= TemplateRegex.maximumInstructions else {
            throw TemplateRegex.Problem(offset: 0, message: "the pattern is too large (its repetitions expand to more than \(TemplateRegex.maximumInstructions) steps)")
        }
        switch node {
        case .empty:
            break
        case .set(let set):
            program.append(.scalar(set))
        case .assertion(let assertion):
            program.append(.assert(assertion))
        case .sequence(let items):
            for item in items { try emit(item) }
        case .alternatives(let branches):
            // split L1, next; L1: branch; jump end; next: split … ; last branch.
            var jumpsToEnd: [Int] = []
            for (offset, branch) in branches.enumerated() {
                if offset < branches.count - 1 {
                    let split = program.count
                    program.append(.split(split + 1, 0))
                    try emit(branch)
                    jumpsToEnd.append(program.count)
                    program.append(.jump(0))
                    program[split] = .split(split + 1, program.count)
                } else {
                    try emit(branch)
                }
            }
            for jump in jumpsToEnd { program[jump] = .jump(program.count) }
        case .repetition(let body, let minimum, let maximum):
            for _ in 0..<minimum { try emit(body) }
            if let maximum {
                // Each optional copy: split into it or past all the rest.
                var splits: [Int] = []
                for _ in minimum..<maximum {
                    splits.append(program.count)
                    program.append(.split(program.count + 1, 0))
                    try emit(body)
                }
                for split in splits { program[split] = .split(split + 1, program.count) }
            } else {
                // loop: split body, end; body; jump loop.
                let loop = program.count
                program.append(.split(loop + 1, 0))
                try emit(body)
                program.append(.jump(loop))
                program[loop] = .split(loop + 1, program.count)
            }
        }
    }
}
