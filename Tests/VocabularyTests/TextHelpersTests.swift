import Foundation
import Testing
import Vocabulary

/// The text helpers that replace full Foundation's (issue 14), checked against Foundation
/// itself, which the tests may still link.
@Suite("text helpers")
struct TextHelpersTests {
    static let samples = [
        "", " ", "\t", "abc", "  abc  ", "\tabc\t", " a b ", "\n abc \n", "\r\n", "\u{00A0}x\u{00A0}",
        "\u{2003}wide\u{3000}", "\u{85}next\u{85}", "\u{2028}line\u{2029}", "é ", " 日本 ", "\u{200B}zero\u{200B}",
        "key = value", "  \n  ", "x\u{0B}", "\u{0C}y",
    ]

    @Test("trimmingWhitespace is Foundation's .whitespaces, trimmingWhitespaceAndNewlines its .whitespacesAndNewlines")
    func trimmingMatchesFoundation() {
        for sample in Self.samples {
            #expect(sample.trimmingWhitespace() == sample.trimmingCharacters(in: .whitespaces), "\(sample.debugDescription)")
            #expect(sample.trimmingWhitespaceAndNewlines() == sample.trimmingCharacters(in: .whitespacesAndNewlines),
                    "\(sample.debugDescription)")
            #expect(sample.dropFirst(0).trimmingWhitespace() == sample.trimmingCharacters(in: .whitespaces))
        }
    }

    @Test("lowercaseHex is %02x per byte")
    func hexMatchesFormat() {
        let bytes: [UInt8] = [0, 1, 9, 10, 15, 16, 127, 128, 200, 255]
        #expect(bytes.lowercaseHex() == bytes.map { String(format: "%02x", $0) }.joined())
        #expect(bytes.lowercaseHex(separator: ":") == bytes.map { String(format: "%02x", $0) }.joined(separator: ":"))
        #expect([UInt8]().lowercaseHex() == "")
    }

    @Test("zeroPadded is %0Nd, decimalText is %.Nf")
    func numbersMatchFormat() {
        for value in [0, 5, 9, 10, 59, 123, -7] {
            #expect(value.zeroPadded(width: 2) == String(format: "%02d", value))
        }
        for value in [0.0, 0.004, 0.005, 0.125, 1.5, 2.345, 12.999, 3600.25, 0.1 + 0.2, 123456.789] {
            #expect(value.decimalText(fractionDigits: 2) == String(format: "%.2f", value), "\(value)")
            #expect(value.decimalText(fractionDigits: 1) == String(format: "%.1f", value), "\(value)")
            #expect(value.decimalText(fractionDigits: 0) == String(format: "%.0f", value), "\(value)")
        }
        // And thousands of durations with ties and near-ties (k/8 and k/1000 seconds).
        var mismatches: [Double] = []
        for k in 0..<4000 {
            for value in [Double(k) / 8, Double(k) / 1000, Double(k) * 0.015] where
                value.decimalText(fractionDigits: 2) != String(format: "%.2f", value) { mismatches.append(value) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }
}
