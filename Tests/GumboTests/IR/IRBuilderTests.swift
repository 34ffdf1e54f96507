import Testing
import Gumbo
import GumboTestSupport
import GumboWorkloads

@Suite("IR builder")
struct IRBuilderTests {
    @Test("the sprinkler network built by hand equals the DSL's IR")
    func handBuiltSprinkler() throws {
        var ir = IRBuilder(name: "sprinkler")
        let prior = try ir.constant([0.2])
        let rain = try ir.latent("rain", .bernoulliProbability, parameters: [prior])
        let ifRain = try ir.constant([0.01])
        let ifDry = try ir.constant([0.4])
        let sprinklerProbability = try ir.operation(.choose, [rain, ifRain, ifDry])
        let sprinkler = try ir.latent("sprinkler", .bernoulliProbability, parameters: [sprinklerProbability])
        let table = try ir.constant([0.01, 0.8, 0.9, 0.99], shape: [2, 2])
        let row = try ir.operation(.gather, [table, sprinkler])
        let wetProbability = try ir.operation(.gather, [row, rain])
        _ = try ir.observed("wet", .bernoulliProbability, parameters: [wetProbability], values: [1])
        let byHand = ir.build()
        let fromDSL = try Sprinkler.model().program()
        #expect(byHand.description == fromDSL.description)
    }

    @Test("plates give nodes batch axes; whole-array use moves them to the event")
    func plateShapes() throws {
        var ir = IRBuilder(name: "plates")
        let data = try ir.plate("data", size: 5)
        let table = try ir.parameter("phi", initial: Array(repeating: 0, count: 15), shape: [5, 3])
        let row = try ir.operation(.plateIndex(data), [table])
        #expect(ir[row].plates == [data])
        #expect(ir[row].eventShape == [3])
        let z = try ir.latent("z", .categoricalLogits(classes: 3), parameters: [row], plates: [data])
        #expect(ir[z].eventShape == [])
        #expect(ir[z].valueType == .discrete(classes: 3))
        let whole = try ir.operation(.unplate(data), [z])
        #expect(ir[whole].plates.isEmpty)
        #expect(ir[whole].eventShape == [5])
        #expect(ir.build().fullShape(of: ir[z]) == [5])
    }

    @Test("shape errors name the operation and the shapes")
    func shapeErrors() throws {
        var ir = IRBuilder(name: "bad")
        let a = try ir.constant([1, 2, 3], shape: [3])
        let b = try ir.constant([1, 2], shape: [2])
        do {
            _ = try ir.operation(.add, [a, b])
            Issue.record("adding [3] and [2] should throw")
        } catch let error as ModelError {
            #expect(error.rule == .shapeMismatch)
            #expect(error.description.contains("add"))
            #expect(error.description.contains("[3]") && error.description.contains("[2]"))
        }
        #expect(throws: ModelError.self) { _ = try ir.operation(.matmul, [a, b]) }
        #expect(throws: ModelError.self) { _ = try ir.constant([1, 2, 3], shape: [2]) }
    }

    @Test("names are unique across sites, parameters and data")
    func uniqueNames() throws {
        var ir = IRBuilder(name: "names")
        _ = try ir.parameter("theta", initial: [0], shape: [])
        let zero = try ir.constant([0])
        let error = thrownModelError { _ = try ir.latent("theta", .bernoulliLogit, parameters: [zero]) }
        #expect(error?.rule == .duplicateName)
        #expect(error?.subject == "theta")
    }
}
