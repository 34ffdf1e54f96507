import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// Rewrite 12 (`GraphRewriting`): a Bernoulli log-likelihood `Σ_k W_k P_k`
/// on a log-sigmoid pair `P = [log σ(−x), log σ(x)]` runs as one
/// instruction reading `x` and `W`, with the chain's values bit for bit,
/// the chain's `∂x` bit for bit when `W` is one-hot (observed data), and
/// gradients that match finite differences for any `W`.
@Suite("Bernoulli log-likelihoods")
struct BernoulliLikelihoodTests {
    struct Fixture {
        let plan: Plan
        let x: Tensor
        let w: Tensor
        let likelihood: Tensor
    }

    /// `Σ c · Σ_k W_k P_k` over `x` of `shape` (a column of one, as the
    /// lowering builds it) and weights `W` of `shape` with the last extent
    /// 2. With `blocked`, the pair is an output too, which keeps the
    /// contraction unfused (the reference).
    static func plan(_ shape: Shape, _ xs: [Double], _ ws: [Double], weightGradient: Bool,
                     blocked: Bool) throws -> Fixture {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: shape)
        let pairShape = Shape(Array(shape.dimensions.dropLast()) + [2])
        let w = weightGradient ? try b.parameter("w", shape: pairShape) : try b.input("w", shape: pairShape)
        let pair = try b.concat([b.logSigmoid(b.negate(x)), b.logSigmoid(x)], axis: shape.rank - 1)
        let likelihood = try b.sum(b.multiply(w, pair), axis: shape.rank - 1)
        var rng = Xoshiro256StarStar(seed: 21)
        let loss = try b.sum(b.multiply(likelihood, b.constant(Fixtures.random(likelihood.shape.count, &rng),
                                                               shape: likelihood.shape)))
        let plan = try Plan(graph: b.build(), outputs: blocked ? [loss, likelihood, pair] : [loss, likelihood],
                            gradients: weightGradient ? [x, w] : [x])
        try plan.setValues(xs, of: x)
        try plan.setValues(ws, of: w)
        plan.forward()
        plan.backward()
        return Fixture(plan: plan, x: x, w: w, likelihood: likelihood)
    }

    /// One-hot rows from the signs of a deterministic sequence.
    static func oneHot(_ count: Int) -> [Double] {
        (0..<count).flatMap { k in (k * 7) % 3 == 0 ? [1.0, 0.0] : [0.0, 1.0] }
    }

    static let cases: [(Shape, [Double])] = [
        ([1, 1], [0.3]),
        ([3, 1], [-1.5, 0, 2]),
        ([8, 1], [-4, -0.5, 0.25, 3, -30, 12, 1e-3, -2.197224577336219]),
        // Lanes beyond ±708 take the range-checked functions; a tail of
        // two after two whole groups of four.
        ([2, 5, 1], [800, -0.7, 1.1, -2.2, 0.4, -750, 5, -5, 720, 36]),
        ([37, 1], (0..<37).map { 0.37 * Double($0) - 6 }),
    ]

    static func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    @Test("one instruction instead of the pair and the contraction")
    func program() throws {
        let fused = try Self.plan([3, 1], [-1.5, 0, 2], Self.oneHot(3), weightGradient: false, blocked: false)
        let text = fused.plan.description
        #expect(text.contains("W₀ log σ(−x) + W₁ log σ(x) fused"))
        #expect(!text.contains("log σ(−x), log σ(x) fused"))
        let reference = try Self.plan([3, 1], [-1.5, 0, 2], Self.oneHot(3), weightGradient: false, blocked: true)
        #expect(!reference.plan.description.contains("W₀ log σ(−x) + W₁ log σ(x) fused"))
        #expect(fused.plan.forwardInstructionCount < reference.plan.forwardInstructionCount)
    }

    @Test("observed one-hot weights: values and ∂x equal the unfused chain bit for bit", arguments: 0..<cases.count)
    func observed(index: Int) throws {
        let (shape, xs) = Self.cases[index]
        let ws = Self.oneHot(shape.count)
        let fused = try Self.plan(shape, xs, ws, weightGradient: false, blocked: false)
        let chain = try Self.plan(shape, xs, ws, weightGradient: false, blocked: true)
        #expect(Self.same(try fused.plan.values(of: fused.likelihood), try chain.plan.values(of: chain.likelihood)))
        #expect(Self.same(try fused.plan.gradient(of: fused.x), try chain.plan.gradient(of: chain.x)))
        // And against the formula, where it is finite.
        let values = try fused.plan.values(of: fused.likelihood)
        for (k, x) in xs.enumerated() where abs(x) < 700 {
            let expected = ws[2 * k] * StableMath.logSigmoid(-x) + ws[2 * k + 1] * StableMath.logSigmoid(x)
            #expect(isClose([values[k]], [expected], relative: 1e-14, absolute: 1e-300), "x = \(x)")
        }
    }

    @Test("soft weights with their own gradient: values bit for bit, gradients within rounding and against finite differences")
    func softWeights() throws {
        let (shape, xs) = Self.cases[4]
        var rng = Xoshiro256StarStar(seed: 22)
        let ws = (0..<(2 * shape.count)).map { _ in rng.nextOpenUniform() }
        let fused = try Self.plan(shape, xs, ws, weightGradient: true, blocked: false)
        let chain = try Self.plan(shape, xs, ws, weightGradient: true, blocked: true)
        #expect(Self.same(try fused.plan.values(of: fused.likelihood), try chain.plan.values(of: chain.likelihood)))
        #expect(isClose(try fused.plan.gradient(of: fused.x), try chain.plan.gradient(of: chain.x), relative: 1e-14,
                        absolute: 1e-15))
        #expect(Self.same(try fused.plan.gradient(of: fused.w), try chain.plan.gradient(of: chain.w)))
        #expect(try gradientMismatches(of: fused.plan).isEmpty)
    }

    // MARK: 12b: the minibatch of values instead of the minibatch of weights

    /// W5's shape of the likelihood: a table `T₁` of `R × K` values and its
    /// pairs `T₂ = [1 − T₁, T₁]` (or `pairs` given), both gathered by the
    /// same minibatch `idx`; the logits `x = V·s + θ` read the values'
    /// minibatch `V` (as the encoder does), and the loss is
    /// `Σ c · Σ_k W_k P_k(x)`. With `blocked`, the pair is an output too, so
    /// neither rewrite applies (the reference).
    static func minibatchPlan(values: [Double], pairs: [Double]? = nil, rows: Int, classes: Int, batch: [Int],
                              blocked: Bool) throws -> (plan: Plan, theta: Tensor, likelihood: Tensor) {
        var b = GraphBuilder()
        let table = try b.constant(values, shape: [rows, classes])
        let pairTable = try b.constant(pairs ?? values.flatMap { [1 - $0, $0] }, shape: [rows, classes, 2])
        let index = try b.input("idx", shape: [batch.count], role: .index)
        let v = try b.gather(table, indices: b.reshape(index, to: [batch.count, 1]), axis: 0)
        let w = try b.gather(pairTable, indices: b.reshape(index, to: [batch.count, 1, 1]), axis: 0)
        let theta = try b.parameter("theta", shape: [batch.count, classes])
        let x = try b.reshape(b.add(b.multiply(v, b.constant(1.7)), theta), to: [batch.count, classes, 1])
        let pair = try b.concat([b.logSigmoid(b.negate(x)), b.logSigmoid(x)], axis: 2)
        let likelihood = try b.sum(b.multiply(w, pair), axis: 2)
        var rng = Xoshiro256StarStar(seed: 23)
        let loss = try b.sum(b.multiply(likelihood, b.constant(Fixtures.random(likelihood.shape.count, &rng),
                                                               shape: likelihood.shape)))
        let plan = try Plan(graph: b.build(), outputs: blocked ? [loss, likelihood, pair] : [loss, likelihood],
                            gradients: [theta])
        try plan.setIndices(batch, of: index)
        try plan.setValues((0..<(batch.count * classes)).map { 0.25 * Double($0 % 9) - 1 }, of: theta)
        plan.forward()
        plan.backward()
        return (plan, theta, likelihood)
    }

    @Test("a minibatch of [1 − v, v] rows is read as the minibatch of v already gathered: W's gather goes, nothing else changes")
    func gatheredValues() throws {
        let (rows, classes) = (6, 9)
        let batch = [4, 0, 4, 2, 5]
        // Binary pixels (one-hot weights: ∂x bit for bit), then with one
        // fractional value (its 1 − v stored as computed: ∂x within rounding).
        var values = (0..<(rows * classes)).map { Double(($0 * 5) % 3 == 0 ? 1 : 0) }
        for fractional in [false, true] {
            if fractional { values[7] = 0.3 }
            let fused = try Self.minibatchPlan(values: values, rows: rows, classes: classes, batch: batch, blocked: false)
            let chain = try Self.minibatchPlan(values: values, rows: rows, classes: classes, batch: batch, blocked: true)
            let text = fused.plan.description
            #expect(text.contains("(1 − v) log σ(−x) + v log σ(x) fused"))
            #expect(text.components(separatedBy: "= gather").count - 1 == 1, "one gather left: \(text)")
            #expect(Self.same(try fused.plan.values(of: fused.likelihood), try chain.plan.values(of: chain.likelihood)))
            let (got, expected) = (try fused.plan.gradient(of: fused.theta), try chain.plan.gradient(of: chain.theta))
            #expect(fractional ? isClose(got, expected, relative: 1e-14, absolute: 1e-15) : Self.same(got, expected))
            #expect(try gradientMismatches(of: fused.plan).isEmpty)
        }

        // Pairs that are not exactly [1 − v, v] keep their own gather (rewrite 12 alone).
        var pairs = values.flatMap { [1 - $0, $0] }
        pairs[2 * 7] = 0.5
        let other = try Self.minibatchPlan(values: values, pairs: pairs, rows: rows, classes: classes, batch: batch,
                                           blocked: false)
        let otherText = other.plan.description
        #expect(otherText.contains("W₀ log σ(−x) + W₁ log σ(x) fused"))
        #expect(otherText.components(separatedBy: "= gather").count - 1 == 2)
    }
}

