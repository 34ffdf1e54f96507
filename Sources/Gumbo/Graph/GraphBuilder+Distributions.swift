/// Fused log-densities, divergences and Hard Concrete gates: one node each,
/// computed by the distribution library's kernels with their analytic
/// partial derivatives (see ``Density`` and ``Divergence``).
///
/// Elementwise operations broadcast all their operands together. The
/// categorical ones read vectors along the last axis (the classes); the
/// other axes of every operand broadcast to the result's shape.
///
///     // log N(x_i; mu_k, 1) for 1000 points and 3 components: [1000, 3]
///     let logLikelihood = try builder.normalLogProb(x, mean: mu, std: builder.constant(1))
extension GraphBuilder {
    // MARK: Elementwise log-densities

    /// `log N(x; mean, std)`, with `std > 0`.
    public mutating func normalLogProb(_ x: Tensor, mean: Tensor, std: Tensor) throws -> Tensor {
        try elementwise(.logProb(.normal), "normalLogProb", [x, mean, std])
    }

    /// `log Bernoulli(x; σ(logit))` for `x ∈ {0, 1}`, or the same linear
    /// formula at a relaxed `x`.
    public mutating func bernoulliLogProb(_ x: Tensor, logit: Tensor) throws -> Tensor {
        try elementwise(.logProb(.bernoulli), "bernoulliLogProb", [x, logit])
    }

    /// `log Gumbel(x; location, scale)`, with `scale > 0`.
    public mutating func gumbelLogProb(_ x: Tensor, location: Tensor, scale: Tensor) throws -> Tensor {
        try elementwise(.logProb(.gumbel), "gumbelLogProb", [x, location, scale])
    }

    /// The binary Concrete log-density of `y = σ(s)`, given its logit `s`
    /// (Maddison, Mnih & Teh 2017), with `temperature > 0`.
    public mutating func relaxedBernoulliLogProb(logitOfValue s: Tensor, logit: Tensor, temperature: Tensor) throws -> Tensor {
        try elementwise(.logProb(.relaxedBernoulli), "relaxedBernoulliLogProb", [s, logit, temperature])
    }

    /// The Hard Concrete log-density of a gate `z ∈ [0, 1]` (Louizos, Welling
    /// & Kingma 2018), with constant stretch bounds `lower < 0 < 1 < upper`.
    public mutating func hardConcreteLogProb(
        _ z: Tensor, logit: Tensor, temperature: Tensor, lower: Double = -0.1, upper: Double = 1.1
    ) throws -> Tensor {
        try checkStretch(lower, upper, operation: "hardConcreteLogProb")
        return try elementwise(.logProb(.hardConcrete(lower: lower, upper: upper)), "hardConcreteLogProb", [z, logit, temperature])
    }

    // MARK: Hard Concrete gates

    /// The Hard Concrete gate `min(1, max(0, lower + (upper − lower) σ((logit + L)/τ)))`
    /// from standard logistic noise `L`; differentiable in `logit` and
    /// `temperature`.
    public mutating func hardConcreteGate(
        logistic: Tensor, logit: Tensor, temperature: Tensor, lower: Double = -0.1, upper: Double = 1.1
    ) throws -> Tensor {
        try checkStretch(lower, upper, operation: "hardConcreteGate")
        return try elementwise(.hardConcreteGate(lower: lower, upper: upper), "hardConcreteGate", [logistic, logit, temperature])
    }

    /// `P(gate ≠ 0)`: the expected-L0 penalty of a Hard Concrete gate.
    public mutating func hardConcreteProbabilityNonzero(
        logit: Tensor, temperature: Tensor, lower: Double = -0.1, upper: Double = 1.1
    ) throws -> Tensor {
        try checkStretch(lower, upper, operation: "hardConcreteProbabilityNonzero")
        return try elementwise(
            .hardConcreteProbabilityNonzero(lower: lower, upper: upper), "hardConcreteProbabilityNonzero", [logit, temperature])
    }

    // MARK: Categorical log-densities (along the last axis)

    /// `log softmax(logits)[index]`: the index tensor's shape broadcasts
    /// against the logits' shape without its last axis (the classes).
    /// An index outside `0..<K` stops the program when the plan runs.
    public mutating func categoricalLogProb(_ index: Tensor, logits: Tensor) throws -> Tensor {
        let operation = "categoricalLogProb"
        try checkIndex(index, operation: operation, operand: "the index")
        try checkReal(logits, operation: operation, operand: "the logits")
        let logitsBatch = try batchShape(of: logits, operation: operation, operand: "the logits")
        let shape = try broadcastAll([index.shape, logitsBatch], operation: operation, shown: [index.shape, logits.shape])
        return append(.logProb(.categorical), [index, logits], shape, .real)
    }

    /// The Concrete (Gumbel-softmax) log-density of a point `value` on the
    /// simplex (Maddison, Mnih & Teh 2017; Jang, Gu & Poole 2017).
    public mutating func relaxedCategoricalLogProb(_ value: Tensor, logits: Tensor, temperature: Tensor) throws -> Tensor {
        try relaxedCategorical(.relaxedCategorical, "relaxedCategoricalLogProb", value, logits, temperature)
    }

    /// The ExpConcrete log-density of `logValue = log(y)` for a simplex point
    /// `y`, finite where `y`'s entries underflow.
    public mutating func expRelaxedCategoricalLogProb(_ logValue: Tensor, logits: Tensor, temperature: Tensor) throws -> Tensor {
        try relaxedCategorical(.expRelaxedCategorical, "expRelaxedCategoricalLogProb", logValue, logits, temperature)
    }

    // MARK: KL divergences

    /// `KL(N(mean, std) ‖ N(toMean, toStd))`.
    public mutating func normalKLDivergence(mean: Tensor, std: Tensor, toMean: Tensor, toStd: Tensor) throws -> Tensor {
        try elementwise(.klDivergence(.normal), "normalKLDivergence", [mean, std, toMean, toStd])
    }

    /// `KL(Bernoulli(σ(logit)) ‖ Bernoulli(σ(toLogit)))`.
    public mutating func bernoulliKLDivergence(logit: Tensor, toLogit: Tensor) throws -> Tensor {
        try elementwise(.klDivergence(.bernoulli), "bernoulliKLDivergence", [logit, toLogit])
    }

    /// `KL(Categorical(softmax(logits)) ‖ Categorical(softmax(toLogits)))`
    /// along the last axis.
    public mutating func categoricalKLDivergence(logits: Tensor, toLogits: Tensor) throws -> Tensor {
        let operation = "categoricalKLDivergence"
        try checkReal(logits, operation: operation, operand: "the logits")
        try checkReal(toLogits, operation: operation, operand: "toLogits")
        let a = try batchShape(of: logits, operation: operation, operand: "the logits")
        let b = try batchShape(of: toLogits, operation: operation, operand: "toLogits")
        try checkClasses([logits, toLogits], operation: operation)
        let shape = try broadcastAll([a, b], operation: operation, shown: [logits.shape, toLogits.shape])
        return append(.klDivergence(.categorical), [logits, toLogits], shape, .real)
    }

    // MARK: Samplers

    /// A hard Categorical sample by inversion of its CDF: along the last
    /// axis, the one-hot of the first class `k` with `u < Σ_{j≤k} q_j`, for
    /// one uniform `u ∈ (0, 1)` per row. With `u` uniform, class `k` comes
    /// out with probability `q_k` (the inversion method: Devroye 1986,
    /// *Non-Uniform Random Variate Generation*, ch. III.2). It takes one
    /// uniform per row, where Gumbel-max (`oneHotArgmax(log q + g)`) takes
    /// a Gumbel variate, and so a logarithm, per class.
    ///
    /// Rows that do not sum to exactly 1 are handled as rounding leaves
    /// them: a `u` beyond the row's total picks its last class with
    /// `q_k > 0`, and a class with `q_k ≤ 0` is never picked. A row with a
    /// NaN, or with no positive entry, gives a row of NaN. Not
    /// differentiable.
    ///
    /// The rows of `probabilities` (its shape without the last axis)
    /// broadcast with `uniform`; the result is that shape plus the classes.
    ///
    ///     // one class of 3 per point: q [1000, 3], u [1000] → [1000, 3]
    ///     let z = try builder.categoricalInverseCDF(probabilities: q, uniform: u)
    public mutating func categoricalInverseCDF(probabilities: Tensor, uniform: Tensor) throws -> Tensor {
        let operation = "categoricalInverseCDF"
        try checkReal(probabilities, operation: operation, operand: "the probabilities")
        try checkReal(uniform, operation: operation, operand: "the uniform")
        let rows = try batchShape(of: probabilities, operation: operation, operand: "the probabilities")
        let shape = try broadcastAll([rows, uniform.shape], operation: operation, shown: [probabilities.shape, uniform.shape])
        return append(.categoricalInverseCDF, [probabilities, uniform],
                      Shape(shape.dimensions + [probabilities.shape.dimensions.last!]), .real)
    }

    // MARK: Checks

    private mutating func elementwise(_ op: Op, _ operation: String, _ operands: [Tensor]) throws -> Tensor {
        for operand in operands { try checkReal(operand, operation: operation) }
        let shape = try broadcastAll(operands.map(\.shape), operation: operation, shown: operands.map(\.shape))
        return append(op, operands, shape, .real)
    }

    private mutating func relaxedCategorical(
        _ density: Density, _ operation: String, _ value: Tensor, _ logits: Tensor, _ temperature: Tensor
    ) throws -> Tensor {
        try checkReal(value, operation: operation, operand: "the value")
        try checkReal(logits, operation: operation, operand: "the logits")
        try checkReal(temperature, operation: operation, operand: "the temperature")
        let valueBatch = try batchShape(of: value, operation: operation, operand: "the value")
        let logitsBatch = try batchShape(of: logits, operation: operation, operand: "the logits")
        try checkClasses([value, logits], operation: operation)
        let shape = try broadcastAll(
            [valueBatch, logitsBatch, temperature.shape], operation: operation,
            shown: [value.shape, logits.shape, temperature.shape])
        return append(.logProb(density), [value, logits, temperature], shape, .real)
    }

    /// A vector operand's shape without its last axis (the classes).
    private func batchShape(of tensor: Tensor, operation: String, operand: String) throws -> Shape {
        guard tensor.rank >= 1 else {
            throw GraphError.incompatibleShapes(
                operation: operation, shapes: [tensor.shape],
                reason: "\(operand) need a last axis of classes; a scalar was given")
        }
        return Shape(Array(tensor.shape.dimensions.dropLast()))
    }

    private func checkClasses(_ tensors: [Tensor], operation: String) throws {
        let classes = tensors.map { $0.shape.dimensions.last! }
        guard Set(classes).count == 1 else {
            throw GraphError.incompatibleShapes(
                operation: operation, shapes: tensors.map(\.shape),
                reason: "the last axes (classes) differ: \(classes.map(String.init).joined(separator: " vs "))")
        }
    }

    /// The broadcast of every shape, or an error listing `shown`.
    private func broadcastAll(_ shapes: [Shape], operation: String, shown: [Shape]) throws -> Shape {
        var result = Shape.scalar
        for shape in shapes {
            guard let next = Shape.broadcast(result, shape) else {
                let conflict = Shape.firstConflict(result, shape)!
                throw GraphError.incompatibleShapes(
                    operation: operation, shapes: shown,
                    reason: "cannot broadcast (axis \(conflict.axis) of the result: \(conflict.a) vs \(conflict.b); dimensions must be equal or 1)")
            }
            result = next
        }
        return result
    }

    private func checkStretch(_ lower: Double, _ upper: Double, operation: String) throws {
        guard lower < 0, upper > 1, lower.isFinite, upper.isFinite else {
            throw GraphError.invalidArgument(
                operation: operation,
                message: "the stretch bounds must satisfy lower < 0 and upper > 1 (got lower = \(lower), upper = \(upper))")
        }
    }
}
