import Gumbo

/// W4 `spikeslab` as a runnable workload: ``SpikeAndSlab`` on the 200 × 50
/// design of ``BenchmarkData/spikeAndSlab(count:features:seed:)``, whose
/// true weights are nonzero at features 0, 10, 20, 30 and 40.
///
/// Figures: the `f1` score of the recovered support `q(g_d) > 0.5` against
/// the true support, its `precision` and `recall`, and the `selected`
/// features. The run's `elbo` is the mean of 1000 hard samples from the guide.
public struct SpikeAndSlabWorkload: Workload {
    public let design: [[Double]]
    public let weights: [Double]
    public let responses: [Double]

    public init() {
        (design, weights, responses) = BenchmarkData.spikeAndSlab()
    }

    public var name: String { "spikeslab" }
    public var label: String { "W4" }
    public var summary: String { "sparse regression with Bernoulli gates: F1 of the recovered support" }
    public var latentSites: [String] { ["g", "w"] }
    public var discreteSites: [String] { ["g"] }
    public var observedSites: [String] { ["y"] }
    public var defaultSettings: WorkloadSettings { WorkloadSettings(steps: 2000, learningRate: 0.01) }

    /// BENCHMARKS' estimators for g: binary Concrete (τ = 2/3) soft and
    /// straight-through, Hard Concrete, REINFORCE with a baseline, and the
    /// unbiased low-variance ones, DisARM and local expectation.
    public func comparedEstimators(settings: WorkloadSettings) -> [[String: Estimator]] {
        let tau = Temperature.constant(2.0 / 3.0)
        return everyDiscreteSite([
            .concrete(temperature: tau, straightThrough: false), .concrete(temperature: tau, straightThrough: true),
            .hardConcreteDefault, .reinforce(baseline: .movingAverageDefault), .disarm, .localExpectation,
        ])
    }

    public func compile(options: CompileOptions) throws -> CompiledModel {
        try SpikeAndSlab.model(design: design, responses: responses)
            .compile(guide: SpikeAndSlab.guide(features: weights.count), options: options)
    }

    /// The features whose gate the guide includes with probability above ½.
    public static func selected(theta: [Double]) -> [Int] {
        theta.indices.filter { StableMath.sigmoid(theta[$0]) > 0.5 }
    }

    public func figures(of svi: SVI, seed: UInt64) throws -> WorkloadFigures {
        let evaluation = try svi.evaluate(particles: 1000, seed: seed)
        let selected = Set(Self.selected(theta: svi.parameter("theta") ?? []))
        let truth = Set(weights.indices.filter { weights[$0] != 0 })
        let hits = Double(selected.intersection(truth).count)
        let precision = selected.isEmpty ? 0 : hits / Double(selected.count)
        let recall = truth.isEmpty ? 0 : hits / Double(truth.count)
        let f1 = hits == 0 ? 0 : 2 * precision * recall / (precision + recall)
        let features = selected.sorted()
        return WorkloadFigures(evaluation: evaluation, figures: [
            .number("f1", f1, label: "F1 of the support q(g) > 0.5 (truth 0, 10, 20, 30, 40)", digits: 3),
            .number("precision", precision, label: "precision", digits: 3),
            .number("recall", recall, label: "recall", digits: 3),
            Figure(key: "selected", value: .numbers(features.map(Double.init)), label: "selected features",
                   text: features.map(String.init).joined(separator: ", ")),
        ])
    }
}
