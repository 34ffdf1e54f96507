import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("RelaxedBernoulli")
struct RelaxedBernoulliTests {
    static let parameters: [(temperature: Double, logit: Double)] = [(0.1, 0), (0.3, -1.5), (0.5, 2), (1, 0.4), (2.5, -1.2), (4, 3)]

    /// Maddison, Mnih & Teh (2017) §3.3, the binary Concrete density as
    /// printed: τ α y^{−τ−1} (1 − y)^{−τ−1} / (α y^{−τ} + (1 − y)^{−τ})².
    static func paperDensity(_ y: Double, temperature τ: Double, logit: Double) -> Double {
        let α = exp(logit)
        let denominator = α * pow(y, -τ) + pow(1 - y, -τ)
        return τ * α * pow(y, -τ - 1) * pow(1 - y, -τ - 1) / (denominator * denominator)
    }

    // MARK: Density

    @Test("logProb matches the paper's density at many points")
    func closedForm() throws {
        for (temperature, logit) in Self.parameters {
            let relaxed = try RelaxedBernoulli(temperature: temperature, logit: logit)
            for y in stride(from: 0.01, through: 0.99, by: 0.0245) {
                let naive = log(Self.paperDensity(y, temperature: temperature, logit: logit))
                #expect(isClose(relaxed.logProb(y), naive, relative: 1e-11, absolute: 1e-11))
                let s = log(y / (1 - y))
                #expect(isClose(relaxed.logProb(logitOfValue: s), naive, relative: 1e-11, absolute: 1e-11))
                #expect(relaxed.logProb(logitOfValue: s) == RelaxedBernoulli.logProb(logitOfValue: s, logit: logit, temperature: temperature))
            }
        }
    }

    @Test("logProb agrees with torch.distributions.RelaxedBernoulli")
    func torchReference() throws {
        // PyTorch 2.15, float64: RelaxedBernoulli(0.4, logits=0.8).log_prob(0.3)
        // and RelaxedBernoulli(2.5, logits=-1.2).log_prob(0.91).
        #expect(isClose(try RelaxedBernoulli(temperature: 0.4, logit: 0.8).logProb(0.3), -1.0500754140812378, relative: 1e-13))
        #expect(isClose(try RelaxedBernoulli(temperature: 2.5, logit: -1.2).logProb(0.91), -3.567392462093963, relative: 1e-13))
    }

    @Test("the density integrates to 1 on (0, 1)")
    func normalization() throws {
        for (temperature, logit) in Self.parameters {
            let relaxed = try RelaxedBernoulli(temperature: temperature, logit: logit)
            // For τ < 1 the density grows like y^{τ−1} at the ends; the
            // quadrature passes the exact distances y and 1 − y, and the
            // density is evaluated at their logit.
            let mass = Quadrature.tanhSinh(from: 0, to: 1, withEndpointDistances: { _, y, oneMinusY in
                exp(relaxed.logProb(logitOfValue: log(y) - log(oneMinusY)))
            })
            #expect(isClose(mass, 1, relative: 1e-8))
        }
    }

    @Test("the CDF is the integral of the density, and P(y > 1/2) = σ(logit)")
    func cdf() throws {
        let relaxed = try RelaxedBernoulli(temperature: 0.6, logit: -0.7)
        for y in [0.001, 0.2, 0.5, 0.8, 0.999] {
            let integral = Quadrature.tanhSinh(from: 0, to: y) { exp(relaxed.logProb($0)) }
            #expect(isClose(relaxed.cdf(y), integral, relative: 1e-8))
        }
        #expect(isClose(1 - relaxed.cdf(0.5), 1 / (1 + exp(0.7)), relative: 1e-14))
    }

    @Test("values outside (0, 1) score -infinity")
    func support() throws {
        let relaxed = try RelaxedBernoulli(temperature: 0.5, logit: 0)
        for y in [0.0, 1, -0.1, 1.5, .nan] { #expect(relaxed.logProb(y) == -.infinity) }
        #expect(relaxed.logProb(logitOfValue: .infinity) == -.infinity)
    }

    // MARK: Stability

    @Test("finite and accurate within 1e-12 of 0 and 1, at temperature 0.01 and logits ±700")
    func stability() throws {
        // References: the paper's density evaluated in 60-digit arithmetic
        // (mpmath) at the same double-precision y.
        let cases: [(y: Double, logit: Double, temperature: Double, reference: Double)] = [
            (1e-12, 3, 0.01, 19.675397458514536981),
            (1 - 1e-12, 3, 0.01, 20.175047096575579321),
            (1e-12, -2, 0.5, 15.122348599348228817),
            (1 - 1e-12, 700, 0.5, -659.24658232371940746),
            (1e-12, -700, 0.01, -676.69783885889926763),
        ]
        for c in cases {
            let relaxed = try RelaxedBernoulli(temperature: c.temperature, logit: c.logit)
            #expect(isClose(relaxed.logProb(c.y), c.reference, relative: 1e-11))
        }
        // In logit space the density is finite far beyond where y rounds to
        // 0 or 1, and so are its partials.
        for s in [-5000.0, -800, 800, 5000] {
            for (logit, temperature) in [(700.0, 0.01), (-700, 0.01), (0, 3)] {
                #expect(RelaxedBernoulli.logProb(logitOfValue: s, logit: logit, temperature: temperature).isFinite)
                let partials = RelaxedBernoulli.logProbPartials(logitOfValue: s, logit: logit, temperature: temperature)
                #expect(partials.logitOfValue.isFinite && partials.logit.isFinite && partials.temperature.isFinite)
            }
        }
    }

    // MARK: Partial derivatives

    @Test("partials match central differences")
    func partials() {
        for (temperature, logit) in Self.parameters + [(0.01, 700), (0.01, -3)] {
            for s in [-30.0, -4, -0.3, 0, 0.2, 1.5, 9, 400] {
                let partials = RelaxedBernoulli.logProbPartials(logitOfValue: s, logit: logit, temperature: temperature)
                let ds = centralDifference(at: s) { RelaxedBernoulli.logProb(logitOfValue: $0, logit: logit, temperature: temperature) }
                let dLogit = centralDifference(at: logit) { RelaxedBernoulli.logProb(logitOfValue: s, logit: $0, temperature: temperature) }
                let dTemperature = centralDifference(at: temperature, step: 1e-6 * temperature) {
                    RelaxedBernoulli.logProb(logitOfValue: s, logit: logit, temperature: $0)
                }
                // Relative steps of 1e-5 (1e-6 for τ): the differences are
                // good to ~1e-8 of the larger of the partial and the terms
                // it is made from (|s|, τ|s|, 1/τ).
                let size = max(1, abs(s), 1 / temperature)
                #expect(isClose(partials.logitOfValue, ds, relative: 1e-6, absolute: 1e-8 * size))
                #expect(isClose(partials.logit, dLogit, relative: 1e-6, absolute: 1e-8 * size))
                #expect(isClose(partials.temperature, dTemperature, relative: 1e-6, absolute: 1e-8 * size))
            }
        }
    }

    // MARK: Sampler

    @Test("samples pass Kolmogorov–Smirnov and have the density's mean")
    func sampler() throws {
        let (temperature, logit) = (0.7, 0.4)
        let relaxed = try RelaxedBernoulli(temperature: temperature, logit: logit)
        var rng = Xoshiro256StarStar(seed: 505)
        let n = 50_000
        let ys = relaxed.sample(count: n, using: &rng)
        #expect(ys.allSatisfy { $0 > 0 && $0 < 1 })
        // P(Y ≤ y) = P(L ≤ τ logit(y) − l) = σ(τ logit(y) − l), written here
        // from the sampler's definition, not taken from RelaxedBernoulli.cdf.
        let d = StatisticalTests.kolmogorovSmirnov(ys) { y in 1 / (1 + exp(-(temperature * log(y / (1 - y)) - logit))) }
        #expect(d < StatisticalTests.kolmogorovSmirnovCritical(sampleSize: n))
        // Moments of the density by quadrature; the sample mean is within
        // 4.5 standard errors √(Var/n).
        let density = { (y: Double) in exp(relaxed.logProb(y)) }
        let mean = Quadrature.tanhSinh(from: 0, to: 1) { $0 * density($0) }
        let secondMoment = Quadrature.tanhSinh(from: 0, to: 1) { $0 * $0 * density($0) }
        let sampleMean = ys.reduce(0, +) / Double(n)
        #expect(abs(sampleMean - mean) < 4.5 * ((secondMoment - mean * mean) / Double(n)).squareRoot())
    }

    @Test("sample is the sigmoid of sampleLogitOfValue, and stays stable at temperature 0.01")
    func logitSampler() throws {
        let relaxed = try RelaxedBernoulli(temperature: 0.01, logit: -0.5)
        var a = Xoshiro256StarStar(seed: 9)
        var b = Xoshiro256StarStar(seed: 9)
        var aboveHalf = 0
        let n = 20_000
        for _ in 0..<n {
            let y = relaxed.sample(using: &a)
            let s = relaxed.sampleLogitOfValue(using: &b)
            #expect(y == StableMath.sigmoid(s))
            #expect(relaxed.logProb(logitOfValue: s).isFinite)
            if s > 0 { aboveHalf += 1 }
        }
        // P(y > 1/2) = σ(l) at every temperature; binomial SE √(p(1−p)/n).
        let p = 1 / (1 + exp(0.5))
        #expect(abs(Double(aboveHalf) / Double(n) - p) < 4.5 * (p * (1 - p) / Double(n)).squareRoot())
    }
}
