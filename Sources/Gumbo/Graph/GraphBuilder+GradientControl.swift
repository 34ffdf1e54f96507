/// Operations that shape where gradients flow, and the non-differentiable
/// helpers the gradient estimators need (hard samples from relaxed ones).
extension GraphBuilder {
    /// The value of `x`, with no gradient flowing back (stop-gradient).
    public mutating func detach(_ x: Tensor) throws -> Tensor {
        try checkReal(x, operation: "detach")
        return append(.detach, [x], x.shape, .real)
    }

    /// The value of `hard`, with the gradient of `soft`.
    ///
    /// The forward pass sees `hard` (a one-hot sample, a 0/1 gate); the
    /// gradient arriving at the result flows to `soft` (the relaxed sample
    /// it came from) unchanged, and never to `hard`: the straight-through
    /// estimator of Bengio et al. (2013) as used for Gumbel-softmax by Jang
    /// et al. (2017). The two must have the same shape.
    public mutating func straightThrough(hard: Tensor, soft: Tensor) throws -> Tensor {
        try checkReal(hard, operation: "straightThrough", operand: "hard")
        try checkReal(soft, operation: "straightThrough", operand: "soft")
        guard hard.shape == soft.shape else {
            throw GraphError.incompatibleShapes(
                operation: "straightThrough", shapes: [hard.shape, soft.shape],
                reason: "hard and soft must have the same shape")
        }
        return append(.straightThrough, [hard, soft], hard.shape, .real)
    }

    /// The one-hot vector of the largest entry along `axis` (the first on
    /// ties), same shape as `x`. Not differentiable: pair it with
    /// ``straightThrough(hard:soft:)`` for straight-through Gumbel-softmax.
    public mutating func oneHotArgmax(_ x: Tensor, axis: Int = -1) throws -> Tensor {
        try checkReal(x, operation: "oneHotArgmax")
        let normalized = try self.axis(axis, of: x.shape, operation: "oneHotArgmax")
        return append(.oneHotArgmax(axis: normalized), [x], x.shape, .real)
    }

    /// 1 where `x > 0`, else 0: a hard Bernoulli sample from logistic noise
    /// (`step(logit + L)`). Not differentiable.
    public mutating func step(_ x: Tensor) throws -> Tensor {
        try checkReal(x, operation: "step")
        return append(.step, [x], x.shape, .real)
    }

    /// ``step(_:)`` under its other name.
    public mutating func greaterThanZero(_ x: Tensor) throws -> Tensor {
        try step(x)
    }

    /// The real one-hot encoding of an index tensor: shape
    /// `indices.shape + [classes]`. An index outside `0..<classes` stops the
    /// program when the plan runs.
    public mutating func oneHot(_ indices: Tensor, classes: Int) throws -> Tensor {
        try checkIndex(indices, operation: "oneHot")
        guard classes > 0 else {
            throw GraphError.invalidArgument(operation: "oneHot", message: "the number of classes must be positive, got \(classes)")
        }
        return append(.oneHot(classes: classes), [indices], Shape(indices.shape.dimensions + [classes]), .real)
    }
}
