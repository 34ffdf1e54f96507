// MARK: - 13. Biased ReLUs

extension GraphRewriting {
    /// Rewrites each `relu(add(a, b))` whose sum nothing else reads (and is
    /// neither an output nor requested), with `a` of the result's shape and
    /// `b` one row of its last extent (a layer's bias, `[1, …, 1, n]` or
    /// `[n]`; either operand of the add), into a `relu` reading `a` and
    /// `b` (``biasedRelus``): one pass
    /// forward, `h = max(a + b, 0)`, with the sum never stored; and one pass
    /// backward, `∂a = g · [h > 0]` with each row added into `∂b`, where the
    /// add and the ReLU took a pass each. (`h > 0` exactly where `a + b > 0`:
    /// the ReLU maps NaN to 0.) The same values and gradients bit for bit.
    static func fuseBiasedRelus(_ nodes: inout [Node], isOutput: [Bool], protected: [Bool]) -> Set<Int> {
        let (live, readers) = liveReaders(nodes, isOutput: isOutput, protected: protected)
        var fused = Set<Int>()
        for id in nodes.indices where live[id] {
            let node = nodes[id]
            guard case .unary(.relu) = node.op, node.inputs.count == 1, node.elementType == .real,
                  node.shape.rank >= 1 else { continue }
            let sum = nodes[node.inputs[0].rawValue]
            let sid = sum.id.rawValue
            guard case .binary(.add) = sum.op, readers[sid] == 1, !isOutput[sid], !protected[sid],
                  sum.shape == node.shape else { continue }
            let n = node.shape[node.shape.rank - 1]
            var (a, b) = (nodes[sum.inputs[0].rawValue], nodes[sum.inputs[1].rawValue])
            if b.shape == node.shape && a.shape != node.shape { swap(&a, &b) }   // b + a: the same sums
            guard a.elementType == .real, b.elementType == .real, a.shape == node.shape,
                  b.shape.count == n, b.shape.rank >= 1, b.shape[b.shape.rank - 1] == n,
                  b.shape.rank <= node.shape.rank, node.shape.count > n else { continue }
            nodes[id] = Node(id: node.id, op: node.op, inputs: [a.id, b.id], shape: node.shape, elementType: .real)
            fused.insert(id)
        }
        return fused
    }
}
