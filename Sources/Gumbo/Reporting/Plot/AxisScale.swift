import Foundation

/// How data values are placed along an axis.
///
/// A ``logarithmic`` axis is base 10: equal distances are equal ratios, so a
/// quantity falling as `1/n` draws as a straight line of slope −1 on
/// log-log axes. Only finite values are drawable on either scale, and only
/// positive ones on a logarithmic scale; points with other values are
/// dropped from lines, leaving a gap (see ``LinePlot``).
public enum AxisScale: String, Sendable, Hashable, CaseIterable {
    case linear
    case logarithmic

    /// Whether `value` can be placed on this scale: finite, and positive on a
    /// logarithmic scale.
    public func isDrawable(_ value: Double) -> Bool {
        switch self {
        case .linear: return value.isFinite
        case .logarithmic: return value.isFinite && value > 0
        }
    }

    /// The coordinate in which this scale is linear: `value` itself, or
    /// `log10(value)`.
    public func transformed(_ value: Double) -> Double {
        switch self {
        case .linear: return value
        case .logarithmic: return log10(value)
        }
    }
}
