import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// Score-function gradients where the ELBO's terms are scaled: a subsampled
/// plate (its terms times N/M) and a plate split across threads (the terms
/// outside it divided among the chunks). The score `∇ log q(z)` of a value
/// drawn once must enter once, unscaled, against a cost that carries the
/// scale; scaling both made REINFORCE's gradient of a subsampled site N/M
/// times too large, and a global site's 1/chunks too small under threads.
@Suite("Score-function gradients under scaled terms")
struct ScoreScalingTests {
    static let data: [Double] = [0.1, 2.2, -0.3, 1.9, 2.5, 0.2]
    static let logits: [Double] = [0.4, -0.2, 0.1, 0.6, -0.5, 0.3]

    /// A global Bernoulli `g` and a local `c[i]` per point; `x[i]` reads both.
    static func compiled(_ estimator: Estimator, subsample: Int?) throws -> CompiledModel {
        let g = Discrete.latent("g"), c = Discrete.latent("c")
        let x = Real.observed("x", data)
        let model = Model("switches") {
            g ~ .bernoulli(probability: 0.4)
            Plate("data", size: data.count, subsample: subsample) { i in
                c[i] ~ .bernoulli(probability: 0.3)
                x[i] ~ .normal(mean: c[i].choose(ifTrue: 2, ifFalse: 0) + g.asReal, std: 1)
            }
        }
        let phi = Real.parameter("phi", initial: logits, shape: [data.count])
        let guide = Guide {
            g ~ .bernoulli(logit: .parameter("a", initial: -0.3))
            Plate("data", size: data.count, subsample: subsample) { i in
                c[i] ~ .bernoulli(logit: phi[i])
            }
        }
        return try model.compile(guide: guide, options: CompileOptions(estimators: ["g": estimator, "c": estimator]))
    }

    /// The gradient as one vector: `a`, then `phi`.
    static func flat(_ gradient: [String: [Double]]) -> [Double] { gradient["a"]! + gradient["phi"]! }

    /// The exact gradient: every site enumerated, every point in every step.
    static func exact() throws -> [Double] {
        flat(try SVI(compiled(.enumeration, subsample: nil)).estimateGradient())
    }

    static func expectUnbiased(_ estimator: Estimator, particles: Int, subsample: Int?, threads: Int,
                               count: Int, _ label: String) throws {
        let svi = try SVI(compiled(estimator, subsample: subsample),
                          configuration: SVIConfiguration(particles: particles, seed: 7, threads: threads))
        var samples: [[Double]] = []
        for _ in 0..<count { samples.append(flat(try svi.estimateGradient())) }
        let exact = try exact()
        for k in exact.indices {
            let (mean, variance) = StatisticalTests.meanAndVariance(samples.map { $0[k] })
            let standardError = (variance / Double(count)).squareRoot()
            // Four standard errors: 14 components, so a false alarm is rare
            // (and the seed is fixed); a factor N/M = 3 or 1/2 is far outside.
            #expect(abs(mean - exact[k]) < 4 * standardError,
                    "\(label), component \(k): mean \(mean), exact \(exact[k]), SE \(standardError)")
            #expect(standardError < 0.3 * max(abs(exact[k]), 0.05), "\(label), component \(k): too few estimates to tell")
        }
    }

    @Test("REINFORCE in a subsampled plate (2 of 6 points a step) averages to the full-data gradient")
    func subsampled() throws {
        try Self.expectUnbiased(.reinforce(baseline: .movingAverage(decay: 0.9)), particles: 1, subsample: 2, threads: 1,
                                count: 40_000, "reinforce:baseline=ma, subsample 2")
        try Self.expectUnbiased(.reinforce(baseline: .leaveOneOut), particles: 2, subsample: 2, threads: 1,
                                count: 20_000, "reinforce:baseline=loo, subsample 2")
        try Self.expectUnbiased(.disarm, particles: 2, subsample: 2, threads: 1,
                                count: 20_000, "disarm, subsample 2")
    }

    @Test("REINFORCE (leave-one-out, moving average) and ARM of a global site and local ones, split across two threads, average to the exact gradient")
    func threaded() throws {
        try Self.expectUnbiased(.reinforce(baseline: .leaveOneOut), particles: 2, subsample: nil, threads: 2,
                                count: 20_000, "reinforce:baseline=loo, 2 threads")
        try Self.expectUnbiased(.reinforce(baseline: .movingAverage(decay: 0.9)), particles: 1, subsample: nil,
                                threads: 2, count: 40_000, "reinforce:baseline=ma, 2 threads")
        try Self.expectUnbiased(.arm, particles: 2, subsample: nil, threads: 2, count: 20_000, "arm, 2 threads")
    }
}
