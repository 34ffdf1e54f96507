// MARK: - 9. Logit differences

extension GraphRewriting {
    /// Rewrites each contraction `Σ_k P[…, k] c_k` over the last axis of a
    /// log-sigmoid pair `P = [log σ(−x), log σ(x)]` (rewrite 5, possibly
    /// reshaped with the pair axis kept last) with the constant `c = [−1, 1]`
    /// into a reshape of `x`:
    ///
    ///     log σ(x) − log σ(−x) = log(e^x) = x
    ///
    /// (a binary relaxation's logit from its guide's class log-probabilities).
    /// Removes it from `contractions` and returns the rewritten nodes. The
    /// pair is then no longer read for this, and not computed at all when
    /// nothing else reads it.
    ///
    /// Not bit for bit: the pair's kernel rounds `max(±x, 0) + log1p(e^{−|x|})`
    /// before the difference, so the unfused value is within an ulp of that
    /// sum of `x`, and its gradient `g σ(−x) + g σ(x)` within an ulp of `g`;
    /// the reshape gives `x` and `g` exactly.
    static func replaceLogitDifferences(
        _ nodes: inout [Node], _ contractions: inout Set<Int>, logSigmoidPairs: Set<Int>,
        selections: [Int: (constant: Int, selected: [Int32])], protected: [Bool]
    ) -> Set<Int> {
        var rewritten = Set<Int>()
        for id in contractions.sorted() where selections[id] == nil && !protected[id] {
            let node = nodes[id]
            guard case .sum(let axis?) = node.op, node.inputs.count == 2, node.elementType == .real else { continue }
            let factors = node.inputs.map { nodes[$0.rawValue] }
            guard let product = Shape.broadcast(factors[0].shape, factors[1].shape) else { continue }
            let contracted = axis < 0 ? axis + product.rank : axis
            guard contracted == product.rank - 1, product[contracted] == 2 else { continue }
            for position in 0..<2 {
                let pair = factors[position], sign = factors[1 - position]
                guard pair.shape == product, isConstant(sign, nodes, equalTo: [-1, 1]),
                      sign.shape.rank >= 1, sign.shape[sign.shape.rank - 1] == 2 else { continue }
                var source = pair
                while case .reshape = source.op, source.shape.rank >= 1, source.shape[source.shape.rank - 1] == 2 {
                    source = nodes[source.inputs[0].rawValue]
                }
                guard logSigmoidPairs.contains(source.id.rawValue) else { continue }
                let x = nodes[source.inputs[0].rawValue]
                guard x.elementType == .real, x.shape.count == node.shape.count else { continue }
                nodes[id] = Node(id: node.id, op: .reshape, inputs: [x.id], shape: node.shape, elementType: .real)
                contractions.remove(id)
                rewritten.insert(id)
                break
            }
        }
        return rewritten
    }

    /// Whether `node` is, through reshapes, a constant with exactly these values.
    static func isConstant(_ node: Node, _ nodes: [Node], equalTo expected: [Double]) -> Bool {
        var source = node
        while case .reshape = source.op { source = nodes[source.inputs[0].rawValue] }
        guard case .constant(let values) = source.op else { return false }
        return values == expected
    }

    /// Whether `node` is, through reshapes, a constant of zeros (of either sign).
    static func isZeroConstant(_ node: Node, _ nodes: [Node]) -> Bool {
        var source = node
        while case .reshape = source.op { source = nodes[source.inputs[0].rawValue] }
        guard case .constant(let values) = source.op else { return false }
        return values.allSatisfy { $0 == 0 }
    }
}

// MARK: - 10. Identities

extension GraphRewriting {
    /// Rewrites into a reshape of `x` (no pass forward or backward):
    ///
    /// - `x + 0`, `0 + x` and `x − 0`, with `0` a constant of zeros and
    ///   the result the shape of `x` (an ELBO's running total starts at 0);
    /// - a `sum` or `mean` over extents of 1 (every group one element).
    ///
    /// Exact: `x − 0 = x` and `x · 1 = x`, and `x + 0 = x` but for the sign
    /// of a zero (`−0 + 0 = +0`); backward, the gradient `0 + g · 1` the
    /// kernels would store is `g` with the same caveat.
    static func removeIdentities(_ nodes: inout [Node], protected: [Bool]) {
        for id in nodes.indices where !protected[id] {
            let node = nodes[id]
            guard node.elementType == .real else { continue }
            var kept: NodeID?
            switch node.op {
            case .binary(.add):
                let (a, b) = (nodes[node.inputs[0].rawValue], nodes[node.inputs[1].rawValue])
                if isZeroConstant(b, nodes), a.shape.count == node.shape.count {
                    kept = a.id
                } else if isZeroConstant(a, nodes), b.shape.count == node.shape.count {
                    kept = b.id
                }
            case .binary(.subtract):
                let (a, b) = (nodes[node.inputs[0].rawValue], nodes[node.inputs[1].rawValue])
                if isZeroConstant(b, nodes), a.shape.count == node.shape.count { kept = a.id }
            case .sum, .mean:
                let x = nodes[node.inputs[0].rawValue]
                if node.inputs.count == 1, x.shape.count == node.shape.count { kept = x.id }
            default:
                break
            }
            guard let kept, nodes[kept.rawValue].elementType == .real else { continue }
            nodes[id] = Node(id: node.id, op: .reshape, inputs: [kept], shape: node.shape, elementType: .real)
        }
    }
}
