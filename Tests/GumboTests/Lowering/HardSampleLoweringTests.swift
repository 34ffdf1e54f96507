import Foundation
import Testing
@testable import Gumbo
import GumboTestSupport
import GumboWorkloads

/// Which noise each hard or relaxed sample is drawn from: hard samples that
/// need no relaxation and no paired noise (REINFORCE, evaluation, local
/// expectation) invert the guide's CDF with one uniform per draw; relaxed
/// sites keep Gumbel or logistic noise, and ARM and DisARM their
/// antithetic logistic noise.
@Suite("Hard sample lowering")
struct HardSampleLoweringTests {
    static func lower(_ model: Model, _ guide: Guide, _ estimators: [String: Estimator],
                      evaluation: Bool = false, particles: Int = 1) throws -> ELBOGraph {
        let compiled = try model.compile(guide: guide, options: CompileOptions(estimators: estimators))
        var treatments: [String: SiteTreatment] = [:]
        for choice in compiled.estimators {
            var treatment = SiteTreatment(choice.estimator)
            if evaluation, case .hard = treatment { treatment = .hard(score: nil) }
            treatments[choice.site] = treatment
        }
        return try ELBOLowering.lower(compiled, treatments: treatments, particles: particles)
    }

    static func noiseKinds(_ elbo: ELBOGraph) -> [String: NoiseInput.Kind] {
        Dictionary(uniqueKeysWithValues: elbo.noise.map { ($0.site, $0.kind) })
    }

    static var mixture: (Model, Guide) {
        let data = BenchmarkData.mixture(count: 50)
        return (GaussianMixture.model(data: data), GaussianMixture.guide(count: data.count))
    }

    @Test("W3 REINFORCE: one uniform per point, no Gumbel noise, and the sampler reads the logSoftmax's weights")
    func mixtureReinforce() throws {
        let (model, guide) = Self.mixture
        let elbo = try Self.lower(model, guide, ["z": .reinforce(baseline: .movingAverage(decay: 0.9))])
        #expect(Self.noiseKinds(elbo)["z"] == .uniform)
        #expect(elbo.noise.first { $0.site == "z" }?.tensor.shape == [1, 1, 50])
        let plan = try ELBOPlan(elbo, withGradients: true).plan.description
        let forward = plan.components(separatedBy: "forward:")[1].components(separatedBy: "backward")[0]
        #expect(forward.contains("categoricalInverseCDF") && !forward.contains("oneHotArgmax"), "\(plan)")
        // exp(logSoftmax) costs nothing: no softmax and no exp instruction.
        #expect(!forward.contains("= softmax") && !forward.contains("= exp"), "\(plan)")
    }

    @Test("W3 evaluation and local expectation draw by inversion too; straight-through Gumbel-softmax keeps its Gumbel noise")
    func mixtureOtherTreatments() throws {
        let (model, guide) = Self.mixture
        let evaluation = try Self.lower(model, guide, ["z": .reinforce(baseline: .none)], evaluation: true)
        #expect(Self.noiseKinds(evaluation)["z"] == .uniform)
        let local = try Self.lower(model, guide, ["z": .localExpectation])
        #expect(Self.noiseKinds(local)["z"] == .uniform)
        let relaxed = try Self.lower(model, guide, ["z": .gumbelSoftmax(temperature: .constant(0.5), straightThrough: true)])
        #expect(Self.noiseKinds(relaxed)["z"] == .gumbel)
        #expect(try ELBOPlan(relaxed, withGradients: true).plan.description.contains("oneHotArgmax"))
    }

    @Test("W2: REINFORCE draws u < p by inversion; ARM and DisARM keep antithetic logistic noise")
    func sprinkler() throws {
        let (model, guide) = (Sprinkler.model(), Sprinkler.guide())
        let reinforce = try Self.lower(model, guide, ["rain": .reinforce(baseline: .none), "sprinkler": .reinforce(baseline: .none)])
        #expect(Self.noiseKinds(reinforce) == ["rain": .uniform, "sprinkler": .uniform])
        #expect(!(try ELBOPlan(reinforce, withGradients: true).plan.description.contains("step")))
        for estimator in [Estimator.arm, .disarm] {
            let paired = try Self.lower(model, guide, ["rain": estimator, "sprinkler": estimator], particles: 2)
            #expect(Self.noiseKinds(paired) == ["rain": .logistic, "sprinkler": .logistic], "\(estimator)")
            #expect(paired.noise.allSatisfy { $0.antithetic }, "\(estimator)")
        }
        // A REINFORCE site beside an ARM site: its uniforms are copied, not
        // mirrored, across the pairs.
        let mixed = try Self.lower(model, guide, ["rain": .arm, "sprinkler": .reinforce(baseline: .none)], particles: 2)
        #expect(Self.noiseKinds(mixed) == ["rain": .logistic, "sprinkler": .uniform])
        #expect(mixed.noise.first { $0.site == "sprinkler" }?.antithetic == false)
    }

    @Test("W4: binary Concrete keeps its logistic noise; REINFORCE inverts")
    func spikeAndSlab() throws {
        let data = BenchmarkData.spikeAndSlab(count: 20, features: 5)
        let (model, guide) = (SpikeAndSlab.model(design: data.design, responses: data.responses), SpikeAndSlab.guide(features: 5))
        let concrete = try Self.lower(model, guide, ["g": .concrete(temperature: .constant(2.0 / 3), straightThrough: false)])
        #expect(Self.noiseKinds(concrete)["g"] == .logistic)
        let reinforce = try Self.lower(model, guide, ["g": .reinforce(baseline: .none)])
        #expect(Self.noiseKinds(reinforce)["g"] == .uniform)
        #expect(reinforce.noise.first { $0.site == "g" }?.tensor.shape == [1, 5, 1])
    }

    @Test("W3 through the ELBO plan: the guide's samples have q's class frequencies, and never a class of probability 0")
    func sampledFrequencies() throws {
        let (model, guide) = Self.mixture
        let elbo = try Self.lower(model, guide, ["z": .reinforce(baseline: .none)])
        let plan = try ELBOPlan(elbo, withGradients: false, diagnostics: true)
        // Every point's logits [0.4, −1000, −0.3]: q = (softmax of 0.4, −0.3), 0 for class 1.
        let phi = plan.parameterBuffers["phi"]!
        for row in 0..<(phi.count / 3) {
            (phi[3 * row], phi[3 * row + 1], phi[3 * row + 2]) = (0.4, -1000, -0.3)
        }
        let sample = elbo.diagnostics.first { $0.label == "the guide's sample of 'z'" }!.tensor
        var rng = Xoshiro256StarStar(seed: 23)
        var counts = [0, 0, 0]
        for _ in 0..<200 {
            plan.fillNoise(using: &rng)
            plan.plan.forward()
            let values = try plan.plan.values(of: sample)
            for row in 0..<(values.count / 3) {
                let hot = (0..<3).filter { values[3 * row + $0] == 1 }
                #expect(hot.count == 1)
                counts[hot[0]] += 1
            }
        }
        let q0 = 1 / (1 + exp(-0.7))
        #expect(counts[1] == 0)
        let statistic = StatisticalTests.chiSquare(observed: counts, expected: [q0, 0, 1 - q0])
        #expect(statistic < StatisticalTests.chiSquareCritical(degreesOfFreedom: 1), "\(counts), χ² = \(statistic)")
    }

    @Test("a NaN guide probability makes the sample NaN, the first non-finite value in program order")
    func nanProbabilities() throws {
        let (model, guide) = (Sprinkler.model(), Sprinkler.guide())
        let elbo = try Self.lower(model, guide, ["rain": .reinforce(baseline: .none), "sprinkler": .reinforce(baseline: .none)])
        let plan = try ELBOPlan(elbo, withGradients: false, diagnostics: true)
        plan.parameterBuffers["a"]![0] = .nan
        var rng = Xoshiro256StarStar(seed: 3)
        plan.fillNoise(using: &rng)
        plan.plan.forward()
        let first = try elbo.diagnostics.first { try plan.plan.values(of: $0.tensor).contains { !$0.isFinite } }
        #expect(first?.label == "the guide's sample of 'rain'")
        let sprinkler = elbo.diagnostics.first { $0.label == "the guide's sample of 'sprinkler'" }!.tensor
        #expect(try plan.plan.values(of: sprinkler).allSatisfy { $0.isFinite })
    }
}
