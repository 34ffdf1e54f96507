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

// MARK: - 12b. Bernoulli log-likelihoods of gathered data

extension GraphRewriting {
    /// For each Bernoulli log-likelihood (rewrite 12) whose weights are
    /// `W = gather(T₂, I)`, a minibatch of a constant table of class
    /// weights, finds a gather `V = gather(T₁, I)` of the same indices
    /// along the same axis from a constant `T₁` with `T₂ = [1 − T₁, T₁]`
    /// along a last axis of two, exactly (W5: the images the encoder reads,
    /// and the same pixels as one-hot rows for the likelihood), and has the
    /// likelihood read `V` instead (``binaryWeightLikelihoods``): weights
    /// `1 − v` and `v`, the table's own numbers bit for bit, so nothing
    /// changes but that `W`'s gather, a second pass of random reads from a
    /// table beyond the caches, is no longer computed.
    static func readGatheredValues(_ nodes: inout [Node], likelihoods: Set<Int>, isOutput: [Bool],
                                   protected: [Bool]) -> Set<Int> {
        func source(_ id: NodeID) -> Node {
            var node = nodes[id.rawValue]
            while case .reshape = node.op { node = nodes[node.inputs[0].rawValue] }
            return node
        }
        let (live, _) = liveReaders(nodes, isOutput: isOutput, protected: protected)
        // Live gathers of constants, by their indices' source.
        var gathers: [Int: [Node]] = [:]
        for node in nodes where live[node.id.rawValue] {
            guard case .gather = node.op, node.elementType == .real,
                  case .constant = source(node.inputs[0]).op else { continue }
            gathers[source(node.inputs[1]).id.rawValue, default: []].append(node)
        }
        var rewritten = Set<Int>()
        for id in likelihoods.sorted() {
            let node = nodes[id]
            let weights = nodes[node.inputs[1].rawValue]
            guard case .gather(let axis) = weights.op, !protected[weights.id.rawValue] else { continue }
            let pairTable = nodes[weights.inputs[0].rawValue], pairIndex = nodes[weights.inputs[1].rawValue]
            guard case .constant(let pairs) = source(pairTable.id).op, pairTable.shape.rank >= 1,
                  pairTable.shape[pairTable.shape.rank - 1] == 2 else { continue }
            for candidate in gathers[source(pairIndex.id).id.rawValue] ?? [] {
                guard case .gather(let candidateAxis) = candidate.op, candidateAxis == axis,
                      candidate.shape.dimensions + [2] == weights.shape.dimensions else { continue }
                let table = nodes[candidate.inputs[0].rawValue], index = nodes[candidate.inputs[1].rawValue]
                guard table.shape.dimensions + [2] == pairTable.shape.dimensions,
                      index.shape.dimensions + [1] == pairIndex.shape.dimensions,
                      case .constant(let values) = source(table.id).op, values.count * 2 == pairs.count,
                      values.indices.allSatisfy({ k in
                          pairs[2 * k + 1].bitPattern == values[k].bitPattern
                              && pairs[2 * k].bitPattern == (1 - values[k]).bitPattern
                      }) else { continue }
                nodes[id] = Node(id: node.id, op: node.op, inputs: [node.inputs[0], candidate.id], shape: node.shape,
                                 elementType: .real)
                rewritten.insert(id)
                break
            }
        }
        return rewritten
    }
}
