import Gumbo
import GumboWorkloads

/// The figure of `gumbo run --plot`: the objective at every step (an ELBO
/// estimate, or the surrogate of a relaxed run, labelled so), its moving
/// average, the workload's reference lines, and the honest ELBO of the
/// trained guide as one marked point at the last step.
struct TrainingCurve {
    let run: WorkloadRun
    let report: RunReport

    func figure() -> LinePlot {
        let curve = run.curve
        let objective = run.svi.isSurrogate ? "surrogate (relaxed objective)" : "ELBO estimate"
        let particles = report.settings.particles
        let perStep = "\(objective), \(particles) particle\(particles == 1 ? "" : "s") per step"
        var series: [LinePlot.Series] = [
            .init(name: perStep, points: curve.map { (x: Double($0.step), y: $0.objective) },
                  style: .init(color: 0, lineWidth: 0.75)),
        ]
        let window = max(1, curve.count / 50)
        if window > 1 {
            series.append(.init(name: "moving average of \(window) steps", points: Self.movingAverage(curve, window: window),
                                style: .init(color: 1, lineWidth: 2)))
        }
        let first = Double(curve.first?.step ?? 0), last = Double(curve.last?.step ?? report.steps)
        for (index, reference) in report.figures.references.enumerated() {
            series.append(.init(name: reference.name, points: [(x: first, y: reference.value), (x: last, y: reference.value)],
                                style: .init(color: 2 + index, dash: .dashed)))
        }
        let evaluation = report.evaluation
        let honest = evaluation.exactELBO != nil ? "exact ELBO after training" : "ELBO after training (hard samples)"
        series.append(.init(name: honest, points: [(x: last, y: evaluation.elbo)],
                            style: .init(color: 5, marker: .diamond)))

        let estimators = report.estimators.map { "\($0.site)=\($0.estimator)" }.joined(separator: ", ")
        return LinePlot(title: "\(report.label) \(report.workload): \(estimators)",
                        x: .linear("step"), y: .linear("\(objective) (nats)", range: yRange(series)),
                        series: series, width: 760, height: 440)
    }

    /// The range that shows the run after its first tenth (the early steps
    /// can lie thousands of nats below; they are clipped at the frame), the
    /// reference lines and the final ELBO.
    private func yRange(_ series: [LinePlot.Series]) -> ClosedRange<Double>? {
        let curve = run.curve
        let settled = curve.dropFirst(curve.count / 10).map(\.objective).filter(\.isFinite).sorted()
        var values: [Double] = []
        if !settled.isEmpty {
            values.append(settled[Int(Double(settled.count - 1) * 0.02)])
            values.append(settled[settled.count - 1])
        }
        values += report.figures.references.map(\.value)
        values.append(report.evaluation.elbo)
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), high > low else { return nil }
        let pad = 0.05 * (high - low)
        return (low - pad)...(high + pad)
    }

    /// The mean of each point and the `window − 1` before it.
    static func movingAverage(_ curve: [(step: Int, objective: Double)], window: Int) -> [(x: Double, y: Double)] {
        var points: [(x: Double, y: Double)] = []
        var sum = 0.0
        for (index, point) in curve.enumerated() {
            sum += point.objective
            if index >= window { sum -= curve[index - window].objective }
            if index >= window - 1 { points.append((Double(point.step), sum / Double(window))) }
        }
        return points
    }
}
