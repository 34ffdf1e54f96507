import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// Rewrites 9 and 10 (`GraphRewriting`): a log-sigmoid pair's logit
/// difference is its `x`, and adding or subtracting zeros, or summing
/// over extents of 1, is a reshape. A requested gradient keeps a node
/// as it is, which gives the unrewritten plan to compare with.
@Suite("Logit differences and identities")
struct IdentityRewriteTests {
    static let xs: [Double] = [-4, -0.5, 0.25, 3, -30, 12, 1e-3]

    /// `d = [log σ(−x), log σ(x)] · [−1, 1]` along the pair axis; the loss
    /// reads `d` and the pair itself (as the ELBO's relaxed logit and
    /// exact KL do). With `blocked`, `d`'s gradient is requested.
    static func logitPlan(blocked: Bool) throws -> (plan: Plan, x: Tensor, d: Tensor) {
        var b = GraphBuilder()
        let n = xs.count
        let x = try b.parameter("x", shape: [n, 1])
        let pair = try b.concat([b.logSigmoid(b.negate(x)), b.logSigmoid(x)], axis: 1)
        let d = try b.sum(b.multiply(pair, b.constant([-1, 1], shape: [1, 2])), axis: 1)
        var rng = Xoshiro256StarStar(seed: 9)
        let w = try b.constant(Fixtures.random(n, &rng), shape: [n])
        let v = try b.constant(Fixtures.random(2 * n, &rng), shape: [n, 2])
        let loss = try b.add(b.sum(b.sigmoid(b.multiply(d, w))), b.sum(b.multiply(pair, v)))
        let plan = try Plan(graph: b.build(), outputs: [loss, d], gradients: blocked ? [x, d] : [x])
        try plan.setValues(xs, of: x)
        plan.forward()
        plan.backward()
        return (plan, x, d)
    }

    @Test("a logit difference is a reshape of x: exact, and gradients within rounding of the contraction's")
    func logitDifference() throws {
        let rewritten = try Self.logitPlan(blocked: false)
        let unrewritten = try Self.logitPlan(blocked: true)
        #expect(rewritten.plan.forwardInstructionCount == unrewritten.plan.forwardInstructionCount - 1,
                "\(rewritten.plan.description)")
        #expect(try rewritten.plan.values(of: rewritten.d) == Self.xs)
        #expect(isClose(try rewritten.plan.values(of: rewritten.d), try unrewritten.plan.values(of: unrewritten.d),
                        relative: 1e-13, absolute: 1e-14))
        #expect(isClose(try rewritten.plan.gradient(of: rewritten.x), try unrewritten.plan.gradient(of: unrewritten.x),
                        relative: 1e-13, absolute: 1e-14))
        #expect(try gradientMismatches(of: rewritten.plan).isEmpty)
    }

    @Test("not rewritten for another constant or a pair of other functions")
    func logitDifferenceNotRewritten() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [3, 1])
        let pair = try b.concat([b.logSigmoid(b.negate(x)), b.logSigmoid(x)], axis: 1)
        let scaled = try b.sum(b.multiply(pair, b.constant([-1, 2], shape: [1, 2])), axis: 1)
        let other = try b.concat([b.logSigmoid(x), b.logSigmoid(b.negate(x))], axis: 1)
        let swapped = try b.sum(b.multiply(other, b.constant([-1, 1], shape: [1, 2])), axis: 1)
        let loss = try b.add(b.sum(scaled), b.sum(swapped))
        let plan = try Plan(graph: b.build(), outputs: [loss, scaled, swapped], gradients: [x])
        try plan.setValues([0.5, -1, 2], of: x)
        plan.forward()
        let forward = plan.description.components(separatedBy: "forward:\n")[1].components(separatedBy: "backward")[0]
        #expect(forward.components(separatedBy: "contracting 2").count == 3, "\(plan.description)")
        let expected = [0.5, -1, 2].map { 2 * -StableMath.softplus(-$0) + StableMath.softplus($0) }
        #expect(isClose(try plan.values(of: scaled), expected, relative: 1e-14))
        #expect(try gradientMismatches(of: plan).isEmpty)
    }

    /// `((0 + a) − 0) + mean(b over an axis of 1) + sum(c, axis of 1)`,
    /// summed and scaled; with `blocked`, every rewritable node's gradient
    /// is requested.
    static func identityPlan(blocked: Bool) throws -> (plan: Plan, inputs: [Tensor], total: Tensor) {
        var b = GraphBuilder()
        let a = try b.parameter("a", shape: [3])
        let p = try b.parameter("p", shape: [3, 1])
        let q = try b.parameter("q", shape: [1, 3])
        let zeros = try b.constant([0, 0, 0], shape: [3])
        let scalarZero = try b.reshape(b.constant(0), to: [1])
        let shifted = try b.add(zeros, a)
        let lowered = try b.subtract(shifted, scalarZero)
        let averaged = try b.mean(p, axis: 1)
        let summed = try b.sum(q, axis: 0)
        let summedPlusZero = try b.add(summed, zeros)
        let plus = try b.add(b.add(lowered, averaged), summedPlusZero)
        let total = try b.sum(b.multiply(b.multiply(plus, plus), b.constant([1, -2, 3], shape: [3])))
        let inputs = [a, p, q]
        let wanted = blocked ? inputs + [shifted, lowered, averaged, summed, summedPlusZero] : inputs
        let plan = try Plan(graph: b.build(), outputs: [total], gradients: wanted)
        try plan.setValues([0.5, -1.25, 2], of: a)
        try plan.setValues([-0.0, 3, 0.75], of: p)
        try plan.setValues([1.5, 0.125, -2], of: q)
        plan.forward()
        plan.backward()
        return (plan, inputs, total)
    }

    @Test("x + 0, x − 0 and reductions over extents of 1 run no instruction; values and gradients unchanged")
    func identities() throws {
        let rewritten = try Self.identityPlan(blocked: false)
        let unrewritten = try Self.identityPlan(blocked: true)
        #expect(rewritten.plan.forwardInstructionCount == unrewritten.plan.forwardInstructionCount - 5,
                "\(rewritten.plan.description)")
        #expect(try rewritten.plan.scalar(rewritten.total) == unrewritten.plan.scalar(unrewritten.total))
        for (x, y) in zip(rewritten.inputs, unrewritten.inputs) {
            #expect(try rewritten.plan.gradient(of: x) == unrewritten.plan.gradient(of: y))
        }
        #expect(try gradientMismatches(of: rewritten.plan).isEmpty)
    }

    @Test("a constant that is not all zeros is kept")
    func nonzeroKept() throws {
        let values = try Fixtures.evaluate([([2], [1, -3])]) { b, x in
            try b.subtract(b.add(x[0], b.constant([0, 1e-300], shape: [2])), b.constant(0))
        }
        #expect(values == [1, -3 + 1e-300])
    }
}
