import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// Value slots are reused by liveness: a value no later instruction and no
/// backward rule reads gives its slot to later values, so a long chain
/// needs a few slots, not one per step, and the results do not change.
@Suite("Slot reuse")
struct SlotReuseTests {
    /// `Σ (x + 1 + 2 + … + depth)²`: every `add` output is read only by the
    /// next add (whose backward reads nothing), so their slots are reused.
    static func chain(depth: Int, keepAll: Bool) throws -> (plan: Plan, x: Tensor, loss: Tensor, steps: [Tensor]) {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [100])
        var value = x
        var steps: [Tensor] = []
        for k in 1...depth {
            value = try b.add(value, Double(k))
            steps.append(value)
        }
        let loss = try b.sum(b.square(value))
        let plan = try Plan(graph: b.build(), outputs: [loss] + (keepAll ? steps : []), gradients: [x])
        try plan.setValues((0..<100).map { Double($0) / 10 }, of: x)
        return (plan, x, loss, steps)
    }

    @Test("a chain of 50 adds runs in a few slots and gives the same value and gradient")
    func chain() throws {
        let reused = try Self.chain(depth: 50, keepAll: false)
        let kept = try Self.chain(depth: 50, keepAll: true)
        #expect(reused.plan.valueCount < 10 * 100, "values arena: \(reused.plan.valueCount)")
        #expect(kept.plan.valueCount > 50 * 100)
        for plan in [reused.plan, kept.plan] {
            plan.forward()
            plan.backward()
        }
        #expect(try reused.plan.scalar(reused.loss) == kept.plan.scalar(kept.loss))
        #expect(try reused.plan.gradient(of: reused.x) == kept.plan.gradient(of: kept.x))
        #expect(try gradientMismatches(of: reused.plan).isEmpty)
    }

    @Test("an intermediate whose slot is reused cannot be read; listed as an output it can")
    func intermediates() throws {
        let reused = try Self.chain(depth: 5, keepAll: false)
        reused.plan.forward()
        #expect(throws: PlanError.notKept(reused.steps[1])) { try reused.plan.values(of: reused.steps[1]) }
        let kept = try Self.chain(depth: 5, keepAll: true)
        kept.plan.forward()
        #expect(try kept.plan.values(of: kept.steps[1])[0] == 0 + 1 + 2)
    }
}
