/// Drawing a laid-out panel as SVG, back to front: grid lines, error bands,
/// lines, markers (bands, lines and markers clipped to the data area), then
/// the frame, ticks, labels, title and legend.
extension PanelLayout {
    private typealias Series = LinePlot.Series

    static let titleColor = "#111111"
    private static let textColor = "#222222"
    private static let legendFrameColor = "#cccccc"
    private static let frameColor = "#333333"
    private static let majorGridColor = "#dddddd"
    private static let minorGridColor = "#f0f0f0"
    private static let bandOpacity = "0.18"
    private static let markerRadius = 3.25

    func render(into writer: inout SVGWriter, clipID: String) {
        let n = SVGWriter.number
        let t = transform
        let markerClip = Self.markerRadius + 2
        writer.line("<g>")
        writer.line("<defs>")
        writer.line(#"<clipPath id="\#(clipID)-data"><rect x="\#(n(t.left))" y="\#(n(t.top))" width="\#(n(t.width))" height="\#(n(t.height))"/></clipPath>"#)
        writer.line(#"<clipPath id="\#(clipID)-markers"><rect x="\#(n(t.left - markerClip))" y="\#(n(t.top - markerClip))" width="\#(n(t.width + 2 * markerClip))" height="\#(n(t.height + 2 * markerClip))"/></clipPath>"#)
        writer.line("</defs>")

        renderGrid(into: &writer)

        writer.line(#"<g clip-path="url(#\#(clipID)-data)">"#)
        for (index, series) in plot.series.enumerated() {
            let d = bandPath(series)
            guard !d.isEmpty else { continue }
            writer.line(#"<path d="\#(d)" fill="\#(color(series, index))" fill-opacity="\#(Self.bandOpacity)" stroke="none"/>"#)
        }
        for (index, series) in plot.series.enumerated() {
            let d = linePath(series)
            guard !d.isEmpty else { continue }
            writer.line(#"<path d="\#(d)" \#(strokeAttributes(series, index))/>"#)
        }
        writer.line("</g>")

        let markerSeries = plot.series.enumerated().filter { $0.element.style.marker != .none }
        if !markerSeries.isEmpty {
            writer.line(#"<g clip-path="url(#\#(clipID)-markers)" stroke="white" stroke-width="0.75">"#)
            for (index, series) in markerSeries {
                let centers = series.points.compactMap { t.pixel(x: $0.x, y: $0.y) }
                guard !centers.isEmpty else { continue }
                let d = centers.map { Self.markerPath(series.style.marker, at: $0) }.joined(separator: " ")
                writer.line(#"<path d="\#(d)" fill="\#(color(series, index))"/>"#)
            }
            writer.line("</g>")
        }

        writer.line(#"<rect x="\#(n(t.left))" y="\#(n(t.top))" width="\#(n(t.width))" height="\#(n(t.height))" fill="none" stroke="\#(Self.frameColor)" stroke-width="1"/>"#)
        renderTicks(into: &writer)
        renderLabels(into: &writer)
        renderLegend(into: &writer)
        writer.line("</g>")
    }

    // MARK: Axes

    private func renderGrid(into writer: inout SVGWriter) {
        let n = SVGWriter.number
        let t = transform
        let verticals = { (values: [Double]) in
            values.compactMap { t.pixelX($0) }.map { "M\(n($0)),\(n(t.top)) V\(n(areaBottom))" }
        }
        let horizontals = { (values: [Double]) in
            values.compactMap { t.pixelY($0) }.map { "M\(n(t.left)),\(n($0)) H\(n(areaRight))" }
        }
        let minor = verticals(xTicks.minor) + horizontals(yTicks.minor)
        if !minor.isEmpty {
            writer.line(#"<path d="\#(minor.joined(separator: " "))" fill="none" stroke="\#(Self.minorGridColor)" stroke-width="1"/>"#)
        }
        let major = verticals(xTicks.major) + horizontals(yTicks.major)
        if !major.isEmpty {
            writer.line(#"<path d="\#(major.joined(separator: " "))" fill="none" stroke="\#(Self.majorGridColor)" stroke-width="1"/>"#)
        }
    }

    private func renderTicks(into writer: inout SVGWriter) {
        let n = SVGWriter.number
        let t = transform
        let minorLength = Self.tickLength * 0.6
        var marks: [String] = []
        marks += xTicks.major.compactMap { t.pixelX($0) }.map { "M\(n($0)),\(n(areaBottom)) v\(n(Self.tickLength))" }
        marks += xTicks.minor.compactMap { t.pixelX($0) }.map { "M\(n($0)),\(n(areaBottom)) v\(n(minorLength))" }
        marks += yTicks.major.compactMap { t.pixelY($0) }.map { "M\(n(t.left)),\(n($0)) h\(n(-Self.tickLength))" }
        marks += yTicks.minor.compactMap { t.pixelY($0) }.map { "M\(n(t.left)),\(n($0)) h\(n(-minorLength))" }
        writer.line(#"<path d="\#(marks.joined(separator: " "))" fill="none" stroke="\#(Self.frameColor)" stroke-width="1"/>"#)
    }

    private func renderLabels(into writer: inout SVGWriter) {
        let n = SVGWriter.number
        let t = transform
        let tickFont = n(Self.tickFontSize)
        writer.line(#"<g font-size="\#(tickFont)" fill="\#(Self.textColor)">"#)
        let xBaseline = areaBottom + Self.tickLength + 3 + Self.tickFontSize * 0.8
        for (index, (value, label)) in zip(xTicks.major, xTicks.labels).enumerated() where index % xLabelStride == 0 {
            guard let x = t.pixelX(value) else { continue }
            writer.line(#"<text x="\#(n(x))" y="\#(n(xBaseline))" text-anchor="middle">\#(SVGWriter.markup(label))</text>"#)
        }
        for (index, (value, label)) in zip(yTicks.major, yTicks.labels).enumerated() where index % yLabelStride == 0 {
            guard let y = t.pixelY(value) else { continue }
            writer.line(#"<text x="\#(n(t.left - Self.tickLength - 3))" y="\#(n(y + Self.tickFontSize * 0.35))" text-anchor="end">\#(SVGWriter.markup(label))</text>"#)
        }
        writer.line("</g>")

        let labelFont = n(Self.labelFontSize)
        if !plot.x.label.isEmpty {
            let baseline = xBaseline + 8 + Self.labelFontSize
            writer.line(#"<text x="\#(n(t.left + t.width / 2))" y="\#(n(baseline))" text-anchor="middle" font-size="\#(labelFont)" fill="\#(Self.textColor)">\#(SVGWriter.escape(plot.x.label))</text>"#)
        }
        if !plot.y.label.isEmpty {
            // Rotated a quarter turn anticlockwise about the origin, (x, y) is drawn at (y, −x).
            let baseline = originX + 8 + Self.labelFontSize
            writer.line(#"<text transform="rotate(-90)" x="\#(n(-(t.top + t.height / 2)))" y="\#(n(baseline))" text-anchor="middle" font-size="\#(labelFont)" fill="\#(Self.textColor)">\#(SVGWriter.escape(plot.y.label))</text>"#)
        }
        if !plot.title.isEmpty {
            writer.line(#"<text x="\#(n(t.left + t.width / 2))" y="\#(n(originY + 22))" text-anchor="middle" font-size="\#(n(Self.titleFontSize))" font-weight="bold" fill="\#(Self.titleColor)">\#(SVGWriter.escape(plot.title))</text>"#)
        }
    }

    // MARK: Legend

    private func renderLegend(into writer: inout SVGWriter) {
        guard let box = legendBox else { return }
        let n = SVGWriter.number
        writer.line(#"<g font-size="\#(n(Self.tickFontSize))" fill="\#(Self.textColor)">"#)
        writer.line(#"<rect x="\#(n(box.x))" y="\#(n(box.y))" width="\#(n(box.width))" height="\#(n(box.height))" rx="2" fill="white" stroke="\#(Self.legendFrameColor)" stroke-width="1"/>"#)
        for item in legendItems {
            let (series, index, center, sampleLeft) = (item.series, item.index, item.center, item.sampleLeft)
            if series.band != nil {
                writer.line(#"<rect x="\#(n(sampleLeft))" y="\#(n(center - 6))" width="\#(n(Self.legendSampleWidth))" height="12" fill="\#(color(series, index))" fill-opacity="\#(Self.bandOpacity)"/>"#)
            }
            writer.line(#"<path d="M\#(n(sampleLeft)),\#(n(center)) h\#(n(Self.legendSampleWidth))" \#(strokeAttributes(series, index))/>"#)
            if series.style.marker != .none {
                let marker = Self.markerPath(series.style.marker, at: (sampleLeft + Self.legendSampleWidth / 2, center))
                writer.line(#"<path d="\#(marker)" fill="\#(color(series, index))" stroke="white" stroke-width="0.75"/>"#)
            }
            writer.line(#"<text x="\#(n(sampleLeft + Self.legendSampleWidth + 6))" y="\#(n(center + Self.tickFontSize * 0.35))">\#(SVGWriter.escape(series.name))</text>"#)
        }
        writer.line("</g>")
    }

    // MARK: Series

    private func color(_ series: Series, _ index: Int) -> String {
        PlotPalette.color(series.style.color ?? index)
    }

    private func strokeAttributes(_ series: Series, _ index: Int) -> String {
        let n = SVGWriter.number
        let width = series.style.lineWidth
        var attributes = #"fill="none" stroke="\#(color(series, index))" stroke-width="\#(n(width))" stroke-linejoin="round" stroke-linecap="round""#
        // Gaps are widened by the line width, which the round caps eat into.
        let pattern: [Double]
        switch series.style.dash {
        case .solid: pattern = []
        case .dashed: pattern = [5, 3 + width]
        case .dotted: pattern = [0.01, 2 + width]
        case .dashDot: pattern = [6, 2 + width, 0.01, 2 + width]
        }
        if !pattern.isEmpty {
            attributes += #" stroke-dasharray="\#(pattern.map(n).joined(separator: " "))""#
        }
        return attributes
    }

    /// The series as one path: a subpath per run of drawable points, so a
    /// dropped point leaves a gap. A lone point is a zero-length segment,
    /// which round caps draw as a dot.
    private func linePath(_ series: Series) -> String {
        let n = SVGWriter.number
        let t = transform
        var runs: [[(x: Double, y: Double)]] = [[]]
        for point in series.points {
            if let pixel = t.pixel(x: point.x, y: point.y) {
                runs[runs.count - 1].append(pixel)
            } else if !runs[runs.count - 1].isEmpty {
                runs.append([])
            }
        }
        return runs.filter { !$0.isEmpty }.map { run in
            let head = "M\(n(run[0].x)),\(n(run[0].y))"
            guard run.count > 1 else { return head + " h0" }
            return head + " L" + run.dropFirst().map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
        }.joined(separator: " ")
    }

    /// The error band as closed polygons, one per run of points whose x and
    /// both band ends are drawable: along the upper ends, back along the lower.
    private func bandPath(_ series: Series) -> String {
        guard let band = series.band else { return "" }
        let n = SVGWriter.number
        let t = transform
        var runs: [[(x: Double, lower: Double, upper: Double)]] = [[]]
        for (index, point) in series.points.enumerated() {
            if let x = t.pixelX(point.x), let lower = t.pixelY(band.lower[index]), let upper = t.pixelY(band.upper[index]) {
                runs[runs.count - 1].append((x, lower, upper))
            } else if !runs[runs.count - 1].isEmpty {
                runs.append([])
            }
        }
        return runs.filter { $0.count > 1 }.map { run in
            let upper = run.map { "\(n($0.x)),\(n($0.upper))" }
            let lower = run.reversed().map { "\(n($0.x)),\(n($0.lower))" }
            return "M" + upper[0] + " L" + (upper.dropFirst() + lower).joined(separator: " ") + " Z"
        }.joined(separator: " ")
    }

    private static func markerPath(_ marker: Series.Style.Marker, at center: (x: Double, y: Double)) -> String {
        let n = SVGWriter.number
        let r = markerRadius
        let (x, y) = center
        switch marker {
        case .none:
            return ""
        case .circle:
            return "M\(n(x - r)),\(n(y)) a\(n(r)),\(n(r)) 0 1,0 \(n(2 * r)),0 a\(n(r)),\(n(r)) 0 1,0 \(n(-2 * r)),0 Z"
        case .square:
            let side = r * 1.7
            return "M\(n(x - side / 2)),\(n(y - side / 2)) h\(n(side)) v\(n(side)) h\(n(-side)) Z"
        case .triangle:
            let s = r * 1.25
            return "M\(n(x)),\(n(y - s)) L\(n(x + s * 0.87)),\(n(y + s * 0.5)) \(n(x - s * 0.87)),\(n(y + s * 0.5)) Z"
        case .diamond:
            let s = r * 1.25
            return "M\(n(x)),\(n(y - s)) L\(n(x + s)),\(n(y)) \(n(x)),\(n(y + s)) \(n(x - s)),\(n(y)) Z"
        }
    }
}
