extension Sequence where Element == UInt8 {
    /// The bytes as lower-case hex, two digits each, joined by `separator`
    /// (`[0x0a, 0xff]` → "0aff", or "0a:ff" with ":").
    public func lowercaseHex(separator: String = "") -> String {
        let digits = Array("0123456789abcdef".utf8)
        return map { String(decoding: [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]], as: UTF8.self) }
            .joined(separator: separator)
    }
}
