import Foundation
import Testing
@testable import Gumbo
import GumboTestSupport

/// `SVI.evaluate()`'s exact ELBO and `log p(x)` against sums written out by
/// hand: discrete sites in a plate (a mixture's assignments) with a global
/// discrete site beside them, and factors declared inside plates.
@Suite("Exact ELBO and log evidence")
struct EvidenceTests {
    static let data: [Double] = [0.1, 2.2, -0.3, 1.9, 2.5, 0.2, 3.1]
    static let means: [[Double]] = [[0, 2, 4], [0.5, 1.5, 3]]
    static let weights: [Double] = [0.5, 0.3, 0.2]

    static func logNormal(_ x: Double, _ mean: Double, _ std: Double) -> Double {
        -0.5 * Foundation.log(2 * Double.pi * std * std) - (x - mean) * (x - mean) / (2 * std * std)
    }

    static func logSumExp(_ values: [Double]) -> Double {
        let m = values.max()!
        return m + Foundation.log(values.reduce(0) { $0 + Foundation.exp($1 - m) })
    }

    /// A regime `g` for all points, observed once through `y`, and an
    /// assignment `c[i]` per point: `x[i] ~ Normal(means[g][c[i]], 0.8)`.
    static func regimes(subsample: Int?) -> Model {
        let g = Discrete.latent("g"), c = Discrete.latent("c")
        let x = Real.observed("x", data), y = Real.observed("y", [0.7])
        let table = Real(means)
        return Model("regimes") {
            g ~ .bernoulli(probability: 0.35)
            y ~ .normal(mean: g.asReal, std: 0.5)
            Plate("data", size: data.count, subsample: subsample) { i in
                c[i] ~ .categorical(probabilities: weights)
                x[i] ~ .normal(mean: table[g][c[i]], std: 0.8)
            }
        }
    }

    /// `log Σ_g p(g) p(y | g) Π_i Σ_k p(k) p(x_i | g, k)`.
    static var regimesLogEvidence: Double {
        logSumExp((0..<2).map { g in
            var total = Foundation.log(g == 1 ? 0.35 : 0.65) + logNormal(0.7, Double(g), 0.5)
            for x in data { total += logSumExp((0..<3).map { Foundation.log(weights[$0]) + logNormal(x, means[g][$0], 0.8) }) }
            return total
        })
    }

    @Test("log p(x) of a mixture with a global discrete site equals the sum by hand, subsampled in training or not")
    func mixtureWithGlobalSite() throws {
        for subsample in [nil, 3] as [Int?] {
            let svi = try SVI(try Self.regimes(subsample: subsample).compile(),
                              configuration: SVIConfiguration(optimizer: .adam(learningRate: 0.05), seed: 3))
            try svi.run(steps: 50)
            let evaluation = try svi.evaluate()
            let logEvidence = try #require(evaluation.logEvidence, "subsample \(String(describing: subsample))")
            #expect(isClose(logEvidence, Self.regimesLogEvidence, relative: 1e-12), "subsample \(String(describing: subsample))")
            #expect(try #require(evaluation.exactELBO) <= logEvidence)
        }
    }

    @Test("no log p(x) when a term reads every element's site at once")
    func coupledElements() throws {
        let c = Discrete.latent("c"), x = Real.observed("x", [0.3, 1.2])
        let model = Model("coupled") {
            Plate("d", size: 2) { i in
                c[i] ~ .bernoulli(probability: 0.5)
                x[i] ~ .normal(mean: c[i].asReal, std: 1)
            }
            Factor("count", c.asReal.sum() * 0.1)
        }
        let compiled = try model.compile(options: CompileOptions(estimators: ["c": .reinforce(baseline: .none)]))
        #expect(try SVI(compiled).evaluate(particles: 4).logEvidence == nil)
    }

    @Test("a factor inside a plate of N counts N times, also when its log-weight reads nothing of the element")
    func factorInPlate() throws {
        func evaluation(withFactor: Bool) throws -> ELBOEvaluation {
            let rain = Discrete.latent("rain"), wet = Discrete.observed("wet", 1)
            let model = Model("factors") {
                rain ~ .bernoulli(probability: 0.2)
                wet ~ .bernoulli(probability: rain.choose(ifTrue: 0.9, ifFalse: 0.1))
                if withFactor { Plate("d", size: 5) { _ in Factor("f", 1.0) } }
            }
            return try SVI(try model.compile()).evaluate()
        }
        let with = try evaluation(withFactor: true), without = try evaluation(withFactor: false)
        #expect(isClose(try #require(with.exactELBO), try #require(without.exactELBO) + 5, relative: 1e-12))
        #expect(isClose(try #require(with.logEvidence), Foundation.log(0.2 * 0.9 + 0.8 * 0.1) + 5, relative: 1e-12))
    }
}

extension EvidenceTests {
    @Test("evaluations of disjoint parts combine: values add, standard errors in quadrature, exact values only if all are")
    func combining() {
        let a = ELBOEvaluationFixture.make(elbo: -10, standardError: 0.3, exact: -10, evidence: -9)
        let b = ELBOEvaluationFixture.make(elbo: -5, standardError: 0.4, exact: -5, evidence: -4.5)
        let c = ELBOEvaluationFixture.make(elbo: -1, standardError: 0, exact: nil, evidence: nil)
        let ab = ELBOEvaluation.combining([a, b])
        #expect(ab.elbo == -15 && isClose(ab.standardError, 0.5, relative: 1e-15))
        #expect(ab.exactELBO == -15 && ab.logEvidence == -13.5)
        let abc = ELBOEvaluation.combining([a, b, c])
        #expect(abc.elbo == -16 && abc.exactELBO == nil && abc.logEvidence == nil)
    }

    @Test("a plan too large for 32-bit offsets is an error, not a trap")
    func tooLarge() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [60_000, 40_000])
        let loss = try b.sum(b.exp(x))
        do {
            _ = try Plan(graph: b.build(), outputs: [loss], gradients: [x])
            Issue.record("a plan of 2.4e9 values should not compile")
        } catch let error as PlanError {
            guard case .tooLarge(let elements) = error else { Issue.record("\(error)"); return }
            #expect(elements > Int(Int32.max))
            #expect(error.description.contains("fewer data points or particles"))
        }
    }
}

/// Evaluations with chosen values: `combining`'s inputs.
enum ELBOEvaluationFixture {
    static func make(elbo: Double, standardError: Double, exact: Double?, evidence: Double?) -> ELBOEvaluation {
        ELBOEvaluation(elbo: elbo, standardError: standardError, particles: 10, enumeratedSites: [],
                       exactELBO: exact, logEvidence: evidence)
    }
}
