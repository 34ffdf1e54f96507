import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// The example figure of `Docs/Plots.md`: gradient variance against sample
/// size on log-log axes beside an ELBO curve. The test writes it to
/// `$TMPDIR/gumbo-plot-example.svg` so it can be looked at.
@Suite("Plot example")
struct PlotExampleTests {
    typealias Series = LinePlot.Series

    static func exampleFigure() -> PlotGrid {
        // Variances falling as 1/n, with ±2 standard-error bands of a
        // 1000-trial estimate (relative standard error √(2/999) ≈ 0.045).
        let sizes: [Double] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
        let relativeError = 2 * (2.0 / 999).squareRoot()
        func falling(_ scale: Double) -> (points: [(x: Double, y: Double)], band: Series.Band) {
            let values = sizes.map { scale / $0 }
            return (zip(sizes, values).map { (x: $0, y: $1) },
                    Series.Band(lower: values.map { $0 * (1 - relativeError) }, upper: values.map { $0 * (1 + relativeError) }))
        }
        let reinforce = falling(4.2)
        let gumbel = falling(0.31)
        let variance = LinePlot(
            title: "Gradient variance, offset c = 1",
            x: .logarithmic("samples n"),
            y: .logarithmic("variance"),
            series: [
                Series(name: "REINFORCE", points: reinforce.points, band: reinforce.band, style: .init(marker: .circle)),
                Series(name: "Gumbel-softmax τ = 0.5", points: gumbel.points, band: gumbel.band,
                       style: .init(dash: .dashed, marker: .square)),
            ],
            width: 560, height: 400)

        let steps = Array(stride(from: 0.0, through: 2000, by: 25))
        func elbo(_ final: Double, _ rate: Double, _ wiggle: Double) -> [(x: Double, y: Double)] {
            steps.map { step in (x: step, y: final - 60 * exp(-step / rate) + wiggle * sin(step / 37)) }
        }
        let curves = LinePlot(
            title: "ELBO during training",
            x: .linear("step"),
            y: .linear("ELBO (nats)"),
            series: [
                Series(name: "REINFORCE", points: elbo(-98, 600, 1.5)),
                Series(name: "Gumbel-softmax τ = 0.5", points: elbo(-95, 250, 0.6), style: .init(dash: .dashed)),
                Series(name: "surrogate", points: elbo(-93, 250, 0.6), style: .init(color: 1, dash: .dotted)),
            ],
            width: 560, height: 400)
        return PlotGrid(title: "Estimator comparison (synthetic data)", panels: [variance, curves], columns: 2)
    }

    @Test("the example figure renders, is well-formed and is written where it can be looked at")
    func example() throws {
        let figure = Self.exampleFigure()
        let svg = try figure.svg
        let root = try XMLTree.parse(svg)
        #expect(root.name == "svg" && root.attributes["width"] == "1120")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gumbo-plot-example.svg").path
        try figure.write(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == svg)
    }
}
