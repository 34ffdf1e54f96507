import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("Gumbel")
struct GumbelTests {
    static let parameters: [(location: Double, scale: Double)] = [(0, 1), (-1, 1.7), (0.3, 0.6), (50, 12), (-2, 0.05)]

    // MARK: Density and CDF

    @Test("logProb matches the closed form at many points")
    func closedForm() throws {
        for (location, scale) in Self.parameters {
            let gumbel = try Gumbel(location: location, scale: scale)
            for z in stride(from: -3.0, through: 20, by: 0.37) {
                let x = location + z * scale
                // (1/β) exp(−(z + e^{−z})), accurate for z ≥ −3 (no overflow).
                let naive = log(exp(-(z + exp(-z))) / scale)
                #expect(isClose(gumbel.logProb(x), naive, relative: 1e-10, absolute: 1e-12))
                #expect(gumbel.logProb(x) == Gumbel.logProb(x, location: location, scale: scale))
            }
        }
    }

    @Test("logProb and cdf agree with scipy.stats.gumbel_r")
    func scipyReference() throws {
        // scipy 1.17: gumbel_r.logpdf(0.4, loc=-1, scale=1.7),
        // gumbel_r.cdf(0.4, loc=-1, scale=1.7), gumbel_r.logpdf(-2.5, loc=0.3, scale=0.6).
        let gumbel = try Gumbel(location: -1, scale: 1.7)
        #expect(isClose(gumbel.logProb(0.4), -1.7930375926184312, relative: 1e-14))
        #expect(isClose(gumbel.cdf(0.4), 0.6447581912327126, relative: 1e-14))
        #expect(isClose(try Gumbel(location: 0.3, scale: 0.6).logProb(-2.5), -101.16518310773287, relative: 1e-13))
    }

    @Test("the density integrates to 1")
    func normalization() throws {
        for (location, scale) in Self.parameters {
            let gumbel = try Gumbel(location: location, scale: scale)
            let mass = Quadrature.sinhSinh(center: location, scale: scale) { exp(gumbel.logProb($0)) }
            #expect(isClose(mass, 1, relative: 1e-10))
        }
    }

    @Test("the CDF is the integral of the density")
    func cdf() throws {
        let gumbel = try Gumbel(location: 0.5, scale: 2)
        for x in [-4.0, -1, 0.5, 2, 9] {
            // Below location − 8·scale the mass is exp(−e⁸) ≈ 1e-1295: zero.
            let integral = Quadrature.tanhSinh(from: 0.5 - 16, to: x) { exp(gumbel.logProb($0)) }
            #expect(isClose(gumbel.cdf(x), integral, relative: 1e-9, absolute: 1e-15))
        }
        #expect(isClose(gumbel.cdf(0.5), exp(-1), relative: 1e-15))
    }

    // MARK: Partial derivatives

    @Test("partials match central differences")
    func partials() {
        for (location, scale) in Self.parameters {
            for z in [-2.0, -0.5, 0, 1e-4, 0.8, 4, 11] {
                let x = location + z * scale
                let partials = Gumbel.logProbPartials(x, location: location, scale: scale)
                let h = 1e-5 * scale
                let dx = centralDifference(at: x, step: representableStep(at: x, h)) { Gumbel.logProb($0, location: location, scale: scale) }
                let dLocation = centralDifference(at: location, step: representableStep(at: location, h)) { Gumbel.logProb(x, location: $0, scale: scale) }
                let dScale = centralDifference(at: scale, step: representableStep(at: scale, h)) { Gumbel.logProb(x, location: location, scale: $0) }
                // The partials' natural size is e^{−z}/scale; the difference
                // error is ~1e-9 of it.
                let size = max(1, exp(-z)) * max(1, abs(z)) / scale
                #expect(isClose(partials.value, dx, relative: 1e-7, absolute: 1e-8 * size))
                #expect(isClose(partials.location, dLocation, relative: 1e-7, absolute: 1e-8 * size))
                #expect(isClose(partials.scale, dScale, relative: 1e-7, absolute: 1e-8 * size))
            }
        }
    }

    // MARK: Sampler

    @Test("samples have mean location + γ·scale and pass Kolmogorov–Smirnov")
    func sampler() throws {
        let gumbel = try Gumbel(location: 2, scale: 0.5)
        var rng = Xoshiro256StarStar(seed: 404)
        let n = 50_000
        let xs = gumbel.sample(count: n, using: &rng)
        let (mean, variance) = StatisticalTests.meanAndVariance(xs)
        let eulerGamma = 0.5772156649015329
        let sd = 0.5 * Double.pi / 6.0.squareRoot()
        #expect(abs(mean - (2 + eulerGamma * 0.5)) < 4.5 * sd / Double(n).squareRoot())
        // The variance estimate's standard error is σ²·√((κ − 1)/n) with
        // excess kurtosis 12/5 for the Gumbel, so κ − 1 = 2 + 12/5.
        #expect(abs(variance - gumbel.variance) < 4.5 * gumbel.variance * (4.4 / Double(n)).squareRoot())
        let d = StatisticalTests.kolmogorovSmirnov(xs) { exp(-exp(-($0 - 2) / 0.5)) }
        // Critical value of D at α = 1e-4.
        #expect(d < StatisticalTests.kolmogorovSmirnovCritical(sampleSize: n))
    }
}
