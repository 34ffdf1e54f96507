import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// The fused log-density, divergence and Hard Concrete operations: values
/// equal the distribution library's kernels applied element by element,
/// and gradients match finite differences, across broadcasting patterns.
@Suite("Fused distribution ops")
struct DensityOpTests {
    /// A parameter with given values.
    struct Input {
        let shape: Shape
        let values: [Double]
    }

    /// Builds a plan over parameters with the given values, checks the
    /// output against `expected` (if given) and the gradients of
    /// `Σ weights · output` against finite differences.
    static func check(
        _ inputs: [Input], seed: UInt64 = 1, expected: ((_ index: [Int], _ values: [[Double]], _ sources: [Int]) -> Double)? = nil,
        gradients: Set<Int>? = nil, relative: Double = 1e-5,
        _ body: (inout GraphBuilder, [Tensor]) throws -> Tensor
    ) throws -> [String] {
        var b = GraphBuilder()
        let tensors = try inputs.enumerated().map { try b.parameter("p\($0.offset)", shape: $0.element.shape) }
        let output = try body(&b, tensors)
        var rng = Xoshiro256StarStar(seed: seed)
        let weights = try b.constant((0..<output.shape.count).map { _ in rng.nextStandardNormal() }, shape: output.shape)
        let loss = try b.sum(b.multiply(output, weights))
        let wanted = tensors.enumerated().filter { gradients?.contains($0.offset) ?? true }.map(\.element)
        let plan = try Plan(graph: b.build(), outputs: [loss, output], gradients: wanted)
        for (tensor, input) in zip(tensors, inputs) { try plan.setValues(input.values, of: tensor) }
        plan.forward()
        var problems: [String] = []
        if let expected {
            let values = try plan.values(of: output)
            for flat in 0..<output.shape.count {
                let index = Fixtures.multiIndex(flat, output.shape)
                // Per-result operands' elements; vector operands (more axes
                // than the result) are read by the closure itself.
                let sources = inputs.map { $0.shape.rank <= index.count ? Fixtures.broadcastSource(index, $0.shape) : -1 }
                let reference = expected(index, inputs.map(\.values), sources)
                if !isClose(values[flat], reference, relative: 1e-13, absolute: 1e-13) {
                    problems.append("value[\(flat)] = \(values[flat]), library kernel gives \(reference)")
                }
            }
        }
        problems += try gradientMismatches(of: plan, relative: relative).map(\.description)
        return problems
    }

    static func uniform(_ count: Int, _ low: Double, _ high: Double, seed: UInt64) -> [Double] {
        var rng = Xoshiro256StarStar(seed: seed)
        return (0..<count).map { _ in low + (high - low) * rng.nextOpenUniform() }
    }

    // MARK: Elementwise

    @Test("Normal: value, gradients for x, mean and std, across broadcasting")
    func normal() throws {
        let cases: [(Shape, Shape, Shape)] = [([4, 1], [3], []), ([2, 3], [2, 3], [2, 3]), ([3], [], [2, 1]), ([5], [5], [1])]
        for (k, (sx, sm, ss)) in cases.enumerated() {
            let s = UInt64(k)
            let inputs = [Input(shape: sx, values: Self.uniform(sx.count, -3, 3, seed: s)),
                          Input(shape: sm, values: Self.uniform(sm.count, -1, 1, seed: s + 10)),
                          Input(shape: ss, values: Self.uniform(ss.count, 0.5, 2, seed: s + 20))]
            let problems = try Self.check(inputs, expected: { _, v, i in Normal.logProb(v[0][i[0]], mean: v[1][i[1]], std: v[2][i[2]]) }) { b, t in
                try b.normalLogProb(t[0], mean: t[1], std: t[2])
            }
            #expect(problems.isEmpty, "\(sx) \(sm) \(ss): \(problems.prefix(3))")
            // One gradient at a time takes the single-operand fast paths.
            for wanted in 0..<3 {
                let single = try Self.check(inputs, gradients: [wanted]) { b, t in try b.normalLogProb(t[0], mean: t[1], std: t[2]) }
                #expect(single.isEmpty, "\(sx) \(sm) \(ss), gradient of operand \(wanted) alone: \(single.prefix(3))")
            }
        }
    }

    @Test("Normal with one std (log std and 1/std hoisted) agrees with the library's kernels to a few ulps")
    func normalHoisted() throws {
        var b = GraphBuilder()
        let x = try b.input("x", shape: [50, 1])
        let mu = try b.parameter("mu", shape: [3])
        let std = try b.parameter("std", shape: [])
        let xData = try b.parameter("xGrad", shape: [50, 1])
        let y = try b.normalLogProb(b.add(x, xData), mean: mu, std: std)
        let loss = try b.sum(y)
        let plan = try Plan(graph: b.build(), outputs: [loss, y], gradients: [mu, std, xData])
        let xs = Self.uniform(50, -6, 6, seed: 3), mus: [Double] = [-1, 0.25, 2]
        try plan.setValues(xs, of: x)
        try plan.setValues([Double](repeating: 0, count: 50), of: xData)
        try plan.setValues(mus, of: mu)
        for s in [1.0, 0.3, 7.5] {
            try plan.setValues([s], of: std)
            plan.forward()
            plan.backward()
            let values = try plan.values(of: y)
            let reference = xs.flatMap { x in mus.map { Normal.logProb(x, mean: $0, std: s) } }
            #expect(zip(values, reference).allSatisfy { isClose($0, $1, relative: 1e-15, absolute: 1e-15) }, "values, std \(s)")
            let partials = xs.map { x in mus.map { Normal.logProbPartials(x, mean: $0, std: s) } }
            let dMu = (0..<3).map { k in partials.reduce(0) { $0 + $1[k].mean } }
            let dStd = partials.reduce(0) { $0 + $1.reduce(0) { $0 + $1.std } }
            let dX = partials.map { $0.reduce(0) { $0 + $1.value } }
            #expect(isClose(try plan.gradient(of: mu), dMu, relative: 1e-13, absolute: 1e-12), "∂mu, std \(s)")
            #expect(isClose(try plan.gradient(of: std)[0], dStd, relative: 1e-13, absolute: 1e-12), "∂std, std \(s)")
            #expect(isClose(try plan.gradient(of: xData), dX, relative: 1e-13, absolute: 1e-12), "∂x, std \(s)")
        }
    }

    @Test("Normal with a std per element, four at a time: values within a few ulps of the library's kernel, partials bit for bit")
    func normalPerElementStd() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [11])
        let mean = try b.parameter("mean", shape: [11])
        let std = try b.parameter("std", shape: [11])
        let y = try b.normalLogProb(x, mean: mean, std: std)
        let loss = try b.sum(y)
        let plan = try Plan(graph: b.build(), outputs: [loss, y], gradients: [x, mean, std])
        // Stds across many binades, including subnormal and huge ones (the
        // vector log's scalar fallback) in one group of four.
        let stds = [0.5, 1.3, 7.5, 1e-3, 2e300, Double.leastNormalMagnitude / 4, 0.9, 1, 3e7, 0.25, 1.75]
        let xs = Self.uniform(11, -3, 3, seed: 31), means = Self.uniform(11, -1, 1, seed: 32)
        try plan.setValues(xs, of: x)
        try plan.setValues(means, of: mean)
        try plan.setValues(stds, of: std)
        plan.forward()
        plan.backward()
        let values = try plan.values(of: y)
        for k in 0..<11 {
            let reference = Normal.logProb(xs[k], mean: means[k], std: stds[k])
            #expect(VectorMath.ulps(values[k], reference) <= 4, "value[\(k)] \(values[k]) vs \(reference)")
            let p = Normal.logProbPartials(xs[k], mean: means[k], std: stds[k])
            #expect(try plan.gradient(of: x)[k] == p.value && plan.gradient(of: mean)[k] == p.mean
                    && plan.gradient(of: std)[k] == p.std, "partials[\(k)]")
        }
    }

    @Test("several operand gradients in one sweep equal one sweep per operand, bit for bit")
    func oneSweep() throws {
        // Equal shapes, a row of 7 (one vector and a tail of three); each
        // operand's gradient also written elsewhere (accumulated), or alone
        // (overwritten), and one tensor as two operands (one slot written twice).
        for shared in [false, true] {
            for alsoElsewhere in [false, true] {
                func run(_ wanted: [Int]) throws -> (Plan, [[Double]]) {
                    var b = GraphBuilder()
                    let p = try (0..<3).map { try b.parameter("p\($0)", shape: [7]) }
                    let std = try b.add(b.softplus(p[2]), 0.2)
                    let mean = shared ? p[0] : p[1]
                    let normal = try b.normalLogProb(p[0], mean: mean, std: std)
                    let gumbel = try b.gumbelLogProb(p[0], location: mean, scale: std)
                    var rng = Xoshiro256StarStar(seed: 41)
                    var loss = try b.add(b.sum(b.multiply(normal, b.constant(Fixtures.random(7, &rng), shape: [7]))),
                                         b.sum(b.multiply(gumbel, b.constant(Fixtures.random(7, &rng), shape: [7]))))
                    if alsoElsewhere { loss = try b.add(loss, b.sum(b.multiply(b.multiply(p[0], p[1]), p[2]))) }
                    let plan = try Plan(graph: b.build(), outputs: [loss], gradients: wanted.map { p[$0] })
                    for (k, parameter) in p.enumerated() {
                        try plan.setValues(Self.uniform(7, -2, 2, seed: UInt64(50 + k)), of: parameter)
                    }
                    plan.forward()
                    plan.backward()
                    return (plan, try wanted.map { try plan.gradient(of: p[$0]) })
                }
                let (plan, together) = try run([0, 1, 2])
                for k in 0..<3 {
                    #expect(together[k] == (try run([k])).1[0], "shared \(shared), elsewhere \(alsoElsewhere), ∂p\(k)")
                }
                #expect(try gradientMismatches(of: plan).isEmpty, "shared \(shared), elsewhere \(alsoElsewhere)")
            }
        }
    }

    @Test("Bernoulli, Gumbel and the binary Concrete")
    func bernoulliGumbelRelaxed() throws {
        var problems = try Self.check(
            [Input(shape: [4, 3], values: Self.uniform(12, 0, 1, seed: 1)), Input(shape: [3], values: Self.uniform(3, -3, 3, seed: 2))],
            expected: { _, v, i in Bernoulli.logProb(v[0][i[0]], logit: v[1][i[1]]) }
        ) { b, t in try b.bernoulliLogProb(t[0], logit: t[1]) }
        #expect(problems.isEmpty, "Bernoulli: \(problems.prefix(3))")
        problems = try Self.check(
            [Input(shape: [3, 2], values: Self.uniform(6, -2, 4, seed: 3)), Input(shape: [2], values: [0.3, -0.5]),
             Input(shape: [3, 1], values: Self.uniform(3, 0.5, 2, seed: 4))],
            expected: { _, v, i in Gumbel.logProb(v[0][i[0]], location: v[1][i[1]], scale: v[2][i[2]]) }
        ) { b, t in try b.gumbelLogProb(t[0], location: t[1], scale: t[2]) }
        #expect(problems.isEmpty, "Gumbel: \(problems.prefix(3))")
        problems = try Self.check(
            [Input(shape: [5], values: Self.uniform(5, -4, 4, seed: 5)), Input(shape: [5], values: Self.uniform(5, -2, 2, seed: 6)),
             Input(shape: [], values: [0.67])],
            expected: { _, v, i in RelaxedBernoulli.logProb(logitOfValue: v[0][i[0]], logit: v[1][i[1]], temperature: v[2][i[2]]) }
        ) { b, t in try b.relaxedBernoulliLogProb(logitOfValue: t[0], logit: t[1], temperature: t[2]) }
        #expect(problems.isEmpty, "RelaxedBernoulli: \(problems.prefix(3))")
    }

    @Test("Hard Concrete: density, gate and expected L0")
    func hardConcrete() throws {
        // Inside (0, 1) the density is smooth in z, logit and temperature.
        var problems = try Self.check(
            [Input(shape: [6], values: Self.uniform(6, 0.05, 0.95, seed: 7)), Input(shape: [6], values: Self.uniform(6, -2, 2, seed: 8)),
             Input(shape: [], values: [0.67])],
            expected: { _, v, i in HardConcrete.logProb(v[0][i[0]], logit: v[1][i[1]], temperature: v[2][i[2]], lower: -0.1, upper: 1.1) }
        ) { b, t in try b.hardConcreteLogProb(t[0], logit: t[1], temperature: t[2]) }
        #expect(problems.isEmpty, "HardConcrete density: \(problems.prefix(3))")
        // At the point masses z = 0 and z = 1: gradients for the parameters.
        problems = try Self.check(
            [Input(shape: [2], values: [-0.4, 1.3]), Input(shape: [], values: [0.5])], gradients: [0, 1]
        ) { b, t in
            try b.hardConcreteLogProb(b.constant([0, 1], shape: [2]), logit: t[0], temperature: t[1], lower: -0.2, upper: 1.3)
        }
        #expect(problems.isEmpty, "HardConcrete point masses: \(problems.prefix(3))")
        // The gate, differentiable in logit and temperature, not in the noise.
        let noise = Self.uniform(8, -3, 3, seed: 9)
        problems = try Self.check(
            [Input(shape: [8], values: Self.uniform(8, -1, 1, seed: 10)), Input(shape: [], values: [0.67])],
            expected: { _, v, i in HardConcrete.gate(logistic: noise[i.isEmpty ? 0 : i[0]], logit: v[0][i[0]], temperature: v[1][i[1]], lower: -0.1, upper: 1.1) }
        ) { b, t in try b.hardConcreteGate(logistic: b.constant(noise, shape: [8]), logit: t[0], temperature: t[1]) }
        #expect(problems.isEmpty, "HardConcrete gate: \(problems.prefix(3))")
        problems = try Self.check(
            [Input(shape: [4], values: Self.uniform(4, -3, 3, seed: 11)), Input(shape: [], values: [0.5])],
            expected: { _, v, i in HardConcrete.probabilityNonzero(logit: v[0][i[0]], temperature: v[1][i[1]], lower: -0.1, upper: 1.1) }
        ) { b, t in try b.hardConcreteProbabilityNonzero(logit: t[0], temperature: t[1]) }
        #expect(problems.isEmpty, "HardConcrete expected L0: \(problems.prefix(3))")
    }

    @Test("Normal and Bernoulli KL divergences")
    func elementwiseKL() throws {
        var problems = try Self.check(
            [Input(shape: [3, 2], values: Self.uniform(6, -1, 1, seed: 12)), Input(shape: [3, 2], values: Self.uniform(6, 0.5, 2, seed: 13)),
             Input(shape: [], values: [0.2]), Input(shape: [2], values: [1.5, 0.7])],
            expected: { _, v, i in Normal.klDivergence(mean: v[0][i[0]], std: v[1][i[1]], toMean: v[2][i[2]], toStd: v[3][i[3]]) }
        ) { b, t in try b.normalKLDivergence(mean: t[0], std: t[1], toMean: t[2], toStd: t[3]) }
        #expect(problems.isEmpty, "Normal KL: \(problems.prefix(3))")
        problems = try Self.check(
            [Input(shape: [4], values: Self.uniform(4, -3, 3, seed: 14)), Input(shape: [], values: [-0.3])],
            expected: { _, v, i in Bernoulli.klDivergence(logit: v[0][i[0]], toLogit: v[1][i[1]]) }
        ) { b, t in try b.bernoulliKLDivergence(logit: t[0], toLogit: t[1]) }
        #expect(problems.isEmpty, "Bernoulli KL: \(problems.prefix(3))")
        // Rows of four and more take the vector form; logits far apart, close
        // together and at ±30 (saturated sigmoids), against a shared prior logit.
        let logits = Self.uniform(9, -6, 6, seed: 15) + [30, -30, 2.0000001, 1e-9, -1e-9, 0.5, -0.5]
        for prior in [-2.1972245773362196, 0.0, 2.0, 30.0] {
            problems = try Self.check(
                [Input(shape: [16], values: logits), Input(shape: [], values: [prior])],
                expected: { _, v, i in Bernoulli.klDivergence(logit: v[0][i[0]], toLogit: v[1][i[1]]) }
            ) { b, t in try b.bernoulliKLDivergence(logit: t[0], toLogit: t[1]) }
            #expect(problems.isEmpty, "Bernoulli KL, vector form, prior logit \(prior): \(problems.prefix(3))")
        }
    }

    // MARK: Along the class axis

    /// The row of classes that result position `index` reads from a vector
    /// operand of shape `shape` (its batch axes broadcast).
    static func row(_ values: [Double], _ shape: Shape, _ index: [Int]) -> [Double] {
        let classes = shape.dimensions.last!
        let batch = Shape(Array(shape.dimensions.dropLast()))
        let start = Fixtures.broadcastSource(index, batch) * classes
        return Array(values[start..<(start + classes)])
    }

    @Test("Categorical: per-row logits, shared logits, and broadcast batch axes")
    func categorical() throws {
        let cases: [(Shape, Shape)] = [([5], [5, 3]), ([6], [4]), ([2, 1], [3, 4]), ([1], [1, 2])]
        for (k, (indexShape, logitsShape)) in cases.enumerated() {
            var rng = Xoshiro256StarStar(seed: 30 + UInt64(k))
            let classes = logitsShape.dimensions.last!
            let indices = (0..<indexShape.count).map { _ in Int(rng.next() % UInt64(classes)) }
            let logits = Self.uniform(logitsShape.count, -2, 2, seed: 40 + UInt64(k))
            let problems = try Self.check(
                [Input(shape: logitsShape, values: logits)],
                expected: { index, v, _ in
                    let k = indices[Fixtures.broadcastSource(index, indexShape)]
                    return Self.row(v[0], logitsShape, index).withUnsafeBufferPointer { Categorical.logProb(k, logits: $0) }
                }
            ) { b, t in try b.categoricalLogProb(b.indexConstant(indices, shape: indexShape), logits: t[0]) }
            #expect(problems.isEmpty, "index \(indexShape), logits \(logitsShape): \(problems.prefix(3))")
        }
    }

    @Test("RelaxedCategorical and ExpRelaxedCategorical: value, logits and temperature gradients")
    func relaxedCategorical() throws {
        for exp in [false, true] {
            let value = Input(shape: [3, 4], values: exp ? Self.uniform(12, -3, 0, seed: 50) : Self.uniform(12, 0.05, 0.6, seed: 50))
            let cases: [(Input, Input)] = [
                (Input(shape: [4], values: Self.uniform(4, -2, 2, seed: 51)), Input(shape: [], values: [0.5])),
                (Input(shape: [3, 4], values: Self.uniform(12, -2, 2, seed: 52)), Input(shape: [3], values: [0.4, 0.9, 1.5])),
            ]
            for (logits, temperature) in cases {
                let problems = try Self.check([value, logits, temperature], expected: { index, v, i in
                    let y = Self.row(v[0], value.shape, index), l = Self.row(v[1], logits.shape, index)
                    return y.withUnsafeBufferPointer { y in
                        l.withUnsafeBufferPointer { l in
                            exp ? ExpRelaxedCategorical.logProb(y, logits: l, temperature: v[2][i[2]])
                                : RelaxedCategorical.logProb(y, logits: l, temperature: v[2][i[2]])
                        }
                    }
                }) { b, t in
                    exp ? try b.expRelaxedCategoricalLogProb(t[0], logits: t[1], temperature: t[2])
                        : try b.relaxedCategoricalLogProb(t[0], logits: t[1], temperature: t[2])
                }
                #expect(problems.isEmpty, "\(exp ? "ExpRelaxed" : "Relaxed") logits \(logits.shape): \(problems.prefix(3))")
            }
        }
    }

    @Test("Categorical KL along the class axis, with a shared prior")
    func categoricalKL() throws {
        let a = Input(shape: [4, 3], values: Self.uniform(12, -2, 2, seed: 60))
        let b = Input(shape: [3], values: [0.1, -0.4, 0.3])
        let problems = try Self.check([a, b], expected: { index, v, _ in
            Self.row(v[0], a.shape, index).withUnsafeBufferPointer { p in
                Self.row(v[1], b.shape, index).withUnsafeBufferPointer { q in Categorical.klDivergence(logits: p, toLogits: q) }
            }
        }) { builder, t in try builder.categoricalKLDivergence(logits: t[0], toLogits: t[1]) }
        #expect(problems.isEmpty, "\(problems.prefix(3))")
    }

    // MARK: Shapes

    @Test("fused ops check their shapes and name them")
    func shapeErrors() throws {
        var b = GraphBuilder()
        let x = try b.input("x", shape: [2, 3])
        let mean = try b.input("mean", shape: [4])
        let logits = try b.input("logits", shape: [5, 3])
        let other = try b.input("other", shape: [5, 4])
        let index = try b.input("z", shape: [2], role: .index)
        func message(_ body: (inout GraphBuilder) throws -> Tensor) -> String {
            do { _ = try body(&b); return "no error" } catch { return "\(error)" }
        }
        #expect(message { try $0.normalLogProb(x, mean: mean, std: $0.constant(1)) }
            == "normalLogProb: incompatible shapes [2, 3], [4], []: cannot broadcast (axis 1 of the result: 3 vs 4; dimensions must be equal or 1)")
        #expect(message { try $0.categoricalLogProb(index, logits: logits) }
            == "categoricalLogProb: incompatible shapes [2] and [5, 3]: cannot broadcast (axis 0 of the result: 2 vs 5; dimensions must be equal or 1)")
        #expect(message { try $0.categoricalKLDivergence(logits: logits, toLogits: other) }
            == "categoricalKLDivergence: incompatible shapes [5, 3] and [5, 4]: the last axes (classes) differ: 3 vs 4")
        #expect(message { try $0.categoricalLogProb(x, logits: logits) }
            == "categoricalLogProb: the index must be an index tensor, but a real tensor of shape [2, 3] was given")
        #expect(message { try $0.hardConcreteGate(logistic: x, logit: x, temperature: x, lower: 0.1, upper: 1.1) }
            == "hardConcreteGate: the stretch bounds must satisfy lower < 0 and upper > 1 (got lower = 0.1, upper = 1.1)")
    }
}
