import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// Rewrite 7 (`GraphRewriting`): nodes computed from constants alone are
/// computed once when the plan is compiled, by the same kernels, so they
/// hold the numbers the step would compute.
@Suite("Constant folding")
struct ConstantFoldingTests {
    /// A prior's class log-probabilities `[log clamp(1 − p), log clamp(p)]`
    /// against `x`: with `p` a constant they are folded; with `p` a data
    /// input (set to the same value) they are computed each pass.
    static func plan(folded: Bool) throws -> (plan: Plan, x: Tensor, loss: Tensor, prior: Tensor) {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [3, 2])
        let p = folded ? b.constant(0.1) : try b.input("p", shape: [])
        let one = b.constant(1.0)
        let log1 = try b.log(b.clamp(b.subtract(one, p), lower: 1e-300, upper: 1))
        let log2 = try b.log(b.clamp(p, lower: 1e-300, upper: 1))
        let prior = try b.concat([b.reshape(log1, to: [1]), b.reshape(log2, to: [1])], axis: 0)
        let difference = try b.subtract(x, prior)
        let loss = try b.sum(b.multiply(difference, difference))
        let plan = try Plan(graph: b.build(), outputs: [loss, prior], gradients: [x])
        if !folded { try plan.setValues([0.1], of: p) }
        try plan.setValues([0.5, -1, 2, 0.25, -3, 1], of: x)
        plan.forward()
        plan.backward()
        return (plan, x, loss, prior)
    }

    @Test("computed once at compile time, with the values the kernels compute each pass")
    func folded() throws {
        let folded = try Self.plan(folded: true), computed = try Self.plan(folded: false)
        let forward = folded.plan.description.components(separatedBy: "forward:\n")[1].components(separatedBy: "backward")[0]
        #expect(!forward.contains("log") && !forward.contains("clamp") && !forward.contains("concat"), "\(folded.plan.description)")
        #expect(computed.plan.description.contains("clamp"))
        #expect(try folded.plan.values(of: folded.prior) == computed.plan.values(of: computed.prior))
        #expect(try folded.plan.scalar(folded.loss) == computed.plan.scalar(computed.loss))
        #expect(try folded.plan.gradient(of: folded.x) == computed.plan.gradient(of: computed.x))
        #expect(try gradientMismatches(of: folded.plan).isEmpty)
    }

    @Test("an output computed from constants alone, and a broadcast against a single element")
    func outputAndBroadcast() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [4])
        let table = try b.constant([1, 2, 3, 4], shape: [4])
        let scaled = try b.exp(b.multiply(table, b.constant(0.5)))
        let loss = try b.sum(b.multiply(x, scaled))
        let plan = try Plan(graph: b.build(), outputs: [loss, scaled], gradients: [x])
        #expect(!plan.description.contains("= exp"), "\(plan.description)")
        try plan.setValues([1, -1, 0.5, 2], of: x)
        plan.forward()
        plan.backward()
        let expected = try Fixtures.evaluate([([4], [1, 2, 3, 4])]) { b, t in try b.exp(b.multiply(t[0], b.constant(0.5))) }
        #expect(try plan.values(of: scaled) == expected)
        #expect(try plan.gradient(of: x) == expected)
    }

    @Test("a computed constant read only through a reshape is folded too")
    func throughReshape() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [2, 3])
        let logPrior = try b.log(b.clamp(b.constant([0.2, 0.3, 0.5], shape: [3]), lower: 1e-300, upper: 1))
        let row = try b.reshape(logPrior, to: [1, 3])
        let loss = try b.sum(b.multiply(x, row))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [x])
        let forward = plan.description.components(separatedBy: "forward:\n")[1].components(separatedBy: "backward")[0]
        #expect(!forward.contains("log") && !forward.contains("clamp"), "\(plan.description)")
        try plan.setValues([1, 2, 3, 4, 5, 6], of: x)
        plan.forward()
        plan.backward()
        let expected = [0.2, 0.3, 0.5].map { Foundation.log($0) }
        #expect(isClose(try plan.gradient(of: x), expected + expected, relative: 1e-15, absolute: 0))
    }
}
