/// Reductions and normalizations along one axis.
///
/// A reduction removes its axis from the shape unless `keepingDimension`
/// is true, in which case the axis stays with extent 1 (so the result
/// broadcasts against the input). Axes may be negative (`-1` is the last).
extension GraphBuilder {
    /// The sum along `axis`, or of every element when `axis` is `nil`.
    public mutating func sum(_ x: Tensor, axis: Int? = nil, keepingDimension: Bool = false) throws -> Tensor {
        try checkReal(x, operation: "sum")
        let (normalized, shape) = try reduced(x.shape, axis: axis, keepingDimension: keepingDimension, operation: "sum")
        return append(.sum(axis: normalized), [x], shape, .real)
    }

    /// The mean along `axis`, or of every element when `axis` is `nil`.
    public mutating func mean(_ x: Tensor, axis: Int? = nil, keepingDimension: Bool = false) throws -> Tensor {
        try checkReal(x, operation: "mean")
        let (normalized, shape) = try reduced(x.shape, axis: axis, keepingDimension: keepingDimension, operation: "mean")
        return append(.mean(axis: normalized), [x], shape, .real)
    }

    /// `log Σⱼ exp(xⱼ)` along `axis`, with the maximum subtracted first so no
    /// term overflows (``StableMath/logSumExp(_:)``).
    public mutating func logSumExp(_ x: Tensor, axis: Int = -1, keepingDimension: Bool = false) throws -> Tensor {
        try checkReal(x, operation: "logSumExp")
        let (normalized, shape) = try reduced(x.shape, axis: axis, keepingDimension: keepingDimension, operation: "logSumExp")
        return append(.logSumExp(axis: normalized!), [x], shape, .real)
    }

    /// `exp(xᵢ) / Σⱼ exp(xⱼ)` along `axis`; same shape as `x`.
    public mutating func softmax(_ x: Tensor, axis: Int = -1) throws -> Tensor {
        try checkReal(x, operation: "softmax")
        let normalized = try self.axis(axis, of: x.shape, operation: "softmax")
        return append(.softmax(axis: normalized), [x], x.shape, .real)
    }

    /// `xᵢ − log Σⱼ exp(xⱼ)` along `axis`; same shape as `x`.
    public mutating func logSoftmax(_ x: Tensor, axis: Int = -1) throws -> Tensor {
        try checkReal(x, operation: "logSoftmax")
        let normalized = try self.axis(axis, of: x.shape, operation: "logSoftmax")
        return append(.logSoftmax(axis: normalized), [x], x.shape, .real)
    }

    /// An enumerated site's expectation in one node: with `q = softmax(x)`
    /// along the last axis, for each index `p` of the leading axis,
    ///
    ///     y_p = Σ_r Σ_k q_rk (t_prk + b_k − c log q_rk),
    ///
    /// `r` running over the axes between the first and the last: the
    /// expected terms `t` (and class terms `b`, the same for every row)
    /// under the enumerated guide `q`, plus `c` times its entropy. `x` and
    /// `t` have the same rank (at least 2) and the same extents except
    /// along the leading axis, where either may be 1 (shared by every `p`);
    /// `b`, when given, has that rank too, extent 1 on every axis but the
    /// last. The result keeps the rank, with extent `P` on the leading axis
    /// and 1 elsewhere. A class with `q = 0` adds nothing (`0 · log 0 = 0`,
    /// and `0 · t = 0` even for `t = −∞`).
    public mutating func enumeratedExpectation(logits x: Tensor, terms t: Tensor, classTerms b: Tensor? = nil,
                                               entropyWeight c: Double) throws -> Tensor {
        let operation = "enumeratedExpectation"
        try checkReal(x, operation: operation, operand: "the logits")
        try checkReal(t, operation: operation, operand: "the terms")
        if let b {
            try checkReal(b, operation: operation, operand: "the class terms")
            guard b.rank == x.rank, b.shape.dimensions.last == x.shape.dimensions.last,
                  b.shape.count == b.shape.dimensions.last else {
                throw GraphError.incompatibleShapes(operation: operation, shapes: [x.shape, b.shape],
                    reason: "the class terms need the logits' rank, the same class count, and extent 1 on every other axis")
            }
        }
        guard c.isFinite else {
            throw GraphError.invalidArgument(operation: operation, message: "the entropy weight must be finite, not \(c)")
        }
        let (xs, ts) = (x.shape.dimensions, t.shape.dimensions)
        guard xs.count >= 2, xs.count == ts.count, xs.dropFirst() == ts.dropFirst(),
              xs[0] == ts[0] || xs[0] == 1 || ts[0] == 1 else {
            throw GraphError.incompatibleShapes(operation: operation, shapes: [x.shape, t.shape],
                reason: "the logits and terms need the same rank (at least 2) and the same extents after the leading axis, where either may be 1")
        }
        let shape = Shape([max(xs[0], ts[0])] + Array(repeating: 1, count: xs.count - 1))
        return append(.enumeratedExpectation(entropyWeight: c), [x, t] + (b.map { [$0] } ?? []), shape, .real)
    }

    /// The index of the largest entry along `axis` (the first on ties), as
    /// an index tensor. Not differentiable.
    public mutating func argmax(_ x: Tensor, axis: Int = -1, keepingDimension: Bool = false) throws -> Tensor {
        try checkReal(x, operation: "argmax")
        let (normalized, shape) = try reduced(x.shape, axis: axis, keepingDimension: keepingDimension, operation: "argmax")
        return append(.argmax(axis: normalized!), [x], shape, .index)
    }

    /// The shape after reducing `axis` (all axes when `nil`).
    private func reduced(_ shape: Shape, axis: Int?, keepingDimension: Bool, operation: String) throws -> (Int?, Shape) {
        guard let axis else {
            return (nil, keepingDimension ? Shape([Int](repeating: 1, count: shape.rank)) : .scalar)
        }
        let normalized = try self.axis(axis, of: shape, operation: operation)
        return (normalized, keepingDimension ? shape.replacing(axis: normalized, with: 1) : shape.removing(axis: normalized))
    }
}
