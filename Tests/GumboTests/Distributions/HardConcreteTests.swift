import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("HardConcrete")
struct HardConcreteTests {
    static let cases: [(logit: Double, temperature: Double, lower: Double, upper: Double)] = [
        (0, 2.0 / 3, -0.1, 1.1), (1.5, 2.0 / 3, -0.1, 1.1), (-2, 0.5, -0.2, 1.05), (0.7, 1.5, -0.5, 1.5), (-0.3, 0.1, -0.1, 1.1),
    ]

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// Written from the sampler's definition: z = 0 when the stretched
    /// s = σ((l + L)/τ) is at most t₀ = −γ/(ζ − γ), i.e. when
    /// L ≤ τ logit(t₀) − l.
    static func probabilityZero(_ c: (logit: Double, temperature: Double, lower: Double, upper: Double)) -> Double {
        let t0 = -c.lower / (c.upper - c.lower)
        return sigmoid(c.temperature * log(t0 / (1 - t0)) - c.logit)
    }

    /// z = 1 when s ≥ t₁ = (1 − γ)/(ζ − γ).
    static func probabilityOne(_ c: (logit: Double, temperature: Double, lower: Double, upper: Double)) -> Double {
        let t1 = (1 - c.lower) / (c.upper - c.lower)
        return 1 - sigmoid(c.temperature * log(t1 / (1 - t1)) - c.logit)
    }

    /// The binary Concrete density of s (Maddison et al. 2017, as printed)
    /// at s = (z − γ)/(ζ − γ), divided by the stretch ζ − γ.
    static func interiorDensity(_ z: Double, _ c: (logit: Double, temperature: Double, lower: Double, upper: Double)) -> Double {
        let s = (z - c.lower) / (c.upper - c.lower)
        let (τ, α) = (c.temperature, exp(c.logit))
        let denominator = α * pow(s, -τ) + pow(1 - s, -τ)
        return τ * α * pow(s, -τ - 1) * pow(1 - s, -τ - 1) / (denominator * denominator) / (c.upper - c.lower)
    }

    func make(_ c: (logit: Double, temperature: Double, lower: Double, upper: Double)) throws -> HardConcrete {
        try HardConcrete(logit: c.logit, temperature: c.temperature, lower: c.lower, upper: c.upper)
    }

    // MARK: Distribution

    @Test("the defaults are the paper's τ = 2/3, γ = −0.1, ζ = 1.1")
    func defaults() throws {
        let gate = try HardConcrete(logit: 0.3)
        #expect(gate.temperature == 2.0 / 3 && gate.lower == -0.1 && gate.upper == 1.1)
    }

    @Test("point masses and the density between match their closed forms")
    func closedForm() throws {
        for c in Self.cases {
            let gate = try make(c)
            #expect(isClose(gate.logProb(0), log(Self.probabilityZero(c)), relative: 1e-12))
            #expect(isClose(gate.logProb(1), log(Self.probabilityOne(c)), relative: 1e-12))
            #expect(isClose(gate.probabilityZero, Self.probabilityZero(c), relative: 1e-12))
            #expect(isClose(gate.probabilityOne, Self.probabilityOne(c), relative: 1e-12))
            for z in stride(from: 0.01, through: 0.99, by: 0.049) {
                #expect(isClose(gate.logProb(z), log(Self.interiorDensity(z, c)), relative: 1e-11, absolute: 1e-11))
                #expect(gate.logProb(z) == HardConcrete.logProb(z, logit: c.logit, temperature: c.temperature, lower: c.lower, upper: c.upper))
            }
        }
    }

    @Test("probabilityNonzero is the paper's expected-L0 term and 1 − P(z = 0)")
    func probabilityNonzero() throws {
        for c in Self.cases {
            let gate = try make(c)
            // Louizos, Welling & Kingma (2018), the L0 term: σ(log α − β log(−γ/ζ)).
            let paper = Self.sigmoid(c.logit - c.temperature * log(-c.lower / c.upper))
            #expect(isClose(gate.probabilityNonzero, paper, relative: 1e-14))
            #expect(isClose(gate.probabilityNonzero, 1 - Self.probabilityZero(c), relative: 1e-12))
        }
    }

    @Test("point masses and the continuous part sum to 1")
    func normalization() throws {
        for c in Self.cases {
            let gate = try make(c)
            let continuous = Quadrature.tanhSinh(from: 0, to: 1) { exp(gate.logProb($0)) }
            #expect(isClose(gate.probabilityZero + gate.probabilityOne + continuous, 1, relative: 1e-10))
        }
    }

    @Test("the CDF jumps by the point masses and integrates the density between")
    func cdf() throws {
        let c = Self.cases[2]
        let gate = try make(c)
        #expect(gate.cdf(-0.01) == 0 && gate.cdf(1) == 1)
        #expect(isClose(gate.cdf(0), Self.probabilityZero(c), relative: 1e-13))
        for z in [0.1, 0.5, 0.93] {
            let integral = Quadrature.tanhSinh(from: 0, to: z) { exp(gate.logProb($0)) }
            #expect(isClose(gate.cdf(z), Self.probabilityZero(c) + integral, relative: 1e-10))
        }
    }

    @Test("values outside [0, 1] score -infinity")
    func support() throws {
        let gate = try HardConcrete(logit: 0)
        for z in [-0.05, 1.05, -1, .nan] { #expect(gate.logProb(z) == -.infinity) }
    }

    // MARK: Stability

    @Test("finite at temperature 0.01, logits ±700 and within 1e-12 of 0 and 1")
    func stability() throws {
        for logit in [-700.0, -5, 0, 5, 700] {
            for temperature in [0.01, 2.0 / 3] {
                let gate = try HardConcrete(logit: logit, temperature: temperature)
                for z in [0, 1e-12, 0.3, 1 - 1e-12, 1] {
                    #expect(gate.logProb(z).isFinite)
                    let p = HardConcrete.logProbPartials(z, logit: logit, temperature: temperature, lower: -0.1, upper: 1.1)
                    #expect([p.value, p.logit, p.temperature, p.lower, p.upper].allSatisfy { $0.isFinite })
                }
                #expect(gate.probabilityNonzero.isFinite)
            }
        }
        // With logit −700 the gate is almost surely 0: log P(z ≠ 0) ≈ −700.
        let closed = try HardConcrete(logit: -700)
        #expect(isClose(closed.logProb(1), -700 - (2.0 / 3) * log(1.1 / 0.1), relative: 1e-12))
    }

    // MARK: Partial derivatives

    @Test("logProb partials match central differences, between and at the point masses")
    func partials() {
        for c in Self.cases {
            for z in [0, 0.03, 0.31, 0.5, 0.77, 0.98, 1] {
                let p = HardConcrete.logProbPartials(z, logit: c.logit, temperature: c.temperature, lower: c.lower, upper: c.upper)
                func f(_ z: Double, _ l: Double, _ t: Double, _ a: Double, _ b: Double) -> Double {
                    HardConcrete.logProb(z, logit: l, temperature: t, lower: a, upper: b)
                }
                let h = 1e-6
                if z > 0, z < 1 {
                    #expect(isClose(p.value, centralDifference(at: z, step: h) { f($0, c.logit, c.temperature, c.lower, c.upper) }, relative: 1e-7, absolute: 1e-7))
                } else {
                    #expect(p.value == 0)
                }
                #expect(isClose(p.logit, centralDifference(at: c.logit, step: h) { f(z, $0, c.temperature, c.lower, c.upper) }, relative: 1e-7, absolute: 1e-8))
                #expect(isClose(p.temperature, centralDifference(at: c.temperature, step: h * c.temperature) { f(z, c.logit, $0, c.lower, c.upper) }, relative: 1e-7, absolute: 1e-7))
                #expect(isClose(p.lower, centralDifference(at: c.lower, step: h * 0.1) { f(z, c.logit, c.temperature, $0, c.upper) }, relative: 1e-6, absolute: 1e-6))
                #expect(isClose(p.upper, centralDifference(at: c.upper, step: h * 0.1) { f(z, c.logit, c.temperature, c.lower, $0) }, relative: 1e-6, absolute: 1e-6))
            }
        }
    }

    @Test("probabilityNonzero and gate partials match central differences")
    func otherPartials() {
        for c in Self.cases {
            let p = HardConcrete.probabilityNonzeroPartials(logit: c.logit, temperature: c.temperature, lower: c.lower, upper: c.upper)
            func f(_ l: Double, _ t: Double, _ a: Double, _ b: Double) -> Double {
                HardConcrete.probabilityNonzero(logit: l, temperature: t, lower: a, upper: b)
            }
            #expect(isClose(p.logit, centralDifference(at: c.logit) { f($0, c.temperature, c.lower, c.upper) }, relative: 1e-7, absolute: 1e-10))
            #expect(isClose(p.temperature, centralDifference(at: c.temperature) { f(c.logit, $0, c.lower, c.upper) }, relative: 1e-7, absolute: 1e-10))
            #expect(isClose(p.lower, centralDifference(at: c.lower, step: 1e-7) { f(c.logit, c.temperature, $0, c.upper) }, relative: 1e-6, absolute: 1e-9))
            #expect(isClose(p.upper, centralDifference(at: c.upper) { f(c.logit, c.temperature, c.lower, $0) }, relative: 1e-7, absolute: 1e-10))
            for noise in [-6.0, -1.2, -0.1, 0.3, 2, 8] {
                let g = HardConcrete.gatePartials(logistic: noise, logit: c.logit, temperature: c.temperature, lower: c.lower, upper: c.upper)
                func gate(_ l: Double, _ t: Double) -> Double {
                    HardConcrete.gate(logistic: noise, logit: l, temperature: t, lower: c.lower, upper: c.upper)
                }
                // Away from the clamping kinks the gate is smooth; at a kink
                // the one-sided derivatives differ and the check is skipped.
                let z = gate(c.logit, c.temperature)
                let nearKink = [gate(c.logit - 1e-5, c.temperature), gate(c.logit + 1e-5, c.temperature)].contains { ($0 == 0 || $0 == 1) != (z == 0 || z == 1) }
                if nearKink { continue }
                #expect(isClose(g.logit, centralDifference(at: c.logit) { gate($0, c.temperature) }, relative: 1e-7, absolute: 1e-10))
                #expect(isClose(g.temperature, centralDifference(at: c.temperature, step: 1e-6 * c.temperature) { gate(c.logit, $0) }, relative: 1e-6, absolute: 1e-9))
            }
        }
    }

    // MARK: Sampler

    @Test("samples hit 0 and 1 with the point masses (chi-square) and pass Kolmogorov–Smirnov between")
    func sampler() throws {
        let c = Self.cases[1]
        let gate = try make(c)
        var rng = Xoshiro256StarStar(seed: 909)
        let n = 60_000
        let zs = gate.sample(count: n, using: &rng)
        #expect(zs.allSatisfy { $0 >= 0 && $0 <= 1 })
        let zeros = zs.filter { $0 == 0 }.count
        let ones = zs.filter { $0 == 1 }.count
        let (p0, p1) = (Self.probabilityZero(c), Self.probabilityOne(c))
        // Three cells (0, between, 1): 2 degrees of freedom, α = 1e-4.
        let chiSquare = StatisticalTests.chiSquare(observed: [zeros, n - zeros - ones, ones], expected: [p0, 1 - p0 - p1, p1])
        #expect(chiSquare < StatisticalTests.chiSquareCritical(degreesOfFreedom: 2))
        // Between 0 and 1, the conditional CDF (F(z) − P₀)/(1 − P₀ − P₁) with
        // F(z) = P(γ + (ζ − γ)s ≤ z) = σ(τ logit((z − γ)/(ζ − γ)) − l).
        let interior = zs.filter { $0 > 0 && $0 < 1 }
        let d = StatisticalTests.kolmogorovSmirnov(interior) { z in
            let s = (z - c.lower) / (c.upper - c.lower)
            return (Self.sigmoid(c.temperature * log(s / (1 - s)) - c.logit) - p0) / (1 - p0 - p1)
        }
        #expect(d < StatisticalTests.kolmogorovSmirnovCritical(sampleSize: interior.count))
    }
}
