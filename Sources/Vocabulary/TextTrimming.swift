extension StringProtocol {
    /// Without leading and trailing spaces and tabs (Unicode space separators, U+0009 and
    /// the zero-width space U+200B: what Foundation's `.whitespaces` set trims); line breaks stay.
    public func trimmingWhitespace() -> String {
        trimming { $0.properties.generalCategory == .spaceSeparator || $0 == "\t" || $0 == "\u{200B}" }
    }

    /// Without leading and trailing white space and line breaks (Foundation's
    /// `.whitespacesAndNewlines`: space separators, tab, U+200B, U+000A–U+000D, U+0085, U+2028/9).
    public func trimmingWhitespaceAndNewlines() -> String {
        trimming { scalar in
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: true
            default: scalar == "\t" || scalar == "\u{200B}" || ("\n"..."\r").contains(scalar) || scalar == "\u{85}"
            }
        }
    }

    private func trimming(_ isTrimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isTrimmed($0) })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
