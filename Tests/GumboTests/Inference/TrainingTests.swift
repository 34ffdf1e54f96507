import Foundation
import Testing
import Gumbo
import GumboTestSupport
import GumboWorkloads

/// End-to-end training on the reference workloads, with the settings of
/// BENCHMARKS.md, checked against exact answers.
@Suite("Training")
struct TrainingTests {
    static let unbiased: [(String, Estimator, Int)] = [
        ("enumerate", .enumeration, 1),
        ("reinforce", .reinforce(baseline: .none), 1),
        ("reinforce:baseline=ma", .reinforce(baseline: .movingAverage(decay: 0.9)), 1),
        ("reinforce:baseline=loo", .reinforce(baseline: .leaveOneOut), 2),
        ("arm", .arm, 2),
        ("disarm", .disarm, 2),
    ]

    @Test("W2: every unbiased estimator ends within 0.01 nats of the best mean-field ELBO, below log p(x)",
          arguments: unbiased.map(\.0))
    func sprinkler(_ name: String) throws {
        let (_, estimator, particles) = Self.unbiased.first { $0.0 == name }!
        let compiled = try Sprinkler.model().compile(
            guide: Sprinkler.guide(), options: CompileOptions(estimators: ["rain": estimator, "sprinkler": estimator]))
        let svi = try SVI(compiled, configuration: SVIConfiguration(optimizer: Optimizer.adam(learningRate: 0.05),
                                                                    particles: particles, seed: 7))
        try svi.run(steps: 1000)
        let evaluation = try svi.evaluate()
        let exact = try #require(evaluation.exactELBO)
        let logEvidence = try #require(evaluation.logEvidence)
        // Both from the hand-written enumeration, independent of the lowering.
        let a = svi.parameter("a")![0], b = svi.parameter("b")![0]
        #expect(isClose(exact, SprinklerExact.elbo(a: a, b: b), relative: 1e-10))
        #expect(isClose(logEvidence, SprinklerExact.logEvidence, relative: 1e-12))
        #expect(exact <= logEvidence)
        #expect(SprinklerExact.bestMeanFieldELBO - exact < 0.01, "\(name): gap \(SprinklerExact.bestMeanFieldELBO - exact)")
    }

    @Test("W3: enumeration recovers the three means within 0.2")
    func mixture() throws {
        let data = BenchmarkData.mixture()
        let compiled = try GaussianMixture.model(data: data).compile(guide: GaussianMixture.guide(count: data.count))
        #expect(compiled.estimator(for: "z")?.estimator == .enumeration)
        let svi = try SVI(compiled, configuration: SVIConfiguration(optimizer: Optimizer.adam(learningRate: 0.05), seed: 1))
        try svi.run(steps: 1000)
        let means = svi.parameter("m")!.sorted()
        for (mean, truth) in zip(means, [-4.0, 0, 4]) {
            #expect(abs(mean - truth) < 0.2, "recovered \(means)")
        }
        let evaluation = try svi.evaluate(particles: 100)
        #expect(evaluation.enumeratedSites == ["z"])
        #expect(evaluation.elbo.isFinite && evaluation.standardError < 1)
    }

    static let spikeEstimators: [(String, Estimator?)] = [
        ("compiler default", nil),
        ("concrete:tau=2/3", .concrete(temperature: .constant(2.0 / 3.0), straightThrough: false)),
    ]

    @Test("W4: binary Concrete and the compiler's default recover the true support (F1 = 1)",
          arguments: spikeEstimators.map(\.0))
    func spikeAndSlab(_ name: String) throws {
        let estimator = Self.spikeEstimators.first { $0.0 == name }!.1
        let data = BenchmarkData.spikeAndSlab()
        var options = CompileOptions()
        if let estimator { options.estimators = ["g": estimator] }
        let compiled = try SpikeAndSlab.model(design: data.design, responses: data.responses)
            .compile(guide: SpikeAndSlab.guide(features: 50), options: options)
        let svi = try SVI(compiled, configuration: SVIConfiguration(optimizer: Optimizer.adam(learningRate: 0.01), seed: 2))
        try svi.run(steps: 2000)
        let inclusion = svi.parameter("theta")!.map(StableMath.sigmoid)
        let selected = Set(inclusion.indices.filter { inclusion[$0] > 0.5 })
        let truth = Set(data.weights.indices.filter { data.weights[$0] != 0 })
        #expect(selected == truth, "\(name): selected \(selected.sorted())")
    }
}
