import Foundation
import Testing
import Gumbo
import GumboTestSupport
import GumboWorkloads

/// Each estimator's gradient on W2 against the exact gradient of the ELBO,
/// computed by hand by enumerating the whole model.
@Suite("Gradient estimators on the sprinkler network")
struct GradientEstimatorTests {
    static let a = 0.4, b = -0.7

    /// The exact gradient (∂/∂a, ∂/∂b) by central differences of the
    /// hand-written exact ELBO.
    static let exact: [Double] = [
        centralDifference(at: a) { SprinklerExact.elbo(a: $0, b: b) },
        centralDifference(at: b) { SprinklerExact.elbo(a: a, b: $0) },
    ]

    func svi(_ estimator: Estimator?, particles: Int = 1, seed: UInt64 = 3) throws -> SVI {
        var options = CompileOptions()
        if let estimator { options.estimators = ["rain": estimator, "sprinkler": estimator] }
        let compiled = try Sprinkler.model().compile(guide: Sprinkler.guide(), options: options)
        let svi = try SVI(compiled, configuration: SVIConfiguration(particles: particles, seed: seed))
        try svi.setParameter("a", to: [Self.a])
        try svi.setParameter("b", to: [Self.b])
        return svi
    }

    /// Mean and standard error of `count` gradient estimates.
    func estimates(_ svi: SVI, count: Int) throws -> (mean: [Double], standardError: [Double]) {
        var samples: [[Double]] = []
        for _ in 0..<count {
            let g = try svi.estimateGradient()
            samples.append([g["a"]![0], g["b"]![0]])
        }
        return (0..<2).reduce(into: ([Double](), [Double]())) { result, k in
            let (mean, variance) = StatisticalTests.meanAndVariance(samples.map { $0[k] })
            result.0.append(mean)
            result.1.append((variance / Double(count)).squareRoot())
        }
    }

    @Test("enumeration gives the exact gradient")
    func enumeration() throws {
        let g = try svi(.enumeration).estimateGradient()
        #expect(isClose([g["a"]![0], g["b"]![0]], Self.exact, relative: 1e-7, absolute: 1e-9))
    }

    static let unbiased: [(String, Estimator, Int)] = [
        ("reinforce", .reinforce(baseline: .none), 1),
        ("reinforce:baseline=ma", .reinforce(baseline: .movingAverage(decay: 0.9)), 1),
        ("reinforce:baseline=loo", .reinforce(baseline: .leaveOneOut), 4),
        ("arm", .arm, 2),
        ("disarm", .disarm, 2),
    ]

    @Test("local expectation (with rain enumerated) gives an unbiased gradient for the sprinkler")
    func localExpectation() throws {
        let compiled = try Sprinkler.model().compile(
            guide: Sprinkler.guide(), options: CompileOptions(estimators: ["rain": .enumeration, "sprinkler": .localExpectation]))
        let run = try SVI(compiled, configuration: SVIConfiguration(seed: 4))
        try run.setParameter("a", to: [Self.a])
        try run.setParameter("b", to: [Self.b])
        // With one element the site is fully enumerated given the others: exact.
        let g = try run.estimateGradient()
        #expect(isClose([g["a"]![0], g["b"]![0]], Self.exact, relative: 1e-7, absolute: 1e-9))
    }

    @Test("unbiased estimators average to the exact gradient within 3 standard errors",
          arguments: unbiased.map(\.0))
    func unbiasedEstimators(_ name: String) throws {
        let (_, estimator, particles) = Self.unbiased.first { $0.0 == name }!
        // Score-function estimates are noisy: enough of them that the
        // standard error is a small fraction of the gradient.
        let (mean, standardError) = try estimates(svi(estimator, particles: particles), count: 20_000)
        for k in 0..<2 {
            #expect(abs(mean[k] - Self.exact[k]) < 3 * standardError[k],
                    "\(name) component \(k): mean \(mean[k]), exact \(Self.exact[k]), SE \(standardError[k])")
            // The check has power: the standard error is small next to the gradient.
            #expect(standardError[k] < 0.25 * abs(Self.exact[k]))
        }
    }

    /// The bias of a relaxed estimator: the mean of many estimates minus
    /// the exact gradient (Euclidean norm), with the standard error of that norm.
    func relaxedBias(tau: Double, straightThrough: Bool) throws -> (bias: Double, standardError: Double) {
        let (mean, standardError) = try estimates(
            svi(.concrete(temperature: .constant(tau), straightThrough: straightThrough)), count: 20_000)
        let bias = zip(mean, Self.exact).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        return (bias, standardError.reduce(0) { $0 + $1 * $1 }.squareRoot())
    }

    @Test("soft binary Concrete is biased, and less so at τ = 0.1 than at τ = 1")
    func softBiasShrinksWithTemperature() throws {
        let cold = try relaxedBias(tau: 0.1, straightThrough: false)
        let warm = try relaxedBias(tau: 1, straightThrough: false)
        // Measured: about 0.11 at τ = 0.1 and 0.47 at τ = 1, with standard errors 0.02 and 0.003.
        #expect(warm.bias > 10 * warm.standardError)
        #expect(cold.bias + 3 * (cold.standardError + warm.standardError) < warm.bias)
    }

    @Test("straight-through binary Concrete stays biased as τ falls")
    func straightThroughBias() throws {
        // Its forward pass is exact but its backward pass differentiates the
        // soft sample: E[f'(b)·∂y/∂α] is not (f(1) − f(0))·σ'(α) when f is
        // curved, and the gap does not close as τ → 0. On W2, log p(wet)
        // is steep where p = 0.01, and the bias is large (measured ≈ 5.8 at
        // τ = 0.1 and ≈ 4.0 at τ = 1, against a gradient of norm 0.09).
        for tau in [0.1, 1.0] {
            let measured = try relaxedBias(tau: tau, straightThrough: true)
            #expect(measured.bias > 10 * measured.standardError)
            #expect(measured.bias > 1)
        }
    }
}
