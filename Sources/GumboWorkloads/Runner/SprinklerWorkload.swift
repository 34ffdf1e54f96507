import Foundation
import Gumbo

/// W2 `sprinkler` as a runnable workload: the network of ``Sprinkler``
/// with its mean-field guide. Every quantity is exact, so it shows how
/// close an estimator's trained guide comes to the best mean-field ELBO.
///
/// Figures: `best_mean_field_elbo` (``SprinklerExact/bestMeanField``), the
/// `gap` between it and the trained guide's exact ELBO; `local_gap`, the
/// gap to the optimum of the basin the guide ended in, and that `basin`
/// (the mean-field ELBO has a second, local optimum where rain explains the
/// wet grass); the guide's `q_rain` and `q_sprinkler`. The run's
/// `elbo_exact` and `log_evidence` come from enumeration.
public struct SprinklerWorkload: Workload {
    public init() {}

    public var name: String { "sprinkler" }
    public var label: String { "W2" }
    public var summary: String { "Bayesian network with an exact answer: the trained guide's gap to the best mean-field ELBO" }
    public var latentSites: [String] { ["rain", "sprinkler"] }
    public var discreteSites: [String] { ["rain", "sprinkler"] }
    public var observedSites: [String] { ["wet"] }
    public var defaultSettings: WorkloadSettings { WorkloadSettings(steps: 1000, learningRate: 0.05) }

    /// Every estimator of a Bernoulli site, on both sites (local
    /// expectation cannot take both: the wet term depends on the two).
    public func comparedEstimators(settings: WorkloadSettings) -> [[String: Estimator]] {
        let tau = Temperature.constant(2.0 / 3.0)
        return everyDiscreteSite([
            .enumeration, .reinforce(baseline: .none), .reinforce(baseline: .movingAverageDefault),
            .reinforce(baseline: .leaveOneOut), .arm, .disarm,
            .concrete(temperature: tau, straightThrough: false), .concrete(temperature: tau, straightThrough: true),
            .hardConcreteDefault,
        ])
    }

    public var curveEvaluationParticles: Int { 1 }   // exact: both sites are enumerated

    public func compile(options: CompileOptions) throws -> CompiledModel {
        try Sprinkler.model().compile(guide: Sprinkler.guide(), options: options)
    }

    public func figures(of svi: SVI, seed: UInt64) throws -> WorkloadFigures {
        // Both sites are enumerable, so the evaluation is exact whatever
        // estimator trained the guide; one particle suffices.
        let evaluation = try svi.evaluate(particles: 1, seed: seed)
        let exact = evaluation.exactELBO ?? evaluation.elbo
        let best = SprinklerExact.bestMeanField
        let a = svi.parameter("a")?.first ?? 0, b = svi.parameter("b")?.first ?? 0
        let local = SprinklerExact.localOptimum(a: a, b: b)
        return WorkloadFigures(evaluation: evaluation, figures: [
            .number("best_mean_field_elbo", best.elbo, label: "best mean-field ELBO (grid search)", digits: 6, unit: "nats"),
            .number("gap", best.elbo - exact, label: "gap to the best mean-field ELBO", digits: 6, unit: "nats"),
            .number("local_gap", local.elbo - exact, label: "gap to the optimum of its own basin (coordinate ascent)", digits: 6, unit: "nats"),
            Figure(key: "basin", value: .string(local.a > 0 ? "rain" : "sprinkler"), label: "what explains the wet grass in that basin",
                   text: local.a > 0 ? "rain (a local optimum)" : "the sprinkler (the global optimum)"),
            .number("q_rain", StableMath.sigmoid(a), label: "q(rain = 1)", digits: 4),
            .number("q_sprinkler", StableMath.sigmoid(b), label: "q(sprinkler = 1)", digits: 4),
            .number("best_q_rain", StableMath.sigmoid(best.a), label: "best mean-field q(rain = 1)", digits: 4),
            .number("best_q_sprinkler", StableMath.sigmoid(best.b), label: "best mean-field q(sprinkler = 1)", digits: 4),
        ], references: [("best mean-field ELBO", best.elbo), ("log p(wet = 1)", SprinklerExact.logEvidence)])
    }
}
