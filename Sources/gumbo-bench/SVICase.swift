import Foundation
import Gumbo
import GumboWorkloads

/// One row of issue 7's table: a reference workload with one estimator for
/// its discrete site(s), ready to compile into an ``SVI`` run with the
/// settings of `../shared/BENCHMARKS.md` (optimizer, learning rate, seed).
struct SVICase {
    let workload: String
    let estimator: String
    /// Builds the model and guide and compiles them (the "compile" the
    /// harness times, together with making the ``SVI`` run and its plan).
    let compile: () throws -> CompiledModel
    let configuration: SVIConfiguration
    /// The arithmetic of the model's matrix products (W5 runs both).
    var matrixPrecision: MatrixPrecision = .double
    /// The same step written by hand, where there is one.
    var makeHandwritten: (() -> any HandwrittenStep)? = nil

    /// Unique among the rows.
    var key: String { "\(workload)|\(estimator)" + (matrixPrecision == .double ? "" : "|\(matrixPrecision)") }
    /// The workload as the tables print it: `f32mm` marks single-precision products.
    var label: String { workload + (matrixPrecision == .single ? " f32mm" : "") }

    /// Makes the run: DSL → IR → compiler passes → lowering → plan.
    func makeRun(threads: Int = 1) throws -> SVI {
        var configuration = configuration
        configuration.threads = threads
        return try SVI(compile(), configuration: configuration)
    }

    // MARK: The table

    static let reinforce = Estimator.reinforce(baseline: .movingAverage(decay: 0.9))

    /// Every (workload, estimator) pair of issue 7, in its order.
    static func all(mixturePoints: Int = 1000) -> [SVICase] {
        sprinkler() + mixture(points: mixturePoints) + spikeAndSlab() + discreteVAE()
    }

    static func sprinkler() -> [SVICase] {
        [("enumerate", Estimator.enumeration), ("reinforce:baseline=ma", reinforce)].map { name, estimator in
            SVICase(workload: "W2 sprinkler", estimator: name, compile: {
                try Sprinkler.model().compile(guide: Sprinkler.guide(),
                                              options: CompileOptions(estimators: ["rain": estimator, "sprinkler": estimator]))
            }, configuration: SVIConfiguration(optimizer: Optimizer.adam(learningRate: 0.05), seed: 7))
        }
    }

    static let mixtureEstimators: [(String, Estimator)] = [
        ("enumerate", .enumeration),
        ("reinforce:baseline=ma", reinforce),
        ("st-gumbel-softmax:tau=0.5", .gumbelSoftmax(temperature: .constant(0.5), straightThrough: true)),
    ]

    static func mixture(points: Int = 1000, estimators: [String]? = nil) -> [SVICase] {
        let data = BenchmarkData.mixture(count: points)
        let seed: UInt64 = 1
        return mixtureEstimators.filter { estimators?.contains($0.0) ?? true }.map { name, estimator in
            var row = SVICase(workload: points == 1000 ? "W3 gmm" : "W3 gmm N=\(points)", estimator: name, compile: {
                try GaussianMixture.model(data: data).compile(guide: GaussianMixture.guide(count: data.count),
                                                              options: CompileOptions(estimators: ["z": estimator]))
            }, configuration: SVIConfiguration(optimizer: Optimizer.adam(learningRate: 0.05), seed: seed))
            switch name {
            case "enumerate": row.makeHandwritten = { MixtureEnumerationStep(data: data, seed: seed) }
            case "st-gumbel-softmax:tau=0.5": row.makeHandwritten = { MixtureStraightThroughStep(data: data, seed: seed) }
            default: break
            }
            return row
        }
    }

    static func spikeAndSlab() -> [SVICase] {
        let data = BenchmarkData.spikeAndSlab()
        let estimators: [(String, Estimator)] = [
            ("concrete:tau=0.666667", .concrete(temperature: .constant(2.0 / 3.0), straightThrough: false)),
            ("reinforce:baseline=ma", reinforce),
        ]
        let seed: UInt64 = 2
        return estimators.map { name, estimator in
            var row = SVICase(workload: "W4 spikeslab", estimator: name, compile: {
                try SpikeAndSlab.model(design: data.design, responses: data.responses)
                    .compile(guide: SpikeAndSlab.guide(features: data.design[0].count),
                             options: CompileOptions(estimators: ["g": estimator]))
            }, configuration: SVIConfiguration(optimizer: Optimizer.adam(learningRate: 0.01), seed: seed))
            if name.hasPrefix("concrete") {
                row.makeHandwritten = { SpikeSlabConcreteStep(design: data.design, responses: data.responses, seed: seed) }
            }
            return row
        }
    }

    static func discreteVAE() -> [SVICase] {
        let training = SyntheticDigits().trainingAndTest().training
        // τ annealed from 1 to 0.5 over the 450 steps of the run.
        let annealed = Temperature.exponential(initial: 1, minimum: 0.5, rate: Foundation.log(2) / 450)
        let estimators: [(String, Estimator)] = [
            ("st-gumbel-softmax:tau=1→0.5", .gumbelSoftmax(temperature: annealed, straightThrough: true)),
            ("reinforce:baseline=ma", reinforce),
        ]
        // Each estimator with products in double precision, then in single.
        return [MatrixPrecision.double, .single].flatMap { precision in
            estimators.map { name, estimator in
                SVICase(workload: "W5 dvae", estimator: name, compile: {
                    var options = CompileOptions(estimators: ["z": estimator])
                    options.matrixPrecision = precision
                    return try DiscreteVAE.model(images: training, batch: 100)
                        .compile(guide: DiscreteVAE.guide(images: training, batch: 100), options: options)
                }, configuration: SVIConfiguration(optimizer: Optimizer.adam(learningRate: 1e-3), seed: 5),
                matrixPrecision: precision)
            }
        }
    }
}
