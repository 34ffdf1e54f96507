import Foundation
import Testing
import Gumbo
import GumboTestSupport
import GumboWorkloads

/// Reproducibility, checkpoints, faults and minibatches.
@Suite("Run control")
struct RunControlTests {
    func mixtureRun(seed: UInt64 = 5, estimator: Estimator = .gumbelSoftmax(temperature: .exponential(initial: 1, minimum: 0.5, rate: 0.05), straightThrough: true),
                    subsample: Int? = 50) throws -> SVI {
        let data = BenchmarkData.mixture(count: 150)
        let compiled = try GaussianMixture.model(data: data, subsample: subsample)
            .compile(guide: GaussianMixture.guide(count: data.count, subsample: subsample),
                     options: CompileOptions(estimators: ["z": estimator]))
        return try SVI(compiled, configuration: SVIConfiguration(optimizer: Optimizer.adam(learningRate: 0.05), particles: 2, seed: seed))
    }

    @Test("the same seed gives the same losses, bit for bit")
    func reproducible() throws {
        let first = try mixtureRun().run(steps: 30)
        let second = try mixtureRun().run(steps: 30)
        #expect(first.map(\.bitPattern) == second.map(\.bitPattern))
        let other = try mixtureRun(seed: 6).run(steps: 30)
        #expect(first != other)
    }

    @Test("a run resumed from a checkpoint gives exactly the uninterrupted run's losses",
          arguments: ["st-gumbel-softmax annealed", "reinforce:baseline=ma"])
    func resume(_ label: String) throws {
        let estimator: Estimator = label.hasPrefix("reinforce")
            ? .reinforce(baseline: .movingAverage(decay: 0.9))
            : .gumbelSoftmax(temperature: .exponential(initial: 1, minimum: 0.5, rate: 0.05), straightThrough: true)
        let uninterrupted = try mixtureRun(estimator: estimator).run(steps: 40)

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/resume.json"
        let firstHalf = try mixtureRun(estimator: estimator)
        let early = try firstHalf.run(steps: 20)
        try firstHalf.save(to: path)
        let resumed = try mixtureRun(seed: 999, estimator: estimator)   // the checkpoint's random state wins
        try resumed.restore(from: path)
        #expect(resumed.completedSteps == 20)
        let late = try resumed.run(steps: 20)
        #expect((early + late).map(\.bitPattern) == uninterrupted.map(\.bitPattern))
    }

    @Test("a checkpoint from another model or estimator is a clear error")
    func mismatchedCheckpoint() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/mismatch.json"
        let run = try mixtureRun()
        try run.run(steps: 2)
        try run.save(to: path)
        let other = try mixtureRun(estimator: .reinforce(baseline: .none))
        #expect(throws: Checkpoint.Failure.self) { try other.restore(from: path) }
        let sprinkler = try SVI(Sprinkler.model().compile(guide: Sprinkler.guide()))
        do {
            try sprinkler.restore(from: path)
            Issue.record("restoring a mixture checkpoint into the sprinkler run should throw")
        } catch let failure as Checkpoint.Failure {
            #expect(failure.description.contains("model 'gmm'"))
        }
    }

    @Test("a NaN at a known step is reported with that step and site, and the last good parameters stay")
    func nonFinite() throws {
        // The factor −w/8 moves w down by exactly 1/8 per SGD step (learning
        // rate 1), so w = 1 reaches 0 after step 8; at step 9 the trap
        // 0 · log(relu(w)) = 0 · (−∞) is NaN. While w > 0 the trap adds
        // nothing and its gradient is 0.
        let w = Real.parameter("w", initial: 1)
        let model = Model("trap") {
            Factor("slope", -w / 8)
            Factor("trap", 0 * log(relu(w)))
        }
        let svi = try SVI(try model.compile(guide: Guide {}),
                          configuration: SVIConfiguration(optimizer: Optimizer.sgd(learningRate: 1)))
        do {
            try svi.run(steps: 20)
            Issue.record("the run should stop at step 9")
        } catch let error as SVIError {
            #expect(error == .nonFinite(step: 9, quantity: "loss", location: "the model's log-probability of 'trap'"))
            #expect(error.description.contains("step 9"))
        }
        #expect(svi.completedSteps == 8)
        #expect(svi.parameter("w") == [0])
    }

    @Test("a probability computed outside [0, 1] stops training at its step, naming the site; nothing is clamped away")
    func probabilityOutOfRange() throws {
        // p is an unconstrained parameter used as a probability. Inside [0, 1]
        // training runs; at 1.25 the first step reports the likelihood of y.
        func run(initial: Double) throws -> SVI {
            let p = Real.parameter("p", initial: initial)
            let y = Discrete.observed("y", [1, 0, 1], shape: [3])
            let model = Model("misused") {
                Plate("data", size: 3) { i in y[i] ~ .bernoulli(probability: p) }
            }
            return try SVI(try model.compile(guide: Guide {}),
                           configuration: SVIConfiguration(optimizer: .sgd(learningRate: 0.01)))
        }
        let good = try run(initial: 0.5)
        try good.run(steps: 3)
        #expect(good.lastObjective.isFinite)
        let bad = try run(initial: 1.25)
        do {
            try bad.run(steps: 3)
            Issue.record("a probability of 1.25 should stop the run")
        } catch let error as SVIError {
            #expect(error == .nonFinite(step: 1, quantity: "loss", location: "the model's log-probability of 'y'"))
        }
        #expect(bad.completedSteps == 0)
        #expect(bad.parameter("p") == [1.25])
    }

    @Test("the subsampled objective is unbiased: its mean over minibatches equals the full-data objective")
    func subsampling() throws {
        // Fixed parameters, enumerated z: the full-data objective is random
        // only through mu's noise; the subsampled one also through the minibatch.
        func objectives(subsample: Int?) throws -> [Double] {
            let run = try mixtureRun(seed: subsample == nil ? 21 : 22, estimator: .enumeration, subsample: subsample)
            return try (0..<3000).map { _ in _ = try run.estimateGradient(); return run.lastObjective }
        }
        let full = StatisticalTests.meanAndVariance(try objectives(subsample: nil))
        let minibatch = StatisticalTests.meanAndVariance(try objectives(subsample: 30))
        let standardError = (full.variance / 3000 + minibatch.variance / 3000).squareRoot()
        #expect(abs(full.mean - minibatch.mean) < 3 * standardError,
                "full \(full.mean), minibatch \(minibatch.mean), SE \(standardError)")
        #expect(minibatch.variance > full.variance)
    }
}
