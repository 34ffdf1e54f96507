import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// The plan the compiler emits for a small mixture log-likelihood, as text:
/// slot offsets (the requested inputs first; `%9` reuses the slot of `%6`,
/// which no later instruction and no backward rule reads), shared storage
/// and shared gradient slots (the reshape's, and the add's, whose left
/// operand has no other reader: its backward pass forms only `∂%7`), pruning, broadcast geometry,
/// and the
/// backward schedule: which gradients are overwritten by their first, dense
/// write (`set`), which accumulate (`add`), and which must be zeroed first
/// (the two reached through a broadcast).
@Suite("Plan dump")
struct PlanDumpTests {
    @Test("plan dump (golden)")
    func golden() throws {
        var b = GraphBuilder()
        let x = try b.input("x", shape: [3, 1])
        let mu = try b.parameter("mu", shape: [2])
        let w = try b.parameter("w", shape: [2])
        let d = try b.subtract(x, mu)
        let t = try b.add(b.multiply(b.square(d), -0.5), b.log(w))
        let lse = try b.logSumExp(t, axis: 1)
        let loss = try b.sum(b.reshape(lse, to: [3, 1]))
        _ = try b.exp(x)   // not needed by the loss: pruned
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [mu, w])
        let expected = """
            plan: 7 forward instructions, 7 backward; arenas: 41 values, 28 gradients, 0 indices
            slots:
              %0 [3, 1] input "x" (data): value @4
              %1 [2] input "mu" (parameter): value @0, gradient @0
              %2 [2] input "w" (parameter): value @2, gradient @2
              %3 [3, 2] subtract %0, %1: value @7, gradient @4
              %4 [3, 2] square %3: value @13, gradient @10
              %5 [] constant -0.5: value @19
              %6 [3, 2] multiply %4, %5: value @20, gradient @16
              %7 [2] log %2: value @26, gradient @22
              %8 [3, 2] add %6, %7: value @28, gradient @16 (shares ∂%6)
              %9 [3] logSumExp(axis: 1) %8: value @20, gradient @24
              %10 [3, 1] reshape %9: value @20 (shares %9), gradient @24 (shares ∂%9)
              %11 [] sum %10: value @34, gradient @27
            forward:
              %3 = subtract %0, %1 : broadcast [3, 2], strides [1, 0] [0, 1]
              %4 = square %3
              %6 = multiply %4, %5 : broadcast [6], strides [1] [0]
              %7 = log %2
              %8 = add %6, %7 : broadcast [3, 2], strides [2, 1] [0, 1]
              %9 = logSumExp(axis: 1) %8 : lines 3×2×1, weights @35
              %11 = sum %10 : lines 1×3×1
            backward (seed ∂%11 = 1; zero @0+2, @22+2):
              ∂%11 → set ∂%10 : sum
              ∂%9 → set ∂%8 : logSumExp(axis: 1)
              ∂%8 → add ∂%7 : add
              ∂%7 → set ∂%2 : log
              ∂%6 → set ∂%4 : multiply
              ∂%4 → set ∂%3 : square
              ∂%3 → add ∂%1 : subtract
            """
        #expect(goldenMismatch(plan.description, expected) == nil, "\(goldenMismatch(plan.description, expected) ?? "")")
    }

    @Test("a forward-only plan has no gradient arena and no weights slot")
    func forwardOnly() throws {
        var b = GraphBuilder()
        let x = try b.input("x", shape: [2, 3])
        let y = try b.logSumExp(x, axis: 1)
        let plan = try Plan(graph: b.build(), outputs: [y])
        #expect(plan.gradientCount == 0)
        #expect(plan.backwardInstructionCount == 0)
        #expect(plan.valueCount == 8)
        #expect(plan.description.contains("weights") == false)
    }

    /// `∂left = ∂out` for an add or a subtract: the slot is shared only
    /// when the add is the left operand's one reader (otherwise the
    /// operand's other readers add into it too), and the gradients are the
    /// same either way.
    @Test("an add shares its left operand's gradient slot only as that operand's one reader")
    func addSharesLeftGradient() throws {
        func build(secondReader: Bool) throws -> (Plan, [Double], [Double]) {
            var b = GraphBuilder()
            let w = try b.parameter("w", shape: [3])
            let bias = try b.parameter("bias", shape: [3])
            let h = try b.square(w)
            var y = try b.add(h, bias)
            if secondReader { y = try b.add(y, b.multiply(h, 0)) }
            let loss = try b.sum(b.exp(y))
            let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [w, bias])
            try plan.setValues([0.5, -1, 2], of: w)
            try plan.setValues([0.1, 0.2, -0.3], of: bias)
            plan.forward()
            plan.backward()
            return (plan, try plan.gradient(of: w), try plan.gradient(of: bias))
        }
        let (shared, gw, gb) = try build(secondReader: false)
        let (unshared, gw2, gb2) = try build(secondReader: true)
        let addLine = shared.description.split(separator: "\n").first { $0.contains("] add ") }
        #expect(addLine?.contains("(shares ∂%") == true, "\(addLine ?? "")")
        let firstAdd = unshared.description.split(separator: "\n").first { $0.contains("] add ") }
        #expect(firstAdd?.contains("(shares ∂%") == false, "\(firstAdd ?? "")")
        // d/dw Σ exp(w² + b) = 2w exp(w² + b); d/db = exp(w² + b).
        let w = [0.5, -1.0, 2.0], bias = [0.1, 0.2, -0.3]
        for k in 0..<3 {
            let e = Foundation.exp(w[k] * w[k] + bias[k])
            #expect(abs(gw[k] - 2 * w[k] * e) <= 1e-12 * abs(e) && abs(gb[k] - e) <= 1e-12 * e)
            #expect(abs(gw2[k] - gw[k]) <= 1e-12 * abs(gw[k]) && abs(gb2[k] - gb[k]) <= 1e-12 * gb[k])
        }
    }
}
