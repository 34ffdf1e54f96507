import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("Normal")
struct NormalTests {
    static let parameters: [(mean: Double, std: Double)] = [(0, 1), (-0.2, 0.7), (3, 0.01), (-40, 25), (1e3, 1e-3)]

    // MARK: Density

    @Test("logProb matches the closed form at many points")
    func closedForm() throws {
        for (mean, std) in Self.parameters {
            let normal = try Normal(mean: mean, std: std)
            for z in stride(from: -12.0, through: 12.0, by: 0.61) {
                let x = mean + z * std
                // The textbook density, exponentiated and logged: accurate
                // for |z| ≤ 12 (the density stays above 1e-32 · 1/std).
                let naive = log(exp(-(x - mean) * (x - mean) / (2 * std * std)) / (std * (2 * Double.pi).squareRoot()))
                #expect(isClose(normal.logProb(x), naive, relative: 1e-10, absolute: 1e-10))
                #expect(normal.logProb(x) == Normal.logProb(x, mean: mean, std: std))
            }
        }
    }

    @Test("logProb agrees with scipy.stats.norm.logpdf")
    func scipyReference() throws {
        // scipy 1.17: norm.logpdf(1.3, -0.2, 0.7) and norm.logpdf(-3.5, 2, 4.1).
        #expect(isClose(try Normal(mean: -0.2, std: 0.7).logProb(1.3), -2.8581819566128788, relative: 1e-14))
        #expect(isClose(try Normal(mean: 2, std: 4.1).logProb(-3.5), -3.2296875533158866, relative: 1e-14))
    }

    @Test("the density integrates to 1")
    func normalization() throws {
        for (mean, std) in Self.parameters {
            let normal = try Normal(mean: mean, std: std)
            let mass = Quadrature.sinhSinh(center: mean, scale: std) { exp(normal.logProb($0)) }
            #expect(isClose(mass, 1, relative: 1e-10))
        }
    }

    @Test("the CDF is the integral of the density")
    func cdf() throws {
        let normal = try Normal(mean: 1.5, std: 2)
        for x in [-6.0, -1, 0, 1.5, 2.2, 7] {
            let integral = Quadrature.tanhSinh(from: 1.5 - 40, to: x) { exp(normal.logProb($0)) }
            #expect(isClose(normal.cdf(x), integral, relative: 1e-9, absolute: 1e-14))
        }
    }

    @Test("values outside the support score -infinity")
    func support() throws {
        let normal = try Normal(mean: 0, std: 1)
        #expect(normal.logProb(.infinity) == -.infinity)
        #expect(normal.logProb(.nan) == -.infinity)
    }

    // MARK: Partial derivatives

    @Test("partials match central differences")
    func partials() {
        for (mean, std) in Self.parameters {
            for z in [-3.0, -0.4, 0, 0.25, 1.7, 5] {
                let x = mean + z * std
                let partials = Normal.logProbPartials(x, mean: mean, std: std)
                let h = 1e-5 * std
                let dx = centralDifference(at: x, step: representableStep(at: x, h)) { Normal.logProb($0, mean: mean, std: std) }
                let dMean = centralDifference(at: mean, step: representableStep(at: mean, h)) { Normal.logProb(x, mean: $0, std: std) }
                let dStd = centralDifference(at: std, step: representableStep(at: std, h)) { Normal.logProb(x, mean: mean, std: $0) }
                // Steps scale with std, so the relative error is ~1e-9 of
                // the partials' natural size 1/std.
                let scale = 1 / std
                #expect(isClose(partials.value, dx, relative: 1e-7, absolute: 1e-7 * scale))
                #expect(isClose(partials.mean, dMean, relative: 1e-7, absolute: 1e-7 * scale))
                #expect(isClose(partials.std, dStd, relative: 1e-7, absolute: 1e-7 * scale))
            }
        }
    }

    // MARK: Sampler

    @Test("samples have the right moments and pass Kolmogorov–Smirnov")
    func sampler() throws {
        let normal = try Normal(mean: -1.5, std: 0.8)
        var rng = Xoshiro256StarStar(seed: 101)
        let n = 50_000
        let xs = normal.sample(count: n, using: &rng)
        let (mean, variance) = StatisticalTests.meanAndVariance(xs)
        // Standard errors: std/√n for the mean, std²·√(2/n) for the
        // variance; 4.5 of them is a two-sided level near 1e-5.
        #expect(abs(mean - normal.mean) < 4.5 * normal.std / Double(n).squareRoot())
        #expect(abs(variance - normal.variance) < 4.5 * normal.variance * (2 / Double(n)).squareRoot())
        // The CDF written independently of Normal.cdf, through Φ.
        let d = StatisticalTests.kolmogorovSmirnov(xs) { StatisticalTests.standardNormalCDF(($0 + 1.5) / 0.8) }
        // Critical value of D at α = 1e-4 for n draws (asymptotic Kolmogorov).
        #expect(d < StatisticalTests.kolmogorovSmirnovCritical(sampleSize: n))
    }

    @Test("sampling is reproducible from a seed")
    func reproducible() throws {
        let normal = try Normal(mean: 0, std: 1)
        var a = Xoshiro256StarStar(seed: 8)
        var b = Xoshiro256StarStar(seed: 8)
        #expect(normal.sample(count: 100, using: &a) == normal.sample(count: 100, using: &b))
    }
}
