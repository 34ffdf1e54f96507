import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// Rewrite 13 (`GraphRewriting`): `relu(a + b)` with `b` a row of biases
/// runs as one instruction, with the add's and the ReLU's values and
/// gradients bit for bit.
@Suite("Biased ReLUs")
struct BiasedReluTests {
    struct Fixture {
        let plan: Plan
        let a: Tensor
        let b: Tensor
        let h: Tensor
    }

    /// `Σ c · relu(a + b)` (or `b + a` when `swapped`), plus `Σ a²` so `a`'s
    /// gradient is written twice when `alsoSquared`. With `blocked`, the
    /// sum is an output too, which keeps the add and the ReLU apart (the
    /// reference).
    static func plan(_ shape: Shape, bias: Shape, swapped: Bool = false, alsoSquared: Bool = false,
                     blocked: Bool, seed: UInt64 = 41, kink: Bool = true) throws -> Fixture {
        var builder = GraphBuilder()
        let a = try builder.parameter("a", shape: shape)
        let b = try builder.parameter("b", shape: bias)
        let sum = swapped ? try builder.add(b, a) : try builder.add(a, b)
        let h = try builder.relu(sum)
        var rng = Xoshiro256StarStar(seed: seed)
        var loss = try builder.sum(builder.multiply(h, builder.constant(Fixtures.random(shape.count, &rng), shape: shape)))
        if alsoSquared { loss = try builder.add(loss, builder.sum(builder.multiply(a, a))) }
        let plan = try Plan(graph: builder.build(), outputs: blocked ? [loss, h, sum] : [loss, h], gradients: [a, b])
        // Values away from the kink (|a + b| ≥ 0.05), so finite differences
        // are smooth, and with `kink` one exact zero for the mask's edge.
        var values = Fixtures.random(shape.count, &rng, low: -2, high: 2)
        let biases = Fixtures.random(bias.count, &rng, low: -0.5, high: 0.5)
        let n = bias.count
        for k in values.indices where abs(values[k] + biases[k % n]) < 0.05 { values[k] += 0.2 }
        if kink { values[0] = -biases[0] }      // a + b = 0 exactly: h = 0, no gradient
        try plan.setValues(values, of: a)
        try plan.setValues(biases, of: b)
        plan.forward()
        plan.backward()
        return Fixture(plan: plan, a: a, b: b, h: h)
    }

    static let shapes: [(Shape, Shape)] = [([5, 7], [7]), ([2, 3, 8], [1, 1, 8]), ([9, 13], [1, 13]), ([3, 4], [4])]

    static func same(_ x: [Double], _ y: [Double]) -> Bool {
        x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    @Test("one instruction instead of the add and the ReLU")
    func program() throws {
        let fused = try Self.plan([5, 7], bias: [7], blocked: false)
        let reference = try Self.plan([5, 7], bias: [7], blocked: true)
        #expect(fused.plan.description.contains("max(a + b, 0) fused, 5 rows of 7"))
        #expect(!reference.plan.description.contains("max(a + b, 0) fused"))
        #expect(fused.plan.forwardInstructionCount < reference.plan.forwardInstructionCount)
        #expect(fused.plan.backwardInstructionCount < reference.plan.backwardInstructionCount)
    }

    @Test("values and both gradients equal the add and the ReLU bit for bit", arguments: 0..<shapes.count)
    func sameAsChain(index: Int) throws {
        let (shape, bias) = Self.shapes[index]
        for (swapped, alsoSquared) in [(false, false), (true, false), (false, true)] {
            let fused = try Self.plan(shape, bias: bias, swapped: swapped, alsoSquared: alsoSquared, blocked: false)
            let chain = try Self.plan(shape, bias: bias, swapped: swapped, alsoSquared: alsoSquared, blocked: true)
            #expect(fused.plan.description.contains("max(a + b, 0) fused"))
            #expect(Self.same(try fused.plan.values(of: fused.h), try chain.plan.values(of: chain.h)))
            #expect(Self.same(try fused.plan.gradient(of: fused.a), try chain.plan.gradient(of: chain.a)))
            #expect(Self.same(try fused.plan.gradient(of: fused.b), try chain.plan.gradient(of: chain.b)))
            let h = try fused.plan.values(of: fused.h)
            #expect(h[0] == 0)
            #expect(h.allSatisfy { $0 >= 0 })
        }
    }

    @Test("gradients match finite differences")
    func finiteDifferences() throws {
        for (shape, bias) in Self.shapes {
            let fixture = try Self.plan(shape, bias: bias, alsoSquared: true, blocked: false, seed: 42, kink: false)
            #expect(try gradientMismatches(of: fixture.plan).isEmpty, "\(shape) + \(bias)")
        }
    }
}
