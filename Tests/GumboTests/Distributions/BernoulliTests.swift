import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("Bernoulli")
struct BernoulliTests {
    static let logits: [Double] = [-30, -7.5, -2, -0.3, 0, 0.01, 1, 4.2, 19, 30]

    // MARK: Mass function

    @Test("logProb matches log p and log(1 − p) at many logits")
    func closedForm() throws {
        for logit in Self.logits {
            let bernoulli = try Bernoulli(logit: logit)
            // Naive p = 1/(1 + e^{−l}) is accurate for |l| ≤ 30; log(1 − p)
            // is taken as log of e^{−l}/(1 + e^{−l}) to keep 1 − p exact.
            let p = 1 / (1 + exp(-logit))
            let q = exp(-logit) / (1 + exp(-logit))
            #expect(isClose(bernoulli.logProb(1), log(p), relative: 1e-12, absolute: 1e-15))
            #expect(isClose(bernoulli.logProb(0), log(q), relative: 1e-12, absolute: 1e-15))
            #expect(isClose(exp(bernoulli.logProb(0)) + exp(bernoulli.logProb(1)), 1, relative: 1e-14))
            #expect(bernoulli.logProb(1) == Bernoulli.logProb(1, logit: logit))
            #expect(bernoulli.logProb(0) == Bernoulli.logProb(0, logit: logit))
        }
    }

    @Test("logProb agrees with scipy.stats.bernoulli.logpmf")
    func scipyReference() throws {
        // scipy 1.17: bernoulli.logpmf(1, 0.3) and bernoulli.logpmf(0, 0.3).
        let bernoulli = try Bernoulli(probability: 0.3)
        #expect(isClose(bernoulli.logProb(1), -1.2039728043259361, relative: 1e-14))
        #expect(isClose(bernoulli.logProb(0), -0.35667494393873245, relative: 1e-14))
    }

    @Test("the probability and logit initializers agree")
    func initializers() throws {
        for p in [0.001, 0.2, 0.5, 0.77, 0.999] {
            let fromProbability = try Bernoulli(probability: p)
            let fromLogit = try Bernoulli(logit: log(p / (1 - p)))
            #expect(isClose(fromProbability.logit, fromLogit.logit, relative: 1e-12))
            #expect(isClose(fromProbability.logProb(1), log(p), relative: 1e-13))
            #expect(isClose(fromLogit.probability, p, relative: 1e-13))
        }
    }

    @Test("probabilities 0 and 1 are deterministic bits, without NaN")
    func endPoints() throws {
        let never = try Bernoulli(probability: 0)
        let always = try Bernoulli(probability: 1)
        #expect(never.logProb(0) == 0 && never.logProb(1) == -.infinity)
        #expect(always.logProb(1) == 0 && always.logProb(0) == -.infinity)
        #expect(Bernoulli.logProb(0, logit: never.logit) == 0)
        #expect(Bernoulli.logProb(1, logit: always.logit) == 0)
        var rng = Xoshiro256StarStar(seed: 4)
        #expect(never.sample(count: 1000, using: &rng).allSatisfy { $0 == 0 })
        #expect(always.sample(count: 1000, using: &rng).allSatisfy { $0 == 1 })
    }

    @Test("values other than 0 and 1 score -infinity")
    func support() throws {
        let bernoulli = try Bernoulli(logit: 0.4)
        #expect(bernoulli.logProb(2) == -.infinity)
        #expect(bernoulli.logProb(-1) == -.infinity)
    }

    @Test("the kernel is the linear interpolation x·log σ(l) + (1 − x)·log σ(−l) for relaxed x")
    func relaxedValue() {
        for logit in [-3.0, 0.5, 2] {
            for x in [0.1, 0.5, 0.93] {
                let naive = x * log(1 / (1 + exp(-logit))) + (1 - x) * log(1 / (1 + exp(logit)))
                #expect(isClose(Bernoulli.logProb(x, logit: logit), naive, relative: 1e-12))
            }
        }
    }

    // MARK: Stability

    @Test("stable for logits up to ±700")
    func extremeLogits() throws {
        for logit in [-700.0, -300, 300, 700] {
            let bernoulli = try Bernoulli(logit: logit)
            let one = bernoulli.logProb(1)
            let zero = bernoulli.logProb(0)
            #expect(one.isFinite && zero.isFinite)
            // log σ(l) = −log(1 + e^{−l}): −|l| on the unlikely side (the
            // correction log(1 + e^{−|l|}) is below 1e-130) and −e^{−|l|}
            // on the likely side.
            let (likely, unlikely) = logit > 0 ? (one, zero) : (zero, one)
            #expect(unlikely == -abs(logit))
            #expect(isClose(likely, -exp(-abs(logit)), relative: 1e-12, absolute: 0))
            let partials = Bernoulli.logProbPartials(1, logit: logit)
            #expect(partials.logit.isFinite && partials.value.isFinite)
        }
    }

    // MARK: Partial derivatives

    @Test("partials match central differences")
    func partials() {
        for logit in [-6.0, -1.1, 0, 0.4, 3.3, 9] {
            for x in [0.0, 1.0, 0.35] {
                let partials = Bernoulli.logProbPartials(x, logit: logit)
                let dx = centralDifference(at: x, step: 1e-5) { Bernoulli.logProb($0, logit: logit) }
                let dLogit = centralDifference(at: logit) { Bernoulli.logProb(x, logit: $0) }
                #expect(isClose(partials.value, dx, relative: 1e-8, absolute: 1e-9))
                #expect(isClose(partials.logit, dLogit, relative: 1e-8, absolute: 1e-9))
            }
        }
    }

    // MARK: Sampler

    @Test("samples pass a chi-square test and have mean p")
    func sampler() throws {
        let bernoulli = try Bernoulli(logit: -0.8)
        var rng = Xoshiro256StarStar(seed: 202)
        let n = 50_000
        let draws = bernoulli.sample(count: n, using: &rng)
        let ones = draws.filter { $0 == 1 }.count
        #expect(ones + draws.filter { $0 == 0 }.count == n)
        let p = 1 / (1 + exp(0.8))
        let chiSquare = StatisticalTests.chiSquare(observed: [n - ones, ones], expected: [1 - p, p])
        // One degree of freedom; the critical value at α = 1e-4 is ≈ 15.1.
        #expect(chiSquare < StatisticalTests.chiSquareCritical(degreesOfFreedom: 1))
        let mean = Double(ones) / Double(n)
        #expect(abs(mean - bernoulli.mean) < 4.5 * (bernoulli.variance / Double(n)).squareRoot())
    }
}
