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
