import Gumbo

/// W3 `gmm` as a runnable workload: ``GaussianMixture`` on the 1000 points
/// of ``BenchmarkData/mixture(count:seed:)``, one Categorical site per
/// point.
///
/// Figures: the recovered `means` (the guide's `m`, sorted) and their
/// largest distance from the true centres −4, 0, 4. The run's `elbo` is
/// BENCHMARKS' "final ELBO": 100 draws of mu from the guide, each with the
/// exact expectation over every z_i under the guide.
public struct MixtureWorkload: Workload {
    /// The true centres.
    public static let centres = [-4.0, 0.0, 4.0]
    public let data: [Double]

    public init(data: [Double] = BenchmarkData.mixture()) {
        self.data = data
    }

    public var name: String { "gmm" }
    public var label: String { "W3" }
    public var summary: String { "Gaussian mixture, one categorical site per point: recovered means and the final ELBO" }
    public var latentSites: [String] { ["mu", "z"] }
    public var discreteSites: [String] { ["z"] }
    public var observedSites: [String] { ["x"] }
    public var defaultSettings: WorkloadSettings { WorkloadSettings(steps: 1000, learningRate: 0.05) }

    /// BENCHMARKS' estimators for z: enumeration, REINFORCE with a
    /// baseline (moving average; leave-one-out), straight-through and soft
    /// Gumbel-softmax at τ = 0.5.
    public func comparedEstimators(settings: WorkloadSettings) -> [[String: Estimator]] {
        everyDiscreteSite([
            .enumeration, .reinforce(baseline: .movingAverageDefault), .reinforce(baseline: .leaveOneOut),
            .gumbelSoftmax(temperature: .constant(0.5), straightThrough: true),
            .gumbelSoftmax(temperature: .constant(0.5), straightThrough: false),
        ])
    }

    public var curveEvaluationParticles: Int { 10 }

    public func compile(options: CompileOptions) throws -> CompiledModel {
        try GaussianMixture.model(data: data).compile(guide: GaussianMixture.guide(count: data.count), options: options)
    }

    public func figures(of svi: SVI, seed: UInt64) throws -> WorkloadFigures {
        // z is enumerable, so evaluate takes its expectation exactly and
        // samples only mu: BENCHMARKS' final ELBO with 100 draws.
        let evaluation = try svi.evaluate(particles: 100, seed: seed)
        let means = (svi.parameter("m") ?? []).sorted()
        let error = zip(means, Self.centres).map { abs($0 - $1) }.max() ?? .nan
        return WorkloadFigures(evaluation: evaluation, figures: [
            .numbers("means", means, label: "recovered means (sorted; truth -4, 0, 4)"),
            .number("mean_error", error, label: "largest distance from a true centre", digits: 3),
        ])
    }
}
