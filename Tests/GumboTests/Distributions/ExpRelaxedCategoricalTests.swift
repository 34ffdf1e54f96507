import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("ExpRelaxedCategorical")
struct ExpRelaxedCategoricalTests {
    static let cases: [(temperature: Double, logits: [Double])] = [
        (0.5, [0.3, -1]), (1, [0, 0, 0]), (0.7, [0.4, -0.2, 0]), (2, [1.5, -0.5, 0.2]),
        (0.3, [-1, 2, 0.5, 0.1]), (0.05, [0.2, -0.7, 1.1, 0, -2]),
    ]

    /// Maddison, Mnih & Teh (2017), the ExpConcrete density as
    /// printed: (K − 1)! τ^{K−1} Π_k (α_k e^{−τ x_k}) / (Σ_i α_i e^{−τ x_i})^K.
    static func paperDensity(_ x: [Double], temperature τ: Double, logits: [Double]) -> Double {
        let k = Double(x.count)
        let terms = zip(logits, x).map { exp($0) * exp(-τ * $1) }
        return tgamma(k) * pow(τ, k - 1) * terms.reduce(1, *) / pow(terms.reduce(0, +), k)
    }

    /// Log-points of the simplex, `log y` with entries of `y` at least 0.02.
    static func logSimplexPoints(count k: Int, _ n: Int, seed: UInt64) -> [[Double]] {
        var rng = Xoshiro256StarStar(seed: seed)
        return (0..<n).map { _ in
            let raw = (0..<k).map { _ in 0.1 + rng.nextOpenUniform() }
            let total = raw.reduce(0, +)
            return raw.map { log($0 / total) }
        }
    }

    func logProbKernel(_ x: [Double], _ logits: [Double], _ temperature: Double) -> Double {
        x.withUnsafeBufferPointer { v in logits.withUnsafeBufferPointer { ExpRelaxedCategorical.logProb(v, logits: $0, temperature: temperature) } }
    }

    // MARK: Density

    @Test("logProb matches the paper's ExpConcrete density at many points")
    func closedForm() throws {
        for (temperature, logits) in Self.cases {
            let relaxed = try ExpRelaxedCategorical(temperature: temperature, logits: logits)
            for x in Self.logSimplexPoints(count: logits.count, 40, seed: 21) {
                let naive = log(Self.paperDensity(x, temperature: temperature, logits: logits))
                #expect(isClose(relaxed.logProb(x), naive, relative: 1e-11, absolute: 1e-11))
            }
        }
    }

    @Test("logProb agrees with torch.distributions ExpRelaxedCategorical")
    func torchReference() throws {
        // PyTorch 2.15, float64: ExpRelaxedCategorical(τ, logits=z).log_prob(log y).
        let three = try ExpRelaxedCategorical(temperature: 0.6, logits: [0.5, -0.3, 1.1])
        #expect(isClose(three.logProb([0.2, 0.5, 0.3].map { log($0) }), -4.28787826832783, relative: 1e-13))
        let four = try ExpRelaxedCategorical(temperature: 1.7, logits: [2, -1, 0, 0.7])
        #expect(isClose(four.logProb([0.55, 0.05, 0.15, 0.25].map { log($0) }), -2.593834722509931, relative: 1e-13))
    }

    @Test("it differs from the Concrete density by the Jacobian Σ log y")
    func relationToConcrete() throws {
        for (temperature, logits) in Self.cases {
            let exponential = try ExpRelaxedCategorical(temperature: temperature, logits: logits)
            let relaxed = try RelaxedCategorical(temperature: temperature, logits: logits)
            for x in Self.logSimplexPoints(count: logits.count, 10, seed: 22) {
                let y = x.map { exp($0) }
                #expect(isClose(relaxed.logProb(y), exponential.logProb(x) - x.reduce(0, +), relative: 1e-11, absolute: 1e-11))
            }
        }
    }

    @Test("with two classes it is the logistic density of the log-ratio x₁ − x₂")
    func twoClasses() throws {
        let (temperature, logits) = (0.4, [1.2, 0.5])
        let relaxed = try ExpRelaxedCategorical(temperature: temperature, logits: logits)
        for s in stride(from: -20.0, through: 20, by: 1.3) {
            // x = log softmax([s, 0]); the log-ratio s = (l + L)/τ has the
            // density τ f(τs − l) with f the standard logistic density.
            let x = [-log1p(exp(-s)), -log1p(exp(s))]
            let t = temperature * s - (logits[0] - logits[1])
            let logistic = temperature * exp(-t) / ((1 + exp(-t)) * (1 + exp(-t)))
            #expect(isClose(relaxed.logProb(x), log(logistic), relative: 1e-11, absolute: 1e-11))
        }
    }

    @Test("the density integrates to 1 over the log-ratio coordinates")
    func normalization() throws {
        for (temperature, logits) in Self.cases where logits.count == 3 {
            let relaxed = try ExpRelaxedCategorical(temperature: temperature, logits: logits)
            // u_k = x_k − x_3, so x = (u₁, u₂, 0) − logSumExp(u₁, u₂, 0);
            // each u_k is a difference of logistic-tailed variables spread
            // over ~1/τ around (z_k − z_3)/τ.
            let mass = Quadrature.sinhSinh(center: (logits[0] - logits[2]) / temperature, scale: 1 / temperature, tolerance: 1e-9) { u1 in
                Quadrature.sinhSinh(center: (logits[1] - logits[2]) / temperature, scale: 1 / temperature, tolerance: 1e-9) { u2 in
                    let normalizer = StableMath.logSumExp([u1, u2, 0])
                    return exp(relaxed.logProb([u1 - normalizer, u2 - normalizer, -normalizer]))
                }
            }
            #expect(isClose(mass, 1, relative: 1e-7))
        }
    }

    @Test("values that are not the log of a simplex point score -infinity")
    func support() throws {
        let relaxed = try ExpRelaxedCategorical(temperature: 0.5, logits: [0, 1, 2])
        #expect(relaxed.logProb([log(0.5), log(0.5)]) == -.infinity)
        #expect(relaxed.logProb([log(0.5), log(0.5), -.infinity]) == -.infinity)
        #expect(relaxed.logProb([0, 0, 0]) == -.infinity)
    }

    // MARK: Stability

    @Test("finite at temperature 0.01 and logits ±700, where the simplex point underflows")
    func stability() throws {
        // References: the paper's density in 60-digit arithmetic (mpmath).
        let small = try ExpRelaxedCategorical(temperature: 0.01, logits: [0, 1, -1])
        #expect(isClose(small.logProb([-3000, -1e-300, -2500]), -43.524620246830190674, relative: 1e-12))
        let extreme = try ExpRelaxedCategorical(temperature: 0.01, logits: [700, -700, 0])
        #expect(isClose(extreme.logProb([-40, -5e-18, -45]), -2108.8671931914162374, relative: 1e-12))

        var rng = Xoshiro256StarStar(seed: 707)
        let relaxed = try ExpRelaxedCategorical(temperature: 0.01, logits: [0.5, -0.5, 0, 700, -700])
        var underflows = 0
        for _ in 0..<2000 {
            let x = relaxed.sample(using: &rng)
            #expect(x.allSatisfy { $0.isFinite })
            #expect(relaxed.logProb(x).isFinite)
            if x.contains(where: { exp($0) == 0 }) { underflows += 1 }
        }
        // The point of the log-space variant: the simplex point underflows.
        #expect(underflows > 0)
    }

    // MARK: Gradient

    @Test("the value, logits and temperature gradients match central differences")
    func gradient() throws {
        for (temperature, logits) in Self.cases {
            for x in Self.logSimplexPoints(count: logits.count, 5, seed: 23) {
                var valueGradient = [Double](repeating: .nan, count: x.count)
                var logitsGradient = [Double](repeating: .nan, count: x.count)
                let dTemperature = x.withUnsafeBufferPointer { v in
                    logits.withUnsafeBufferPointer { z in
                        valueGradient.withUnsafeMutableBufferPointer { gx in
                            logitsGradient.withUnsafeMutableBufferPointer { gz in
                                ExpRelaxedCategorical.logProbGradient(v, logits: z, temperature: temperature, valueGradient: gx, logitsGradient: gz)
                            }
                        }
                    }
                }
                let numericValue = centralDifferenceGradient(at: x) { logProbKernel($0, logits, temperature) }
                let numericLogits = centralDifferenceGradient(at: logits) { logProbKernel(x, $0, temperature) }
                let numericTemperature = centralDifference(at: temperature, step: 1e-6 * temperature) { logProbKernel(x, logits, $0) }
                #expect(isClose(valueGradient, numericValue, relative: 1e-7, absolute: 1e-8))
                #expect(isClose(logitsGradient, numericLogits, relative: 1e-7, absolute: 1e-8))
                #expect(isClose(dTemperature, numericTemperature, relative: 1e-7, absolute: 1e-6))
            }
        }
    }

    // MARK: Sampler

    @Test("samples are the logs of the Gumbel-softmax samples drawn from the same noise")
    func sampleIsLogOfRelaxed() throws {
        let logits = [0.4, -0.2, 0.0, 1]
        let exponential = try ExpRelaxedCategorical(temperature: 0.6, logits: logits)
        let relaxed = try RelaxedCategorical(temperature: 0.6, logits: logits)
        var a = Xoshiro256StarStar(seed: 31)
        var b = Xoshiro256StarStar(seed: 31)
        for _ in 0..<1000 {
            let x = exponential.sample(using: &a)
            let y = relaxed.sample(using: &b)
            #expect(abs(StableMath.logSumExp(x)) < 1e-14)
            #expect(isClose(x.map { exp($0) }, y, relative: 1e-13, absolute: 1e-300))
        }
    }

    @Test("two-class samples' log-ratio passes Kolmogorov–Smirnov against the logistic")
    func sampler() throws {
        let (temperature, logits) = (0.3, [0.2, 1.1])
        let relaxed = try ExpRelaxedCategorical(temperature: temperature, logits: logits)
        var rng = Xoshiro256StarStar(seed: 808)
        let n = 50_000
        let ratios = (0..<n).map { _ in
            let x = relaxed.sample(using: &rng)
            return x[0] - x[1]
        }
        // P(x₁ − x₂ ≤ s) = P(L ≤ τs − (z₁ − z₂)) = σ(τs − (z₁ − z₂));
        // critical value of D at α = 1e-4.
        let d = StatisticalTests.kolmogorovSmirnov(ratios) { s in 1 / (1 + exp(-(temperature * s - (0.2 - 1.1)))) }
        #expect(d < StatisticalTests.kolmogorovSmirnovCritical(sampleSize: n))
    }
}
