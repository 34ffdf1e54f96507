import Foundation
import Testing
import Gumbo
import GumboTestSupport
import GumboWorkloads

/// The lab on a small W4, where the gates cannot be enumerated (every
/// response depends on all of them) and the weights are Normal: the
/// reference is a high-sample mean.
@Suite("Estimator lab on spike-and-slab regression")
struct SpikeAndSlabLabTests {
    static let features = 4
    static let referenceSamples = 3000
    static let report = Result {
        let data = BenchmarkData.spikeAndSlab(count: 20, features: features)
        let compiled = try SpikeAndSlab.model(design: data.design, responses: data.responses)
            .compile(guide: SpikeAndSlab.guide(features: features))
        return try EstimatorLab(compiled, assignments: [
            EstimatorAssignment(["g": .reinforce(baseline: .movingAverageDefault)]),
            EstimatorAssignment(["g": .concrete(temperature: .constant(2.0 / 3), straightThrough: false)]),
            EstimatorAssignment(["g": .disarm], particles: 2),
        ], configuration: LabConfiguration(trials: 200, seed: 4, reference: .automatic(samples: referenceSamples))).run()
    }

    @Test("the reference is sampled from the lowest-variance unbiased assignment, and says why")
    func sampledReference() throws {
        let report = try Self.report.get()
        let reference = try #require(report.reference)
        #expect(reference.kind == .sampled)
        #expect(reference.samples == Self.referenceSamples)
        let unbiased = report.results.filter(\.isUnbiased)
        #expect(unbiased.map(\.name) == ["reinforce:baseline=ma", "disarm"])
        let lowest = try #require(unbiased.min { $0.totalVariance < $1.totalVariance })
        #expect(reference.source == lowest.name)
        #expect(reference.estimators["g"]?.isUnbiased == true && reference.estimators["w"] == .reparameterization)
        let reason = try #require(reference.exactUnavailableReason)
        #expect(reason.contains("enumerat") && reason.contains("'g'"))
        // Standard errors for every component of every parameter.
        #expect(Set(reference.gradients.keys) == ["theta", "m", "s"])
        for (name, gradient) in reference.gradients {
            #expect(reference.standardErrors[name]?.count == gradient.count)
            #expect(reference.standardErrors[name]!.allSatisfy { $0 > 0 })
        }
        // Many more samples than T of the lowest-variance unbiased
        // estimator: sharper than any unbiased assignment's own mean. (A
        // relaxed estimator's variance may be lower than the reference's.)
        for result in unbiased {
            for group in result.groups {
                let own = group.variance.map { ($0 / Double(group.trials)).squareRoot() }
                #expect(zip(group.referenceStandardError!, own).allSatisfy { $0 < $1 }, "\(result.name) \(group.name)")
            }
        }
    }

    @Test("it is reported in the Markdown and the JSON")
    func reported() throws {
        let report = try Self.report.get()
        let markdown = report.markdown()
        #expect(markdown.contains("Reference: the mean of \(Self.referenceSamples) estimates of '\(report.reference!.source)'"))
        #expect(markdown.contains("largest standard error"))
        #expect(report.markdownTable().split(separator: "\n").count == 2 + 3 * 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json.text.utf8)) as? [String: Any])
        let reference = try #require(object["reference"] as? [String: Any])
        #expect(reference["kind"] as? String == "sampled")
        #expect((reference["samples"] as? NSNumber)?.intValue == Self.referenceSamples)
        #expect(reference["exact_unavailable_reason"] as? String != nil)
        #expect((reference["largest_stderr"] as? NSNumber)?.doubleValue ?? 0 > 0)
    }

    @Test("groups gather each site's guide parameters; unbiased estimators agree with the reference")
    func groups() throws {
        let report = try Self.report.get()
        #expect(report.groups.map(\.name) == ["g", "w"])
        #expect(report.groups.map(\.parameters) == [["theta"], ["m", "s"]])
        for result in report.results where result.isUnbiased {
            for group in result.groups {
                let bias = try #require(group.bias), standardError = try #require(group.biasStandardError)
                for j in bias.indices {
                    #expect(abs(bias[j]) < 4 * standardError[j], "\(result.name) \(group.name)[\(j)]: \(bias[j]) ± \(standardError[j])")
                }
            }
        }
        let w = try #require(report.results[0].statistics("w"))
        #expect(w.mean.count == 2 * Self.features)
    }

    @Test("an exact-only reference is none here")
    func exactOnly() throws {
        let data = BenchmarkData.spikeAndSlab(count: 20, features: Self.features)
        let compiled = try SpikeAndSlab.model(design: data.design, responses: data.responses)
            .compile(guide: SpikeAndSlab.guide(features: Self.features))
        let report = try EstimatorLab(compiled, assignments: [EstimatorAssignment(["g": .disarm], particles: 2)],
                                      configuration: LabConfiguration(trials: 5, reference: .exactOnly)).run()
        #expect(report.reference == nil)
        #expect(report.results[0].overall.bias == nil)
        #expect(report.markdownTable().contains("| — |"))
        #expect(report.markdown().contains("No reference gradient"))
    }
}
