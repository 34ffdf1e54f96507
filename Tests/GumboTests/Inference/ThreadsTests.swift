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

    @Test("with enumeration (no per-element noise) two threads give one thread's gradient, up to rounding")
    func sameGradient() throws {
        let one = try Self.mixture(.enumeration, threads: 1).estimateGradient()
        let two = try Self.mixture(.enumeration, threads: 2).estimateGradient()
        for (name, values) in one {
            #expect(isClose(values, two[name]!, relative: 1e-11, absolute: 1e-11), "\(name)")
        }
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
