extension Sequence where Element == UInt8 {
    /// The bytes as lower-case hex, two digits each, joined by `separator`
    /// (`[0x0a, 0xff]` → "0aff", or "0a:ff" with ":").
    public func lowercaseHex(separator: String = "") -> String {
        let digits = Array("0123456789abcdef".utf8)
        return map { String(decoding: [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]], as: UTF8.self) }
            .joined(separator: separator)
    }
}

extension String {
    /// Hex digits as Pidgin's certificate dialog and OpenSSL show a fingerprint: upper case, in
    /// pairs joined by colons ("ab12c" → "AB:12:C"). The one spelling for every fingerprint shown.
    public var colonSeparatedHexPairs: String {
        var pairs: [String] = []
        var pair = ""
        for character in uppercased() {
            pair.append(character)
            if pair.count == 2 { pairs.append(pair); pair = "" }
        }
        if !pair.isEmpty { pairs.append(pair) }
        return pairs.joined(separator: ":")
    }
}
