import Foundation
import Testing
import Gumbo
import GumboTestSupport
import GumboWorkloads

/// The lab on a small W3: every z can be enumerated, but the means are
/// Normal sites, so even the all-enumeration gradient is an estimate.
@Suite("Estimator lab on a Gaussian mixture")
struct MixtureLabTests {
    static let count = 12

    @Test("with Normal sites the reference is sampled, from enumeration of z, and says why")
    func sampledFromEnumeration() throws {
        let compiled = try GaussianMixture.model(data: BenchmarkData.mixture(count: Self.count))
            .compile(guide: GaussianMixture.guide(count: Self.count))
        let report = try EstimatorLab(compiled, assignments: [
            EstimatorAssignment(["z": .reinforce(baseline: .movingAverageDefault)]),
            EstimatorAssignment(["z": .gumbelSoftmax(temperature: .constant(0.5), straightThrough: true)]),
        ], configuration: LabConfiguration(trials: 50, seed: 2, reference: .automatic(samples: 500))).run()
        let reference = try #require(report.reference)
        #expect(reference.kind == .sampled && reference.samples == 500)
        // Enumerating z leaves only the reparameterized noise of mu: far less
        // variance than REINFORCE, so it is the one chosen.
        #expect(reference.source == "enumerate")
        #expect(reference.estimators == ["mu": .reparameterization, "z": .enumeration])
        #expect(reference.exactUnavailableReason?.contains("Normal sites mu are sampled") == true)
        #expect(report.groups.map(\.name) == ["mu", "z"])
        #expect(report.groups.map(\.parameters) == [["m", "s"], ["phi"]])
        #expect(report.results.allSatisfy { $0.overall.bias?.count == 3 + 3 + 3 * Self.count })
    }

    @Test("an exact-gradient-only lab still plots: the variance panel falls back to a linear axis")
    func zeroVariancePlot() throws {
        let compiled = try Sprinkler.model().compile(guide: Sprinkler.guide())
        let report = try EstimatorLab(compiled, assignments: [.everyDiscreteSite(.enumeration, of: compiled)],
                                      configuration: LabConfiguration(trials: 3)).run()
        let plots = try report.plots()
        #expect(plots.panels.count == 1 && plots.panels[0].y.scale == .linear)
        _ = try XMLTree.parse(try report.svg())
        #expect(report.markdownCurveTable() == nil && report.markdownSweepTable() == nil)
    }
}
