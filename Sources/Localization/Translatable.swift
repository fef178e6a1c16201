/// A message of ours as it is written in the source, in English, with the values it shows:
/// `"Registering \(jid)"` is the catalog entry `Registering {0}` and the value of `jid`.
/// scripts/catalogs finds every `translated(…)` call and extracts the same entries (docs/translations.md).
/// Braces of the text itself are doubled in the entry (`{{`), as Python's format strings do,
/// so that msgfmt can check every translation keeps the placeholders (`python-brace-format`).
public struct Translatable: ExpressibleByStringInterpolation, Sendable, Equatable {
    /// The catalog entry (msgid).
    public let key: String
    /// What `{0}`, `{1}`… stand for, in order.
    public let values: [String]

    /// An entry as the catalog spells it (`{0}` placeholders, doubled braces) with its values.
    public init(key: String, values: [String] = []) {
        self.key = key
        self.values = values
    }

    public init(stringLiteral text: String) {
        key = Self.escaped(text)
        values = []
    }

    public init(stringInterpolation: StringInterpolation) {
        key = stringInterpolation.key
        values = stringInterpolation.values
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var key = ""
        var values: [String] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            key.reserveCapacity(literalCapacity + 3 * interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) { key += Translatable.escaped(literal) }

        public mutating func appendInterpolation<Value>(_ value: Value) {
            key += "{\(values.count)}"
            values.append(String(describing: value))
        }
    }

    static func escaped(_ text: String) -> String {
        guard text.contains(where: { $0 == "{" || $0 == "}" }) else { return text }
        return text.replacingBraces()
    }

    /// `text` (the translation, or the entry itself) with `{N}` replaced by `values[N]` and
    /// doubled braces made single again.
    static func filled(_ text: String, _ values: [String]) -> String {
        guard text.contains(where: { $0 == "{" || $0 == "}" }) else { return text }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "{" || character == "}", next < text.endIndex, text[next] == character {
                result.append(character)
                index = text.index(after: next)
                continue
            }
            if character == "{", let close = text[next...].firstIndex(of: "}"),
               let number = Int(text[next..<close]), values.indices.contains(number) {
                result += values[number]
                index = text.index(after: close)
                continue
            }
            result.append(character)
            index = next
        }
        return result
    }
}

extension String {
    fileprivate func replacingBraces() -> String {
        var result = ""
        for character in self {
            result.append(character)
            if character == "{" || character == "}" { result.append(character) }
        }
        return result
    }
}

/// The message in the person's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG: see
/// `Localization.start`), or as written when there is no translation.
public func translated(_ message: Translatable) -> String {
    return Translatable.filled(Localization.lookUp(message.key), message.values)
}

/// A message that depends on a number: `one` and `other` are the English forms (1 and
/// anything else); a language has as many forms as its rules need (Russian three, Chinese
/// one). Both forms should show the same values.
public func translated(one: Translatable, other: Translatable, count: Int) -> String {
    let form = Localization.lookUp(one.key, plural: other.key, count: count)
    return Translatable.filled(form, other.values.count >= one.values.count ? other.values : one.values)
}
