import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// Rewrite 5 (`GraphRewriting`): `concat(logSigmoid(−x), logSigmoid(x))`,
/// a Bernoulli's class log-probabilities, runs as one instruction, and
/// gives the unfused chain's values and gradients bit for bit (the
/// gradients from the sigmoids its forward pass saves).
@Suite("Log-sigmoid pairs")
struct LogSigmoidPairTests {
    /// `Σ w · [log σ(−x), log σ(x)]` (plus `Σ x²` when `alsoSquared`, so
    /// `x`'s gradient is written twice). With `blocked`, `log σ(x)` is an
    /// output as well, which keeps the chain unfused.
    static func plan(_ shape: Shape, _ xs: [Double], blocked: Bool, alsoSquared: Bool = false)
        throws -> (plan: Plan, x: Tensor, pair: Tensor) {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: shape)
        let positive = try b.logSigmoid(x)
        let pair = try b.concat([b.logSigmoid(b.negate(x)), positive], axis: shape.rank - 1)
        var rng = Xoshiro256StarStar(seed: 5)
        var loss = try b.sum(b.multiply(pair, b.constant(Fixtures.random(pair.shape.count, &rng), shape: pair.shape)))
        if alsoSquared { loss = try b.add(loss, b.sum(b.multiply(x, x))) }
        let plan = try Plan(graph: b.build(), outputs: blocked ? [loss, pair, positive] : [loss, pair], gradients: [x])
        try plan.setValues(xs, of: x)
        plan.forward()
        plan.backward()
        return (plan, x, pair)
    }

    static let cases: [(Shape, [Double])] = [
        ([1], [0.3]),
        ([3, 1], [-1.5, 0, 2]),
        ([8, 1], [-4, -0.5, 0.25, 3, -30, 12, 1e-3, -1e-9]),
        // A vector with a lane beyond ±708 takes the separate functions; a tail of three.
        ([2, 5, 1], [800, -0.7, 1.1, -2.2, 0.4, -750, 5, -5, 0.9, 36]),
        // Ten groups of four (the saving forward pass's three passes) and a
        // tail of three; lanes beyond ±708 in the fifth and sixth groups.
        ([43, 1], longCase),
    ]

    static let longCase: [Double] = (0..<43).map { (k: Int) -> Double in
        if k == 17 { return 900 }
        if k == 22 { return -709.5 }
        return 9 * sin(Double(k) * 1.7)
    }

    @Test("one instruction instead of negate, two logSigmoids and a concat")
    func program() throws {
        let text = try Self.plan([3, 1], [-1.5, 0, 2], blocked: false).plan.description
        let forward = text.components(separatedBy: "forward:\n")[1].components(separatedBy: "backward")[0]
        #expect(forward.contains("log σ(−x), log σ(x) fused"), "\(text)")
        #expect(!forward.contains("logSigmoid") && !forward.contains("negate"), "\(text)")
        // The backward pass reads σ(±x) the forward pass saved.
        #expect(forward.contains("σ(x), σ(−x) saved @"), "\(text)")
        let unfused = try Self.plan([3, 1], [-1.5, 0, 2], blocked: true).plan.description
        #expect(!unfused.contains("fused"), "\(unfused)")
    }

    @Test("values and gradients equal the unfused chain's bit for bit", arguments: 0..<5)
    func exact(index: Int) throws {
        let (shape, xs) = Self.cases[index]
        for squared in [false, true] {
            let fused = try Self.plan(shape, xs, blocked: false, alsoSquared: squared)
            let unfused = try Self.plan(shape, xs, blocked: true, alsoSquared: squared)
            #expect(fused.plan.description.contains("fused"))
            #expect(try fused.plan.values(of: fused.pair) == unfused.plan.values(of: unfused.pair))
            let (a, b) = (try fused.plan.gradient(of: fused.x), try unfused.plan.gradient(of: unfused.x))
            if squared {
                // Three writes to ∂x, added in another order: equal up to rounding.
                #expect(isClose(a, b, relative: 1e-15, absolute: 1e-300))
            } else {
                #expect(a == b)
            }
            let expected = xs.flatMap { [-StableMath.softplus($0), -StableMath.softplus(-$0)] }
            #expect(isClose(try fused.plan.values(of: fused.pair), expected, relative: 1e-14, absolute: 1e-300))
        }
    }

    @Test("gradients against finite differences", arguments: 0..<3)
    func finiteDifferences(index: Int) throws {
        let (shape, xs) = Self.cases[index]
        for squared in [false, true] {
            let fused = try Self.plan(shape, xs, blocked: false, alsoSquared: squared)
            #expect(try gradientMismatches(of: fused.plan).isEmpty)
        }
    }

    @Test("not fused when an inner node has another reader or the pair is not [log σ(−x), log σ(x)]")
    func notFused() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [4, 1])
        let negative = try b.logSigmoid(b.negate(x))
        let swapped = try b.concat([b.logSigmoid(x), negative], axis: 1)
        let other = try b.concat([b.logSigmoid(b.negate(x)), b.logSigmoid(x)], axis: 1)
        let loss = try b.add(b.sum(swapped), b.add(b.sum(other), b.sum(negative)))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [x])
        #expect(!plan.description.contains("fused"), "\(plan.description)")
        try plan.setValues([0.5, -1, 2, -3], of: x)
        #expect(try gradientMismatches(of: plan).isEmpty)
    }
}
