import Testing
import Gumbo
import GumboTestSupport
import GumboWorkloads

/// A catalogue of malformed models: each must produce its specific error,
/// naming the subject, and never crash.
@Suite("Malformed models")
struct MalformedModelTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        let rule: ModelError.Rule
        let subject: String?
        /// A phrase the message must contain (what to do, or the rule).
        let phrase: String
        let build: @Sendable () throws -> Void
        var testDescription: String { label }
    }

    static let coin = Discrete.latent("coin")

    static let cases: [Case] = [
        Case(label: "a site sampled twice", rule: .siteSampledTwice, subject: "z", phrase: "sampled once") {
            let z = Real.latent("z")
            _ = try Model("m") {
                z ~ .normal(mean: 0, std: 1)
                z ~ .normal(mean: 1, std: 1)
            }.program()
        },
        Case(label: "two handles with one name", rule: .siteSampledTwice, subject: "z", phrase: "two '~' statements") {
            let a = Real.latent("z"), b = Real.latent("z")
            _ = try Model("m") {
                a ~ .normal(mean: 0, std: 1)
                b ~ .normal(mean: 0, std: 1)
            }.program()
        },
        Case(label: "a parameter and a site sharing a name", rule: .duplicateName, subject: "theta", phrase: "own name") {
            let theta = Real.latent("theta")
            _ = try Model("m") {
                theta ~ .normal(mean: .parameter("theta", initial: 0), std: 1)
            }.program()
        },
        Case(label: "an empty site name", rule: .emptyName, subject: nil, phrase: "non-empty name") {
            let z = Real.latent("")
            _ = try Model("m") { z ~ .normal(mean: 0, std: 1) }.program()
        },
        Case(label: "a negative scale", rule: .invalidConstant, subject: "w", phrase: "greater than 0") {
            let w = Real.latent("w")
            _ = try Model("m") { w ~ .normal(mean: 0, std: -1) }.compile()
        },
        Case(label: "a probability above 1", rule: .invalidConstant, subject: "coin", phrase: "[0, 1]") {
            _ = try Model("m") { coin ~ .bernoulli(probability: 1.5) }.compile()
        },
        Case(label: "probabilities that do not sum to 1", rule: .invalidConstant, subject: "k", phrase: "sum to 1") {
            let k = Discrete.latent("k")
            _ = try Model("m") { k ~ .categorical(probabilities: [0.5, 0.6]) }.compile()
        },
        Case(label: "a NaN logit", rule: .invalidConstant, subject: "coin", phrase: "NaN") {
            _ = try Model("m") { coin ~ .bernoulli(logit: Real(Double.nan)) }.compile()
        },
        Case(label: "a Bernoulli observation of 2", rule: .observationOutsideSupport, subject: "y", phrase: "{0, 1}") {
            let y = Discrete.observed("y", [0, 1, 2])
            _ = try Model("m") { y ~ .bernoulli(probability: Real([0.5, 0.5, 0.5])) }.compile()
        },
        Case(label: "a class index past the last class", rule: .observationOutsideSupport, subject: "c", phrase: "0…2") {
            let c = Discrete.observed("c", 3)
            _ = try Model("m") { c ~ .categorical(probabilities: [0.2, 0.3, 0.5]) }.compile()
        },
        Case(label: "a NaN observation", rule: .observationOutsideSupport, subject: "x", phrase: "finite") {
            let x = Real.observed("x", [1, .nan])
            _ = try Model("m") { x ~ .normal(mean: Real([0, 0]), std: 1) }.compile()
        },
        Case(label: "observed data of the wrong shape", rule: .observationShape, subject: "x", phrase: "shape") {
            let x = Real.observed("x", [1, 2, 3, 4, 5])
            _ = try Model("m") {
                Plate("data", size: 4) { i in x[i] ~ .normal(mean: 0, std: 1) }
            }.program()
        },
        Case(label: "a site used before it is sampled", rule: .siteUsedBeforeSampled, subject: "mu", phrase: "sample it first") {
            let mu = Real.latent("mu"), x = Real.observed("x", 1.0)
            _ = try Model("m") {
                x ~ .normal(mean: mu, std: 1)
                mu ~ .normal(mean: 0, std: 1)
            }.program()
        },
        Case(label: "a site used but never sampled", rule: .siteUsedBeforeSampled, subject: "mu", phrase: "'~'") {
            let mu = Real.latent("mu"), x = Real.observed("x", 1.0)
            _ = try Model("m") { x ~ .normal(mean: mu, std: 1) }.program()
        },
        Case(label: "a site inside a plate without its index", rule: .plateIndexMisuse, subject: "z", phrase: "z[i]") {
            let z = Real.latent("z")
            _ = try Model("m") {
                Plate("data", size: 3) { _ in z ~ .normal(mean: 0, std: 1) }
            }.program()
        },
        Case(label: "a site indexed by a plate it is not in", rule: .plateIndexMisuse, subject: "z", phrase: "its own plates only") {
            let z = Real.latent("z"), x = Real.observed("x", [1, 2, 3, 4, 5, 6], shape: [2, 3])
            _ = try Model("m") {
                Plate("rows", size: 2) { i in
                    z[i] ~ .normal(mean: 0, std: 1)
                    Plate("columns", size: 3) { j in
                        x[i][j] ~ .normal(mean: z[i][j], std: 1)
                    }
                }
            }.program()
        },
        Case(label: "parameters whose shapes do not broadcast", rule: .shapeMismatch, subject: "w", phrase: "broadcast") {
            let w = Real.latent("w")
            _ = try Model("m") { w ~ .normal(mean: Real([0, 0, 0]), std: Real([1, 1])) }.program()
        },
        Case(label: "logits with the wrong number of classes", rule: .shapeMismatch, subject: "k", phrase: "3 classes") {
            let k = Discrete.latent("k")
            _ = try Model("m") { k ~ .categorical(logits: Real([0, 0, 0, 0]), classes: 3) }.program()
        },
        Case(label: "a positive parameter starting at -1", rule: .invalidParameterValue, subject: "scale", phrase: "greater than 0") {
            let w = Real.latent("w")
            _ = try Model("m") {
                w ~ .normal(mean: 0, std: .parameter("scale", initial: -1, constraint: .positive))
            }.compile()
        },
        Case(label: "a plate of size 0", rule: .invalidPlate, subject: "data", phrase: "positive") {
            let z = Real.latent("z")
            _ = try Model("m") { Plate("data", size: 0) { i in z[i] ~ .normal(mean: 0, std: 1) } }.program()
        },
        Case(label: "a subsample larger than the plate", rule: .invalidPlate, subject: "data", phrase: "between 1 and") {
            let z = Real.latent("z")
            _ = try Model("m") { Plate("data", size: 5, subsample: 6) { i in z[i] ~ .normal(mean: 0, std: 1) } }.program()
        },
        Case(label: "one plate name with two sizes", rule: .duplicatePlate, subject: "data", phrase: "different sizes") {
            let a = Real.latent("a"), b = Real.latent("b")
            _ = try Model("m") {
                Plate("data", size: 5) { i in a[i] ~ .normal(mean: 0, std: 1) }
                Plate("data", size: 6) { i in b[i] ~ .normal(mean: 0, std: 1) }
            }.program()
        },
        Case(label: "a subsampled site used as a whole array", rule: .subsampledWholeArray, subject: "data", phrase: "minibatch") {
            let z = Real.latent("z"), total = Real.observed("total", 3.0)
            _ = try Model("m") {
                Plate("data", size: 10, subsample: 2) { i in z[i] ~ .normal(mean: 0, std: 1) }
                total ~ .normal(mean: z.sum(), std: 1)
            }.compile()
        },
        Case(label: "a guide without a model site", rule: .guideMissingSite, subject: "sprinkler", phrase: "add it to the guide") {
            let rain = Discrete.latent("rain")
            _ = try Sprinkler.model().compile(guide: Guide { rain ~ .bernoulli(logit: .parameter("a", initial: 0)) })
        },
        Case(label: "a guide with a site the model lacks", rule: .guideExtraSite, subject: "hail", phrase: "does not have") {
            let rain = Discrete.latent("rain"), sprinkler = Discrete.latent("sprinkler"), hail = Discrete.latent("hail")
            _ = try Sprinkler.model().compile(guide: Guide {
                rain ~ .bernoulli(logit: .parameter("a", initial: 0))
                sprinkler ~ .bernoulli(logit: .parameter("b", initial: 0))
                hail ~ .bernoulli(logit: .parameter("c", initial: 0))
            })
        },
        Case(label: "a guide with another support", rule: .guideMismatch, subject: "rain", phrase: "same support") {
            let rain = Discrete.latent("rain"), sprinkler = Discrete.latent("sprinkler")
            _ = try Sprinkler.model().compile(guide: Guide {
                rain ~ .categorical(logits: .parameter("a", initial: [0, 0, 0]), classes: 3)
                sprinkler ~ .bernoulli(logit: .parameter("b", initial: 0))
            })
        },
        Case(label: "a guide site in other plates", rule: .guideMismatch, subject: "mu", phrase: "same plates") {
            let mu = Real.latent("mu"), x = Real.observed("x", [1, 2])
            let model = Model("m") {
                mu ~ .normal(mean: 0, std: 1)
                Plate("data", size: 2) { i in x[i] ~ .normal(mean: mu, std: 1) }
            }
            _ = try model.compile(guide: Guide {
                Plate("data", size: 2) { i in mu[i] ~ .normal(mean: 0, std: 1) }
            })
        },
        Case(label: "Gumbel-softmax on a Normal site", rule: .invalidEstimator, subject: "w", phrase: "Categorical sites only") {
            let w = Real.latent("w")
            var options = CompileOptions()
            options.estimators["w"] = .gumbelSoftmax(temperature: .constant(0.5), straightThrough: false)
            _ = try Model("m") { w ~ .normal(mean: 0, std: 1) }.compile(options: options)
        },
        Case(label: "Gumbel-softmax on a Bernoulli site", rule: .invalidEstimator, subject: "coin", phrase: "binary Concrete") {
            _ = try Model("m") {
                coin ~ .bernoulli(probability: 0.5).estimator(.gumbelSoftmax(temperature: .constant(0.5), straightThrough: true))
            }.compile()
        },
        Case(label: "a relaxation of a site feeding an opaque function", rule: .invalidEstimator, subject: "k", phrase: "opaque") {
            let k = Discrete.latent("k"), y = Real.observed("y", 2.0)
            _ = try Model("m") {
                k ~ .categorical(probabilities: [0.5, 0.5]).estimator(.gumbelSoftmax(temperature: .constant(1), straightThrough: true))
                y ~ .normal(mean: k.map("square") { Double($0 * $0) }, std: 1)
            }.compile()
        },
        Case(label: "a temperature of 0", rule: .invalidTemperature, subject: "coin", phrase: "positive") {
            _ = try Model("m") {
                coin ~ .bernoulli(probability: 0.5).estimator(.concrete(temperature: .constant(0), straightThrough: false))
            }.compile()
        },
        Case(label: "enumeration of a site a global term depends on", rule: .invalidEstimator, subject: "g", phrase: "it cannot be enumerated: 'y' depends on all") {
            let data = BenchmarkData.spikeAndSlab(count: 4, features: 3)
            var options = CompileOptions()
            options.estimators["g"] = .enumeration
            _ = try SpikeAndSlab.model(design: data.design, responses: data.responses).compile(options: options)
        },
        Case(label: "an estimator on an observed site", rule: .invalidEstimator, subject: "y", phrase: "observed") {
            let y = Discrete.observed("y", 1)
            _ = try Model("m") { y ~ .bernoulli(probability: 0.5).estimator(.reinforce(baseline: .none)) }.program()
        },
        Case(label: "an estimator for a site that does not exist", rule: .unknownSite, subject: "nope", phrase: "latent sites are") {
            _ = try Sprinkler.model().compile(options: CompileOptions(estimators: ["nope": .enumeration]))
        },
        Case(label: "ARM on a site whose guide reads another ARM site", rule: .invalidEstimator, subject: "b",
             phrase: "its guide reads 'a', which is arm too") {
            let a = Discrete.latent("a"), b = Discrete.latent("b"), y = Real.observed("y", 1.4)
            let model = Model("chain") {
                a ~ .bernoulli(probability: 0.3)
                b ~ .bernoulli(probability: a.choose(ifTrue: 0.8, ifFalse: 0.2))
                y ~ .normal(mean: a.asReal + 2 * b.asReal, std: 0.7)
            }
            let guide = Guide {
                a ~ .bernoulli(logit: .parameter("u", initial: 0))
                b ~ .bernoulli(logit: .parameter("v", initial: 0) + .parameter("w", initial: 1) * a.asReal)
            }
            _ = try model.compile(guide: guide, options: CompileOptions(estimators: ["a": .arm, "b": .arm]))
        },
        Case(label: "a leave-one-out baseline beside DisARM", rule: .invalidEstimator, subject: "rain",
             phrase: "antithetic pairs share this site's draws") {
            _ = try Sprinkler.model().compile(guide: Sprinkler.guide(), options: CompileOptions(
                estimators: ["rain": .reinforce(baseline: .leaveOneOut), "sprinkler": .disarm]))
        },
        Case(label: "a moving-average decay of 1", rule: .invalidEstimator, subject: "rain", phrase: "[0, 1)") {
            _ = try Sprinkler.model().compile(options: CompileOptions(estimators: ["rain": .reinforce(baseline: .movingAverage(decay: 1))]))
        },
    ]

    @Test("each malformed model throws its specific error", arguments: cases)
    func malformed(_ example: Case) {
        let error = thrownModelError(example.build)
        #expect(error != nil, "no ModelError thrown")
        #expect(error?.rule == example.rule)
        #expect(error?.subject == example.subject)
        #expect(error?.message.contains(example.phrase) == true, "message: \(error?.message ?? "none")")
    }

    @Test("the catalogue has at least 20 cases and covers many rules")
    func catalogueSize() {
        #expect(Self.cases.count >= 20)
        #expect(Set(Self.cases.map(\.rule)).count >= 15)
    }
}
