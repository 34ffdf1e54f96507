import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("Random generators")
struct RandomGeneratorTests {
    // MARK: SplitMix64

    @Test("SplitMix64 matches the reference outputs for seed 0")
    func splitMixReference() {
        // First outputs of SplitMix64 from state 0, as published with the
        // reference C implementation (Vigna, splitmix64.c).
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(rng.next() == 0x06C4_5D18_8009_454F)
    }

    // MARK: Xoshiro256**

    @Test("Xoshiro256** is reproducible from a seed")
    func xoshiroReproducible() {
        var a = Xoshiro256StarStar(seed: 12345)
        var b = Xoshiro256StarStar(seed: 12345)
        for _ in 0..<1000 { #expect(a.next() == b.next()) }
        var c = Xoshiro256StarStar(seed: 12346)
        #expect(Xoshiro256StarStar(seed: 12345).state != c.state)
        _ = c.next()
    }

    @Test("Xoshiro256** follows the reference recurrence")
    func xoshiroReference() throws {
        // State (1, 2, 3, 4): the reference algorithm's first output is
        // rotl(2·5, 7)·9 = 11520, and the next state follows the xor/shift
        // schedule of xoshiro256starstar.c.
        var rng = try Xoshiro256StarStar(seed: 0, state: [1, 2, 3, 4])
        #expect(rng.next() == 11520)
        #expect(rng.state == [7, 0, 262_146, 211_106_232_532_992])
    }

    @Test("saved state restores the stream exactly")
    func stateRoundTrip() throws {
        var rng = Xoshiro256StarStar(seed: 9)
        for _ in 0..<17 { _ = rng.next() }
        var restored = try Xoshiro256StarStar(seed: rng.seed, state: rng.state)
        for _ in 0..<100 { #expect(rng.next() == restored.next()) }
        #expect(throws: RandomStateError.allZero) { try Xoshiro256StarStar(seed: 0, state: [0, 0, 0, 0]) }
        #expect(throws: RandomStateError.wrongWordCount(3)) { try Xoshiro256StarStar(seed: 0, state: [1, 2, 3]) }
    }

    @Test("streams are fixed functions of (seed, index) and differ from each other")
    func streams() {
        let parent = Xoshiro256StarStar(seed: 77)
        var advanced = parent
        for _ in 0..<10 { _ = advanced.next() }
        #expect(parent.stream(3) == advanced.stream(3))
        let states = Set((0..<1000).map { parent.stream(UInt64($0)).state })
        #expect(states.count == 1000)
        #expect(!states.contains(parent.state))
    }

    @Test("streams are uncorrelated: neighbouring streams' uniforms have correlation near 0")
    func streamCorrelation() {
        let n = 20_000
        var a = Xoshiro256StarStar(seed: 5).stream(0)
        var b = Xoshiro256StarStar(seed: 5).stream(1)
        var sum = 0.0
        for _ in 0..<n {
            sum += (a.nextOpenUniform() - 0.5) * (b.nextOpenUniform() - 0.5)
        }
        // Each product has variance 1/144, so the correlation estimate
        // 12·mean has standard error 1/√n; allow 4.5 standard errors.
        let correlation = 12 * sum / Double(n)
        #expect(abs(correlation) < 4.5 / Double(n).squareRoot())
    }

    // MARK: Standard samplers

    @Test("open uniforms never reach 0 or 1 and pass Kolmogorov–Smirnov")
    func openUniform() {
        var rng = Xoshiro256StarStar(seed: 1)
        let n = 50_000
        let xs = (0..<n).map { _ in rng.nextOpenUniform() }
        #expect(xs.allSatisfy { $0 > 0 && $0 < 1 })
        let d = StatisticalTests.kolmogorovSmirnov(xs) { $0 }
        #expect(d < StatisticalTests.kolmogorovSmirnovCritical(sampleSize: n))
    }

    @Test("standard normal: moments and Kolmogorov–Smirnov")
    func standardNormal() {
        var rng = Xoshiro256StarStar(seed: 2)
        let n = 100_000
        let xs = (0..<n).map { _ in rng.nextStandardNormal() }
        let (mean, variance) = StatisticalTests.meanAndVariance(xs)
        // SE of the mean is 1/√n; of the variance √(2/n).
        #expect(abs(mean) < 4.5 / Double(n).squareRoot())
        #expect(abs(variance - 1) < 4.5 * (2 / Double(n)).squareRoot())
        let d = StatisticalTests.kolmogorovSmirnov(xs, cdf: StatisticalTests.standardNormalCDF)
        #expect(d < StatisticalTests.kolmogorovSmirnovCritical(sampleSize: n))
        // Tail mass beyond 3: P = 0.0026998; binomial SE √(p(1−p)/n).
        let tail = Double(xs.filter { abs($0) > 3 }.count) / Double(n)
        let p = 2 * StatisticalTests.standardNormalCDF(-3)
        #expect(abs(tail - p) < 4.5 * (p * (1 - p) / Double(n)).squareRoot())
    }

    @Test("standard Gumbel and logistic pass Kolmogorov–Smirnov")
    func gumbelAndLogistic() {
        var rng = Xoshiro256StarStar(seed: 3)
        let n = 50_000
        let gumbels = (0..<n).map { _ in rng.nextStandardGumbel() }
        let dG = StatisticalTests.kolmogorovSmirnov(gumbels) { exp(-exp(-$0)) }
        #expect(dG < StatisticalTests.kolmogorovSmirnovCritical(sampleSize: n))
        // Gumbel mean is the Euler–Mascheroni constant, variance π²/6.
        let (mean, _) = StatisticalTests.meanAndVariance(gumbels)
        let sd = Double.pi / 6.0.squareRoot()
        #expect(abs(mean - 0.5772156649015329) < 4.5 * sd / Double(n).squareRoot())
        let logistics = (0..<n).map { _ in rng.nextStandardLogistic() }
        let dL = StatisticalTests.kolmogorovSmirnov(logistics) { 1 / (1 + exp(-$0)) }
        #expect(dL < StatisticalTests.kolmogorovSmirnovCritical(sampleSize: n))
    }

    @Test("standard exponential (ziggurat) passes Kolmogorov–Smirnov, with the right tail mass beyond the base strip")
    func exponential() {
        var rng = Xoshiro256StarStar(seed: 4)
        let n = 400_000
        let draws = (0..<n).map { _ in rng.nextStandardExponential() }
        #expect(draws.allSatisfy { $0 > 0 && $0.isFinite })
        let d = StatisticalTests.kolmogorovSmirnov(draws) { 1 - exp(-$0) }
        #expect(d < StatisticalTests.kolmogorovSmirnovCritical(sampleSize: n))
        let (mean, variance) = StatisticalTests.meanAndVariance(draws)
        // Mean 1 and variance 1; the sample variance's SE is √((μ₄ − σ⁴)/n) = √(8/n).
        #expect(abs(mean - 1) < 4.5 / Double(n).squareRoot())
        #expect(abs(variance - 1) < 4.5 * (8 / Double(n)).squareRoot())
        // Beyond the base strip's edge r ≈ 7.697 (the tail branch) and in the
        // wedges near zero and near r (the rejection branch): binomial checks.
        for (low, high) in [(7.69711747013104972, Double.infinity), (0.0, 0.05), (6.5, 7.5)] {
            let p = exp(-low) - exp(-high)
            let observed = Double(draws.filter { $0 >= low && $0 < high }.count) / Double(n)
            #expect(abs(observed - p) < 4.5 * (p * (1 - p) / Double(n)).squareRoot(), "[\(low), \(high))")
        }
    }
}
