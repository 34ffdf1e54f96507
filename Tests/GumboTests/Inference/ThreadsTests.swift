import Foundation
import Testing
import Gumbo
import GumboTestSupport
import GumboWorkloads

/// `SVIConfiguration.threads`: the largest plate split into chunks, one
/// plan per thread, gradients added in chunk order.
@Suite("Threads")
struct ThreadsTests {
    static func mixture(_ estimator: Estimator, threads: Int, seed: UInt64 = 3) throws -> SVI {
        let data = BenchmarkData.mixture(count: 301)
        let compiled = try GaussianMixture.model(data: data).compile(guide: GaussianMixture.guide(count: data.count),
                                                                     options: CompileOptions(estimators: ["z": estimator]))
        return try SVI(compiled, configuration: SVIConfiguration(optimizer: Optimizer.adam(learningRate: 0.05),
                                                                 seed: seed, threads: threads))
    }

    static let reinforce = Estimator.reinforce(baseline: .movingAverage(decay: 0.9))
    static let straightThrough = Estimator.gumbelSoftmax(temperature: .constant(0.5), straightThrough: true)

    @Test("the same seed and thread count give the same losses, bit for bit",
          arguments: [("enumerate", Estimator.enumeration), ("reinforce", reinforce), ("st", straightThrough)].map(\.0))
    func deterministic(_ name: String) throws {
        let estimator = [("enumerate", Estimator.enumeration), ("reinforce", Self.reinforce), ("st", Self.straightThrough)]
            .first { $0.0 == name }!.1
        let a = try Self.mixture(estimator, threads: 3), b = try Self.mixture(estimator, threads: 3)
        let lossesA = try a.run(steps: 30), lossesB = try b.run(steps: 30)
        #expect(lossesA == lossesB)
        #expect(a.parameter("phi")! == b.parameter("phi")!)
    }

    @Test("with enumeration (no per-element noise) any thread count gives one thread's objective and gradient, up to rounding",
          arguments: [2, 3])
    func sameGradient(_ threads: Int) throws {
        let single = try Self.mixture(.enumeration, threads: 1), threaded = try Self.mixture(.enumeration, threads: threads)
        let one = try single.estimateGradient(), many = try threaded.estimateGradient()
        #expect(isClose([single.lastObjective], [threaded.lastObjective], relative: 1e-12, absolute: 0))
        for (name, values) in one {
            #expect(isClose(values, many[name]!, relative: 1e-11, absolute: 1e-11), "\(name)")
        }
    }

    @Test("W3's phi is sliced: each chunk's plan holds only its rows, and no gather is left")
    func slicesW3() throws {
        let svi = try Self.mixture(.enumeration, threads: 2)
        #expect(svi.planDescription.contains("[151, 3] input \"phi\" (parameter)"), "\(svi.planDescription.prefix(2000))")
        #expect(!svi.planDescription.contains("gather("))
        #expect(svi.parameter("phi")!.count == 301 * 3)
    }

    /// W3 with more kinds of parameter and data: `b[i]` in the model and
    /// `phi[i]` in the guide are sliced; `c`, read as `c[i]` and whole, is
    /// shared (and gathered); a covariate `u[i]` is data; and the plate
    /// `extra` is subsampled (the chunks share its minibatch).
    static func mixed(threads: Int, seed: UInt64 = 5, optimizer: OptimizerSettings = Optimizer.adam(learningRate: 0.05)) throws -> SVI {
        let n = 41, m = 30
        let mu = Real.latent("mu"), z = Discrete.latent("z")
        let x = Real.observed("x", BenchmarkData.mixture(count: n))
        let y = Real.observed("y", (0..<m).map { 0.5 + Double($0 % 7) / 7 })
        let u = Real.data("u", (0..<n).map { Double($0 % 5) / 5 }, shape: [n])
        let b = Real.parameter("b", initial: 0.1, shape: [n])
        let c = Real.parameter("c", initial: 0.2, shape: [n])
        let shift = Real.parameter("shift", initial: 0.3)
        let model = Model("mixed") {
            Plate("components", size: 3) { k in
                mu[k] ~ .normal(mean: 0, std: 10)
            }
            Plate("data", size: n) { i in
                z[i] ~ .categorical(probabilities: [1.0 / 3, 1.0 / 3, 1.0 / 3])
                x[i] ~ .normal(mean: mu[z[i]] + b[i] * u[i] + c[i], std: 1)
            }
            Factor("ridge", -0.5 * sum(c * c))
            Plate("extra", size: m, subsample: 10) { j in
                y[j] ~ .normal(mean: shift, std: 1)
            }
        }
        let compiled = try model.compile(guide: GaussianMixture.guide(count: n), options: CompileOptions(estimators: ["z": .enumeration]))
        return try SVI(compiled, configuration: SVIConfiguration(optimizer: optimizer, seed: seed, threads: threads))
    }

    @Test("sliced, shared and gathered parameters with a subsampled plate: any thread count gives one thread's objective and gradient",
          arguments: [2, 3])
    func mixedGradient(_ threads: Int) throws {
        let single = try Self.mixed(threads: 1), threaded = try Self.mixed(threads: threads)
        let plan = threaded.planDescription
        #expect(plan.contains("[\(41 / threads + 1), 3] input \"phi\" (parameter)"))
        #expect(plan.contains("[\(41 / threads + 1)] input \"b\" (parameter)"))
        #expect(plan.contains("[41] input \"c\" (parameter)"))
        // The first step's draws (mu's noise, then the minibatch) are the
        // same; later ones differ, as a threaded step also draws its chunks' seed.
        let one = try single.estimateGradient(), many = try threaded.estimateGradient()
        #expect(isClose([single.lastObjective], [threaded.lastObjective], relative: 1e-12, absolute: 0))
        #expect(Set(one.keys) == Set(many.keys))
        for (name, values) in one {
            #expect(isClose(values, many[name]!, relative: 1e-10, absolute: 1e-11), "\(name)")
        }
    }

    @Test("W4 split over its data (design rows sliced, the gates' noise shared) gives one thread's objective and gradient")
    func spikeAndSlab() throws {
        let spike = BenchmarkData.spikeAndSlab(count: 40, features: 10)
        let compiled = try SpikeAndSlab.model(design: spike.design, responses: spike.responses)
            .compile(guide: SpikeAndSlab.guide(features: 10),
                     options: CompileOptions(estimators: ["g": .concrete(temperature: .constant(2.0 / 3.0), straightThrough: false)]))
        let single = try SVI(compiled), threaded = try SVI(compiled, configuration: SVIConfiguration(threads: 2))
        #expect(threaded.planDescription.contains("[1, 1, 20, 10] constant"))
        let one = try single.estimateGradient(), two = try threaded.estimateGradient()
        #expect(isClose([single.lastObjective], [threaded.lastObjective], relative: 1e-12, absolute: 0))
        for (name, values) in one {
            #expect(isClose(values, two[name]!, relative: 1e-10, absolute: 1e-11), "\(name)")
        }
    }

    @Test("a plate used whole (W5's codes) or holding a local-expectation site is not split: one plan, one thread's losses exactly")
    func unsplittable() throws {
        // W3 with local expectation on z: its plate holds the site, and the
        // components plate is too small to split.
        let local = try Self.mixture(.localExpectation, threads: 1), localThreaded = try Self.mixture(.localExpectation, threads: 2)
        #expect(try local.run(steps: 3) == localThreaded.run(steps: 3))
        // W5: the codes are used as one array (z[i]), the data are subsampled.
        let images = SyntheticDigits().images(count: 20, seed: 5)
        let vae = try DiscreteVAE.model(images: images, batch: 4).compile(
            guide: DiscreteVAE.guide(images: images, batch: 4),
            options: CompileOptions(estimators: ["z": .gumbelSoftmax(temperature: .constant(0.5), straightThrough: true)]))
        let optimizer = Optimizer.adam(learningRate: 1e-3)
        let one = try SVI(vae, configuration: SVIConfiguration(optimizer: optimizer))
        let two = try SVI(vae, configuration: SVIConfiguration(optimizer: optimizer, threads: 2))
        #expect(try one.run(steps: 3) == two.run(steps: 3))
    }

    /// W3 (enumerated) with a shared parameter large enough that the
    /// threads reduce its gradient (``ThreadedStep/serialReductionLimit``),
    /// read whole inside the split plate, so every chunk adds to it.
    static func wide(threads: Int) throws -> SVI {
        let width = 20_000
        let mu = Real.latent("mu"), z = Discrete.latent("z")
        let x = Real.observed("x", BenchmarkData.mixture(count: 40))
        let wide = Real.parameter("wide", initial: (0..<width).map { Double($0 % 13) / 13 - 0.5 }, shape: [width])
        let model = Model("wide") {
            Plate("components", size: 3) { k in
                mu[k] ~ .normal(mean: 0, std: 10)
            }
            Plate("data", size: 40) { i in
                z[i] ~ .categorical(probabilities: [1.0 / 3, 1.0 / 3, 1.0 / 3])
                x[i] ~ .normal(mean: mu[z[i]] + sum(wide * wide) / 20_000, std: 1)
            }
        }
        let compiled = try model.compile(guide: GaussianMixture.guide(count: 40), options: CompileOptions(estimators: ["z": .enumeration]))
        return try SVI(compiled, configuration: SVIConfiguration(seed: 4, threads: threads))
    }

    @Test("a large shared parameter, reduced on the threads: one thread's gradient, and deterministic")
    func parallelReduction() throws {
        let one = try Self.wide(threads: 1).estimateGradient(), two = try Self.wide(threads: 2).estimateGradient()
        for (name, values) in one {
            #expect(isClose(values, two[name]!, relative: 1e-10, absolute: 1e-12), "\(name)")
        }
        let a = try Self.wide(threads: 2), b = try Self.wide(threads: 2)
        #expect(try a.run(steps: 5) == b.run(steps: 5))
        #expect(a.parameter("wide")! == b.parameter("wide")!)
    }

    @Test("parameters are whole and right after threaded steps: one step, set, read back, and with clipping",
          arguments: [false, true])
    func wholeParameters(_ clipped: Bool) throws {
        let optimizer = Optimizer.adam(learningRate: 0.05, gradientClipNorm: clipped ? 1 : nil)
        let single = try Self.mixed(threads: 1, optimizer: optimizer), threaded = try Self.mixed(threads: 3, optimizer: optimizer)
        try single.step()
        try threaded.step()
        let one = single.parameterValues(), many = threaded.parameterValues()
        for (name, values) in one {
            #expect(isClose(values, many[name]!, relative: 1e-9, absolute: 1e-12), "\(name)")
        }
        // Set values reach every chunk: a fresh pair of runs set alike agree after a step.
        let phi = (0..<41 * 3).map { Double($0 % 11) / 10 }, c = (0..<41).map { Double($0 % 3) / 2 }
        let setSingle = try Self.mixed(threads: 1, optimizer: optimizer), setThreaded = try Self.mixed(threads: 3, optimizer: optimizer)
        for run in [setSingle, setThreaded] {
            try run.setParameter("phi", to: phi)
            try run.setParameter("c", to: c)
        }
        #expect(isClose(setThreaded.parameter("phi")!, phi, relative: 1e-15, absolute: 1e-15))
        try setSingle.step()
        try setThreaded.step()
        for (name, values) in setSingle.parameterValues() {
            #expect(isClose(values, setThreaded.parameterValues()[name]!, relative: 1e-9, absolute: 1e-12), "\(name)")
        }
    }

    @Test("a checkpoint of a threaded run with sliced parameters resumes exactly, and restores whole parameters")
    func checkpointSliced() throws {
        let svi = try Self.mixed(threads: 3)
        try svi.run(steps: 4)
        let state = svi.runState()
        #expect(state.parameters["phi"]?.count == 41 * 3)
        let expected = try svi.run(steps: 4)
        let resumed = try Self.mixed(threads: 3, seed: 99)
        try resumed.restore(state)
        #expect(try resumed.run(steps: 4) == expected)
        #expect(resumed.parameterValues() == svi.parameterValues())
    }

    @Test("a non-finite loss stops a threaded run with the last good parameters, whole")
    func nonFinite() throws {
        // As RunControlTests.nonFinite, with a plate to split: w = 1 falls
        // by 1/8 per SGD step (each of the two chunks adds half of the
        // slope's gradient, exactly), so the trap 0 · log(relu(w)) is NaN
        // at step 9; v[i] shrinks by 7/8 per step, in the chunks' rows.
        let w = Real.parameter("w", initial: 1)
        let v = Real.parameter("v", initial: 1, shape: [8])
        let model = Model("trap") {
            Plate("rows", size: 8) { i in
                Factor("pull", -v[i] * v[i] / 16)
            }
            Factor("slope", -w / 8)
            Factor("trap", 0 * log(relu(w)))
        }
        let svi = try SVI(try model.compile(guide: Guide {}),
                          configuration: SVIConfiguration(optimizer: Optimizer.sgd(learningRate: 1), threads: 2))
        #expect(svi.planDescription.contains("[4] input \"v\" (parameter)"))
        do {
            try svi.run(steps: 20)
            Issue.record("the run should stop at step 9")
        } catch let error as SVIError {
            #expect(error == .nonFinite(step: 9, quantity: "loss", location: "one of the 2 threads' chunks"))
        }
        #expect(svi.completedSteps == 8)
        #expect(svi.parameter("w") == [0])
        #expect(svi.parameter("v") == Array(repeating: pow(7.0 / 8, 8), count: 8))
    }

    @Test("a threaded run trains: W3 recovers the means with two threads")
    func trains() throws {
        let svi = try Self.mixture(.enumeration, threads: 2, seed: 1)
        try svi.run(steps: 600)
        let means = svi.parameter("m")!.sorted()
        for (mean, truth) in zip(means, [-4.0, 0, 4]) { #expect(abs(mean - truth) < 0.3, "\(means)") }
    }

    @Test("a checkpoint of a threaded run resumes exactly")
    func checkpoint() throws {
        let svi = try Self.mixture(Self.reinforce, threads: 2)
        try svi.run(steps: 5)
        let state = svi.runState()
        let expected = try svi.run(steps: 5)
        let resumed = try Self.mixture(Self.reinforce, threads: 2)
        try resumed.restore(state)
        #expect(try resumed.run(steps: 5) == expected)
    }

    @Test("runs made and dropped at once stop their threads cleanly (a worker may start after its pool is gone)")
    func dropped() throws {
        for _ in 0..<40 { _ = try Self.mixture(.enumeration, threads: 3) }
    }

    @Test("threads must be at least 1")
    func invalid() throws {
        #expect(throws: SVIError.self) { try Self.mixture(.enumeration, threads: 0) }
    }
}
