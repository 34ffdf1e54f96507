import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// The rewrites a plan applies before lowering (`GraphRewriting`), checked
/// on the emitted program and on the numbers: common subexpressions are
/// computed once, `exp(logSoftmax(x))` reads the weights `logSoftmax`
/// already computed, a product summed over one axis becomes one
/// contraction, and reshapes pass gradients without a copy.
@Suite("Graph rewriting")
struct GraphRewritingTests {
    /// `Σ_i Σ_k q_ik (t_ik − log q_ik)` with `q = softmax(φ)` built the way
    /// the ELBO lowering builds it: `logSoftmax(φ)` twice (once to sample,
    /// once to score), `q = exp(logSoftmax(φ))`, and each expectation as a
    /// product summed over the class axis.
    static func entropyPlan() throws -> (plan: Plan, phi: Tensor, t: Tensor, loss: Tensor) {
        var b = GraphBuilder()
        let phi = try b.parameter("phi", shape: [4, 3])
        let t = try b.parameter("t", shape: [3])
        let logQ1 = try b.logSoftmax(phi, axis: 1)
        let logQ2 = try b.logSoftmax(phi, axis: 1)
        let q = try b.exp(logQ1)
        let expected = try b.sum(b.multiply(q, b.subtract(t, logQ2)), axis: 1)
        let loss = try b.sum(b.reshape(expected, to: [2, 2]))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [phi, t])
        try plan.setValues([0.1, -0.4, 0.7, 1.2, 0.0, -1.0, 0.3, 0.3, 0.3, -2.0, 0.5, 1.5], of: phi)
        try plan.setValues([0.5, -0.25, 1.0], of: t)
        return (plan, phi, t, loss)
    }

    @Test("a duplicated logSoftmax runs once; exp of it reads its weights; the expectation is one contraction")
    func program() throws {
        let (plan, _, _, _) = try Self.entropyPlan()
        let text = plan.description
        let forward = text.components(separatedBy: "forward:\n")[1].components(separatedBy: "backward")[0]
        #expect(forward.components(separatedBy: "logSoftmax").count - 1 == 1, "\(text)")
        #expect(!forward.contains("exp"), "\(text)")
        #expect(!forward.contains("softmax(axis: 1)") || forward.contains("logSoftmax"), "\(text)")
        #expect(forward.contains("contracting 3"), "\(text)")
        #expect(!forward.contains("multiply"), "\(text)")
        #expect(text.contains("(shares ∂%"), "a reshape shares its input's gradient slot: \(text)")
    }

    @Test("the rewritten plan's value and gradients match the formula and finite differences")
    func numbers() throws {
        let (plan, phi, t, loss) = try Self.entropyPlan()
        plan.forward()
        plan.backward()
        let phiValues = try plan.values(of: phi), tValues = try plan.values(of: t)
        var total = 0.0
        var gradientT = [Double](repeating: 0, count: 3)
        for i in 0..<4 {
            let row = Array(phiValues[(3 * i)..<(3 * i + 3)])
            let top = row.max()!
            let lse = top + Foundation.log(row.map { Foundation.exp($0 - top) }.reduce(0, +))
            for k in 0..<3 {
                let logQ = row[k] - lse, q = Foundation.exp(logQ)
                total += q * (tValues[k] - logQ)
                gradientT[k] += q
            }
        }
        #expect(isClose(try plan.scalar(loss), total, relative: 1e-14))
        #expect(isClose(try plan.gradient(of: t), gradientT, relative: 1e-14))
        #expect(try gradientMismatches(of: plan).isEmpty)
    }

    @Test("a tensor whose own gradient is requested keeps its own node and slot")
    func requestedTensorsAreKept() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [3])
        let y = try b.reshape(x, to: [3, 1])
        let loss = try b.sum(b.multiply(y, y))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [x, y])
        try plan.setValues([1, 2, 3], of: x)
        plan.forward()
        plan.backward()
        #expect(try plan.gradient(of: y) == [2, 4, 6])
        #expect(try plan.gradient(of: x) == [2, 4, 6])
        #expect(!plan.description.contains("(shares ∂%"))
    }
}
