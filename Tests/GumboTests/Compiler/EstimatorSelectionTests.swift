import Testing
import Gumbo
import GumboTestSupport
import GumboWorkloads

/// The compiler's estimator choice on small models, as golden `explain`
/// output, including overrides.
@Suite("Estimator selection")
struct EstimatorSelectionTests {
    @Test("W2: both sites are enumerated")
    func sprinkler() throws {
        let golden = """
        model sprinkler, guide guide
        site       distribution  plates  estimator  reason
        ---------  ------------  ------  ---------  ------
        rain       Bernoulli     -       enumerate  2 classes; every dependent term needs at most 2 joint values (budget 64): exact expectation under the guide
        sprinkler  Bernoulli     -       enumerate  2 classes; every dependent term needs at most 4 joint values (budget 64): exact expectation under the guide
        """
        let compiled = try Sprinkler.model().compile(guide: Sprinkler.guide())
        #expect(goldenMismatch(compiled.explain(), golden) == nil)
    }

    @Test("W3: Normal means reparameterized, per-point assignments enumerated")
    func mixture() throws {
        let compiled = try GaussianMixture.model(data: [1, 2, 3]).compile(guide: GaussianMixture.guide(count: 3))
        #expect(compiled.estimator(for: "mu")?.estimator == .reparameterization)
        #expect(compiled.estimator(for: "z")?.estimator == .enumeration)
    }

    @Test("W4: gates feed every response, so they are relaxed (soft binary Concrete)")
    func spikeAndSlab() throws {
        let golden = """
        model spikeslab, guide automatic mean-field
        site  distribution  plates    estimator              reason
        ----  ------------  --------  ---------------------  ------
        g     Bernoulli     features  concrete:tau=0.666667  not enumerable ('y' depends on all of its values across plate 'features'); relaxable: binary Concrete, value used only as a number (asReal), so the soft value is meaningful
        w     Normal        features  reparam                Normal site: pathwise gradient through z = μ + σ·ε
        """
        let compiled = try SpikeAndSlab.model(design: [[1, 2], [3, 4]], responses: [1, 2]).compile()
        #expect(goldenMismatch(compiled.explain(), golden) == nil)
    }

    @Test("codes that feed a whole-array network input get straight-through Gumbel-softmax")
    func codes() throws {
        let z = Discrete.latent("z"), x = Real.observed("x", [0.5, 1.5])
        let compiled = try Model("codes") {
            Plate("codes", size: 2) { j in
                z[j] ~ .categorical(probabilities: [0.25, 0.25, 0.25, 0.25])
            }
            x ~ .normal(mean: matmul(z.oneHot.reshaped([8]), Real(Array(repeating: 0.1, count: 16), shape: [8, 2])), std: 1)
        }.compile()
        let choice = try #require(compiled.estimator(for: "z"))
        #expect(choice.estimator == .gumbelSoftmax(temperature: .constant(0.5), straightThrough: true))
        #expect(choice.reason.contains("across plate 'codes'"))
        #expect(choice.reason.contains("oneHot"))
    }

    @Test("a site feeding an opaque function and a global term gets REINFORCE")
    func opaque() throws {
        let k = Discrete.latent("k"), y = Real.observed("y", 3.0)
        let compiled = try Model("opaque") {
            Plate("items", size: 4) { i in
                k[i] ~ .categorical(probabilities: [0.5, 0.5])
            }
            y ~ .normal(mean: k.map("double") { 2 * Double($0) }.sum(), std: 1)
        }.compile()
        let choice = try #require(compiled.estimator(for: "k"))
        #expect(choice.estimator == .reinforce(baseline: .movingAverage(decay: 0.9)))
        #expect(choice.reason.contains("opaque function 'double'"))
    }

    @Test("overrides from options and from a guide modifier, shown in explain")
    func overrides() throws {
        let rain = Discrete.latent("rain"), sprinkler = Discrete.latent("sprinkler")
        let guide = Guide {
            rain ~ .bernoulli(logit: .parameter("a", initial: 0))
            sprinkler ~ .bernoulli(logit: .parameter("b", initial: 0)).estimator(.disarm)
        }
        let compiled = try Sprinkler.model().compile(
            guide: guide, options: CompileOptions(estimators: ["rain": .reinforce(baseline: .movingAverage(decay: 0.9))]))
        let golden = """
        model sprinkler, guide guide
        site       distribution  plates  estimator              reason
        ---------  ------------  ------  ---------------------  ------
        rain       Bernoulli     -       reinforce:baseline=ma  override: chosen by the user
        sprinkler  Bernoulli     -       disarm                 override: chosen by the user
        """
        #expect(goldenMismatch(compiled.explain(), golden) == nil)
    }

    @Test("a small enumeration budget turns enumeration into a relaxation")
    func budget() throws {
        var options = CompileOptions()
        options.enumerationBudget = 3
        let compiled = try Sprinkler.model().compile(guide: Sprinkler.guide(), options: options)
        #expect(compiled.estimator(for: "rain")?.estimator == .enumeration)
        let sprinkler = try #require(compiled.estimator(for: "sprinkler"))
        #expect(sprinkler.estimator == .concrete(temperature: .constant(2.0 / 3.0), straightThrough: true))
        #expect(sprinkler.reason.contains("4 joint values, over the budget of 3"))
    }

    @Test("dependency analysis finds each site's downstream terms")
    func dependencies() throws {
        let compiled = try Sprinkler.model().compile(guide: Sprinkler.guide())
        let names = { (site: String) in
            (compiled.dependencies.modelDependents[site] ?? []).compactMap { compiled.model[$0.term].name }
        }
        #expect(names("rain") == ["rain", "sprinkler", "wet"])
        #expect(names("sprinkler") == ["sprinkler", "wet"])
        let guideNames = (compiled.dependencies.guideDependents["rain"] ?? []).compactMap { compiled.guide[$0.term].name }
        #expect(guideNames == ["rain"])
    }
}

extension EstimatorSelectionTests {
    @Test("W5: codes feed a decoder network through oneHot, so straight-through Gumbel-softmax")
    func discreteVAE() throws {
        let images = SyntheticDigits().images(count: 20, seed: 1)
        let compiled = try DiscreteVAE.model(images: images, batch: 10)
            .compile(guide: DiscreteVAE.guide(images: images, batch: 10))
        let choice = try #require(compiled.estimator(for: "z"))
        #expect(choice.estimator == .gumbelSoftmax(temperature: .constant(0.5), straightThrough: true))
        #expect(choice.reason.contains("across plate 'codes'"))
    }
}
