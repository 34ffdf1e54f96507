/// The map from data coordinates to SVG pixels in one plot's data area.
///
/// On each axis the transformed coordinate (the value, or its `log10`) is
/// mapped linearly onto the area, x left to right and y bottom to top (SVG's
/// y grows downwards):
///
///     px = left + (t(x) − t(x₀)) / (t(x₁) − t(x₀)) · width
///     py = top + height − (t(y) − t(y₀)) / (t(y₁) − t(y₀)) · height
///
/// where `[x₀, x₁]`, `[y₀, y₁]` are the axis ranges. Values outside a range
/// map outside the area (and are clipped when drawn).
public struct PlotTransform: Sendable, Hashable {
    public var xScale: AxisScale
    public var yScale: AxisScale
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    /// The data area in pixels: its left and top edges, width and height.
    public var left: Double
    public var top: Double
    public var width: Double
    public var height: Double

    public init(xScale: AxisScale, yScale: AxisScale, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
                left: Double, top: Double, width: Double, height: Double) {
        self.xScale = xScale
        self.yScale = yScale
        self.xRange = xRange
        self.yRange = yRange
        self.left = left
        self.top = top
        self.width = width
        self.height = height
    }

    /// The pixel position of a data point, or `nil` when a coordinate is not
    /// drawable on its axis.
    public func pixel(x: Double, y: Double) -> (x: Double, y: Double)? {
        guard let px = pixelX(x), let py = pixelY(y) else { return nil }
        return (px, py)
    }

    /// The pixel column of `x`, or `nil` when it is not drawable.
    public func pixelX(_ x: Double) -> Double? {
        guard xScale.isDrawable(x) else { return nil }
        return left + fraction(x, xScale, xRange) * width
    }

    /// The pixel row of `y`, or `nil` when it is not drawable.
    public func pixelY(_ y: Double) -> Double? {
        guard yScale.isDrawable(y) else { return nil }
        return top + height - fraction(y, yScale, yRange) * height
    }

    private func fraction(_ value: Double, _ scale: AxisScale, _ range: ClosedRange<Double>) -> Double {
        // Halved first, so a range as wide as ±10³⁰⁸ does not overflow.
        let low = scale.transformed(range.lowerBound) / 2
        let high = scale.transformed(range.upperBound) / 2
        return (scale.transformed(value) / 2 - low) / (high - low)
    }
}
