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
    /// The legend's entries, placed, and its box; no box when there is no legend.
    let legendItems: [LegendItem]
    let legendBox: (x: Double, y: Double, width: Double, height: Double)?
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
        let axisBottom = Self.tickLength + 3 + Self.tickFontSize + (plot.x.label.isEmpty ? 0 : 22) + 10
        let lastXLabel = xTicks.labels.last.map { SVGWriter.estimatedWidth($0, fontSize: Self.tickFontSize) } ?? 0

        // The legend: one column to the right of the data area, or, when that
        // column would take more than 40 % of the width, rows below the axis.
        let entries = plot.legend == .hidden ? [] : plot.series.enumerated().filter { !$0.element.name.isEmpty }
        let entryWidths = entries.map { Self.legendSampleWidth + 6 + SVGWriter.estimatedWidth($0.element.name, fontSize: Self.tickFontSize) }
        let columnWidth = 10 + (entryWidths.max() ?? 0) + 10
        let onRight: Bool
        switch plot.legend {
        case .right: onRight = true
        case .below, .hidden: onRight = false
        case .automatic: onRight = 14 + columnWidth + 8 <= 0.4 * plot.width
        }
        let right = !entries.isEmpty && onRight ? 14 + columnWidth + 8 : max(14, lastXLabel / 2 + 8)
        let width = plot.width - left - right
        // Rows below: entries flow left to right, 16 px apart, wrapping within the plot.
        var rowOffsets: [(row: Int, offset: Double)] = []
        var rowWidths: [Double] = [0]
        if !onRight {
            let available = plot.width - left - 8 - 20
            for entryWidth in entryWidths {
                let current = rowWidths[rowWidths.count - 1]
                if current > 0, current + 16 + entryWidth > available { rowWidths.append(0) }
                let offset = rowWidths[rowWidths.count - 1] == 0 ? 0 : rowWidths[rowWidths.count - 1] + 16
                rowOffsets.append((rowWidths.count - 1, offset))
                rowWidths[rowWidths.count - 1] = offset + entryWidth
            }
        }
        let legendHeight = 12 + Self.legendRowHeight * Double(onRight ? entries.count : rowWidths.count)
        let bottom = axisBottom + (entries.isEmpty || onRight ? 0 : legendHeight + 8)
        let height = plot.height - top - bottom
        guard width >= 40, height >= 40 else {
            throw PlotError.tooSmall(plot: name, width: plot.width, height: plot.height)
        }
        transform = PlotTransform(
            xScale: plot.x.scale, yScale: plot.y.scale, xRange: xTicks.range, yRange: yTicks.range,
            left: originX + left, top: originY + top, width: width, height: height)

        if entries.isEmpty {
            legendBox = nil
            legendItems = []
        } else if onRight {
            let box = (x: originX + left + width + 14, y: originY + top, width: columnWidth, height: legendHeight)
            legendBox = box
            legendItems = entries.enumerated().map { row, entry in
                LegendItem(index: entry.offset, series: entry.element, sampleLeft: box.x + 10,
                           center: box.y + 6 + Self.legendRowHeight * (Double(row) + 0.5))
            }
        } else {
            let box = (x: originX + left, y: originY + top + height + axisBottom,
                       width: 10 + rowWidths.max()! + 10, height: legendHeight)
            legendBox = box
            legendItems = zip(entries, rowOffsets).map { entry, place in
                LegendItem(index: entry.offset, series: entry.element, sampleLeft: box.x + 10 + place.offset,
                           center: box.y + 6 + Self.legendRowHeight * (Double(place.row) + 0.5))
            }
        }

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

    /// A series' legend entry: its sample line starts at `sampleLeft`, on
    /// the row whose vertical centre is `center`.
    struct LegendItem {
        let index: Int
        let series: LinePlot.Series
        let sampleLeft: Double
        let center: Double
    }

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
