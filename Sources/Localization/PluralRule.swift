/// Which plural form a count takes in a language: the catalog header's
/// `Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : …);`, a C expression over
/// `n` (`?:`, `||`, `&&`, `==`, `!=`, `<`, `>`, `<=`, `>=`, `+`, `-`, `*`, `/`, `%`, `!`,
/// parentheses, decimal numbers), evaluated on unsigned 64-bit numbers as gettext does.
/// A header without a rule, or with one this parser refuses (too long, too deep, unknown
/// token), gets gettext's default: two forms, the second for every n but 1.
public struct PluralRule: Sendable, Equatable {
    public let count: Int
    let expression: Expression

    /// Longer rules than any language's (Arabic's is about 90 characters) are refused.
    static let lengthLimit = 500
    static let depthLimit = 50

    indirect enum Expression: Sendable, Equatable {
        case n
        case number(UInt64)
        case not(Expression)
        case binary(Operator, Expression, Expression)
        case choice(Expression, Expression, Expression)
    }

    enum Operator: String, Sendable, CaseIterable {
        case or = "||", and = "&&", equal = "==", notEqual = "!=", lessOrEqual = "<=", greaterOrEqual = ">="
        case less = "<", greater = ">", plus = "+", minus = "-", times = "*", divided = "/", remainder = "%"
    }

    /// gettext's default (English, German…).
    public static let germanic = PluralRule(count: 2, expression: .binary(.notEqual, .n, .number(1)))

    init(count: Int, expression: Expression) {
        self.count = count
        self.expression = expression
    }

    /// The rule a catalog header gives (its `Plural-Forms:` line), else the default.
    public init(header: String) {
        self = CompiledCatalog.field("Plural-Forms", in: header).flatMap(Self.init(formula:)) ?? .germanic
    }

    /// `nplurals=N; plural=EXPR;` (spaces anywhere, the last `;` optional); nil if malformed.
    public init?(formula: String) {
        guard formula.utf8.count <= Self.lengthLimit else { return nil }
        var count: Int?
        var expression: Expression?
        for part in formula.split(separator: ";") {
            let assignment = part.split(separator: "=", maxSplits: 1)
            guard assignment.count == 2 else {
                if part.allSatisfy({ $0 == " " || $0 == "\t" }) { continue } else { return nil }
            }
            let name = assignment[0].filter { $0 != " " && $0 != "\t" }
            if name == "nplurals" {
                count = Int(assignment[1].filter { $0 != " " && $0 != "\t" })
            } else if name == "plural" {
                var parser = Parser(Array(assignment[1].utf8))
                expression = parser.parse()
            } else {
                return nil
            }
        }
        guard let count, (1...6).contains(count), let expression else { return nil }
        self.init(count: count, expression: expression)
    }

    /// The form (0-based) for `n`; one beyond the rule's count means the first, as gettext does.
    public func form(for n: UInt64) -> Int {
        guard let value = Self.evaluate(expression, n), value < UInt64(count) else { return 0 }
        return Int(value)
    }

    /// nil on a division by zero (the rule is broken: the first form).
    static func evaluate(_ expression: Expression, _ n: UInt64) -> UInt64? {
        switch expression {
        case .n: return n
        case .number(let value): return value
        case .not(let operand): return evaluate(operand, n).map { $0 == 0 ? 1 : 0 }
        case .choice(let condition, let yes, let no):
            guard let test = evaluate(condition, n) else { return nil }
            return evaluate(test != 0 ? yes : no, n)
        case .binary(let operation, let left, let right):
            guard let a = evaluate(left, n) else { return nil }
            // Short-circuit as C does.
            if operation == .or, a != 0 { return 1 }
            if operation == .and, a == 0 { return 0 }
            guard let b = evaluate(right, n) else { return nil }
            switch operation {
            case .or, .and: return b != 0 ? 1 : 0
            case .equal: return a == b ? 1 : 0
            case .notEqual: return a != b ? 1 : 0
            case .less: return a < b ? 1 : 0
            case .greater: return a > b ? 1 : 0
            case .lessOrEqual: return a <= b ? 1 : 0
            case .greaterOrEqual: return a >= b ? 1 : 0
            case .plus: return a &+ b
            case .minus: return a &- b
            case .times: return a &* b
            case .divided: return b == 0 ? nil : a / b
            case .remainder: return b == 0 ? nil : a % b
            }
        }
    }

    /// Recursive descent in C's precedence, with a bound on the nesting.
    struct Parser {
        let text: [UInt8]
        var position = 0
        var depth = 0

        init(_ text: [UInt8]) { self.text = text }

        mutating func parse() -> Expression? {
            guard let expression = choice() else { return nil }
            skipSpaces()
            return position == text.count ? expression : nil
        }

        private mutating func skipSpaces() {
            while position < text.count, text[position] == 0x20 || text[position] == 0x09 || text[position] == 0x0a {
                position += 1
            }
        }

        private mutating func take(_ token: String) -> Bool {
            skipSpaces()
            let bytes = Array(token.utf8)
            guard position + bytes.count <= text.count, Array(text[position..<(position + bytes.count)]) == bytes else { return false }
            // `<` is not the start of `<=`, `!` not of `!=`.
            if bytes.count == 1, position + 1 < text.count, text[position + 1] == 0x3d, "<>!".utf8.contains(bytes[0]) {
                return false
            }
            position += bytes.count
            return true
        }

        private mutating func choice() -> Expression? {
            depth += 1
            defer { depth -= 1 }
            guard depth <= PluralRule.depthLimit, let condition = binary(level: 0) else { return nil }
            guard take("?") else { return condition }
            guard let yes = choice(), take(":"), let no = choice() else { return nil }
            return .choice(condition, yes, no)
        }

        /// The binary operators, loosest first; each level left-associative.
        private static let levels: [[Operator]] = [
            [.or], [.and], [.equal, .notEqual], [.lessOrEqual, .greaterOrEqual, .less, .greater],
            [.plus, .minus], [.times, .divided, .remainder],
        ]

        private mutating func binary(level: Int) -> Expression? {
            guard level < Self.levels.count else { return unary() }
            guard var left = binary(level: level + 1) else { return nil }
            while let operation = Self.levels[level].first(where: { take($0.rawValue) }) {
                guard let right = binary(level: level + 1) else { return nil }
                left = .binary(operation, left, right)
            }
            return left
        }

        private mutating func unary() -> Expression? {
            if take("!") {
                depth += 1
                defer { depth -= 1 }
                guard depth <= PluralRule.depthLimit, let operand = unary() else { return nil }
                return .not(operand)
            }
            return primary()
        }

        private mutating func primary() -> Expression? {
            skipSpaces()
            guard position < text.count else { return nil }
            if take("(") {
                guard let inner = choice(), take(")") else { return nil }
                return inner
            }
            if text[position] == UInt8(ascii: "n") {
                position += 1
                return .n
            }
            var value: UInt64 = 0
            let start = position
            while position < text.count, (0x30...0x39).contains(text[position]) {
                let (product, overflow) = value.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                value = product &+ UInt64(text[position] - 0x30)
                position += 1
            }
            return position > start ? .number(value) : nil
        }
    }
}
