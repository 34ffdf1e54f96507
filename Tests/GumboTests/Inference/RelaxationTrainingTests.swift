import Foundation
import Testing
import Gumbo
import GumboTestSupport
import GumboWorkloads

/// Training with the gate estimators and temperature schedules.
@Suite("Relaxations in training")
struct RelaxationTrainingTests {
    func trainSpikeAndSlab(_ estimator: Estimator, steps: Int = 2000) throws -> (svi: SVI, f1: Double) {
        let data = BenchmarkData.spikeAndSlab()
        let compiled = try SpikeAndSlab.model(design: data.design, responses: data.responses)
            .compile(guide: SpikeAndSlab.guide(features: 50), options: CompileOptions(estimators: ["g": estimator]))
        let svi = try SVI(compiled, configuration: SVIConfiguration(optimizer: Optimizer.adam(learningRate: 0.01), seed: 2))
        try svi.run(steps: steps)
        let inclusion = svi.parameter("theta")!.map(StableMath.sigmoid)
        let selected = Set(inclusion.indices.filter { inclusion[$0] > 0.5 })
        let truth = Set(data.weights.indices.filter { data.weights[$0] != 0 })
        let hits = Double(selected.intersection(truth).count)
        let f1 = hits == 0 ? 0 : 2 * hits / Double(selected.count + truth.count)
        return (svi, f1)
    }

    @Test("Hard Concrete gates recover W4's support")
    func hardConcrete() throws {
        let (svi, f1) = try trainSpikeAndSlab(.hardConcreteDefault)
        #expect(f1 == 1)
        #expect(svi.isSurrogate)
    }

    @Test("a learned temperature is a parameter that moves and stays above its minimum")
    func learnedTemperature() throws {
        let (svi, f1) = try trainSpikeAndSlab(.concrete(temperature: .learned(initial: 1, minimum: 0.1), straightThrough: false), steps: 1500)
        let tau = try #require(svi.parameter("temperature.g"))
        #expect(tau[0] > 0.1)
        #expect(abs(tau[0] - 1) > 1e-3)
        #expect(f1 > 0.8)
    }

    @Test("exponential annealing follows max(τ_min, τ₀·exp(−r·t))")
    func annealing() {
        let schedule = Temperature.exponential(initial: 1, minimum: 0.5, rate: 0.01)
        #expect(schedule.value(atStep: 0) == 1)
        #expect(isClose(schedule.value(atStep: 10), exp(-0.1), relative: 1e-15))
        #expect(schedule.value(atStep: 1000) == 0.5)
        #expect(Temperature.constant(0.3).value(atStep: 77) == 0.3)
    }

    @Test("the progress line shows step, objective, rate and time left")
    func progressLine() {
        let line = ProgressReporter.line(step: 250, totalSteps: 1000, objective: -1.2345678, label: "ELBO", elapsed: 2)
        #expect(line == "step 250/1000  ELBO -1.2346  125 steps/s  ETA 6s")
    }
}
