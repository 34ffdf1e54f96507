/// The closed set of operations a graph node can perform.
///
/// Each case names the ``GraphBuilder`` method that creates it. Shapes and
/// broadcasting are checked by the builder; an `Op` only records what to
/// compute. Every op's forward rule and vector-Jacobian rule sit side by
/// side in one kernel file under `Plan/Kernels/` (see `Docs/Architecture.md`,
/// "Adding an operation").
public enum Op: Hashable, Sendable {
    // MARK: Leaves

    /// `builder.input("x", shape: [3], role: .data)`: a value written into
    /// the plan before a forward pass.
    case input(name: String, role: InputRole)
    /// `builder.constant([1, 2, 3], shape: [3])`: a real value fixed at build
    /// time.
    case constant([Double])
    /// `builder.indexConstant([0, 2], shape: [2])`: a fixed index tensor.
    case indexConstant([Int32])

    // MARK: Elementwise

    /// `builder.exp(x)` and the other one-argument functions of
    /// ``UnaryFunction``.
    case unary(UnaryFunction)
    /// `builder.power(x, 2.5)`: `x^p` for a constant exponent.
    case power(Double)
    /// `builder.clamp(x, lower: a, upper: b)`: `min(max(x, a), b)`; the
    /// gradient passes only where `a < x < b`.
    case clamp(lower: Double, upper: Double)
    /// `builder.add(a, b)` and the other broadcasting two-argument
    /// operators of ``BinaryOperator``.
    case binary(BinaryOperator)

    // MARK: Reductions along an axis

    /// `builder.sum(x, axis: 1)`; `axis == nil` sums every element.
    case sum(axis: Int?)
    /// `builder.mean(x, axis: 1)`; `axis == nil` averages every element.
    case mean(axis: Int?)
    /// `builder.logSumExp(x, axis: 1)`: `log Σ exp(x)` along the axis,
    /// shifted by the maximum.
    case logSumExp(axis: Int)
    /// `builder.softmax(x, axis: 1)`: `exp(x) / Σ exp(x)` along the axis.
    case softmax(axis: Int)
    /// `builder.logSoftmax(x, axis: 1)`: `x − logSumExp(x)` along the axis.
    case logSoftmax(axis: Int)
    /// `builder.enumeratedExpectation(logits: x, terms: t, classTerms: b, entropyWeight: c)`:
    /// with `q = softmax(x)` along the last axis, for each index `p` of the
    /// leading axis, `Σ_r Σ_k q_rk (t_prk + b_k − c log q_rk)` over the
    /// axes between: an enumerated site's expected terms plus its guide's
    /// entropy, in one pass and with no logarithm per row.
    case enumeratedExpectation(entropyWeight: Double)

    // MARK: Structure

    /// `builder.matmul(a, b)`: `[M, K] × [K, N]`, with an optional leading
    /// batch dimension on either side; the multiply-adds in `precision`.
    case matmul(MatrixPrecision)
    /// `builder.gather(table, indices: i, axis: 1)`: `table` read at the
    /// index tensor's values along `axis` (numpy's `take_along_axis`, with
    /// the other axes broadcast); the gradient scatters back into `table`.
    case gather(axis: Int)
    /// `builder.concat([a, b], axis: 0)`.
    case concat(axis: Int)
    /// `builder.reshape(x, to: [6])`: same elements, new shape; free in the
    /// plan (the output aliases the input's storage).
    case reshape

    // MARK: Gradient control and discrete helpers

    /// `builder.detach(x)`: the value of `x`, with no gradient flowing back.
    case detach
    /// `builder.straightThrough(hard: h, soft: s)`: the value of `h`; the
    /// gradient arriving here flows to `s` unchanged and never to `h`.
    case straightThrough
    /// `builder.oneHotArgmax(x, axis: 1)`: the one-hot vector of the largest
    /// entry along the axis (first on ties). Not differentiable.
    case oneHotArgmax(axis: Int)
    /// `builder.argmax(x, axis: 1)`: the index of the largest entry along
    /// the axis (first on ties), as an index tensor.
    case argmax(axis: Int)
    /// `builder.step(x)`: 1 where `x > 0`, else 0. Not differentiable.
    case step
    /// `builder.categoricalInverseCDF(probabilities: q, uniform: u)`: the
    /// one-hot, along the last axis (the classes of `q`), of the first class
    /// whose cumulative probability exceeds `u`: a hard Categorical sample
    /// by inversion. Not differentiable.
    case categoricalInverseCDF
    /// `builder.oneHot(i, classes: 3)`: a real one-hot vector appended as a
    /// new last axis of the index tensor `i`.
    case oneHot(classes: Int)

    // MARK: Fused distribution kernels

    /// `builder.normalLogProb(x, mean: m, std: s)` and the other fused
    /// log-densities of ``Density``: the distribution library's kernel
    /// forward, its analytic partials backward.
    case logProb(Density)
    /// `builder.normalKLDivergence(mean:std:toMean:toStd:)` and the other
    /// closed-form divergences of ``Divergence``.
    case klDivergence(Divergence)
    /// `builder.hardConcreteGate(logistic: l, logit: a, temperature: t)`: the
    /// stretched, clamped binary Concrete gate of Louizos et al. (2018),
    /// differentiable in the logit and temperature (not the noise).
    case hardConcreteGate(lower: Double, upper: Double)
    /// `builder.hardConcreteProbabilityNonzero(logit: a, temperature: t)`:
    /// `P(gate ≠ 0)`, the expected-L0 term.
    case hardConcreteProbabilityNonzero(lower: Double, upper: Double)
}

/// The elementwise functions of one real argument.
public enum UnaryFunction: String, Hashable, Sendable, CaseIterable {
    case negate
    case square
    case sqrt
    case exp
    case log
    case log1p
    case expm1
    case softplus
    case sigmoid
    case logSigmoid
    case tanh
    case relu
    /// `log p` of a probability: ``GraphBuilder/logProbability(_:)``.
    case logProbability
}

/// The broadcasting elementwise operators of two real arguments.
public enum BinaryOperator: String, Hashable, Sendable, CaseIterable {
    case add
    case subtract
    case multiply
    case divide
    /// The larger argument; on a tie the gradient goes to the left one.
    case maximum
    /// The smaller argument; on a tie the gradient goes to the left one.
    case minimum
}
