import Foundation
import Testing
import Gumbo
import GumboTestSupport
import GumboWorkloads

/// The log joint of each reference workload, computed by a compiled plan,
/// against a hand-written computation at random values.
@Suite("Log density")
struct LogDensityTests {
    func normalLogPdf(_ x: Double, _ mean: Double, _ std: Double) -> Double {
        let z = (x - mean) / std
        return -0.5 * z * z - log(std) - 0.5 * log(2 * Double.pi)
    }

    @Test("W2: log p(rain, sprinkler, wet = 1) at all four values")
    func sprinkler() throws {
        let evaluator = try LogDensityEvaluator(program: Sprinkler.model().program())
        for rain in 0...1 {
            for sprinkler in 0...1 {
                let pRain = rain == 1 ? 0.2 : 0.8
                let pSprinklerOn = rain == 1 ? 0.01 : 0.4
                let pSprinkler = sprinkler == 1 ? pSprinklerOn : 1 - pSprinklerOn
                let pWet = Sprinkler.wetProbability[sprinkler][rain]
                let expected = log(pRain) + log(pSprinkler) + log(pWet)
                let actual = try evaluator.logDensity(["rain": [Double(rain)], "sprinkler": [Double(sprinkler)]])
                #expect(isClose(actual, expected, relative: 1e-13))
            }
        }
    }

    @Test("W2 guide: log q at given parameters")
    func sprinklerGuide() throws {
        let evaluator = try LogDensityEvaluator(program: Sprinkler.guide().program())
        let a = 0.7, b = -1.3
        let actual = try evaluator.logDensity(["rain": [1], "sprinkler": [0]], parameters: ["a": [a], "b": [b]])
        let expected = StableMath.logSigmoid(a) + StableMath.logSigmoid(-b)
        #expect(isClose(actual, expected, relative: 1e-13))
    }

    @Test("W3: the mixture's log joint at random means and assignments")
    func mixture() throws {
        let data = BenchmarkData.mixture(count: 60)
        let evaluator = try LogDensityEvaluator(program: GaussianMixture.model(data: data).program())
        var rng = Xoshiro256StarStar(seed: 11)
        for _ in 0..<5 {
            let mu = (0..<3).map { _ in 5 * rng.nextStandardNormal() }
            let z = data.indices.map { _ in Int(rng.next() % 3) }
            var expected = mu.reduce(0) { $0 + normalLogPdf($1, 0, 10) }
            for (i, x) in data.enumerated() {
                expected += log(1.0 / 3) + normalLogPdf(x, mu[z[i]], 1)
            }
            let actual = try evaluator.logDensity(["mu": mu, "z": z.map(Double.init)])
            #expect(isClose(actual, expected, relative: 1e-12))
        }
    }

    @Test("W4: spike-and-slab log joint at random gates and weights")
    func spikeAndSlab() throws {
        let data = BenchmarkData.spikeAndSlab(count: 30, features: 7)
        let evaluator = try LogDensityEvaluator(program: SpikeAndSlab.model(design: data.design, responses: data.responses).program())
        var rng = Xoshiro256StarStar(seed: 12)
        for _ in 0..<5 {
            let g = (0..<7).map { _ in Double(rng.next() % 2) }
            let w = (0..<7).map { _ in rng.nextStandardNormal() }
            var expected = 0.0
            for d in 0..<7 {
                expected += log(g[d] == 1 ? 0.1 : 0.9) + normalLogPdf(w[d], 0, 1)
            }
            for (i, row) in data.design.enumerated() {
                let mean = (0..<7).reduce(0) { $0 + row[$1] * g[$1] * w[$1] }
                expected += normalLogPdf(data.responses[i], mean, 0.5)
            }
            let actual = try evaluator.logDensity(["g": g, "w": w])
            #expect(isClose(actual, expected, relative: 1e-12))
        }
    }

    @Test("values outside the support or of the wrong size are errors")
    func badValues() throws {
        let evaluator = try LogDensityEvaluator(program: Sprinkler.model().program())
        #expect(thrownModelError { _ = try evaluator.logDensity(["rain": [2], "sprinkler": [0]]) }?.rule == .observationOutsideSupport)
        #expect(thrownModelError { _ = try evaluator.logDensity(["rain": [1, 0], "sprinkler": [0]]) }?.rule == .observationShape)
        #expect(thrownModelError { _ = try evaluator.logDensity(["rain": [1]]) }?.rule == .unknownSite)
    }
}
