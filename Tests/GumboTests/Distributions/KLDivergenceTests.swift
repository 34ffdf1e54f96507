import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("KL divergence")
struct KLDivergenceTests {
    // MARK: Normal

    static let normalPairs: [(Double, Double, Double, Double)] = [
        (0, 1, 0, 1), (0, 1, 1, 2), (-0.5, 0.3, 0.2, 0.9), (3, 2.5, -1, 0.4), (10, 0.01, 10.001, 0.02), (0, 5, 0, 1),
    ]

    @Test("Normal KL equals the numeric expectation E_p[log p − log q]")
    func normalNumeric() throws {
        for (mp, sp, mq, sq) in Self.normalPairs {
            let p = try Normal(mean: mp, std: sp)
            let q = try Normal(mean: mq, std: sq)
            let numeric = Quadrature.sinhSinh(center: mp, scale: sp) { x in
                let logP = p.logProb(x)
                return logP == -.infinity ? 0 : exp(logP) * (logP - q.logProb(x))
            }
            #expect(isClose(p.klDivergence(to: q), numeric, relative: 1e-8, absolute: 1e-10))
            #expect(p.klDivergence(to: q) >= 0)
        }
        // Hand value: KL(N(0, 1) ‖ N(1, 2²)) = log 2 + (1 + 1)/8 − 1/2.
        #expect(isClose(try Normal(mean: 0, std: 1).klDivergence(to: Normal(mean: 1, std: 2)), log(2) + 0.25 - 0.5, relative: 1e-15))
    }

    @Test("Normal KL is zero for equal arguments and positive otherwise")
    func normalZero() throws {
        var rng = Xoshiro256StarStar(seed: 41)
        for _ in 0..<200 {
            let p = try Normal(mean: 4 * rng.nextStandardNormal(), std: exp(rng.nextStandardNormal()))
            let q = try Normal(mean: 4 * rng.nextStandardNormal(), std: exp(rng.nextStandardNormal()))
            #expect(p.klDivergence(to: p) == 0)
            #expect(p.klDivergence(to: q) > 0)
        }
    }

    @Test("Normal KL partials match central differences")
    func normalPartials() {
        for (mp, sp, mq, sq) in Self.normalPairs {
            let partials = Normal.klDivergencePartials(mean: mp, std: sp, toMean: mq, toStd: sq)
            let numeric = centralDifferenceGradient(at: [mp, sp, mq, sq], step: 1e-7) {
                Normal.klDivergence(mean: $0[0], std: $0[1], toMean: $0[2], toStd: $0[3])
            }
            // At p = q the value is clamped at its minimum 0, where the true
            // gradient is 0 as well.
            #expect(isClose([partials.mean, partials.std, partials.toMean, partials.toStd], numeric, relative: 1e-6, absolute: 1e-6))
        }
    }

    // MARK: Bernoulli

    static let bernoulliPairs: [(Double, Double)] = [(0, 0), (0, 1), (-2, 3), (4.5, -0.2), (-10, -12), (25, 20), (0.3, 0.31)]

    @Test("Bernoulli KL equals the two-term sum, is ≥ 0 and 0 for equal arguments")
    func bernoulliSum() throws {
        for (a, b) in Self.bernoulliPairs {
            let p = try Bernoulli(logit: a)
            let q = try Bernoulli(logit: b)
            // Naive probabilities are accurate for |logit| ≤ 25.
            let (p1, p0) = (1 / (1 + exp(-a)), 1 / (1 + exp(a)))
            let (q1, q0) = (1 / (1 + exp(-b)), 1 / (1 + exp(b)))
            let sum = p1 * log(p1 / q1) + p0 * log(p0 / q0)
            #expect(isClose(p.klDivergence(to: q), sum, relative: 1e-9, absolute: 1e-13))
            #expect(p.klDivergence(to: q) >= 0)
            #expect(p.klDivergence(to: p) == 0)
        }
    }

    @Test("Bernoulli KL is finite and right for logits ±700 and handles probabilities 0 and 1")
    func bernoulliExtremes() throws {
        // KL(σ(700) ‖ σ(−700)) = −log σ(−700) + O(e^{−700}) = 700.
        #expect(isClose(Bernoulli.klDivergence(logit: 700, toLogit: -700), 700, relative: 1e-15))
        #expect(isClose(Bernoulli.klDivergence(logit: -700, toLogit: 700), 700, relative: 1e-15))
        let near = Bernoulli.klDivergence(logit: 700, toLogit: 699)
        #expect(near.isFinite && near >= 0 && near < 1e-12)
        let partials = Bernoulli.klDivergencePartials(logit: 700, toLogit: -700)
        #expect(partials.logit.isFinite && partials.toLogit.isFinite)

        let never = try Bernoulli(probability: 0)
        let always = try Bernoulli(probability: 1)
        let fair = try Bernoulli(probability: 0.3)
        #expect(isClose(never.klDivergence(to: fair), -log(0.7), relative: 1e-14))
        #expect(fair.klDivergence(to: always) == .infinity)
        #expect(always.klDivergence(to: always) == 0)
    }

    @Test("Bernoulli KL partials match central differences")
    func bernoulliPartials() {
        for (a, b) in Self.bernoulliPairs {
            let partials = Bernoulli.klDivergencePartials(logit: a, toLogit: b)
            let dA = centralDifference(at: a) { Bernoulli.klDivergence(logit: $0, toLogit: b) }
            let dB = centralDifference(at: b) { Bernoulli.klDivergence(logit: a, toLogit: $0) }
            #expect(isClose(partials.logit, dA, relative: 1e-6, absolute: 1e-9))
            #expect(isClose(partials.toLogit, dB, relative: 1e-6, absolute: 1e-9))
        }
    }

    // MARK: Categorical

    static let categoricalPairs: [([Double], [Double])] = [
        ([0, 0, 0], [0, 0, 0]), ([1, 2, 3], [3, 2, 1]), ([0.5, -1, 0, 2], [0, 0, 0, 0]), ([-3, 4], [4, -3]), ([10, 0, -10, 3, 1], [0, 1, 2, 3, 4]),
    ]

    func kernelKL(_ a: [Double], _ b: [Double]) -> Double {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { Categorical.klDivergence(logits: x, toLogits: $0) } }
    }

    @Test("Categorical KL equals the sum Σ p log(p/q), is ≥ 0 and 0 for equal arguments")
    func categoricalSum() throws {
        for (a, b) in Self.categoricalPairs {
            let p = try Categorical(logits: a)
            let q = try Categorical(logits: b)
            let (totalA, totalB) = (a.map { exp($0) }.reduce(0, +), b.map { exp($0) }.reduce(0, +))
            var sum = 0.0
            for (x, y) in zip(a, b) {
                let (pk, qk) = (exp(x) / totalA, exp(y) / totalB)
                sum += pk * log(pk / qk)
            }
            let divergence = try p.klDivergence(to: q)
            #expect(isClose(divergence, sum, relative: 1e-10, absolute: 1e-14))
            #expect(isClose(kernelKL(a, b), divergence, relative: 1e-13, absolute: 1e-15))
            #expect(divergence >= 0)
            #expect(try p.klDivergence(to: p) == 0)
        }
    }

    @Test("Categorical KL with zero probabilities: 0·log 0 is 0, and q = 0 < p makes it infinite")
    func categoricalZeros() throws {
        let p = try Categorical(probabilities: [0.5, 0.5, 0])
        let q = try Categorical(probabilities: [0.25, 0.25, 0.5])
        #expect(isClose(try p.klDivergence(to: q), log(2), relative: 1e-14))
        #expect(try q.klDivergence(to: p) == .infinity)
    }

    @Test("Categorical KL gradients for both sides match central differences")
    func categoricalGradient() {
        for (a, b) in Self.categoricalPairs {
            var gradA = [Double](repeating: .nan, count: a.count)
            var gradB = [Double](repeating: .nan, count: b.count)
            a.withUnsafeBufferPointer { x in
                b.withUnsafeBufferPointer { y in
                    gradA.withUnsafeMutableBufferPointer { ga in
                        gradB.withUnsafeMutableBufferPointer { gb in
                            Categorical.klDivergenceGradient(logits: x, toLogits: y, logitsGradient: ga, toLogitsGradient: gb)
                        }
                    }
                }
            }
            let numericA = centralDifferenceGradient(at: a, step: 1e-6) { kernelKL($0, b) }
            let numericB = centralDifferenceGradient(at: b, step: 1e-6) { kernelKL(a, $0) }
            #expect(isClose(gradA, numericA, relative: 1e-6, absolute: 1e-8))
            #expect(isClose(gradB, numericB, relative: 1e-6, absolute: 1e-8))
        }
    }

    @Test("Categorical KL between different numbers of classes throws, naming both")
    func categoricalMismatch() throws {
        let p = try Categorical(logits: [0, 1])
        let q = try Categorical(logits: [0, 1, 2])
        let error = try #require(throws: DistributionError.self) { try p.klDivergence(to: q) }
        let message = error.description
        #expect(message.contains("Categorical.klDivergence") && message.contains("2 entries") && message.contains("has 3"))
        #expect(message.contains("same length"))
    }
}
