import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// Randomly generated graphs mixing every operation, checked against
/// central finite differences.
///
/// Each graph starts from a few parameters and a data input of shapes built
/// from a batch extent `B` and a class extent `K`, applies 4–12 random
/// operations to random earlier tensors, and sums every unused tensor
/// weighted by random constants into the loss. Inputs are kept in each op's
/// domain by construction (`log(softplus(x) + 0.1)`, division by
/// `softplus(y) + 0.5`, `exp(tanh(x))` so chains stay bounded).
///
/// Two ops are used only where finite differences of the *value* agree with
/// the gradient they define: `detach` on tensors that depend only on data
/// (constant with respect to the parameters), and `straightThrough(hard:
/// detach(s), soft: s)`, whose value and gradient are those of `s`. Their
/// own semantics are tested in `GradientControlTests`. The hard helpers
/// (`step`, `oneHotArgmax`, `argmax` feeding `gather` and `oneHot`,
/// `categoricalInverseCDF` of a softmax) are
/// piecewise constant, so their zero gradient agrees with finite
/// differences away from ties, which random points almost never hit; the
/// seeds are fixed, so the test is deterministic.
@Suite("Random graphs")
struct RandomGraphTests {
    static let graphCount = 1_000

    @Test("1 000 random graphs: gradients match finite differences")
    func randomGraphs() throws {
        var failures: [String] = []
        var opsUsed: [String: Int] = [:]
        var fusedDivergences = 0   // plans where rewrite 11 fused a chain
        for seed in 0..<UInt64(Self.graphCount) {
            var generator = RandomGraphGenerator(seed: seed)
            let plan = try generator.makePlan()
            for (name, count) in generator.opsUsed { opsUsed[name, default: 0] += count }
            if generator.opsUsed["bernoulliDivergence"] != nil, plan.description.contains("KL(Bernoulli") { fusedDivergences += 1 }
            let mismatches = try gradientMismatches(of: plan, relative: 1e-5, absolute: 1e-7)
            if !mismatches.isEmpty {
                failures.append("seed \(seed): \(mismatches.prefix(2))\n\(plan.graph)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) graphs failed; first: \(failures.first ?? "")")
        // Every family of operations was exercised, many times.
        let families = ["unary", "power", "clamp", "binary", "sum", "mean", "logSumExp", "softmax", "logSoftmax",
                        "matmul", "gather", "softSelect", "concat", "reshape", "detach", "straightThrough",
                        "oneHotArgmax", "step", "oneHot", "categoricalInverseCDF", "elementwiseDensity", "categoricalDensity",
                        "enumeratedExpectation", "bernoulliDivergence"]
        for family in families {
            #expect(opsUsed[family, default: 0] >= 50, "\(family) used \(opsUsed[family, default: 0]) times")
        }
        #expect(fusedDivergences >= 25, "rewrite 11 fused chains in \(fusedDivergences) plans")
    }
}

/// Builds one random graph from a seed.
struct RandomGraphGenerator {
    var rng: Xoshiro256StarStar
    var builder = GraphBuilder()
    /// Tensors available as operands, and whether each depends on a parameter.
    var pool: [(tensor: Tensor, dependsOnParameters: Bool)] = []
    var used: Set<NodeID> = []
    var parameters: [Tensor] = []
    var parameterValues: [[Double]] = []
    var opsUsed: [String: Int] = [:]
    let batch: Int
    let classes: Int

    init(seed: UInt64) {
        rng = Xoshiro256StarStar(seed: seed)
        batch = 1 + Int(rng.next() % 3)
        classes = 2 + Int(rng.next() % 3)
    }

    mutating func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    mutating func coin() -> Bool { rng.next() & 1 == 0 }
    mutating func normals(_ n: Int) -> [Double] { (0..<n).map { _ in rng.nextStandardNormal() } }

    mutating func makePlan() throws -> Plan {
        let shapes: [Shape] = [[batch, classes], [classes], [batch, 1], [], [batch]]
        for k in 0..<(2 + pick(2)) {
            try addParameter(shapes[pick(shapes.count)], name: "p\(k)")
        }
        let data = try builder.input("data", shape: [batch, classes])
        pool.append((data, false))
        for _ in 0..<(4 + pick(9)) { try step() }
        // The loss: every unused tensor (at least the last), weighted.
        var terms: [Tensor] = []
        for (tensor, dependsOnParameters) in pool where dependsOnParameters && !used.contains(tensor.id) {
            let weights = try builder.constant(normals(tensor.shape.count), shape: tensor.shape)
            terms.append(try builder.sum(builder.multiply(tensor, weights)))
        }
        var loss = terms[0]
        for term in terms.dropFirst() { loss = try builder.add(loss, term) }
        let plan = try Plan(graph: builder.build(), outputs: [loss], gradients: parameters)
        for (parameter, values) in zip(parameters, parameterValues) { try plan.setValues(values, of: parameter) }
        try plan.setValues(normals(batch * classes), of: data)
        return plan
    }

    mutating func addParameter(_ shape: Shape, name: String) throws {
        let parameter = try builder.parameter(name, shape: shape)
        parameters.append(parameter)
        parameterValues.append(normals(shape.count))
        pool.append((parameter, true))
    }

    /// A random earlier tensor, preferring recent ones.
    mutating func operand() -> (tensor: Tensor, dependsOnParameters: Bool) {
        let recent = min(pool.count, 4)
        return coin() ? pool[pool.count - 1 - pick(recent)] : pool[pick(pool.count)]
    }

    mutating func push(_ tensor: Tensor, _ dependsOnParameters: Bool, _ family: String, consumed: [Tensor]) {
        for input in consumed { used.insert(input.id) }
        pool.append((tensor, dependsOnParameters))
        opsUsed[family, default: 0] += 1
    }

    mutating func step() throws {
        let (x, dx) = operand()
        let b = x.shape
        switch pick(24) {
        case 0:
            let functions: [UnaryFunction] = [.negate, .square, .expm1, .softplus, .sigmoid, .logSigmoid, .tanh, .relu]
            let f = functions[pick(functions.count)]
            let input = f == .square || f == .expm1 ? try builder.tanh(x) : x
            push(try builder.unary(f, input), dx, "unary", consumed: [x])
        case 1:
            // Positive-domain functions of softplus(x) + 0.1, and bounded exp.
            let positive = try builder.add(builder.softplus(x), 0.1)
            let choice = pick(4)
            let y: Tensor
            switch choice {
            case 0: y = try builder.log(positive)
            case 1: y = try builder.sqrt(positive)
            case 2: y = try builder.log1p(positive)
            default: y = try builder.exp(builder.tanh(x))
            }
            push(y, dx, "unary", consumed: [x])
        case 2:
            let exponents = [2.0, 3.0, 1.5, -0.5]
            let positive = try builder.add(builder.softplus(x), 0.2)
            push(try builder.power(positive, exponents[pick(exponents.count)]), dx, "power", consumed: [x])
        case 3:
            push(try builder.clamp(x, lower: -0.7, upper: 0.9), dx, "clamp", consumed: [x])
        case 4, 5:
            var (y, dy) = operand()
            if Shape.broadcast(x.shape, y.shape) == nil { (y, dy) = (x, dx) }
            let ops: [BinaryOperator] = [.add, .subtract, .multiply, .divide, .maximum, .minimum]
            let op = ops[pick(ops.count)]
            let right = op == .divide ? try builder.add(builder.softplus(y), 0.5) : y
            push(try builder.binary(op, x, right), dx || dy, "binary", consumed: [x, y])
        case 6:
            let axis: Int? = b.rank == 0 || coin() ? nil : pick(b.rank)
            if coin() {
                push(try builder.sum(x, axis: axis, keepingDimension: coin()), dx, "sum", consumed: [x])
            } else {
                push(try builder.mean(x, axis: axis, keepingDimension: coin()), dx, "mean", consumed: [x])
            }
        case 7:
            guard b.rank > 0 else { return try step() }
            push(try builder.logSumExp(x, axis: pick(b.rank), keepingDimension: coin()), dx, "logSumExp", consumed: [x])
        case 8:
            guard b.rank > 0 else { return try step() }
            if coin() {
                push(try builder.softmax(x, axis: pick(b.rank)), dx, "softmax", consumed: [x])
            } else {
                push(try builder.logSoftmax(x, axis: pick(b.rank)), dx, "logSoftmax", consumed: [x])
            }
        case 9:
            // [rows, k] × W[k, m], W a fresh parameter; rank-3 inputs batch.
            let matrix = b.rank >= 2 ? x : try builder.reshape(x, to: [1, b.count])
            let k = matrix.shape[matrix.rank - 1]
            let m = 1 + pick(3)
            try addParameter([k, m], name: "w\(parameters.count)")
            let weight = parameters.last!
            let lifted = coin() && matrix.rank == 2 ? try builder.reshape(matrix, to: Shape([1] + matrix.shape.dimensions)) : matrix
            push(try builder.matmul(lifted, weight), true, "matmul", consumed: [x])
        case 10:
            guard b.rank > 0 else { return try step() }
            let axis = pick(b.rank)
            let indexShape = b.replacing(axis: axis, with: 1 + pick(4))
            let indices: Tensor
            if coin() && b[axis] == b.dimensions.last! && axis == b.rank - 1 {
                // Indices computed from a tensor: argmax along the last axis.
                indices = try builder.argmax(x, axis: -1, keepingDimension: true)
            } else {
                indices = try builder.indexConstant((0..<indexShape.count).map { _ in pick(b[axis]) }, shape: indexShape)
            }
            push(try builder.gather(x, indices: indices, axis: axis), dx, "gather", consumed: [x])
        case 11:
            guard b.rank > 0 else { return try step() }
            let weights = try builder.softmax(operandOfShape(b).tensor, axis: -1)
            push(try builder.softSelect(x, weights: weights, axis: -1), true, "softSelect", consumed: [x])
        case 12:
            guard b.rank > 0 else { return try step() }
            let axis = pick(b.rank)
            push(try builder.concat([x, builder.tanh(x), x], axis: axis), dx, "concat", consumed: [x])
        case 13:
            let targets: [Shape] = [[b.count], [b.count, 1], [1, b.count]]
            push(try builder.reshape(x, to: targets[pick(3)]), dx, "reshape", consumed: [x])
        case 14:
            // detach of a data-only tensor: constant in the parameters.
            let (constantLike, _) = pool.first { !$0.dependsOnParameters }!
            let detached = try builder.detach(builder.exp(builder.tanh(constantLike)))
            var (y, dy) = (x, dx)
            if Shape.broadcast(detached.shape, y.shape) == nil { (y, dy) = (detached, false) }
            push(try builder.multiply(y, detached), dy, "detach", consumed: [y])
        case 15:
            push(try builder.straightThrough(hard: builder.detach(x), soft: x), dx, "straightThrough", consumed: [x])
        case 16:
            guard b.rank > 0 else { return try step() }
            let hard = try builder.oneHotArgmax(x, axis: pick(b.rank))
            push(try builder.multiply(hard, x), dx, "oneHotArgmax", consumed: [x])
        case 17:
            let (y, _) = operandOfShape(b)
            push(try builder.multiply(builder.step(y), x), dx, "step", consumed: [x])
        case 19, 20:
            try elementwiseDensity(x, dx)
        case 21:
            guard b.rank > 0 else { return try step() }
            try categoricalDensity(x, dx)
        case 22:
            guard b.rank >= 2 else { return try step() }
            let (t, dt) = operandOfShape(b)
            var classTerms: Tensor?
            if coin() {
                try addParameter(Shape([Int](repeating: 1, count: b.rank - 1) + [b.dimensions.last!]), name: "c\(parameters.count)")
                classTerms = parameters.last!
            }
            let weights = [1.0, 0.5, 2.0]
            push(try builder.enumeratedExpectation(logits: x, terms: t, classTerms: classTerms, entropyWeight: weights[pick(3)]),
                 dx || dt || classTerms != nil, "enumeratedExpectation", consumed: [x, t])
        case 23:
            try bernoulliDivergence(x, dx)
        default:
            guard b.rank > 0 else { return try step() }
            let soft = try builder.softmax(x, axis: -1)
            if coin() {
                let codes = try builder.oneHot(builder.argmax(x, axis: -1), classes: b.dimensions.last!)
                push(try builder.multiply(codes, soft), dx, "oneHot", consumed: [x])
            } else {
                // A hard sample of the softmax, one uniform per row.
                let rows = Shape(Array(b.dimensions.dropLast()))
                let uniform = try builder.constant((0..<rows.count).map { _ in rng.nextOpenUniform() }, shape: rows)
                let hard = try builder.categoricalInverseCDF(probabilities: soft, uniform: uniform)
                push(try builder.multiply(hard, soft), dx, "categoricalInverseCDF", consumed: [x])
            }
        }
    }

    /// A positive tensor from `x`: `softplus(x) + 0.2`.
    mutating func positive(_ x: Tensor) throws -> Tensor {
        try builder.add(builder.softplus(x), 0.2)
    }

    /// A fused elementwise log-density, divergence or Hard Concrete function
    /// of `x` and other operands that broadcast with it, each kept in its
    /// domain.
    mutating func elementwiseDensity(_ x: Tensor, _ dx: Bool) throws {
        var (y, dy) = operand()
        if Shape.broadcast(x.shape, y.shape) == nil { (y, dy) = (x, dx) }
        let (z, dz) = operand()
        let w = Shape.broadcast(Shape.broadcast(x.shape, y.shape)!, z.shape) == nil ? x : z
        let dw = w == x ? dx : dz
        let result: Tensor
        switch pick(9) {
        case 0: result = try builder.normalLogProb(x, mean: y, std: positive(w))
        case 1: result = try builder.bernoulliLogProb(builder.sigmoid(x), logit: y)
        case 2: result = try builder.gumbelLogProb(x, location: y, scale: positive(w))
        case 3: result = try builder.relaxedBernoulliLogProb(logitOfValue: x, logit: y, temperature: positive(w))
        case 4:
            // Inside (0, 1), where the density is smooth.
            let gate = try builder.add(builder.multiply(builder.sigmoid(x), 0.8), 0.1)
            result = try builder.hardConcreteLogProb(gate, logit: y, temperature: positive(w))
        case 5:
            let noise = try builder.constant(normals(x.shape.count), shape: x.shape)
            // Gates clamped at 0 or 1 have zero gradient; that agrees with
            // finite differences away from the clamp points.
            result = try builder.hardConcreteGate(logistic: noise, logit: x, temperature: positive(y))
        case 6: result = try builder.hardConcreteProbabilityNonzero(logit: x, temperature: positive(y))
        case 7: result = try builder.normalKLDivergence(mean: x, std: positive(y), toMean: w, toStd: positive(x))
        default: result = try builder.bernoulliKLDivergence(logit: x, toLogit: y)
        }
        push(result, dx || dy || dw, "elementwiseDensity", consumed: [x, y])
    }

    /// The exact discrete KL chain `Σ_k exp(P)(P − L)` (negated half the
    /// time) on a log-sigmoid pair `P` of `x` with a new last axis (fused
    /// by rewrite 11), against a constant prior, a pair of another tensor
    /// of `x`'s shape, or a learned `logSoftmax` row shared by every result.
    mutating func bernoulliDivergence(_ x: Tensor, _ dx: Bool) throws {
        let column = try builder.reshape(x, to: Shape(x.shape.dimensions + [1]))
        let last = column.shape.rank - 1
        let pair = try builder.concat([builder.logSigmoid(builder.negate(column)), builder.logSigmoid(column)], axis: last)
        let logP: Tensor
        var dp = false
        switch pick(3) {
        case 0:
            logP = try builder.constant([-0.5, -0.9], shape: [2])
        case 1:
            let (y, dy) = operandOfShape(x.shape)
            let other = try builder.reshape(y, to: column.shape)
            logP = try builder.concat([builder.logSigmoid(builder.negate(other)), builder.logSigmoid(other)], axis: last)
            dp = dy
        default:
            try addParameter([2], name: "l\(parameters.count)")
            logP = try builder.logSoftmax(parameters.last!, axis: 0)
            dp = true
        }
        let kl = try builder.sum(builder.multiply(builder.exp(pair), builder.subtract(pair, logP)), axis: last)
        push(coin() ? try builder.negate(kl) : kl, dx || dp, "bernoulliDivergence", consumed: [x])
    }

    /// A fused log-density or divergence along the last axis of `x`.
    mutating func categoricalDensity(_ x: Tensor, _ dx: Bool) throws {
        let classes = x.shape.dimensions.last!
        let batch = Shape(Array(x.shape.dimensions.dropLast()))
        let result: Tensor
        switch pick(4) {
        case 0:
            let index = coin()
                ? try builder.argmax(x, axis: -1)
                : try builder.indexConstant((0..<batch.count).map { _ in pick(classes) }, shape: batch)
            // Logits shared by every row half the time.
            let logits = coin() ? x : try builder.sum(x, axis: 0, keepingDimension: false)
            let logitsFull = logits.rank == 0 ? try builder.reshape(logits, to: [1]) : logits
            let sharedIndex = logitsFull.shape.dimensions.last == classes ? index
                : try builder.indexConstant([0], shape: [])
            result = try builder.categoricalLogProb(sharedIndex, logits: logitsFull)
        case 1, 2:
            // A point on the simplex (or its log) from another tensor of x's shape.
            let (y, _) = operandOfShape(x.shape)
            let temperature = try positive(builder.mean(x))
            if pick(2) == 0 {
                result = try builder.relaxedCategoricalLogProb(builder.softmax(y, axis: -1), logits: x, temperature: temperature)
            } else {
                result = try builder.expRelaxedCategoricalLogProb(builder.logSoftmax(y, axis: -1), logits: x, temperature: temperature)
            }
        default:
            let (y, _) = operandOfShape(x.shape)
            result = try builder.categoricalKLDivergence(logits: x, toLogits: y)
        }
        push(result, true, "categoricalDensity", consumed: [x])
    }

    /// An operand of exactly `shape` if there is one, else the last tensor
    /// of that shape we can make from the data input.
    mutating func operandOfShape(_ shape: Shape) -> (tensor: Tensor, dependsOnParameters: Bool) {
        let candidates = pool.filter { $0.tensor.shape == shape }
        return candidates[pick(candidates.count)]
    }
}
