// MARK: - 11. Bernoulli divergences

extension GraphRewriting {
    /// Rewrites each contraction over the last axis
    ///
    ///     Σ_k exp(P)[…, k] · (P − L)[…, k] = KL(Bernoulli(σ(x)) ‖ p),
    ///
    /// with `P = [log σ(−x), log σ(x)]` a log-sigmoid pair (rewrite 5) and
    /// `L` the other distribution's class log-probabilities (two along the
    /// last axis, broadcast into `P`), into one node reading `x` and `L`
    /// (the exact discrete KL the ELBO lowering builds for a relaxed
    /// Bernoulli site). The `exp`, the difference and the pair must have
    /// no reader outside the chain. When the contraction's one reader is a
    /// `negate` (the ELBO's `−KL`), that node is rewritten instead, with
    /// the sign in the returned map (node → ±1), and the contraction is
    /// left unread. Removes the contraction from `contractions`.
    ///
    /// The fused kernel computes `log σ(±x)` as the pair's kernel does and
    /// the same sum in the same order, `q₀(l₀ − L₀) + q₁(l₁ − L₁)`, but takes
    /// `q = σ(±x)` directly instead of `exp(log σ(±x))` (a few ulps apart;
    /// closer to the true value), and its backward pass the closed form
    /// `∂KL/∂x = q₀q₁((l₁ − L₁) − (l₀ − L₀))`, which the chain reaches as
    /// `q₁(1 + d₁)σ(−x) − q₀(1 + d₀)σ(x)` with its `1`s cancelling.
    static func fuseBernoulliDivergences(
        _ nodes: inout [Node], _ contractions: inout Set<Int>, logSigmoidPairs: Set<Int>,
        isOutput: [Bool], protected: [Bool]
    ) -> [Int: Double] {
        let (live, readers) = liveReaders(nodes, isOutput: isOutput, protected: protected)
        func exclusive(_ id: Int) -> Bool { readers[id] == 1 && !isOutput[id] && !protected[id] }
        // The last live reader of each node: its only one where `readers` is 1.
        var reader = [Int](repeating: -1, count: nodes.count)
        for node in nodes where live[node.id.rawValue] {
            for input in node.inputs { reader[input.rawValue] = node.id.rawValue }
        }
        var fused: [Int: Double] = [:]
        for id in contractions.sorted() where live[id] {
            let node = nodes[id]
            guard case .sum(let axis?) = node.op, node.inputs.count == 2, node.elementType == .real else { continue }
            let factors = node.inputs.map { nodes[$0.rawValue] }
            guard let position = factors.firstIndex(where: { $0.op == .unary(.exp) }) else { continue }
            let exponential = factors[position], difference = factors[1 - position]
            guard difference.op == .binary(.subtract), exclusive(exponential.id.rawValue),
                  exclusive(difference.id.rawValue) else { continue }
            let pair = nodes[exponential.inputs[0].rawValue]
            let pid = pair.id.rawValue
            guard logSigmoidPairs.contains(pid), difference.inputs[0] == pair.id, readers[pid] == 2,
                  !isOutput[pid], !protected[pid], exponential.shape == pair.shape, difference.shape == pair.shape,
                  axis == pair.shape.rank - 1 || axis == -1 else { continue }
            let logP = nodes[difference.inputs[1].rawValue]
            guard logP.elementType == .real, logP.shape.rank >= 1, logP.shape[logP.shape.rank - 1] == 2 else { continue }
            let x = nodes[pair.inputs[0].rawValue]
            guard x.shape.count == node.shape.count else { continue }
            var target = id, sign = 1.0
            if exclusive(id), nodes[reader[id]].op == .unary(.negate) { (target, sign) = (reader[id], -1) }
            let replaced = nodes[target]
            nodes[target] = Node(id: replaced.id, op: .sum(axis: pair.shape.rank - 1), inputs: [x.id, logP.id],
                                 shape: replaced.shape, elementType: .real)
            contractions.remove(id)
            fused[target] = sign
        }
        return fused
    }
}
