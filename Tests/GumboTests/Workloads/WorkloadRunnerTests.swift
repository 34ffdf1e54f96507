import Foundation
import Testing
import Gumbo
import GumboTestSupport
import GumboWorkloads

/// The workload runner's own pieces: W2's exact optima, W5's schedule, the
/// run's curve, timing and checkpoints.
@Suite("Workload runner")
struct WorkloadRunnerTests {
    @Test("W2: coordinate ascent finds both mean-field optima; the global one matches the grid search")
    func sprinklerOptima() {
        let best = SprinklerExact.bestMeanField
        let sprinkler = SprinklerExact.localOptimum(a: -3, b: 3)
        let rain = SprinklerExact.localOptimum(a: 3, b: -3)
        #expect(isClose(sprinkler.elbo, best.elbo, relative: 1e-12))
        #expect(sprinkler.a < 0 && sprinkler.b > 0)
        #expect(rain.a > 0 && rain.b < 0)
        #expect(rain.elbo < best.elbo - 0.5)
        #expect(best.elbo < SprinklerExact.logEvidence)
        // Optima are stationary: the ELBO falls a little in every direction.
        for (da, db) in [(1e-3, 0.0), (-1e-3, 0.0), (0.0, 1e-3), (0.0, -1e-3)] {
            #expect(SprinklerExact.elbo(a: rain.a + da, b: rain.b + db) < rain.elbo)
            #expect(SprinklerExact.elbo(a: best.a + da, b: best.b + db) < best.elbo)
        }
    }

    @Test("W5: τ falls from 1 and reaches 0.5 by the last step (not before the last 1%), with a three-digit rate")
    func annealing() {
        for steps in [2, 5, 450, 10_000] {
            let schedule = DiscreteVAEWorkload.annealing(steps: steps)
            #expect(schedule.value(atStep: 0) == 1)
            #expect(schedule.value(atStep: steps - 1) == 0.5, "\(steps)")
            // Rounding the rate up brings 0.5 at most 1% of the run early.
            let first = (0..<steps).first { schedule.value(atStep: $0) == 0.5 }!
            #expect(Double(first) >= 0.99 * Double(steps - 1), "\(steps): 0.5 from step \(first)")
        }
        #expect(Estimator.gumbelSoftmax(temperature: DiscreteVAEWorkload.annealing(steps: 450), straightThrough: true).description
            == "st-gumbel-softmax:anneal=1:0.5:0.00155")
    }

    @Test("a run keeps one curve point and one time per step, and resumes where its checkpoint stopped")
    func run() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/w2.json"
        let settings = WorkloadSettings(steps: 40, learningRate: 0.05, particles: 2, seed: 9)
        let whole = try WorkloadRun(SprinklerWorkload(), estimators: ["rain": .arm, "sprinkler": .disarm], settings: settings)
        try whole.train(checkpoint: path, checkpointInterval: 15)
        #expect(whole.curve.map(\.step) == Array(1...40))
        #expect(whole.stepSeconds.count == 40 && whole.secondsPerStep! > 0)

        var shorter = settings
        shorter.steps = 15
        let first = try WorkloadRun(SprinklerWorkload(), estimators: ["rain": .arm, "sprinkler": .disarm], settings: shorter)
        try first.train(checkpoint: path)
        let second = try WorkloadRun(SprinklerWorkload(), estimators: ["rain": .arm, "sprinkler": .disarm], settings: settings)
        try second.resume(from: path)
        try second.train()
        #expect(second.curve.map(\.step) == Array(16...40))
        #expect(second.curve.map(\.objective) == Array(whole.curve.map(\.objective).dropFirst(15)))
        #expect(second.svi.parameterValues() == whole.svi.parameterValues())
        let report = try second.report()
        #expect(report.steps == 40)
        #expect(report.estimators.map(\.estimator) == ["arm", "disarm"])
    }

    @Test("W4's support is the gates with q(g) > ½")
    func support() {
        #expect(SpikeAndSlabWorkload.selected(theta: [2, -1, 0, 0.01, -3]) == [0, 3])
    }

    @Test("W5: an image set evaluated in parts combines to the ELBO of the whole, within the standard errors")
    func chunkedEvaluation() throws {
        let (training, test) = SyntheticDigits().trainingAndTest(trainingCount: 200, testCount: 120)
        let workload = DiscreteVAEWorkload(training: training, test: test, batch: 50, evaluationParticles: 20)
        let svi = try SVI(workload.compile(options: CompileOptions()), configuration: SVIConfiguration(seed: 2))
        try svi.run(steps: 20)
        let whole = try workload.evaluation(of: svi, on: test, seed: 4)
        let parts = try workload.evaluation(of: svi, on: test, seed: 4, chunk: 50)
        #expect(parts.particles == 20 && parts.exactELBO == nil)
        let spread = (whole.standardError * whole.standardError + parts.standardError * parts.standardError).squareRoot()
        #expect(abs(whole.elbo - parts.elbo) < 4 * spread, "whole \(whole.elbo) ± \(whole.standardError), parts \(parts.elbo) ± \(parts.standardError)")
        // The parts' standard errors add in quadrature to about the whole's.
        #expect(parts.standardError > 0.5 * whole.standardError && parts.standardError < 2 * whole.standardError)
        // One part: the same evaluation as the whole set.
        #expect(try workload.evaluation(of: svi, on: test, seed: 4, chunk: 500) == whole)
    }
}
