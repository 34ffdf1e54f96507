import Testing
import Gumbo
import GumboTestSupport
import GumboWorkloads

/// Each DSL form lowers to the expected IR (golden text).
@Suite("DSL → IR")
struct ProgramGenerationTests {
    @Test("W2 sprinkler: Bernoulli sites, choose and a 2-D table lookup")
    func sprinkler() throws {
        let golden = """
        program sprinkler
        %0 = constant 0.2 : real[]
        %1 = latent "rain" ~ Bernoulli(probability: %0) : discrete(2)[]
        %2 = constant 0.01 : real[]
        %3 = constant 0.4 : real[]
        %4 = choose(%1, %2, %3) : real[]
        %5 = latent "sprinkler" ~ Bernoulli(probability: %4) : discrete(2)[]
        %6 = constant [0.01, 0.8, 0.9, 0.99] : real[2, 2]
        %7 = gather(%6, %5) : real[2]
        %8 = gather(%7, %1) : real[]
        %9 = observed "wet" ~ Bernoulli(probability: %8) data 1 : discrete(2)[]
        """
        #expect(goldenMismatch(try Sprinkler.model().program().description, golden) == nil)
    }

    @Test("W3 mixture: plates, subsampling, a whole-array site indexed by a Categorical")
    func mixture() throws {
        let golden = """
        program gmm
        plate p0 "components" size 3
        plate p1 "data" size 3 subsample 2
        %0 = constant 0 : real[]
        %1 = constant 10 : real[]
        %2 = latent "mu" ~ Normal(mean: %0, std: %1) : real[] in "components"
        %3 = constant [0.333333, 0.333333, 0.333333] : real[3]
        %4 = latent "z" ~ Categorical(probabilities: %3) : discrete(3)[] in "data"
        %5 = unplate "components"(%2) : real[3]
        %6 = gather(%5, %4) : real[] in "data"
        %7 = constant 1 : real[]
        %8 = observed "x" ~ Normal(mean: %6, std: %7) data [1, 2, 3] : real[] in "data"
        """
        #expect(goldenMismatch(try GaussianMixture.model(data: [1, 2, 3], subsample: 2).program().description, golden) == nil)
    }

    @Test("W3 guide: parameters indexed by plates")
    func mixtureGuide() throws {
        let golden = """
        program guide
        plate p0 "components" size 3
        plate p1 "data" size 2
        %0 = parameter "m" real init [-1, 0, 1] : real[3]
        %1 = plateIndex "components"(%0) : real[] in "components"
        %2 = parameter "s" positive init [1, 1, 1] : real[3]
        %3 = plateIndex "components"(%2) : real[] in "components"
        %4 = latent "mu" ~ Normal(mean: %1, std: %3) : real[] in "components"
        %5 = parameter "phi" real init [0, 0, 0, 0, … (6)] : real[2, 3]
        %6 = plateIndex "data"(%5) : real[3] in "data"
        %7 = latent "z" ~ Categorical(logits: %6) : discrete(3)[] in "data"
        """
        #expect(goldenMismatch(try GaussianMixture.guide(count: 2).program().description, golden) == nil)
    }

    @Test("W4 spike-and-slab: data rows, asReal gates and a dot product")
    func spikeAndSlab() throws {
        let golden = """
        program spikeslab
        plate p0 "features" size 2
        plate p1 "data" size 2
        %0 = constant 0.1 : real[]
        %1 = latent "g" ~ Bernoulli(probability: %0) : discrete(2)[] in "features"
        %2 = constant 0 : real[]
        %3 = constant 1 : real[]
        %4 = latent "w" ~ Normal(mean: %2, std: %3) : real[] in "features"
        %5 = data "X" [1, 2, 3, 4] : real[2, 2]
        %6 = plateIndex "data"(%5) : real[2] in "data"
        %7 = unplate "features"(%1) : discrete(2)[2]
        %8 = asReal(%7) : real[2]
        %9 = unplate "features"(%4) : real[2]
        %10 = multiply(%8, %9) : real[2]
        %11 = dot(%6, %10) : real[] in "data"
        %12 = constant 0.5 : real[]
        %13 = observed "y" ~ Normal(mean: %11, std: %12) data [5, 6] : real[] in "data"
        """
        let model = SpikeAndSlab.model(design: [[1, 2], [3, 4]], responses: [5, 6])
        #expect(goldenMismatch(try model.program().description, golden) == nil)
    }

    @Test("build-time control flow: if/else and for choose the statements")
    func controlFlow() throws {
        let sites = (0..<3).map { Real.latent("w\($0)") }
        func model(includeBias: Bool) -> Model {
            let bias = Real.latent("bias")
            return Model("flow") {
                for site in sites {
                    site ~ .normal(mean: 0, std: 1)
                }
                if includeBias {
                    bias ~ .normal(mean: 0, std: 5)
                } else {
                    Factor("flat", 0)
                }
            }
        }
        let with = try model(includeBias: true).program()
        #expect(with.latentSites.compactMap(\.name) == ["w0", "w1", "w2", "bias"])
        let without = try model(includeBias: false).program()
        #expect(without.latentSites.compactMap(\.name) == ["w0", "w1", "w2"])
        #expect(without.node(named: "flat") != nil)
    }

    @Test("an expression used twice is one IR node")
    func sharing() throws {
        let a = Real.latent("a"), b = Real.latent("b"), c = Real.latent("c")
        let program = try Model("share") {
            a ~ .normal(mean: 0, std: 1)
            let shifted = exp(a) + 1
            b ~ .normal(mean: shifted, std: 1)
            c ~ .normal(mean: shifted, std: 1)
        }.program()
        let exps = program.nodes.filter { if case .operation(.exp) = $0.kind { true } else { false } }
        #expect(exps.count == 1)
        #expect(program.node(named: "b")!.inputs[0] == program.node(named: "c")!.inputs[0])
    }

    @Test("nested plates give a site two batch axes")
    func nestedPlates() throws {
        let z = Discrete.latent("z")
        let program = try Model("nested") {
            Plate("images", size: 4) { i in
                Plate("codes", size: 8) { j in
                    z[i][j] ~ .categorical(probabilities: Array(repeating: 1.0 / 8, count: 8))
                }
            }
        }.program()
        let site = program.node(named: "z")!
        #expect(site.plates.count == 2)
        #expect(program.fullShape(of: site) == [4, 8])
    }
}

extension ProgramGenerationTests {
    @Test("x[i, j] and z[i, j] are x[i][j] and z[i][j]")
    func multipleIndices() throws {
        func program(commaIndexed: Bool) throws -> String {
            let z = Discrete.latent("z"), x = Real.observed("x", [0.5, 1.5, 2.5, 3.5, 4.5, 5.5], shape: [2, 3])
            return try Model("grid") {
                Plate("rows", size: 2) { i in
                    Plate("columns", size: 3) { j in
                        if commaIndexed {
                            z[i, j] ~ .bernoulli(probability: 0.5)
                            x[i, j] ~ .normal(mean: z[i, j].asReal, std: 1)
                        } else {
                            z[i][j] ~ .bernoulli(probability: 0.5)
                            x[i][j] ~ .normal(mean: z[i][j].asReal, std: 1)
                        }
                    }
                }
            }.program().description
        }
        let nested = try program(commaIndexed: false)
        #expect(try program(commaIndexed: true) == nested)
        #expect(nested.contains("latent \"z\""))
    }

    @Test("indexing a site by some of its plates leaves the others as event axes")
    func partialIndex() throws {
        let z = Discrete.latent("z"), x = Real.observed("x", [0.5, 1.5, 2.5, 3.5], shape: [4])
        let program = try Model("partial") {
            Plate("images", size: 4) { i in
                Plate("codes", size: 3) { j in
                    z[i][j] ~ .categorical(probabilities: [0.5, 0.5])
                }
                x[i] ~ .normal(mean: z[i].asReal.sum(), std: 1)
            }
        }.program()
        let codes = try #require(program.nodes.first { if case .operation(.unplate) = $0.kind { true } else { false } })
        #expect(program.plates[codes.plates[0].index].name == "images")
        #expect(codes.eventShape == [3])
    }
}
