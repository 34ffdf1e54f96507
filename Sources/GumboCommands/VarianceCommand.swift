import Foundation
import Gumbo
import GumboWorkloads

/// `gumbo variance`: W1, the gradient-estimator experiment, as a Markdown
/// table, JSON, and a log-log plot of variance against n.
enum VarianceCommand: Command {
    static let name = "variance"
    static let summary = "W1: gradient variance of REINFORCE and Gumbel-softmax against the number of samples"
    static let help = """
    usage: gumbo variance [--trials N] [--seed S] [--json] [--plot FILE.svg]

    W1 of BENCHMARKS.md: one categorical variable with 8 classes, rewards
    r_i = c + i/7 at offsets c = 0 and 1. Every estimator (reinforce,
    reinforce:baseline=loo, gumbel-softmax at tau 0.1, 0.5 and 1,
    st-gumbel-softmax:tau=0.5) estimates the gradient from n = 1, 2, 4, ..., 256
    samples in N independent trials; the table gives the mean, variance, bias and
    MSE of dL/dalpha_0 and sums over the gradient vector, the log-log slopes of
    variance against n, and reinforce's variance over gumbel-softmax:tau=0.5's.

    options:
      --trials N       independent trials per (offset, n) (default 200)
      --seed S         the seed of the noise (default 1)
      --json           print one JSON object: trials, rows of {offset, estimator, n,
                       mean, variance, bias, mse, ...}, slopes and ratios
      --plot FILE.svg  write variance against n on log-log axes, one panel per offset
    """

    static func run(_ arguments: [String], console: Console) throws {
        let args = try Arguments(arguments, options: ["trials", "seed", "plot"], flags: ["json", "help"])
        if args.flag("help") { console.print(help); return }
        guard args.positional.isEmpty else { throw Arguments.UsageError(description: "unexpected argument '\(args.positional[0])'") }
        let trials = try args.integer("trials", default: 200, range: 2...10_000_000)
        let seed = try args.seed(default: Variance8.defaultSeed)
        if let path = args.string("plot"), path.isEmpty { throw Arguments.UsageError(description: "--plot needs a file name") }
        let result = try Variance8(trials: trials, seed: seed).run()
        if let path = args.string("plot") {
            try figure(result).write(to: path)
        }
        if args.flag("json") {
            console.print(result.json.text)
        } else {
            console.print(result.markdownTable())
            if let path = args.string("plot") { console.print("plot: \(path)") }
        }
    }

    /// Variance of ∂L/∂α₀ against n on log-log axes, one panel per offset;
    /// REINFORCE and Gumbel-softmax at τ = 0.5 (the published claim's pair)
    /// carry bands of ±2 standard errors of the variance, `v·√(2/(T − 1))`
    /// for T trials (normal approximation).
    static func figure(_ result: Variance8.Result) -> PlotGrid {
        let configuration = result.configuration
        let markers: [LinePlot.Series.Style.Marker] = [.circle, .square, .triangle, .diamond, .circle, .square]
        let claimed: Set<Variance8.Estimator> = [.reinforce, .gumbelSoftmax(temperature: configuration.ratioTemperature)]
        let spread = (2.0 / Double(configuration.trials - 1)).squareRoot()
        // One y range for both panels, in whole decades, so they compare by eye.
        let variances = result.rows.map(\.variance).filter { $0 > 0 && $0.isFinite }
        let yRange = variances.min().flatMap { low in variances.max().map { high in
            pow(10, (log10(low)).rounded(.down))...pow(10, (log10(high)).rounded(.up))
        } }
        let sizes = configuration.sampleSizes.map(Double.init)
        let xRange = sizes.min().flatMap { low in sizes.max().map { high in low < high ? low...high : nil } } ?? nil
        let panels = configuration.offsets.map { offset in
            let series = configuration.estimators.enumerated().map { index, estimator -> LinePlot.Series in
                let rows = result.rows(offset: offset, estimator: estimator)
                let straightThrough: Bool
                if case .straightThroughGumbelSoftmax = estimator { straightThrough = true } else { straightThrough = false }
                let band = claimed.contains(estimator)
                    ? LinePlot.Series.Band(lower: rows.map { $0.variance * (1 - 2 * spread) }, upper: rows.map { $0.variance * (1 + 2 * spread) })
                    : nil
                return LinePlot.Series(name: estimator.name, points: rows.map { (x: Double($0.sampleSize), y: $0.variance) }, band: band,
                                       style: .init(color: index, dash: straightThrough ? .dashed : .solid,
                                                    marker: markers[index % markers.count]))
            }
            return LinePlot(title: "reward offset c = \(offset == offset.rounded() ? String(Int(offset)) : String(offset))",
                            x: .logarithmic("samples per estimate n", range: xRange),
                            y: .logarithmic("variance of dL/dα₀", range: yRange),
                            series: series, legend: .below, width: 560, height: 460)
        }
        return PlotGrid(title: "W1 variance8: gradient variance against n (\(configuration.trials) trials, seed \(configuration.seed); bands ±2 s.e.)",
                        panels: panels, columns: panels.count)
    }
}
