import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("RelaxedCategorical")
struct RelaxedCategoricalTests {
    static let cases: [(temperature: Double, logits: [Double])] = [
        (0.5, [0.3, -1]), (1, [0, 0, 0]), (0.7, [0.4, -0.2, 0]), (2, [1.5, -0.5, 0.2]),
        (0.3, [-1, 2, 0.5, 0.1]), (1.3, [0.2, -0.7, 1.1, 0, -2]),
    ]

    /// Jang, Gu & Poole (2017), eq. 2, as printed, with π = softmax(z):
    /// Γ(K) τ^{K−1} (Σ_i π_i / y_i^τ)^{−K} Π_i (π_i / y_i^{τ+1}).
    static func paperDensity(_ y: [Double], temperature τ: Double, logits: [Double]) -> Double {
        let total = logits.map { exp($0) }.reduce(0, +)
        let π = logits.map { exp($0) / total }
        let k = Double(y.count)
        var density = tgamma(k) * pow(τ, k - 1)
        density *= pow(zip(π, y).map { $0 / pow($1, τ) }.reduce(0, +), -k)
        for (p, v) in zip(π, y) { density *= p / pow(v, τ + 1) }
        return density
    }

    /// Points on the simplex with entries at least 0.02.
    static func simplexPoints(count k: Int, _ n: Int, seed: UInt64) -> [[Double]] {
        var rng = Xoshiro256StarStar(seed: seed)
        return (0..<n).map { _ in
            let raw = (0..<k).map { _ in 0.1 + rng.nextOpenUniform() }
            let total = raw.reduce(0, +)
            return raw.map { $0 / total }
        }
    }

    func logProbKernel(_ y: [Double], _ logits: [Double], _ temperature: Double) -> Double {
        y.withUnsafeBufferPointer { v in logits.withUnsafeBufferPointer { RelaxedCategorical.logProb(v, logits: $0, temperature: temperature) } }
    }

    // MARK: Density

    @Test("logProb matches the paper's density at many points")
    func closedForm() throws {
        for (temperature, logits) in Self.cases {
            let relaxed = try RelaxedCategorical(temperature: temperature, logits: logits)
            for y in Self.simplexPoints(count: logits.count, 40, seed: 11) {
                let naive = log(Self.paperDensity(y, temperature: temperature, logits: logits))
                #expect(isClose(relaxed.logProb(y), naive, relative: 1e-11, absolute: 1e-11))
            }
        }
    }

    @Test("logProb agrees with torch.distributions.RelaxedOneHotCategorical")
    func torchReference() throws {
        // PyTorch 2.15, float64: RelaxedOneHotCategorical(τ, logits=z).log_prob(y).
        let three = try RelaxedCategorical(temperature: 0.6, logits: [0.5, -0.3, 1.1])
        #expect(isClose(three.logProb([0.2, 0.5, 0.3]), -0.7813203710078485, relative: 1e-13))
        let four = try RelaxedCategorical(temperature: 1.7, logits: [2, -1, 0, 0.7])
        #expect(isClose(four.logProb([0.55, 0.05, 0.15, 0.25]), 4.283148897805452, relative: 1e-13))
    }

    @Test("with two classes it is the binary Concrete density of y₁")
    func twoClasses() throws {
        let relaxed = try RelaxedCategorical(temperature: 0.8, logits: [1.2, 0.5])
        let binary = try RelaxedBernoulli(temperature: 0.8, logit: 0.7)
        for y in stride(from: 0.05, through: 0.95, by: 0.1) {
            #expect(isClose(relaxed.logProb([y, 1 - y]), binary.logProb(y), relative: 1e-12, absolute: 1e-13))
        }
    }

    @Test("the density integrates to 1 over the 2-simplex")
    func normalization() throws {
        for (temperature, logits) in Self.cases where logits.count == 3 {
            let relaxed = try RelaxedCategorical(temperature: temperature, logits: logits)
            let mass = Quadrature.overSimplex { a, b, c in exp(relaxed.logProb([a, b, c])) }
            #expect(isClose(mass, 1, relative: 1e-7))
        }
    }

    @Test("points off the simplex score -infinity")
    func support() throws {
        let relaxed = try RelaxedCategorical(temperature: 0.5, logits: [0, 1, 2])
        #expect(relaxed.logProb([0.5, 0.5]) == -.infinity)
        #expect(relaxed.logProb([0.5, 0.5, 0]) == -.infinity)
        #expect(relaxed.logProb([0.5, 0.6, 0.1]) == -.infinity)
        #expect(relaxed.logProb([0.5, .nan, 0.5]) == -.infinity)
    }

    // MARK: Stability

    @Test("finite and accurate within 1e-12 of the vertices, at temperature 0.01 and logits ±700")
    func stability() throws {
        // References: the paper's density in 60-digit arithmetic (mpmath) at
        // the same double-precision points.
        let nearVertex2 = [1e-12, 1 - 2e-12, 1e-12]
        let nearVertex1 = [1 - 2e-12, 1e-12, 1e-12]
        let cases: [(y: [Double], logits: [Double], temperature: Double, reference: Double)] = [
            (nearVertex2, [0, 1, -1], 0.01, 42.770939318993923513),
            (nearVertex1, [700, -700, 0], 0.5, -2017.8000838327743006),
            (nearVertex1, [-700, 700, 0], 0.01, -2053.5314611707164065),
        ]
        for c in cases {
            let relaxed = try RelaxedCategorical(temperature: c.temperature, logits: c.logits)
            #expect(isClose(relaxed.logProb(c.y), c.reference, relative: 1e-12))
            var valueGradient = [Double](repeating: 0, count: 3)
            var logitsGradient = [Double](repeating: 0, count: 3)
            let dTemperature = c.y.withUnsafeBufferPointer { y in
                c.logits.withUnsafeBufferPointer { z in
                    valueGradient.withUnsafeMutableBufferPointer { gy in
                        logitsGradient.withUnsafeMutableBufferPointer { gz in
                            RelaxedCategorical.logProbGradient(y, logits: z, temperature: c.temperature, valueGradient: gy, logitsGradient: gz)
                        }
                    }
                }
            }
            #expect(dTemperature.isFinite)
            #expect((valueGradient + logitsGradient).allSatisfy { $0.isFinite })
        }
    }

    // MARK: Gradient

    @Test("the value, logits and temperature gradients match central differences")
    func gradient() throws {
        for (temperature, logits) in Self.cases {
            for y in Self.simplexPoints(count: logits.count, 5, seed: 12) {
                var valueGradient = [Double](repeating: .nan, count: y.count)
                var logitsGradient = [Double](repeating: .nan, count: y.count)
                let dTemperature = y.withUnsafeBufferPointer { v in
                    logits.withUnsafeBufferPointer { z in
                        valueGradient.withUnsafeMutableBufferPointer { gy in
                            logitsGradient.withUnsafeMutableBufferPointer { gz in
                                RelaxedCategorical.logProbGradient(v, logits: z, temperature: temperature, valueGradient: gy, logitsGradient: gz)
                            }
                        }
                    }
                }
                // The kernel is the formula on all of ℝ^K, so each value
                // coordinate is differenced on its own (off the simplex).
                let numericValue = centralDifferenceGradient(at: y, step: 1e-7) { logProbKernel($0, logits, temperature) }
                let numericLogits = centralDifferenceGradient(at: logits) { logProbKernel(y, $0, temperature) }
                let numericTemperature = centralDifference(at: temperature) { logProbKernel(y, logits, $0) }
                #expect(isClose(valueGradient, numericValue, relative: 1e-6, absolute: 1e-6))
                #expect(isClose(logitsGradient, numericLogits, relative: 1e-7, absolute: 1e-8))
                #expect(isClose(dTemperature, numericTemperature, relative: 1e-7, absolute: 1e-8))
            }
        }
    }

    // MARK: Sampler

    @Test("samples lie on the simplex and follow the density (chi-square on a 2-D histogram)")
    func sampler() throws {
        let (temperature, logits) = (0.7, [0.4, -0.2, 0.0])
        let relaxed = try RelaxedCategorical(temperature: temperature, logits: logits)
        // Bins of the simplex in the coordinates (y₁, v = y₂/(1 − y₁)),
        // which map the triangle onto the unit square.
        let y1Edges = [0, 0.1, 0.3, 0.6, 0.85, 1]
        let vEdges = [0, 0.15, 0.4, 0.6, 0.85, 1]
        let binCount = (y1Edges.count - 1) * (vEdges.count - 1)
        func bin(_ y: [Double]) -> Int {
            let v = y[1] / (y[1] + y[2])
            let i = y1Edges.lastIndex { $0 <= y[0] }!
            let j = vEdges.lastIndex { $0 <= v }!
            return min(i, y1Edges.count - 2) * (vEdges.count - 1) + min(j, vEdges.count - 2)
        }
        // Each bin's probability by quadrature of the density:
        // ∫_{a}^{b} dy₁ ∫_{v₀(1−y₁)}^{v₁(1−y₁)} p(y₁, y₂, 1 − y₁ − y₂) dy₂.
        var expected = [Double](repeating: 0, count: binCount)
        for i in 0..<(y1Edges.count - 1) {
            for j in 0..<(vEdges.count - 1) {
                let (v0, v1) = (vEdges[j], vEdges[j + 1])
                expected[i * (vEdges.count - 1) + j] = Quadrature.tanhSinh(from: y1Edges[i], to: y1Edges[i + 1], tolerance: 1e-8, closestApproach: 1e-30, withEndpointDistances: { y1, _, toB in
                    let rest = toB + (1 - y1Edges[i + 1])
                    return Quadrature.tanhSinh(from: v0 * rest, to: v1 * rest, tolerance: 1e-8, closestApproach: 1e-30, withEndpointDistances: { y2, _, toUpper in
                        exp(relaxed.logProb([y1, y2, toUpper + rest * (1 - v1)]))
                    })
                })
            }
        }
        #expect(isClose(expected.reduce(0, +), 1, relative: 1e-6))

        var rng = Xoshiro256StarStar(seed: 606)
        let n = 100_000
        var counts = [Int](repeating: 0, count: binCount)
        for _ in 0..<n {
            let y = relaxed.sample(using: &rng)
            #expect(y.allSatisfy { $0 > 0 } && abs(y.reduce(0, +) - 1) < 1e-14)
            counts[bin(y)] += 1
        }
        // Pearson's approximation needs expected counts of at least 5.
        try #require(expected.allSatisfy { $0 * Double(n) >= 5 })
        // Fully specified bin probabilities: bins − 1 degrees of freedom,
        // critical value at α = 1e-4.
        let chiSquare = StatisticalTests.chiSquare(observed: counts, expected: expected)
        #expect(chiSquare < StatisticalTests.chiSquareCritical(degreesOfFreedom: binCount - 1))
    }
}
