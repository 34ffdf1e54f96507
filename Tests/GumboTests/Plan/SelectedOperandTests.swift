import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// Rewrite 6 (`GraphRewriting`): a one-hot selection of class `k` from a
/// concat of one-class operands (a relaxed sample's `[1 − y, y]` scored at
/// `y`) reads operand `k` directly, with the same values and gradients.
@Suite("Selections of a concat operand")
struct SelectedOperandTests {
    /// `Σ w · select_k(reshape(concat([1 − σ(x), σ(x)])))` plus `Σ σ(x)`, so
    /// `y` has two readers. With `blocked`, the selection's own gradient is
    /// requested, which keeps it.
    static func plan(_ shape: Shape, select k: Int, blocked: Bool) throws -> (plan: Plan, x: Tensor, loss: Tensor) {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: shape)
        let y = try b.sigmoid(x)
        let one = b.constant(1.0)
        let pair = try b.concat([b.subtract(one, y), y], axis: shape.rank - 1)
        // The ELBO lowering's layout: the class axis last, after a reshape.
        let reshaped = try b.reshape(pair, to: Shape([1] + pair.shape.dimensions))
        let oneHot = try b.constant(k == 0 ? [1, 0] : [0, 1], shape: Shape([Int](repeating: 1, count: reshaped.shape.rank - 1) + [2]))
        let selected = try b.sum(b.multiply(reshaped, oneHot), axis: reshaped.shape.rank - 1)
        var rng = Xoshiro256StarStar(seed: 3)
        let weights = try b.constant(Fixtures.random(selected.shape.count, &rng), shape: selected.shape)
        let loss = try b.add(b.sum(b.multiply(selected, weights)), b.sum(b.multiply(y, y)))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: blocked ? [x, selected] : [x])
        try plan.setValues(Fixtures.random(shape.count, &rng), of: x)
        plan.forward()
        plan.backward()
        return (plan, x, loss)
    }

    @Test("read directly, with the unrewritten plan's values and gradients", arguments: [0, 1])
    func direct(k: Int) throws {
        for shape in [[1, 1], [7, 1], [2, 3, 1]] as [Shape] {
            let rewritten = try Self.plan(shape, select: k, blocked: false)
            let kept = try Self.plan(shape, select: k, blocked: true)
            let forward = rewritten.plan.description.components(separatedBy: "forward:\n")[1].components(separatedBy: "backward")[0]
            #expect(!forward.contains("selecting") && !forward.contains("concat"), "\(rewritten.plan.description)")
            #expect(kept.plan.description.contains("selecting"))
            #expect(try rewritten.plan.scalar(rewritten.loss) == kept.plan.scalar(kept.loss))
            #expect(try rewritten.plan.gradient(of: rewritten.x) == kept.plan.gradient(of: kept.x))
            #expect(try gradientMismatches(of: rewritten.plan).isEmpty)
        }
    }

    @Test("a constant selecting different classes on different lines stays a selection")
    func differentClasses() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [2, 1])
        let pair = try b.concat([b.negate(x), b.exp(x)], axis: 1)
        let selected = try b.sum(b.multiply(pair, b.constant([1, 0, 0, 1], shape: [2, 2])), axis: 1)
        let loss = try b.sum(b.multiply(selected, selected))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [x])
        #expect(plan.description.contains("selecting"), "\(plan.description)")
        try plan.setValues([0.3, -0.8], of: x)
        #expect(try gradientMismatches(of: plan).isEmpty)
    }
}
