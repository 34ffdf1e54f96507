import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("Gumbel-softmax")
struct GumbelSoftmaxTests {
    static func gumbels<G: RandomNumberGenerator>(_ count: Int, using rng: inout G) -> [Double] {
        (0..<count).map { _ in rng.nextStandardGumbel() }
    }

    // MARK: Gumbel-max trick

    @Test("argmax(logits + Gumbel noise) over 100 000 draws matches softmax(logits)")
    func gumbelMax() {
        let logits: [Double] = [1.2, -0.4, 0, 2.1, -2, 0.7]
        var rng = Xoshiro256StarStar(seed: 1001)
        let n = 100_000
        var counts = [Int](repeating: 0, count: logits.count)
        var noise = [Double](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { z in
            for _ in 0..<n {
                for j in noise.indices { noise[j] = rng.nextStandardGumbel() }
                let k = noise.withUnsafeBufferPointer { GumbelSoftmax.gumbelMax(logits: z, gumbels: $0) }
                counts[k] += 1
            }
        }
        let total = logits.map { exp($0) }.reduce(0, +)
        let softmax = logits.map { exp($0) / total }
        // K − 1 = 5 degrees of freedom; critical value at α = 1e-4 (≈ 25.7).
        let chiSquare = StatisticalTests.chiSquare(observed: counts, expected: softmax)
        #expect(chiSquare < StatisticalTests.chiSquareCritical(degreesOfFreedom: logits.count - 1))
    }

    // MARK: Relaxed samples

    @Test("relaxed samples lie on the simplex, even at temperature 0.01 and logits ±700")
    func onSimplex() throws {
        var rng = Xoshiro256StarStar(seed: 1002)
        for temperature in [0.01, 0.1, 1, 10] {
            for logits in [[0.0, 1, -1], [700, -700, 0, 3], [-700, -700]] {
                for _ in 0..<200 {
                    let y = try GumbelSoftmax.relaxedSample(logits: logits, temperature: temperature, gumbels: Self.gumbels(logits.count, using: &rng))
                    #expect(y.allSatisfy { $0 >= 0 && $0 <= 1 && $0.isFinite })
                    #expect(abs(y.reduce(0, +) - 1) < 1e-14)
                }
            }
        }
    }

    @Test("logRelaxedSample is the log of relaxedSample and never -infinity")
    func logSample() throws {
        var rng = Xoshiro256StarStar(seed: 1003)
        for temperature in [0.01, 0.5, 3] {
            let logits = [0.3, -0.2, 1, 0]
            for _ in 0..<200 {
                let g = Self.gumbels(4, using: &rng)
                let y = try GumbelSoftmax.relaxedSample(logits: logits, temperature: temperature, gumbels: g)
                let x = try GumbelSoftmax.logRelaxedSample(logits: logits, temperature: temperature, gumbels: g)
                #expect(x.allSatisfy { $0.isFinite })
                // x = w − logSumExp(w) with w = (z + g)/τ: rounding leaves a
                // few ulps of the largest |w| (hundreds at τ = 0.01).
                let largest = zip(logits, g).map { abs(($0 + $1) / temperature) }.max()!
                #expect(abs(StableMath.logSumExp(x)) < 8 * Double.ulpOfOne * max(1, largest))
                for (yk, xk) in zip(y, x) where yk > 1e-300 {
                    #expect(isClose(log(yk), xk, relative: 1e-12, absolute: 1e-12))
                }
            }
        }
    }

    @Test("two-class relaxed samples follow the binary Concrete distribution (Kolmogorov–Smirnov)")
    func matchesDensity() throws {
        // y₁ = σ((z₁ − z₂ + G₁ − G₂)/τ), and G₁ − G₂ is standard logistic:
        // the first coordinate is RelaxedBernoulli(τ, z₁ − z₂), whose CDF is
        // checked against its density in RelaxedBernoulliTests. The K = 3
        // density is checked against samples in RelaxedCategoricalTests.
        let (logits, temperature) = ([0.9, 0.1], 0.45)
        let binary = try RelaxedBernoulli(temperature: temperature, logit: 0.8)
        var rng = Xoshiro256StarStar(seed: 1004)
        let n = 50_000
        let firsts = try (0..<n).map { _ in
            try GumbelSoftmax.relaxedSample(logits: logits, temperature: temperature, gumbels: Self.gumbels(2, using: &rng))[0]
        }
        let d = StatisticalTests.kolmogorovSmirnov(firsts) { binary.cdf($0) }
        // Critical value of D at α = 1e-4.
        #expect(d < StatisticalTests.kolmogorovSmirnovCritical(sampleSize: n))
    }

    @Test("as the temperature falls the relaxed sample approaches the one-hot Gumbel-max sample")
    func lowTemperatureLimit() throws {
        let logits = [0.5, 1.5, -0.3]
        let g = [0.2, -0.1, 1.0]
        // logits + g = [0.7, 1.4, 0.7]: class 1 wins by a gap of 0.7, so at
        // temperature τ the losers have weight below e^{−0.7/τ}.
        for temperature in [0.1, 0.01, 0.001] {
            let y = try GumbelSoftmax.relaxedSample(logits: logits, temperature: temperature, gumbels: g)
            #expect(abs(y[1] - 1) <= 2 * exp(-0.7 / temperature) + 1e-16)
        }
    }

    // MARK: Straight-through

    @Test("the straight-through hard value is the one-hot argmax of the soft value")
    func straightThrough() throws {
        var rng = Xoshiro256StarStar(seed: 1005)
        for temperature in [0.05, 0.5, 2] {
            for _ in 0..<500 {
                let logits = [rng.nextStandardNormal(), rng.nextStandardNormal(), rng.nextStandardNormal(), rng.nextStandardNormal()]
                let g = Self.gumbels(4, using: &rng)
                let pair = try GumbelSoftmax.straightThrough(logits: logits, temperature: temperature, gumbels: g)
                let soft = try GumbelSoftmax.relaxedSample(logits: logits, temperature: temperature, gumbels: g)
                #expect(pair.soft == soft)
                #expect(pair.hard.filter { $0 == 1 }.count == 1 && pair.hard.filter { $0 == 0 }.count == 3)
                #expect(pair.hard[pair.index] == 1)
                #expect(soft[pair.index] == soft.max())
                let scores = zip(logits, g).map { $0 + $1 }
                #expect(pair.index == scores.firstIndex(of: scores.max()!))
            }
        }
    }

    @Test("straight-through samples from a generator draw classes by softmax (chi-square)")
    func straightThroughDistribution() throws {
        let logits = [0.2, -1, 1.1]
        var rng = Xoshiro256StarStar(seed: 1006)
        let n = 30_000
        var counts = [0, 0, 0]
        for _ in 0..<n {
            counts[try GumbelSoftmax.straightThrough(logits: logits, temperature: 0.5, using: &rng).index] += 1
        }
        let total = logits.map { exp($0) }.reduce(0, +)
        // 2 degrees of freedom, α = 1e-4.
        let chiSquare = StatisticalTests.chiSquare(observed: counts, expected: logits.map { exp($0) / total })
        #expect(chiSquare < StatisticalTests.chiSquareCritical(degreesOfFreedom: 2))
    }

    // MARK: Kernels and errors

    @Test("the buffer kernels agree with the array functions")
    func kernels() throws {
        let logits = [0.1, 2, -1]
        let g = [0.5, -0.3, 1.2]
        var soft = [Double](repeating: .nan, count: 3)
        var logSoft = [Double](repeating: .nan, count: 3)
        logits.withUnsafeBufferPointer { z in
            g.withUnsafeBufferPointer { noise in
                soft.withUnsafeMutableBufferPointer { GumbelSoftmax.relaxedSample(logits: z, temperature: 0.7, gumbels: noise, into: $0) }
                logSoft.withUnsafeMutableBufferPointer { GumbelSoftmax.logRelaxedSample(logits: z, temperature: 0.7, gumbels: noise, into: $0) }
            }
        }
        #expect(soft == (try GumbelSoftmax.relaxedSample(logits: logits, temperature: 0.7, gumbels: g)))
        #expect(logSoft == (try GumbelSoftmax.logRelaxedSample(logits: logits, temperature: 0.7, gumbels: g)))
        // softmax((z + g)/τ) written out.
        let w = zip(logits, g).map { exp(($0 + $1) / 0.7) }
        #expect(isClose(soft, w.map { $0 / w.reduce(0, +) }, relative: 1e-14))
    }

    @Test("mismatched, empty or non-finite inputs throw errors naming the parameter")
    func errors() throws {
        let mismatch = try #require(throws: DistributionError.self) {
            try GumbelSoftmax.relaxedSample(logits: [0, 1, 2], temperature: 1, gumbels: [0.1, 0.2])
        }
        #expect(mismatch.description.contains("gumbels has 2 entries") && mismatch.description.contains("logits has 3"))
        let temperature = try #require(throws: DistributionError.self) {
            try GumbelSoftmax.straightThrough(logits: [0, 1], temperature: 0, gumbels: [0.1, 0.2])
        }
        #expect(temperature.description.contains("temperature = 0.0") && temperature.description.contains("temperature > 0"))
        let empty = try #require(throws: DistributionError.self) {
            try GumbelSoftmax.logRelaxedSample(logits: [], temperature: 1, gumbels: [])
        }
        #expect(empty.description.contains("logits is empty"))
        let noise = try #require(throws: DistributionError.self) {
            try GumbelSoftmax.relaxedSample(logits: [0, 1], temperature: 1, gumbels: [0.1, .infinity])
        }
        #expect(noise.description.contains("gumbels[1] = inf"))
    }
}
