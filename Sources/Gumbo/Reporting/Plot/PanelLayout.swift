/// One plot's geometry, worked out before anything is drawn: the input
/// checked, the ticks chosen, the margins sized to the tick labels, axis
/// labels and legend, and the data area placed.
///
/// The text sizes are estimates (see ``SVGWriter/estimatedWidth(_:fontSize:)``)
/// since SVG offers no font metrics; they err on the wide side.
struct PanelLayout {
    static let tickFontSize = 11.0
    static let labelFontSize = 12.0
    static let titleFontSize = 14.0
    static let tickLength = 5.0
    static let legendRowHeight = 18.0
    static let legendSampleWidth = 28.0

    let plot: LinePlot
    let name: String
    let originX: Double
    let originY: Double
    let xTicks: AxisTicks
    let yTicks: AxisTicks
    let transform: PlotTransform
    /// The series in the legend, with their position in the plot.
    let legendEntries: [(index: Int, series: LinePlot.Series)]
    let legendWidth: Double
    /// Every how many major ticks a label is drawn, so labels do not overlap.
    let xLabelStride: Int
    let yLabelStride: Int

    init(plot: LinePlot, name: String, originX: Double, originY: Double) throws {
        self.plot = plot
        self.name = name
        self.originX = originX
        self.originY = originY

        guard !plot.series.isEmpty else { throw PlotError.noSeries(plot: name) }
        for series in plot.series {
            if let band = series.band, band.lower.count != series.points.count || band.upper.count != series.points.count {
                throw PlotError.bandLengthMismatch(plot: name, series: series.name, points: series.points.count,
                                                   lower: band.lower.count, upper: band.upper.count)
            }
        }
        try Self.validate(plot.x, axis: "x", plot: name)
        try Self.validate(plot.y, axis: "y", plot: name)

        // The data ranges: drawable values only, and for one axis only the
        // points inside the other axis' fixed range, if it has one.
        var xValues: [Double] = []
        var yValues: [Double] = []
        let xShows = { (value: Double) in plot.x.scale.isDrawable(value) && (plot.x.range?.contains(value) ?? true) }
        let yShows = { (value: Double) in plot.y.scale.isDrawable(value) && (plot.y.range?.contains(value) ?? true) }
        for series in plot.series {
            for (index, point) in series.points.enumerated() where xShows(point.x) {
                var ys = [point.y]
                if let band = series.band { ys += [band.lower[index], band.upper[index]] }
                for y in ys where yShows(y) {
                    xValues.append(point.x)
                    yValues.append(y)
                }
            }
        }
        guard let xLow = xValues.min(), let xHigh = xValues.max(), let yLow = yValues.min(), let yHigh = yValues.max() else {
            throw PlotError.nothingToDraw(plot: name)
        }
        xTicks = Self.ticks(plot.x, data: xLow...xHigh)
        yTicks = Self.ticks(plot.y, data: yLow...yHigh)

        // Margins, from the outside in.
        let tickLabelWidth = yTicks.labels.map { SVGWriter.estimatedWidth($0, fontSize: Self.tickFontSize) }.max() ?? 0
        let left = 8 + (plot.y.label.isEmpty ? 0 : 22) + tickLabelWidth + 3 + Self.tickLength
        let top: Double = plot.title.isEmpty ? 14 : 34
        let bottom = Self.tickLength + 3 + Self.tickFontSize + (plot.x.label.isEmpty ? 0 : 22) + 10
        legendEntries = plot.legend == .hidden ? [] : plot.series.enumerated()
            .filter { !$0.element.name.isEmpty }
            .map { (index: $0.offset, series: $0.element) }
        let nameWidth = legendEntries.map { SVGWriter.estimatedWidth($0.series.name, fontSize: Self.tickFontSize) }.max() ?? 0
        legendWidth = legendEntries.isEmpty ? 0 : 10 + Self.legendSampleWidth + 6 + nameWidth + 10
        let lastXLabel = xTicks.labels.last.map { SVGWriter.estimatedWidth($0, fontSize: Self.tickFontSize) } ?? 0
        let right = legendEntries.isEmpty ? max(14, lastXLabel / 2 + 8) : 14 + legendWidth + 8
        let width = plot.width - left - right
        let height = plot.height - top - bottom
        guard width >= 40, height >= 40 else {
            throw PlotError.tooSmall(plot: name, width: plot.width, height: plot.height)
        }
        transform = PlotTransform(
            xScale: plot.x.scale, yScale: plot.y.scale, xRange: xTicks.range, yRange: yTicks.range,
            left: originX + left, top: originY + top, width: width, height: height)

        // Label every tick, or every second, third… when neighbours would touch.
        let transform = self.transform
        let xPositions = xTicks.major.map { transform.pixelX($0) ?? 0 }
        let xWidths = xTicks.labels.map { SVGWriter.estimatedWidth($0, fontSize: Self.tickFontSize) }
        xLabelStride = Self.labelStride(count: xPositions.count) { a, b in
            abs(xPositions[b] - xPositions[a]) >= (xWidths[a] + xWidths[b]) / 2 + 8
        }
        let yPositions = yTicks.major.map { transform.pixelY($0) ?? 0 }
        yLabelStride = Self.labelStride(count: yPositions.count) { a, b in
            abs(yPositions[b] - yPositions[a]) >= Self.tickFontSize + 3
        }
    }

    /// The data area's right edge, where the legend starts.
    var areaRight: Double { transform.left + transform.width }
    var areaBottom: Double { transform.top + transform.height }

    private static func validate(_ axis: PlotAxis, axis name: String, plot: String) throws {
        guard let range = axis.range else { return }
        let (lower, upper) = (range.lowerBound, range.upperBound)
        guard lower.isFinite, upper.isFinite else {
            throw PlotError.nonFiniteRange(plot: plot, axis: name, lower: lower, upper: upper)
        }
        guard lower < upper else {
            throw PlotError.emptyRange(plot: plot, axis: name, lower: lower, upper: upper)
        }
        if axis.scale == .logarithmic, lower <= 0 {
            throw PlotError.nonPositiveLogRange(plot: plot, axis: name, lower: lower, upper: upper)
        }
    }

    private static func ticks(_ axis: PlotAxis, data: ClosedRange<Double>) -> AxisTicks {
        switch (axis.scale, axis.range) {
        case (.linear, let range?): return .linear(within: range)
        case (.linear, nil): return .linear(covering: data)
        case (.logarithmic, let range?): return .logarithmic(within: range, minor: axis.minorTicks)
        case (.logarithmic, nil): return .logarithmic(covering: data, minor: axis.minorTicks)
        }
    }

    /// The smallest stride at which every pair of labelled neighbours fits.
    private static func labelStride(count: Int, fits: (Int, Int) -> Bool) -> Int {
        for stride in 1..<max(count, 2) {
            let labelled = Array(Swift.stride(from: 0, to: count, by: stride))
            if zip(labelled, labelled.dropFirst()).allSatisfy(fits) { return stride }
        }
        return max(count - 1, 1)
    }
}
