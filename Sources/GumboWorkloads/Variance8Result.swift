import Foundation
import Gumbo

extension Variance8 {
    /// The component reported on its own, `∂L/∂α_0` (the one `BENCHMARKS.md`
    /// names); the `total…` figures cover the whole gradient vector.
    public static let reportedComponent = 0

    /// The published claim: Gumbel-softmax at τ = 0.5 has more than this
    /// many times lower variance than REINFORCE at every n.
    public static let claimedRatio = 10.0

    /// One (offset, estimator, n) cell: figures over the trials for
    /// `∂L/∂α_0`, and summed over the whole gradient vector.
    public struct Row: Hashable, Sendable {
        public let offset: Double
        public let estimator: Estimator
        /// The number of samples n per gradient estimate.
        public let sampleSize: Int
        /// The number of trials the figures are over.
        public let trials: Int

        /// The exact `∂L/∂α_0`.
        public let exact: Double
        /// The mean of the estimates of `∂L/∂α_0` over the trials.
        public let mean: Double
        /// Their unbiased variance over the trials.
        public let variance: Double
        /// `mean − exact`.
        public let bias: Double
        /// The standard error of ``mean`` (and of ``bias``), `sqrt(variance/trials)`.
        public let standardError: Double
        /// The mean over trials of `(estimate − exact)²`.
        public let meanSquaredError: Double

        /// The mean estimate of every component of the gradient.
        public let gradientMean: [Double]
        /// The unbiased variance of every component over the trials.
        public let gradientVariance: [Double]
        /// `Σ_j variance_j` over the whole gradient vector.
        public let totalVariance: Double
        /// `Σ_j (mean_j − exact_j)²`. A plug-in estimate: even an unbiased
        /// estimator shows about `totalVariance/trials` here.
        public let totalSquaredBias: Double
        /// `Σ_j` of the mean squared error of component j.
        public let totalMeanSquaredError: Double

        init(offset: Double, estimator: Estimator, sampleSize: Int, moments: GradientMoments) {
            let j = Variance8.reportedComponent
            let variance = moments.variance
            let meanSquaredError = moments.meanSquaredError
            self.offset = offset
            self.estimator = estimator
            self.sampleSize = sampleSize
            self.trials = moments.count
            self.exact = moments.exact[j]
            self.mean = moments.mean[j]
            self.variance = variance[j]
            self.bias = moments.mean[j] - moments.exact[j]
            self.standardError = (variance[j] / Double(moments.count)).squareRoot()
            self.meanSquaredError = meanSquaredError[j]
            self.gradientMean = moments.mean
            self.gradientVariance = variance
            self.totalVariance = variance.reduce(0, +)
            self.totalSquaredBias = zip(moments.mean, moments.exact).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            self.totalMeanSquaredError = meanSquaredError.reduce(0, +)
        }
    }

    /// The least-squares slope of log variance on log n for one (offset,
    /// estimator): −1 for a variance proportional to 1/n.
    public struct Slope: Hashable, Sendable {
        public let offset: Double
        public let estimator: Estimator
        /// The slope for the variance of `∂L/∂α_0`; `nil` with fewer than
        /// two sample sizes of positive variance.
        public let slope: Double?
        /// The slope for the variance summed over the gradient vector.
        public let totalSlope: Double?
    }

    /// REINFORCE's variance divided by Gumbel-softmax's at
    /// ``Variance8/ratioTemperature``, for one (offset, n).
    public struct Ratio: Hashable, Sendable {
        public let offset: Double
        public let sampleSize: Int
        /// For `∂L/∂α_0`.
        public let ratio: Double
        /// For the variance summed over the gradient vector.
        public let totalRatio: Double
    }

    /// What ``Variance8/run()`` measured.
    public struct Result: Hashable, Sendable {
        /// The settings of the run.
        public let configuration: Variance8
        /// The exact gradient for each of ``Variance8/offsets``, in order.
        public let exactGradients: [[Double]]
        /// One row per (offset, estimator, n), ordered by offset, then
        /// estimator (as ``Variance8/estimators``), then n; leave-one-out
        /// has no row at n = 1.
        public let rows: [Row]
        /// One per (offset, estimator).
        public let slopes: [Slope]
        /// One per (offset, n); empty when ``Variance8/ratioTemperature`` is
        /// not among the soft temperatures.
        public let ratios: [Ratio]

        init(configuration: Variance8, exactGradients: [[Double]], rows: [Row]) {
            self.configuration = configuration
            self.exactGradients = exactGradients
            self.rows = rows
            var slopes: [Slope] = []
            var ratios: [Ratio] = []
            let relaxed = Estimator.gumbelSoftmax(temperature: configuration.ratioTemperature)
            for offset in configuration.offsets {
                for estimator in configuration.estimators {
                    let cells = rows.filter { $0.offset == offset && $0.estimator == estimator }
                    let sizes = cells.map { Double($0.sampleSize) }
                    slopes.append(Slope(
                        offset: offset, estimator: estimator,
                        slope: Variance8.logLogSlope(sizes, cells.map(\.variance)),
                        totalSlope: Variance8.logLogSlope(sizes, cells.map(\.totalVariance))))
                }
                for n in configuration.sampleSizes {
                    let cell = rows.first { $0.offset == offset && $0.estimator == .reinforce && $0.sampleSize == n }
                    guard let reinforce = cell,
                          let gumbel = rows.first(where: { $0.offset == offset && $0.estimator == relaxed && $0.sampleSize == n })
                    else { continue }
                    ratios.append(Ratio(offset: offset, sampleSize: n,
                                        ratio: reinforce.variance / gumbel.variance,
                                        totalRatio: reinforce.totalVariance / gumbel.totalVariance))
                }
            }
            self.slopes = slopes
            self.ratios = ratios
        }

        /// The row of one (offset, estimator, n), if it was run.
        public func row(offset: Double, estimator: Estimator, sampleSize: Int) -> Row? {
            rows.first { $0.offset == offset && $0.estimator == estimator && $0.sampleSize == sampleSize }
        }

        /// The rows of one (offset, estimator), by increasing n.
        public func rows(offset: Double, estimator: Estimator) -> [Row] {
            rows.filter { $0.offset == offset && $0.estimator == estimator }
        }

        /// The slopes of one (offset, estimator).
        public func slope(offset: Double, estimator: Estimator) -> Slope? {
            slopes.first { $0.offset == offset && $0.estimator == estimator }
        }

        /// The ratios for one offset, by increasing n.
        public func ratios(offset: Double) -> [Ratio] {
            ratios.filter { $0.offset == offset }
        }

        /// The exact gradient for `offset`, if it was run.
        public func exactGradient(offset: Double) -> [Double]? {
            configuration.offsets.firstIndex(of: offset).map { exactGradients[$0] }
        }
    }

    /// The least-squares slope of `log y` on `log x`, over the points with
    /// `y > 0`; `nil` with fewer than two such points of distinct x.
    static func logLogSlope(_ x: [Double], _ y: [Double]) -> Double? {
        let points = zip(x, y).filter { $0.0 > 0 && $0.1 > 0 && $0.1.isFinite }.map { (log($0.0), log($0.1)) }
        guard points.count >= 2 else { return nil }
        let meanX = points.reduce(0) { $0 + $1.0 } / Double(points.count)
        let meanY = points.reduce(0) { $0 + $1.1 } / Double(points.count)
        var sxy = 0.0
        var sxx = 0.0
        for (px, py) in points {
            sxy += (px - meanX) * (py - meanY)
            sxx += (px - meanX) * (px - meanX)
        }
        return sxx > 0 ? sxy / sxx : nil
    }
}

// MARK: Rendering

extension Variance8.Result {
    /// The figures as Markdown: the exact gradient, one table per offset,
    /// the slopes, the ratios and a line on the published claim.
    public func markdownTable() -> String {
        let configuration = self.configuration
        let relaxedName = Variance8.Estimator.gumbelSoftmax(temperature: configuration.ratioTemperature).name
        var lines: [String] = []
        lines.append("## W1 variance8: \(configuration.trials) trials per (offset, n), seed \(configuration.seed)")
        lines.append("")
        lines.append("K = 8, α = \(Variance8.logits.map(Variance8.shortNumber)), rewards r_i = c + i/7.")
        if let exact = exactGradients.first {
            lines.append("Exact ∂L/∂α = [\(exact.map { format($0) }.joined(separator: ", "))] (the same for every offset c).")
        }
        lines.append("Columns: ∂L/∂α₀ figures, then Σ over the gradient vector. Bias is mean − exact (its standard error in brackets).")
        for offset in configuration.offsets {
            lines.append("")
            lines.append("### Offset c = \(Variance8.shortNumber(offset))")
            lines.append("")
            lines.append("| estimator | n | mean | variance | bias (s.e.) | MSE | Σ variance | Σ bias² | Σ MSE |")
            lines.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
            for row in rows where row.offset == offset {
                lines.append("| \(row.estimator.name) | \(row.sampleSize) | \(format(row.mean)) | \(format(row.variance)) | "
                    + "\(format(row.bias)) (\(format(row.standardError, digits: 2))) | \(format(row.meanSquaredError)) | "
                    + "\(format(row.totalVariance)) | \(format(row.totalSquaredBias)) | \(format(row.totalMeanSquaredError)) |")
            }
        }
        lines.append("")
        lines.append("### Variance slopes (least squares of log variance on log n; 1/n gives −1)")
        lines.append("")
        lines.append("| offset | estimator | slope ∂L/∂α₀ | slope Σ |")
        lines.append("|--:|---|--:|--:|")
        for slope in slopes {
            lines.append("| \(Variance8.shortNumber(slope.offset)) | \(slope.estimator.name) | "
                + "\(slope.slope.map { format($0, digits: 3) } ?? "–") | \(slope.totalSlope.map { format($0, digits: 3) } ?? "–") |")
        }
        if !ratios.isEmpty {
            lines.append("")
            lines.append("### Variance ratio reinforce / \(relaxedName)")
            lines.append("")
            let offsets = configuration.offsets
            lines.append("| n | " + offsets.map { "c = \(Variance8.shortNumber($0)) ∂L/∂α₀ | c = \(Variance8.shortNumber($0)) Σ" }.joined(separator: " | ") + " |")
            lines.append("|--:|" + String(repeating: "--:|--:|", count: offsets.count))
            for n in configuration.sampleSizes {
                let cells = offsets.map { offset in ratios.first { $0.offset == offset && $0.sampleSize == n } }
                guard cells.allSatisfy({ $0 != nil }) else { continue }
                lines.append("| \(n) | " + cells.map { "\(format($0!.ratio, digits: 3)) | \(format($0!.totalRatio, digits: 3))" }.joined(separator: " | ") + " |")
            }
            lines.append("")
            lines.append("Published claim: \(relaxedName) has more than \(Variance8.shortNumber(Variance8.claimedRatio))× lower variance than reinforce at every n.")
            for offset in offsets {
                let values = ratios(offset: offset).map(\.ratio)
                guard let low = values.min(), let high = values.max() else { continue }
                let verdict = low > Variance8.claimedRatio ? "holds" : (high < 1 ? "fails: reinforce has the lower variance at every n" : "fails")
                lines.append("- c = \(Variance8.shortNumber(offset)), ∂L/∂α₀: ratio \(format(low, digits: 3))–\(format(high, digits: 3)); the claim \(verdict).")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The figures as one JSON object: `workload`, `trials`, `seed`,
    /// `sample_sizes`, `offsets`, `logits`, `exact` (per offset), `rows` of
    /// `{offset, estimator, n, mean, variance, bias, mse, std_error,
    /// variance_sum, bias2_sum, mse_sum}`, `slopes` of `{offset, estimator,
    /// slope, slope_sum}` and `ratios` of `{offset, n, ratio, ratio_sum}`.
    public var json: JSONValue {
        let configuration = self.configuration
        let rowValues: [JSONValue] = rows.map { row in
            .object([
                ("offset", .number(row.offset)),
                ("estimator", .string(row.estimator.name)),
                ("n", .number(Double(row.sampleSize))),
                ("mean", .number(row.mean)),
                ("variance", .number(row.variance)),
                ("bias", .number(row.bias)),
                ("mse", .number(row.meanSquaredError)),
                ("std_error", .number(row.standardError)),
                ("variance_sum", .number(row.totalVariance)),
                ("bias2_sum", .number(row.totalSquaredBias)),
                ("mse_sum", .number(row.totalMeanSquaredError)),
            ])
        }
        let slopeValues: [JSONValue] = slopes.map { slope in
            .object([
                ("offset", .number(slope.offset)),
                ("estimator", .string(slope.estimator.name)),
                ("slope", .number(slope.slope)),
                ("slope_sum", .number(slope.totalSlope)),
            ])
        }
        let ratioValues: [JSONValue] = ratios.map { ratio in
            .object([
                ("offset", .number(ratio.offset)),
                ("n", .number(Double(ratio.sampleSize))),
                ("ratio", .number(ratio.ratio)),
                ("ratio_sum", .number(ratio.totalRatio)),
            ])
        }
        let exactValues: [JSONValue] = zip(configuration.offsets, exactGradients).map { offset, gradient in
            .object([("offset", .number(offset)), ("gradient", .numbers(gradient))])
        }
        return .object([
            ("workload", "variance8"),
            ("trials", .number(Double(configuration.trials))),
            ("seed", .number(Double(configuration.seed))),
            ("sample_sizes", .numbers(configuration.sampleSizes.map(Double.init))),
            ("offsets", .numbers(configuration.offsets)),
            ("estimators", .array(configuration.estimators.map { .string($0.name) })),
            ("ratio_estimator", .string(Variance8.Estimator.gumbelSoftmax(temperature: configuration.ratioTemperature).name)),
            ("logits", .numbers(Variance8.logits)),
            ("exact", .array(exactValues)),
            ("rows", .array(rowValues)),
            ("slopes", .array(slopeValues)),
            ("ratios", .array(ratioValues)),
        ])
    }

    private func format(_ x: Double, digits: Int = 4) -> String {
        String(format: "%.\(digits)g", x)
    }
}
