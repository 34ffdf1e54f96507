import Foundation

/// The range, tick positions and tick labels of one axis.
///
/// Linear axes get "nice" ticks: multiples of a step 1, 2 or 5 × 10ᵏ, four
/// to eight of them. Fitted to data (``linear(covering:)``), the range is
/// widened to the first and last tick, choosing the step that wastes least
/// room; with a fixed range (``linear(within:)``), the ticks are those inside
/// it, as close to six as the steps allow.
///
/// Logarithmic axes get a tick at each decade (every second, third… decade
/// when there are more than eight), and optional minor ticks at 2…9 × 10ᵏ.
/// Fitted to data, the range is widened to whole decades. A fixed range
/// narrower than two decades gets ticks at 1, 2 and 5 × 10ᵏ (or 1…9 × 10ᵏ)
/// inside it instead.
///
/// Labels follow ``TickLabel``: compact decimals, or powers of ten for very
/// large or small values and for decades.
///
///     AxisTicks.linear(covering: 0.013 ... 0.97).major   // [0, 0.2, 0.4, 0.6, 0.8, 1]
///     AxisTicks.logarithmic(covering: 3 ... 450).major   // [1, 10, 100, 1000]
public struct AxisTicks: Sendable, Hashable {
    /// The range the axis shows.
    public var range: ClosedRange<Double>
    /// The labelled tick positions, ascending.
    public var major: [Double]
    /// One label per major tick.
    public var labels: [TickLabel]
    /// Unlabelled tick positions, ascending (logarithmic axes only).
    public var minor: [Double]

    public init(range: ClosedRange<Double>, major: [Double], labels: [TickLabel], minor: [Double] = []) {
        self.range = range
        self.major = major
        self.labels = labels
        self.minor = minor
    }

    /// Ticks for a linear axis fitted to data in `data`, which must be
    /// finite. A range of zero width is widened by 10 % of its value (or by 1
    /// around 0) to either side.
    public static func linear(covering data: ClosedRange<Double>) -> AxisTicks {
        precondition(data.lowerBound.isFinite && data.upperBound.isFinite, "AxisTicks: the data range must be finite")
        let (low, high) = widenedIfDegenerate(data)
        let candidates = stepCandidates(span: high - low).compactMap { step -> Layout? in
            let stepValue = decimal(step.multiple, step.exponent)
            // The tolerance keeps 0.3 / 0.1 = 2.9999999999999996 from adding a tick below.
            let first = (low / stepValue + 1e-9).rounded(.down)
            let last = (high / stepValue - 1e-9).rounded(.up)
            return Layout(step: step, first: first, last: last)
        }
        let chosen = candidates.filter { (4...8).contains($0.count) }.min { a, b in
            let spanA = a.coveredSpan, spanB = b.coveredSpan
            if abs(spanA - spanB) > 1e-9 * max(spanA, spanB) { return spanA < spanB }
            return a.count < b.count
        } ?? closestCount(candidates)
        let ticks = chosen.ticks
        return make(ticks, range: ticks.first!.value ... ticks.last!.value, forceScientific: false)
    }

    /// Ticks for a linear axis showing exactly `range`, which must be finite
    /// and of positive width.
    public static func linear(within range: ClosedRange<Double>) -> AxisTicks {
        precondition(range.lowerBound.isFinite && range.upperBound.isFinite && range.lowerBound < range.upperBound,
                     "AxisTicks: the range must be finite and of positive width")
        let span = min(range.upperBound - range.lowerBound, .greatestFiniteMagnitude)
        let candidates = stepCandidates(span: span).compactMap { step -> Layout? in
            let stepValue = decimal(step.multiple, step.exponent)
            let first = (range.lowerBound / stepValue - 1e-9).rounded(.up)
            let last = (range.upperBound / stepValue + 1e-9).rounded(.down)
            return Layout(step: step, first: first, last: last)
        }
        let chosen = candidates.filter { (4...8).contains($0.count) }.min { a, b in
            let distanceA = abs(a.count - 6), distanceB = abs(b.count - 6)
            return distanceA != distanceB ? distanceA < distanceB : a.count < b.count
        } ?? closestCount(candidates)
        return make(chosen.ticks, range: range, forceScientific: false)
    }

    /// Ticks for a logarithmic axis fitted to data in `data`, which must be
    /// finite and positive. The range is widened to whole decades, and by a
    /// decade to either side when the data is a single power of ten.
    public static func logarithmic(covering data: ClosedRange<Double>, minor: Bool = true) -> AxisTicks {
        precondition(data.lowerBound.isFinite && data.upperBound.isFinite && data.lowerBound > 0,
                     "AxisTicks: a logarithmic data range must be finite and positive")
        // Powers of ten beyond 10^±300 under- or overflow once a stride is
        // added; data out there is clipped at the frame instead.
        var lowDecade = floorDecade(min(max(data.lowerBound, 1e-300), 1e300))
        var highDecade = ceilDecade(min(max(data.upperBound, 1e-300), 1e300))
        if lowDecade == highDecade {
            lowDecade -= 1
            highDecade += 1
        }
        // Every decade, or every second, third… so that at most eight are labelled.
        var stride = 1
        while -floorDivide(-highDecade, stride) - floorDivide(lowDecade, stride) + 1 > 8 { stride += 1 }
        lowDecade = max(floorDivide(lowDecade, stride) * stride, -307)
        highDecade = min(-floorDivide(-highDecade, stride) * stride, 307)
        return decades(from: lowDecade, through: highDecade, stride: stride, minor: minor,
                       range: decimal(1, lowDecade) ... decimal(1, highDecade))
    }

    /// Ticks for a logarithmic axis showing exactly `range`, which must be
    /// finite, positive and of positive width.
    public static func logarithmic(within range: ClosedRange<Double>, minor: Bool = true) -> AxisTicks {
        precondition(range.lowerBound.isFinite && range.upperBound.isFinite && range.lowerBound > 0 && range.lowerBound < range.upperBound,
                     "AxisTicks: a logarithmic range must be finite, positive and of positive width")
        let firstDecade = ceilDecade(range.lowerBound)
        let lastDecade = floorDecade(range.upperBound)
        if lastDecade > firstDecade {
            var stride = 1
            while floorDivide(lastDecade, stride) + floorDivide(-firstDecade, stride) + 1 > 8 { stride += 1 }
            let start = -floorDivide(-firstDecade, stride) * stride
            return decades(from: start, through: lastDecade, stride: stride, minor: minor, range: range)
        }
        // Less than two decades inside: label 1, 2, 5 × 10ᵏ, or failing that every 1…9 × 10ᵏ.
        let inside = { (mantissas: [Int]) -> [DecimalNumber] in
            (firstDecade - 1 ... lastDecade + 1).flatMap { exponent in
                mantissas.map { DecimalNumber(multiple: $0, exponent: exponent) }
            }.filter { contains(range, $0.value) }
        }
        var major = inside([1, 2, 5])
        if major.count < 2 { major = inside(Array(1...9)) }
        if major.count < 2 { return linear(within: range) }
        var ticks = make(major, range: range, forceScientific: false)
        if minor {
            let majorValues = Set(ticks.major)
            ticks.minor = inside(Array(1...9)).map(\.value).filter { !majorValues.contains($0) }
        }
        return ticks
    }

    // MARK: Decimal numbers

    /// `multiple × 10^exponent`, kept as integers so labels are written from
    /// digits rather than from a binary fraction.
    struct DecimalNumber {
        var multiple: Int
        var exponent: Int
        var value: Double { decimal(multiple, exponent) }
    }

    /// `multiple × 10^exponent`, correctly rounded: the power of ten is parsed
    /// (so exact up to 10²²), and divided by rather than multiplied by its
    /// inexact reciprocal, so 3 × 10⁻¹ is the double nearest 0.3.
    static func decimal(_ multiple: Int, _ exponent: Int) -> Double {
        exponent >= 0 ? Double(multiple) * powerOfTen(exponent) : Double(multiple) / powerOfTen(-exponent)
    }

    static func powerOfTen(_ exponent: Int) -> Double {
        Double("1e\(exponent)")!
    }

    /// The largest k with 10ᵏ ≤ x, for finite positive x.
    static func floorDecade(_ x: Double) -> Int {
        var exponent = Int(log10(x).rounded(.down))
        while decimal(1, exponent + 1) <= x { exponent += 1 }
        while decimal(1, exponent) > x { exponent -= 1 }
        return exponent
    }

    /// The smallest k with 10ᵏ ≥ x, for finite positive x.
    static func ceilDecade(_ x: Double) -> Int {
        let exponent = floorDecade(x)
        return decimal(1, exponent) < x ? exponent + 1 : exponent
    }

    // MARK: Layout helpers

    private struct Layout {
        var step: DecimalNumber
        var first: Double
        var last: Double
        var count: Int { Int(last - first) + 1 }
        var coveredSpan: Double { (last - first) * step.value }
        var ticks: [DecimalNumber] {
            (Int(first)...Int(last)).map { DecimalNumber(multiple: $0 * step.multiple, exponent: step.exponent) }
        }

        init?(step: DecimalNumber, first: Double, last: Double) {
            // Beyond 2⁵³ tick indices are no longer exact integers.
            guard abs(first) < 1e15, abs(last) < 1e15, last >= first else { return nil }
            self.step = step
            self.first = first
            self.last = last
        }
    }

    /// Steps 1, 2, 5 × 10ᵏ from about a hundredth of `span` to about `span`.
    private static func stepCandidates(span: Double) -> [DecimalNumber] {
        let top = floorDecade(span)
        return (top - 2 ... top + 1).flatMap { exponent in
            [1, 2, 5].map { DecimalNumber(multiple: $0, exponent: exponent) }
        }
    }

    /// The layout whose tick count is nearest four to eight, preferring fewer;
    /// used when no step gives four to eight.
    private static func closestCount(_ layouts: [Layout]) -> Layout {
        let usable = layouts.filter { $0.count >= 2 }
        return usable.min { a, b in
            let distanceA = a.count < 4 ? 4 - a.count : a.count - 8
            let distanceB = b.count < 4 ? 4 - b.count : b.count - 8
            return distanceA != distanceB ? distanceA < distanceB : a.count < b.count
        } ?? layouts[0]
    }

    private static func widenedIfDegenerate(_ data: ClosedRange<Double>) -> (Double, Double) {
        // Beyond ±10³⁰⁶ a span or a tick one step further out overflows;
        // such values are clipped at the frame instead.
        let low = min(max(data.lowerBound, -1e306), 1e306)
        let high = min(max(data.upperBound, -1e306), 1e306)
        guard high - low <= 1e-12 * max(abs(low), abs(high)) else { return (low, high) }
        let center = low / 2 + high / 2
        let half = center == 0 ? 1 : abs(center) * 0.1
        return (center - half, center + half)
    }

    private static func floorDivide(_ a: Int, _ b: Int) -> Int {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }

    private static func contains(_ range: ClosedRange<Double>, _ value: Double) -> Bool {
        let slack = 1e-9 * max(abs(range.lowerBound), abs(range.upperBound))
        return value >= range.lowerBound - slack && value <= range.upperBound + slack
    }

    private static func decades(from first: Int, through last: Int, stride: Int, minor: Bool, range: ClosedRange<Double>) -> AxisTicks {
        let exponents = Array(Swift.stride(from: first, through: last, by: stride))
        var ticks = make(exponents.map { DecimalNumber(multiple: 1, exponent: $0) }, range: range, forceScientific: true)
        guard minor else { return ticks }
        if stride == 1 {
            ticks.minor = (first - 1 ... last).flatMap { exponent in
                (2...9).map { decimal($0, exponent) }
            }.filter { contains(range, $0) }
        } else {
            ticks.minor = (first - stride ... last + stride).filter { !exponents.contains($0) }
                .map { decimal(1, $0) }.filter { contains(range, $0) }
        }
        return ticks
    }

    /// Labels the ticks: powers of ten when forced, or when any tick is 10⁵
    /// or more in magnitude, or non-zero and below 10⁻³; decimals otherwise.
    private static func make(_ ticks: [DecimalNumber], range: ClosedRange<Double>, forceScientific: Bool) -> AxisTicks {
        let scientific = forceScientific || ticks.contains { tick in
            let magnitude = abs(tick.value)
            return magnitude >= 1e5 || (magnitude > 0 && magnitude < 1e-3)
        }
        return AxisTicks(
            range: range,
            major: ticks.map(\.value),
            labels: ticks.map { TickLabel.make(multiple: $0.multiple, exponent: $0.exponent, scientific: scientific) })
    }
}
