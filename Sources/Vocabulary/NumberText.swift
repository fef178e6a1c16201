extension BinaryInteger {
    /// The number in decimal at least `width` characters wide, zeros in front (`7` → "07",
    /// `-7` → "-7"), as printf's `%0*d`.
    public func zeroPadded(width: Int) -> String {
        let digits = String(self.magnitude)
        let sign = self < 0 ? 1 : 0
        let padding = String(repeating: "0", count: Swift.max(0, width - sign - digits.count))
        return (self < 0 ? "-" : "") + padding + digits
    }
}

extension Double {
    /// The number in decimal with exactly `fractionDigits` digits after the point, as printf's
    /// `%.*f` (ties to even: 0.125 → "0.12"); for durations and sizes shown to a person.
    public func decimalText(fractionDigits: Int) -> String {
        guard isFinite else { return description }
        var scale = 1.0
        for _ in 0..<fractionDigits { scale *= 10 }
        let magnitude = abs(self)
        let product = magnitude * scale
        // The product was rounded; where it looks like a tie, the exact product (its rounding
        // error, from a fused multiply-add) says which way the decimal digits really go.
        let error = (-product).addingProduct(magnitude, scale)
        var scaled = product.rounded(.toNearestOrEven)
        if product - product.rounded(.down) == 0.5, error != 0 {
            scaled = error > 0 ? product.rounded(.up) : product.rounded(.down)
        }
        guard scaled < 9e15 else { return description }
        let whole = UInt64(scaled)
        let integer = whole / UInt64(scale), fraction = whole % UInt64(scale)
        let sign = self < 0 && whole != 0 ? "-" : ""
        guard fractionDigits > 0 else { return sign + String(integer) }
        return sign + String(integer) + "." + fraction.zeroPadded(width: fractionDigits)
    }
}
