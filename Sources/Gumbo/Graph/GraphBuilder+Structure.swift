/// Operations that move, select or combine elements: matrix products,
/// gathers, concatenation and reshapes.
extension GraphBuilder {
    /// The matrix product `a × b`.
    ///
    /// `[M, K] × [K, N] → [M, N]`. Either side may carry a leading batch
    /// dimension: `[B, M, K] × [B, K, N] → [B, M, N]`, and a rank-2 side is
    /// shared by every batch entry (`[B, M, K] × [K, N] → [B, M, N]`).
    ///
    /// With `precision: .single` the multiply-adds run in `Float`
    /// (``MatrixPrecision``); the result and the gradients are still stored
    /// as `Double`.
    public mutating func matmul(_ a: Tensor, _ b: Tensor, precision: MatrixPrecision = .double) throws -> Tensor {
        try checkReal(a, operation: "matmul", operand: "the left operand")
        try checkReal(b, operation: "matmul", operand: "the right operand")
        let mismatch = { (reason: String) in
            GraphError.incompatibleShapes(operation: "matmul", shapes: [a.shape, b.shape], reason: reason)
        }
        guard (2...3).contains(a.rank), (2...3).contains(b.rank) else {
            throw mismatch("both operands must have rank 2 ([M, K], [K, N]) or rank 3 with a leading batch dimension")
        }
        let (m, k) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (k2, n) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        guard k == k2 else {
            throw mismatch("the inner dimensions differ (\(k) vs \(k2))")
        }
        var batch: Int? = nil
        if a.rank == 3 && b.rank == 3 {
            guard a.shape[0] == b.shape[0] else {
                throw mismatch("the batch dimensions differ (\(a.shape[0]) vs \(b.shape[0]))")
            }
            batch = a.shape[0]
        } else if a.rank == 3 {
            batch = a.shape[0]
        } else if b.rank == 3 {
            batch = b.shape[0]
        }
        let shape: Shape = batch.map { [$0, m, n] } ?? [m, n]
        return append(.matmul(precision), [a, b], shape, .real)
    }

    /// `table` read at `indices` along `axis` (numpy's `take_along_axis`).
    ///
    /// `table` and `indices` have the same rank. Along `axis` the result has
    /// the extent of `indices`; along every other axis the two broadcast.
    /// With `table = mu` of shape `[K]` and Categorical values `z` of shape
    /// `[N]`, `gather(mu, indices: z, axis: 0)` is `mu[z]` of shape `[N]`;
    /// with particles, `[P, K]` and `[P, N]` give `[P, N]`; a table `[K, D]`
    /// with indices `[N, 1]` along axis 0 gives the embedding rows `[N, D]`.
    /// The gradient scatters (adds) into the table. An index outside
    /// `0..<table.shape[axis]` stops the program when the plan runs.
    public mutating func gather(_ table: Tensor, indices: Tensor, axis: Int) throws -> Tensor {
        try checkReal(table, operation: "gather", operand: "the table")
        try checkIndex(indices, operation: "gather")
        let normalized = try self.axis(axis, of: table.shape, operation: "gather")
        guard indices.rank == table.rank else {
            throw GraphError.incompatibleShapes(
                operation: "gather", shapes: [table.shape, indices.shape],
                reason: "the table and the indices must have the same rank (reshape the indices, which is free)")
        }
        var dimensions = table.shape.dimensions
        for d in 0..<table.rank where d != normalized {
            let (t, i) = (table.shape[d], indices.shape[d])
            guard t == i || t == 1 || i == 1 else {
                throw GraphError.incompatibleShapes(
                    operation: "gather", shapes: [table.shape, indices.shape],
                    reason: "axis \(d) cannot broadcast (\(t) vs \(i))")
            }
            dimensions[d] = max(t, i)
        }
        dimensions[normalized] = indices.shape[normalized]
        return append(.gather(axis: normalized), [table, indices], Shape(dimensions), .real)
    }

    /// Soft selection: `Σ_axis weights · table`, a one-hot or relaxed weight
    /// vector dotted with a table along `axis` (of the broadcast shape).
    ///
    /// With one-hot weights this equals ``gather(_:indices:axis:)``; with
    /// relaxed (Gumbel-softmax) weights it is the differentiable stand-in.
    /// Built from ``multiply(_:_:)-(Tensor,Tensor)`` and ``sum(_:axis:keepingDimension:)``.
    public mutating func softSelect(_ table: Tensor, weights: Tensor, axis: Int) throws -> Tensor {
        try checkReal(table, operation: "softSelect", operand: "the table")
        try checkReal(weights, operation: "softSelect", operand: "the weights")
        let shape = try broadcast(weights.shape, table.shape, operation: "softSelect")
        _ = try self.axis(axis, of: shape, operation: "softSelect")
        return try sum(multiply(weights, table), axis: axis)
    }

    /// The tensors joined along `axis`; every other dimension must agree.
    public mutating func concat(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        guard let first = tensors.first else {
            throw GraphError.invalidArgument(operation: "concat", message: "at least one tensor is needed")
        }
        for tensor in tensors { try checkReal(tensor, operation: "concat") }
        let normalized = try self.axis(axis, of: first.shape, operation: "concat")
        var extent = 0
        for tensor in tensors {
            let agrees = tensor.rank == first.rank
                && (0..<first.rank).allSatisfy { $0 == normalized || tensor.shape[$0] == first.shape[$0] }
            guard agrees else {
                throw GraphError.incompatibleShapes(
                    operation: "concat", shapes: tensors.map(\.shape),
                    reason: "every dimension except axis \(normalized) must agree")
            }
            extent += tensor.shape[normalized]
        }
        return append(.concat(axis: normalized), tensors, first.shape.replacing(axis: normalized, with: extent), .real)
    }

    /// The same elements in row-major order under a new shape with the same
    /// count. Free in the plan: the result shares the input's storage.
    public mutating func reshape(_ x: Tensor, to shape: Shape) throws -> Tensor {
        try check(x, operation: "reshape")
        try checkDimensions(shape, operation: "reshape")
        guard shape.count == x.shape.count else {
            throw GraphError.incompatibleShapes(
                operation: "reshape", shapes: [x.shape, shape],
                reason: "the element counts differ (\(x.shape.count) vs \(shape.count))")
        }
        return append(.reshape, [x], shape, x.elementType)
    }
}

extension Tensor {
    /// The number of axes of ``shape``.
    public var rank: Int { shape.rank }
}
