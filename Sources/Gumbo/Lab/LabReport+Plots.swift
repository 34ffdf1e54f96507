extension LabReport {
    /// The report's figures as panels of one grid:
    /// - with curves, the true ELBO against steps and against training
    ///   seconds, one series per assignment with a ±2 standard-error band,
    ///   and for relaxed assignments their surrogate objective, dashed in
    ///   the same colour;
    /// - the total gradient variance of each assignment, one point each
    ///   (log scale when any is positive; an exact gradient's 0 leaves no point);
    /// - with a particle sweep, total variance against K on log-log axes.
    ///
    /// An assignment keeps its colour in every panel.
    public func plots() throws -> PlotGrid {
        var panels: [LinePlot] = []
        if results.contains(where: { !($0.curve?.records.isEmpty ?? true) }) {
            panels.append(elboPanel(title: "True ELBO by step", x: .linear("step")) { Double($0.step) })
            panels.append(elboPanel(title: "True ELBO by training time", x: .linear("training seconds")) { $0.seconds })
        }
        panels.append(variancePanel())
        if !configuration.particleSweep.isEmpty, let sweep = sweepPanel() {
            panels.append(sweep)
        }
        return PlotGrid(title: "Estimator lab: \(model)", panels: panels, columns: min(panels.count, 2))
    }

    /// ``plots()`` as a standalone SVG document.
    public func svg() throws -> String {
        try plots().svg
    }

    /// Writes ``svg()`` to `path` atomically.
    public func writeSVG(to path: String) throws {
        try plots().write(to: path)
    }

    private func elboPanel(title: String, x: PlotAxis, _ position: (ELBOCurve.Record) -> Double) -> LinePlot {
        var series: [LinePlot.Series] = []
        for (index, result) in results.enumerated() {
            guard let records = result.curve?.records, !records.isEmpty else { continue }
            let positions = records.map(position)
            series.append(LinePlot.Series(
                name: result.name,
                points: zip(positions, records).map { (x: $0, y: $1.elbo) },
                band: .init(lower: records.map { $0.elbo - 2 * $0.elboStandardError },
                            upper: records.map { $0.elbo + 2 * $0.elboStandardError }),
                style: .init(color: index, marker: records.count <= 30 ? .circle : .none)))
            if result.curve?.isSurrogate == true {
                series.append(LinePlot.Series(
                    name: "\(result.name) (surrogate)",
                    points: zip(positions, records).map { (x: $0, y: $1.objective) },
                    style: .init(color: index, dash: .dashed)))
            }
        }
        return LinePlot(title: title, x: x, y: .linear("ELBO (nats)"), series: series, width: 600, height: 400)
    }

    private func variancePanel() -> LinePlot {
        let positive = results.contains { $0.totalVariance > 0 && $0.totalVariance.isFinite }
        let series = results.enumerated().map { index, result in
            LinePlot.Series(name: result.name, points: [(x: Double(index + 1), y: result.totalVariance)],
                            style: .init(color: index, marker: .circle))
        }
        return LinePlot(
            title: "Gradient variance (T = \(configuration.trials))",
            x: .linear("assignment (legend order)", range: 0.5...(Double(results.count) + 0.5)),
            y: positive ? .logarithmic("total variance") : .linear("total variance"),
            series: series, width: 600, height: 400)
    }

    private func sweepPanel() -> LinePlot? {
        let series = results.enumerated().compactMap { index, result -> LinePlot.Series? in
            let points = result.sweep.compactMap { point in point.totalVariance.map { (x: Double(point.particles), y: $0) } }
            guard points.contains(where: { $0.y > 0 && $0.y.isFinite }) else { return nil }
            return LinePlot.Series(name: result.name, points: points, style: .init(color: index, marker: .circle))
        }
        guard !series.isEmpty else { return nil }
        return LinePlot(title: "Gradient variance against particles", x: .logarithmic("particles K"),
                        y: .logarithmic("total variance"), series: series, width: 600, height: 400)
    }
}
