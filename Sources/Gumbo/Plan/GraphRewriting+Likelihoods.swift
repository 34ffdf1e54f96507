// MARK: - 12. Bernoulli log-likelihoods

extension GraphRewriting {
    /// Rewrites each contraction over the last axis
    ///
    ///     Σ_k W[…, k] · P[…, k] = W₀ log σ(−x) + W₁ log σ(x),
    ///
    /// with `P = [log σ(−x), log σ(x)]` a log-sigmoid pair (rewrite 5) that
    /// nothing else reads and `W` a real factor of `P`'s shape (a Bernoulli
    /// site's value as class weights: the observed data's one-hot rows, a
    /// relaxed sample's `[1 − y, y]`), into one node reading `x` and `W`
    /// (``bernoulliLogLikelihoods``). The pair is then never stored, nor
    /// summed, nor passed back through: the fused kernel
    /// (``BernoulliLikelihoodKernels``) computes `log σ(±x)` as the pair's
    /// kernel does and the contraction's sum in its order, and saves the
    /// slope `∂y/∂x = W₁σ(−x) − W₀σ(x)` for the backward pass. Skips
    /// contractions already fused as divergences (rewrite 11), so it runs
    /// after them. Removes the contraction from `contractions`.
    static func fuseBernoulliLogLikelihoods(
        _ nodes: inout [Node], _ contractions: inout Set<Int>, logSigmoidPairs: Set<Int>,
        selections: [Int: (constant: Int, selected: [Int32])], isOutput: [Bool], protected: [Bool]
    ) -> Set<Int> {
        let (live, readers) = liveReaders(nodes, isOutput: isOutput, protected: protected)
        var fused = Set<Int>()
        for id in contractions.sorted() where live[id] && selections[id] == nil {
            let node = nodes[id]
            guard case .sum(let axis?) = node.op, node.inputs.count == 2, node.elementType == .real else { continue }
            let factors = node.inputs.map { nodes[$0.rawValue] }
            guard let position = factors.firstIndex(where: { logSigmoidPairs.contains($0.id.rawValue) }) else { continue }
            let pair = factors[position], weights = factors[1 - position]
            let pid = pair.id.rawValue
            guard readers[pid] == 1, !isOutput[pid], !protected[pid], weights.elementType == .real,
                  weights.shape == pair.shape, axis == pair.shape.rank - 1 || axis == -1 else { continue }
            let x = nodes[pair.inputs[0].rawValue]
            guard x.shape.count == node.shape.count else { continue }
            nodes[id] = Node(id: node.id, op: .sum(axis: pair.shape.rank - 1), inputs: [x.id, weights.id],
                             shape: node.shape, elementType: .real)
            contractions.remove(id)
            fused.insert(id)
        }
        return fused
    }
}
