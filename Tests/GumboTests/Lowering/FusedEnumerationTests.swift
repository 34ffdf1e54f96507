import Foundation
import Testing
@testable import Gumbo
import GumboTestSupport
import GumboWorkloads

/// Enumerated sites lowered to one `enumeratedExpectation` node give the
/// term-by-term lowering's objective and gradient, up to the order of the
/// sums.
@Suite("Fused enumerated expectations")
struct FusedEnumerationTests {
    /// Two enumerated sites per point, each with its own observation:
    ///
    ///     z_i ~ Categorical(0.2, 0.3, 0.5),  x_i ~ Normal(mu[z_i], 1)
    ///     w_i ~ Categorical(0.6, 0.4),       y_i ~ Normal(nu[w_i], 1)
    ///
    /// `z`'s axis is followed by `w`'s in the batch layout.
    static func twoSites(count: Int, subsample: Int?) -> (Model, Guide) {
        var rng = Xoshiro256StarStar(seed: 17)
        let xs = (0..<count).map { _ in 4 * rng.nextOpenUniform() - 2 }
        let ys = (0..<count).map { _ in 2 * rng.nextOpenUniform() - 1 }
        let mu = Real.latent("mu"), nu = Real.latent("nu")
        let z = Discrete.latent("z"), w = Discrete.latent("w")
        let x = Real.observed("x", xs), y = Real.observed("y", ys)
        let model = Model("two") {
            Plate("zc", size: 3) { k in mu[k] ~ .normal(mean: 0, std: 5) }
            Plate("wc", size: 2) { k in nu[k] ~ .normal(mean: 0, std: 5) }
            Plate("data", size: count, subsample: subsample) { i in
                z[i] ~ .categorical(probabilities: [0.2, 0.3, 0.5])
                w[i] ~ .categorical(probabilities: [0.6, 0.4])
                x[i] ~ .normal(mean: mu[z[i]], std: 1)
                y[i] ~ .normal(mean: nu[w[i]], std: 1)
            }
        }
        let m = Real.parameter("m", initial: [-1, 0, 1]), n = Real.parameter("n", initial: [-0.5, 0.5])
        let s = Real.parameter("s", initial: 1, shape: [3], constraint: .positive)
        let t = Real.parameter("t", initial: 0.7, shape: [2], constraint: .positive)
        let phi = Real.parameter("phi", initial: 0.3, shape: [count, 3])
        let psi = Real.parameter("psi", initial: -0.2, shape: [count, 2])
        let guide = Guide {
            Plate("zc", size: 3) { k in mu[k] ~ .normal(mean: m[k], std: s[k]) }
            Plate("wc", size: 2) { k in nu[k] ~ .normal(mean: n[k], std: t[k]) }
            Plate("data", size: count, subsample: subsample) { i in
                z[i] ~ .categorical(logits: phi[i], classes: 3)
                w[i] ~ .categorical(logits: psi[i], classes: 2)
            }
        }
        return (model, guide)
    }

    /// Gradient, loss and evaluated ELBO after a few steps, with and
    /// without the fused node.
    static func run(_ model: Model, _ guide: Guide, estimators: [String: Estimator], fused: Bool,
                    particles: Int, threads: Int = 1) throws -> (gradient: [String: [Double]], losses: [Double], elbo: Double, plan: String) {
        var options = CompileOptions(estimators: estimators)
        options.fusesEnumeratedExpectations = fused
        let compiled = try model.compile(guide: guide, options: options)
        var configuration = SVIConfiguration(particles: particles, seed: 11)
        configuration.threads = threads
        let svi = try SVI(compiled, configuration: configuration)
        var losses: [Double] = []
        for _ in 0..<3 { losses.append(try svi.step()) }
        let gradient = try svi.estimateGradient()
        var treatments: [String: SiteTreatment] = [:]
        for choice in compiled.estimators { treatments[choice.site] = SiteTreatment(choice.estimator) }
        let plan = try ELBOPlan(ELBOLowering.lower(compiled, treatments: treatments, particles: particles),
                                withGradients: true).plan.description
        return (gradient, losses, try svi.evaluate(particles: 2, seed: 5).elbo, plan)
    }

    static func expectClose(_ a: (gradient: [String: [Double]], losses: [Double], elbo: Double, plan: String),
                            _ b: (gradient: [String: [Double]], losses: [Double], elbo: Double, plan: String)) {
        #expect(isClose(a.losses, b.losses, relative: 1e-11, absolute: 1e-9), "\(a.losses) vs \(b.losses)")
        #expect(isClose(a.elbo, b.elbo, relative: 1e-11, absolute: 1e-9))
        #expect(Set(a.gradient.keys) == Set(b.gradient.keys))
        for (name, value) in a.gradient {
            #expect(isClose(value, b.gradient[name]!, relative: 1e-9, absolute: 1e-9), "\(name)")
        }
    }

    @Test("W3: the same losses, gradient and ELBO as term by term", arguments: [1, 3])
    func mixture(particles: Int) throws {
        let data = BenchmarkData.mixture(count: 30)
        let (model, guide) = (GaussianMixture.model(data: data), GaussianMixture.guide(count: data.count))
        let fused = try Self.run(model, guide, estimators: ["z": .enumeration], fused: true, particles: particles)
        let unfused = try Self.run(model, guide, estimators: ["z": .enumeration], fused: false, particles: particles)
        #expect(fused.plan.contains("enumeratedExpectation") && !fused.plan.contains("logSoftmax"), "\(fused.plan)")
        #expect(!unfused.plan.contains("enumeratedExpectation"))
        Self.expectClose(fused, unfused)
    }

    @Test("W3 subsampled (the entropy scaled like the guide's term), and split across two threads")
    func subsampledAndThreaded() throws {
        let data = BenchmarkData.mixture(count: 40)
        let (model, guide) = (GaussianMixture.model(data: data, subsample: 10), GaussianMixture.guide(count: 40, subsample: 10))
        Self.expectClose(try Self.run(model, guide, estimators: ["z": .enumeration], fused: true, particles: 2),
                         try Self.run(model, guide, estimators: ["z": .enumeration], fused: false, particles: 2))
        let (full, fullGuide) = (GaussianMixture.model(data: data), GaussianMixture.guide(count: 40))
        Self.expectClose(try Self.run(full, fullGuide, estimators: ["z": .enumeration], fused: true, particles: 1, threads: 2),
                         try Self.run(full, fullGuide, estimators: ["z": .enumeration], fused: false, particles: 1, threads: 2))
    }

    @Test("two enumerated sites per point, each fused on its own axis")
    func twoEnumeratedSites() throws {
        let (model, guide) = Self.twoSites(count: 9, subsample: nil)
        let estimators: [String: Estimator] = ["z": .enumeration, "w": .enumeration]
        let fused = try Self.run(model, guide, estimators: estimators, fused: true, particles: 2)
        let unfused = try Self.run(model, guide, estimators: estimators, fused: false, particles: 2)
        #expect(fused.plan.components(separatedBy: "= enumeratedExpectation").count == 3, "\(fused.plan)")
        Self.expectClose(fused, unfused)
    }

    @Test("a site whose terms a score-function site's cost reads keeps them term by term")
    func scoreFunctionNeighbour() throws {
        let (model, guide) = Self.twoSites(count: 6, subsample: nil)
        let estimators: [String: Estimator] = ["z": .enumeration, "w": .reinforce(baseline: .none)]
        let fused = try Self.run(model, guide, estimators: estimators, fused: true, particles: 2)
        let unfused = try Self.run(model, guide, estimators: estimators, fused: false, particles: 2)
        #expect(fused.plan.contains("enumeratedExpectation"))
        Self.expectClose(fused, unfused)
    }

    @Test("a relaxed site's −KL as one node gives the chain's losses, gradient and ELBO (soft and straight-through, subsampled)",
          arguments: [false, true])
    func relaxedKL(straightThrough: Bool) throws {
        let data = BenchmarkData.mixture(count: 40)
        let estimators: [String: Estimator] = ["z": .gumbelSoftmax(temperature: .constant(0.5), straightThrough: straightThrough)]
        let (model, guide) = (GaussianMixture.model(data: data), GaussianMixture.guide(count: data.count))
        let fused = try Self.run(model, guide, estimators: estimators, fused: true, particles: 2)
        let unfused = try Self.run(model, guide, estimators: estimators, fused: false, particles: 2)
        #expect(fused.plan.contains("enumeratedExpectation") && !fused.plan.contains("logSoftmax"), "\(fused.plan)")
        #expect(!unfused.plan.contains("enumeratedExpectation"))
        Self.expectClose(fused, unfused)
        let (sub, subGuide) = (GaussianMixture.model(data: data, subsample: 10), GaussianMixture.guide(count: 40, subsample: 10))
        Self.expectClose(try Self.run(sub, subGuide, estimators: estimators, fused: true, particles: 1),
                         try Self.run(sub, subGuide, estimators: estimators, fused: false, particles: 1))
    }
}
