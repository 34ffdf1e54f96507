import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// Rewrite 11 (`GraphRewriting`): the exact discrete KL chain on a
/// log-sigmoid pair, `(−)Σ_k exp(P)(P − L)` with `P = [log σ(−x), log σ(x)]`,
/// runs as one instruction, and gives the chain's values and gradients to
/// within rounding (it takes `σ(±x)` where the chain took `exp(log σ(±x))`).
@Suite("Bernoulli divergences")
struct BernoulliDivergenceTests {
    /// Where the other distribution's log-probabilities `L` come from.
    enum Prior: CaseIterable {
        /// A constant `[log 0.9, log 0.1]`, one row for every result (W4's prior).
        case constant
        /// A log-sigmoid pair of a parameter `z` shaped like `x`: a row per result.
        case perRow
        /// `logSoftmax` of a parameter `[2]`: one learned row shared by every result.
        case shared
    }

    struct Fixture {
        let plan: Plan
        let x: Tensor
        let z: Tensor?
        let divergence: Tensor
    }

    /// `Σ w · (−)KL` (plus `Σ x²` when `alsoSquared`, so `x`'s gradient is
    /// written twice). With `blocked`, `exp(P)` is an output as well, which
    /// keeps the chain unfused (the pair stays fused, as before rewrite 11).
    static func plan(_ shape: Shape, _ xs: [Double], prior: Prior, negated: Bool, blocked: Bool,
                     alsoSquared: Bool = false) throws -> Fixture {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: shape)
        let pair = try b.concat([b.logSigmoid(b.negate(x)), b.logSigmoid(x)], axis: shape.rank - 1)
        var z: Tensor?
        let logP: Tensor
        switch prior {
        case .constant:
            logP = try b.constant([Foundation.log(0.9), Foundation.log(0.1)], shape: [2])
        case .perRow:
            let parameter = try b.parameter("z", shape: shape)
            z = parameter
            logP = try b.concat([b.logSigmoid(b.negate(parameter)), b.logSigmoid(parameter)], axis: shape.rank - 1)
        case .shared:
            let parameter = try b.parameter("z", shape: [2])
            z = parameter
            logP = try b.logSoftmax(parameter, axis: 0)
        }
        let probabilities = try b.exp(pair)
        let kl = try b.sum(b.multiply(probabilities, b.subtract(pair, logP)), axis: shape.rank - 1)
        let divergence = negated ? try b.negate(kl) : kl
        var rng = Xoshiro256StarStar(seed: 11)
        var loss = try b.sum(b.multiply(divergence, b.constant(Fixtures.random(divergence.shape.count, &rng),
                                                                   shape: divergence.shape)))
        if alsoSquared { loss = try b.add(loss, b.sum(b.multiply(x, x))) }
        let plan = try Plan(graph: b.build(), outputs: blocked ? [loss, divergence, probabilities] : [loss, divergence],
                            gradients: [x] + (z.map { [$0] } ?? []))
        try plan.setValues(xs, of: x)
        if let z {
            try plan.setValues((0..<z.shape.count).map { 0.7 - 0.4 * Double($0 % 5) }, of: z)
        }
        plan.forward()
        plan.backward()
        return Fixture(plan: plan, x: x, z: z, divergence: divergence)
    }

    static let cases: [(Shape, [Double])] = [
        ([1], [0.3]),
        ([3, 1], [-1.5, 0, 2]),
        ([8, 1], [-4, -0.5, 0.25, 3, -30, 12, 1e-3, -2.197224577336219]),
        // Lanes beyond ±708 take the separate functions (σ underflows at
        // ±800, is subnormal at ±720); a tail of two.
        ([2, 5, 1], [800, -0.7, 1.1, -2.2, 0.4, -750, 5, -5, 720, 36]),
    ]

    @Test("one instruction instead of exp, subtract, contraction and negate")
    func program() throws {
        let text = try Self.plan([3, 1], [-1.5, 0, 2], prior: .constant, negated: true, blocked: false).plan.description
        let forward = text.components(separatedBy: "forward:\n")[1].components(separatedBy: "backward")[0]
        #expect(forward.contains("−KL(Bernoulli(σ(x)) ‖ exp L) fused"), "\(text)")
        #expect(forward.contains("∂KL/∂x saved @"), "\(text)")
        for name in ["= exp", "= subtract", "= negate", "contracting 2", "log σ(−x), log σ(x) fused"] {
            #expect(!forward.contains(name), "\(name) in\n\(text)")
        }
        let positive = try Self.plan([3, 1], [-1.5, 0, 2], prior: .constant, negated: false, blocked: false).plan.description
        #expect(positive.contains(" KL(Bernoulli(σ(x)) ‖ exp L) fused"), "\(positive)")
        let unfused = try Self.plan([3, 1], [-1.5, 0, 2], prior: .constant, negated: true, blocked: true).plan.description
        #expect(!unfused.contains("KL(Bernoulli"), "\(unfused)")
        #expect(unfused.contains("log σ(−x), log σ(x) fused"), "\(unfused)")
    }

    @Test("values and gradients agree with the unfused chain", arguments: 0..<4)
    func agreesWithChain(index: Int) throws {
        let (shape, xs) = Self.cases[index]
        for prior in Prior.allCases {
            for negated in [false, true] {
                for squared in [false, true] {
                    let fused = try Self.plan(shape, xs, prior: prior, negated: negated, blocked: false, alsoSquared: squared)
                    let chain = try Self.plan(shape, xs, prior: prior, negated: negated, blocked: true, alsoSquared: squared)
                    #expect(fused.plan.description.contains("KL(Bernoulli"))
                    let (a, b) = (try fused.plan.values(of: fused.divergence), try chain.plan.values(of: chain.divergence))
                    #expect(isClose(a, b, relative: 1e-14, absolute: 1e-15), "\(prior) \(negated): \(a) vs \(b)")
                    let (ga, gb) = (try fused.plan.gradient(of: fused.x), try chain.plan.gradient(of: chain.x))
                    #expect(isClose(ga, gb, relative: 1e-12, absolute: 1e-15), "\(prior) \(negated) ∂x: \(ga) vs \(gb)")
                    if let z = fused.z, let w = chain.z {
                        let (za, zb) = (try fused.plan.gradient(of: z), try chain.plan.gradient(of: w))
                        #expect(isClose(za, zb, relative: 1e-12, absolute: 1e-15), "\(prior) \(negated) ∂z: \(za) vs \(zb)")
                    }
                }
            }
        }
    }

    @Test("values against the closed form KL(σ(x) ‖ σ(b)) = σ(x)(x − b) − softplus(x) + softplus(b)")
    func closedForm() throws {
        let (_, xs) = Self.cases[2]
        let fused = try Self.plan([8, 1], xs, prior: .constant, negated: false, blocked: false)
        let b = Foundation.log(0.1 / 0.9)
        let expected = xs.map { StableMath.sigmoid($0) * ($0 - b) - StableMath.softplus($0) + StableMath.softplus(b) }
        #expect(isClose(try fused.plan.values(of: fused.divergence), expected, relative: 1e-13, absolute: 1e-15))
    }

    @Test("gradients against finite differences", arguments: 0..<3)
    func finiteDifferences(index: Int) throws {
        let (shape, xs) = Self.cases[index]
        for prior in Prior.allCases {
            for squared in [false, true] {
                let fused = try Self.plan(shape, xs, prior: prior, negated: true, blocked: false, alsoSquared: squared)
                #expect(try gradientMismatches(of: fused.plan).isEmpty, "\(prior)")
            }
        }
    }

    @Test("NaN and infinite logits give the chain's results")
    func nonFinite() throws {
        let xs = [Double.nan, 0.5, .infinity, -.infinity, -1]
        for prior in Prior.allCases {
            let fused = try Self.plan([5, 1], xs, prior: prior, negated: true, blocked: false)
            let chain = try Self.plan([5, 1], xs, prior: prior, negated: true, blocked: true)
            let pairs = [(try fused.plan.values(of: fused.divergence), try chain.plan.values(of: chain.divergence)),
                         (try fused.plan.gradient(of: fused.x), try chain.plan.gradient(of: chain.x))]
            for (a, b) in pairs {
                for (u, v) in zip(a, b) {
                    #expect(u.isNaN == v.isNaN && (u.isNaN || isClose(u, v, relative: 1e-12, absolute: 1e-15)),
                            "\(prior): \(a) vs \(b)")
                }
            }
        }
    }

    @Test("not fused when a node of the chain has another reader or is not the pattern")
    func notFused() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [4, 1])
        let logP = try b.constant([Foundation.log(0.9), Foundation.log(0.1)], shape: [2])
        func pair(_ b: inout GraphBuilder) throws -> Tensor {
            try b.concat([b.logSigmoid(b.negate(x)), b.logSigmoid(x)], axis: 1)
        }
        // The pair read outside the chain.
        let shared = try pair(&b)
        let first = try b.sum(b.multiply(b.exp(shared), b.subtract(shared, logP)), axis: 1)
        // The difference the wrong way round, L − P.
        let other = try pair(&b)
        let reversed = try b.sum(b.multiply(b.exp(other), b.subtract(logP, other)), axis: 1)
        // Not an exp of the pair.
        let third = try pair(&b)
        let sigmoid = try b.sum(b.multiply(b.sigmoid(third), b.subtract(third, logP)), axis: 1)
        let loss = try b.add(b.add(b.sum(first), b.sum(shared)), b.add(b.sum(reversed), b.sum(sigmoid)))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [x])
        #expect(!plan.description.contains("KL(Bernoulli"), "\(plan.description)")
        try plan.setValues([0.5, -1, 2, -3], of: x)
        #expect(try gradientMismatches(of: plan).isEmpty)
    }

    @Test("the negate of a requested or output KL keeps its own node")
    func keptNodes() throws {
        // KL itself an output: the rewrite fuses it and leaves the negate.
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [3, 1])
        let pair = try b.concat([b.logSigmoid(b.negate(x)), b.logSigmoid(x)], axis: 1)
        let logP = try b.constant([Foundation.log(0.9), Foundation.log(0.1)], shape: [2])
        let kl = try b.sum(b.multiply(b.exp(pair), b.subtract(pair, logP)), axis: 1)
        let loss = try b.sum(b.negate(kl))
        let plan = try Plan(graph: b.build(), outputs: [loss, kl], gradients: [x])
        #expect(plan.description.contains(" KL(Bernoulli(σ(x)) ‖ exp L) fused"), "\(plan.description)")
        #expect(plan.description.contains("negate"), "\(plan.description)")
        try plan.setValues([0.5, -1, 2], of: x)
        plan.forward()
        let b0 = Foundation.log(0.1 / 0.9)
        let expected = [0.5, -1, 2].map { StableMath.sigmoid($0) * ($0 - b0) - StableMath.softplus($0) + StableMath.softplus(b0) }
        #expect(isClose(try plan.values(of: kl), expected, relative: 1e-13, absolute: 1e-15))
        #expect(try gradientMismatches(of: plan).isEmpty)
    }
}
