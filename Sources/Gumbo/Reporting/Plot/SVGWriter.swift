import Foundation

/// Builds SVG text one line at a time, with numbers written to two decimals
/// and text escaped, so the same figure always gives the same bytes.
struct SVGWriter {
    private(set) var text = ""

    mutating func line(_ content: String) {
        text += content
        text += "\n"
    }

    /// `value` rounded to two decimals, trailing zeros dropped (`12.5`,
    /// `-3`, never `-0`). Values are clamped to ±10⁷ pixels: a point that far
    /// outside a fixed range is off the canvas either way, and the clamp
    /// keeps huge values out of the integer arithmetic. NaN, which the
    /// layout never produces, is written as 0 rather than trapping.
    static func number(_ value: Double) -> String {
        guard !value.isNaN else { return "0" }
        let clamped = min(max(value, -1e7), 1e7)
        let hundredths = Int((clamped * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = hundredths.magnitude
        let whole = magnitude / 100
        let fraction = magnitude % 100
        if fraction == 0 { return "\(sign)\(whole)" }
        if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)" }
        return fraction < 10 ? "\(sign)\(whole).0\(fraction)" : "\(sign)\(whole).\(fraction)"
    }

    /// Text safe inside an element or a quoted attribute: the five XML
    /// specials become entities, and control characters XML 1.0 forbids
    /// become U+FFFD.
    static func escape(_ raw: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(raw.utf8.count)
        for scalar in raw.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    escaped.unicodeScalars.append("\u{FFFD}")
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }

    /// A tick label's content: the base, then the exponent raised and smaller.
    static func markup(_ label: TickLabel) -> String {
        guard let exponent = label.exponent else { return escape(label.base) }
        return "\(escape(label.base))<tspan dy=\"-4.5\" font-size=\"8\">\(escape(exponent))</tspan>"
    }

    /// A rough width in pixels of `text` at `fontSize` in a sans-serif face:
    /// 0.6 em a character, generous for proportional fonts, used to size
    /// margins and the legend since SVG has no text metrics of its own.
    static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
        Double(text.count) * fontSize * 0.6
    }

    static func estimatedWidth(_ label: TickLabel, fontSize: Double) -> Double {
        estimatedWidth(label.base, fontSize: fontSize) + estimatedWidth(label.exponent ?? "", fontSize: fontSize * 8 / 11)
    }

    /// Writes `text` to `path` atomically (``AtomicFile``).
    static func writeAtomically(_ text: String, to path: String) throws {
        if case .failure(let failure) = AtomicFile.write(Data(text.utf8), to: path) {
            throw PlotError.unwritable(path: path, reason: failure.reason)
        }
    }
}
