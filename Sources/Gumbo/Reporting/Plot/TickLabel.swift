/// The text of a tick label: a base, and an exponent drawn as a superscript.
///
/// Labels are compact decimals (`0.5`, `−20`, `1500`) unless the axis holds
/// values of 10⁵ or more in magnitude, or non-zero values below 10⁻³; then
/// every label on that axis is written as a power of ten, `m×10ᵉ`, with the
/// mantissa dropped when it is 1 (`10⁻³`, `2×10⁵`, `1.5×10⁻⁴`). Decades on a
/// logarithmic axis are always written as powers of ten (`10⁰`, `10¹`,
/// `10²`). Negative signs are the minus sign U+2212, so `−3` rather than
/// `-3`. In SVG the exponent is a raised, smaller `<tspan>`.
public struct TickLabel: Sendable, Hashable, CustomStringConvertible {
    /// The text on the baseline: `"0.5"`, `"10"`, `"2×10"`.
    public var base: String
    /// The superscript exponent, if any: `"−3"`.
    public var exponent: String?

    public init(_ base: String, exponent: String? = nil) {
        self.base = base
        self.exponent = exponent
    }

    /// The label on one line, the exponent after a caret: `10^−3`.
    public var description: String {
        exponent.map { "\(base)^\($0)" } ?? base
    }

    /// The label for `multiple × 10^exponent`, as a plain decimal or in
    /// powers of ten.
    static func make(multiple: Int, exponent: Int, scientific: Bool) -> TickLabel {
        if multiple == 0 { return TickLabel("0") }
        let sign = multiple < 0 ? "\u{2212}" : ""
        // Trailing zeros move into the exponent, so 50 × 10⁻² is read as 5 × 10⁻¹.
        var digits = String(multiple.magnitude)
        var power = exponent
        while digits.count > 1, digits.hasSuffix("0") {
            digits.removeLast()
            power += 1
        }
        if scientific {
            let leading = power + digits.count - 1
            let mantissa = digits.count == 1 ? digits : "\(digits.first!).\(digits.dropFirst())"
            let base = mantissa == "1" ? "10" : "\(mantissa)×10"
            return TickLabel(sign + base, exponent: minusSigned(leading))
        }
        if power >= 0 {
            return TickLabel(sign + digits + String(repeating: "0", count: power))
        }
        let fractionDigits = -power
        if digits.count <= fractionDigits {
            digits = String(repeating: "0", count: fractionDigits - digits.count + 1) + digits
        }
        let split = digits.index(digits.endIndex, offsetBy: -fractionDigits)
        return TickLabel(sign + digits[..<split] + "." + digits[split...])
    }

    /// An integer with a typographic minus sign.
    static func minusSigned(_ value: Int) -> String {
        value < 0 ? "\u{2212}\(value.magnitude)" : "\(value)"
    }
}
