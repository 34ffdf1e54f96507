/// The rewrites a plan applies to its graph before lowering it: the same
/// values and gradients from less work. Node identifiers do not change, so
/// every handle into the original graph still names its value.
///
/// 1. **Common subexpressions.** A node with the same operation, inputs,
///    shape and element type as an earlier one (after the earlier rewrites
///    of its inputs) is computed once: its consumers read the earlier node,
///    and the node itself becomes a ``Op/reshape`` of it (free: it shares
///    the storage) in case it is an output. The ELBO lowering meets these
///    often, e.g. a guide's `logSoftmax(φ)` built once to sample a site and
///    again to score it.
/// 2. **`exp(logSoftmax(x))` is `softmax(x)`.** When `logSoftmax(x)` is
///    computed as well, its forward pass already holds the softmax weights:
///    it writes them into the softmax's slot (``sharedWeights``) and the
///    softmax costs nothing in the forward pass.
/// 3. **Contractions.** `sum(multiply(a, b), axis: k)` whose product has
///    no other reader becomes one node reading `a` and `b`
///    (``contractions``): `y = Σ_k a_k b_k` along that axis, with
///    broadcasting on the others. The product is never stored, and
///    the backward pass writes `∂a = g·b`, `∂b = g·a` directly. Discrete
///    values are weight vectors over classes, so every `log p(z)`, every
///    `table[z]` and every expectation over an enumerated site is one.
///    A sum of every element (or a sum to one element of a sum nobody
///    else reads, rewrite 3a) of a product of two factors of the same shape
///    is a dot product, one pass forward and one per gradient backward.
///    The enumerated ELBO's `Σ_i Σ_k q_ik f_ik` meets it once per term.
/// 4. **Selections.** A contraction with a constant factor whose every
///    line along the contracted axis is one-hot (an enumerated site's
///    values, the identity) selects one element of the other factor per
///    output instead of multiplying and adding (``selections``): the
///    enumeration's `log p(z = k)`, `μ[z = k]` and `q(z = k)` are reads.
///    (4b) A selection that reads every element of the other factor once,
///    in order (an enumerated site whose axis is innermost, selecting its
///    own probabilities), becomes a reshape of it: no pass forward or
///    backward.
/// 5. **Log-sigmoid pairs.** `concat(logSigmoid(−x), logSigmoid(x))` along
///    a last axis of two, a Bernoulli's class log-probabilities
///    `[log(1 − σ(x)), log σ(x)]`, whose three inner nodes have no other
///    reader, becomes one node reading `x` (``logSigmoidPairs``): both
///    values share `log1p(e^{−|x|})` and both derivatives `e^{−|x|}`,
///    bit for bit as the separate kernels compute them.
/// 6. **Selections of a concat operand.** A selection whose constant picks
///    the same class `k` on every line, from a concat along the contracted
///    axis of operands one class wide (a relaxed sample's `[1 − y, y]`),
///    reads operand `k` itself: it becomes a reshape of it
///    (``selectedOperands``), and the concat and whatever only it read are
///    no longer computed. Values and gradients are unchanged (the other
///    classes' gradients were zeros).
/// 7. **Constants folded.** A node of elementwise or concat operations on
///    constants alone (a prior's `[log(1 − p), log p]` from its `p`) is
///    computed once, at compile time, by a plan of those nodes (the same
///    kernels, so the same numbers), and becomes a constant.
/// 8. **Scaled softmaxes.** `softmax(x / t)` with `t` one element, an input
///    or a constant (or a reshape of one) whose gradient nobody asks for
///    (a relaxed sample's temperature), and a quotient no one else reads:
///    the softmax reads
///    `x` and `t` and multiplies by `1/t` as it loads (the same as
///    dividing, up to one rounding per element), and its
///    backward pass scales by `1/t`. No pass for the quotient, forward or
///    backward.
/// 9. **Logit differences.** `log σ(x) − log σ(−x)`, a contraction of a
///    log-sigmoid pair (rewrite 5) with the constant `[−1, 1]` (a binary
///    relaxation's logit), is `x`: a reshape of it
///    (``replaceLogitDifferences(_:_:logSigmoidPairs:selections:protected:)``).
///    Exact where the unfused form rounded.
/// 10. **Identities.** `x + 0`, `x − 0` with a constant of zeros, and a
///    `sum` or `mean` over extents of 1, are reshapes of `x`
///    (``removeIdentities(_:protected:)``): an ELBO's total that starts at
///    zero and its mean over one sample cost no instruction.
/// 11. **Bernoulli divergences.** `Σ_k exp(P) · (P − L)` over the last
///    axis of a log-sigmoid pair `P` (rewrite 5) of `x`, the exact
///    `KL(Bernoulli(σ(x)) ‖ p)` against class log-probabilities `L`, and
///    the `negate` that reads it when there is one (the ELBO's `−KL`),
///    become one node reading `x` and `L` (``bernoulliDivergences``): one
///    `e^{−|x|}`, one logarithm and one division per element, and its
///    backward pass one product with a slope the forward pass saves
///    (``fuseBernoulliDivergences(_:_:logSigmoidPairs:isOutput:protected:)``).
///    Within rounding of the chain (`σ(±x)` in place of `exp(log σ(±x))`).
/// 12. **Bernoulli log-likelihoods.** `Σ_k W_k P_k` over the last axis of
///    a log-sigmoid pair `P` (rewrite 5) of `x` that nothing else reads,
///    with `W` of `P`'s shape (a Bernoulli value as class weights: W5's
///    observed pixels), becomes one node reading `x` and `W`
///    (``bernoulliLogLikelihoods``): the pair is never stored, summed or
///    passed back through
///    (``fuseBernoulliLogLikelihoods(_:_:logSigmoidPairs:selections:isOutput:protected:)``).
///    The same values bit for bit; `∂x` the same when `W` is one-hot.
///    (12b) When `W` is a minibatch gathered from a constant table of
///    `[1 − v, v]` rows and the same minibatch of the `v` table is
///    gathered anyway (W5's images, read by the encoder), the node reads
///    that instead (``binaryWeightLikelihoods``), and `W`'s gather goes
///    (``readGatheredValues(_:likelihoods:isOutput:protected:)``).
/// 13. **Biased ReLUs.** `relu(a + b)` with `b` a row of biases broadcast
///    down `a` and the sum read by nothing else becomes one node reading
///    `a` and `b` (``biasedRelus``): one pass forward and one backward
///    where the add and the ReLU took two of each
///    (``fuseBiasedRelus(_:isOutput:protected:)``). Bit for bit.
///
/// Requested gradients are never merged away: a tensor asked for its own
/// gradient keeps its own node.
struct GraphRewriting {
    /// The rewritten graph, node for node with the original.
    let graph: Graph
    /// Softmax nodes whose weights a `logSoftmax` of the same input (and
    /// axis), computed earlier, writes: softmax id → logSoftmax id.
    let sharedWeights: [Int: Int]
    /// `sum` nodes that read the two factors of a product directly.
    let contractions: Set<Int>
    /// Contractions with a one-hot constant factor: which input is the
    /// constant, and per element of the constant, at each line's start,
    /// the index of its 1 along the contracted axis.
    let selections: [Int: (constant: Int, selected: [Int32])]
    /// `concat` nodes rewritten to read `x` alone (rewrite 5).
    let logSigmoidPairs: Set<Int>
    /// Selections rewritten to reshapes of the selected concat operand (rewrite 6).
    let selectedOperands: Set<Int>
    /// Contractions rewritten to reshapes of a log-sigmoid pair's logits (rewrite 9).
    let logitDifferences: Set<Int>
    /// Nodes rewritten to read `x` and `L` and compute `±KL(Bernoulli(σ(x)) ‖ p)`
    /// (rewrite 11): node → sign.
    let bernoulliDivergences: [Int: Double]
    /// Contractions rewritten to read `x` and `W` and compute
    /// `W₀ log σ(−x) + W₁ log σ(x)` (rewrite 12).
    let bernoulliLogLikelihoods: Set<Int>
    /// Of those, the ones reading `v` for weights `[1 − v, v]` (rewrite 12b).
    let binaryWeightLikelihoods: Set<Int>
    /// `relu` nodes rewritten to read `a` and `b` of `relu(a + b)` (rewrite 13).
    let biasedRelus: Set<Int>

    /// - Parameter foldConstants: whether rewrite 7 runs (the plan that
    ///   folds constants compiles its nodes without it).
    init(graph original: Graph, outputs: [Tensor], gradients wanted: [Tensor], foldConstants: Bool = true) {
        var nodes = original.nodes
        let count = nodes.count
        var protected = [Bool](repeating: false, count: count)
        for tensor in wanted { protected[tensor.id.rawValue] = true }
        var isOutput = [Bool](repeating: false, count: count)
        for tensor in outputs { isOutput[tensor.id.rawValue] = true }

        // 1 and 2: one pass in order, consumers redirected to the canonical node.
        struct Key: Hashable {
            let op: Op
            let inputs: [NodeID]
            let shape: Shape
            let elementType: ElementType
        }
        var canonical = Array(0..<count)
        var seen: [Key: Int] = [:]
        var logSoftmaxOf: [Key: Int] = [:]
        var shared: [Int: Int] = [:]
        for id in 0..<count {
            let node = nodes[id]
            if case .input = node.op { continue }
            let inputs = node.inputs.map { NodeID(canonical[$0.rawValue]) }
            var op = node.op
            var rewrittenInputs = inputs
            // exp(logSoftmax(x)) → softmax(x).
            if case .unary(.exp) = op, case .logSoftmax(let axis) = nodes[inputs[0].rawValue].op {
                op = .softmax(axis: axis)
                rewrittenInputs = nodes[inputs[0].rawValue].inputs
            }
            var rewritten = Node(id: node.id, op: op, inputs: rewrittenInputs, shape: node.shape, elementType: node.elementType)
            let key = Key(op: op, inputs: rewrittenInputs, shape: node.shape, elementType: node.elementType)
            if !protected[id], let earlier = seen[key] {
                canonical[id] = earlier
                rewritten = Node(id: node.id, op: .reshape, inputs: [NodeID(earlier)], shape: node.shape,
                                 elementType: node.elementType)
            } else {
                seen[key] = seen[key] ?? id
            }
            nodes[id] = rewritten
            if canonical[id] == id {
                switch op {
                case .logSoftmax(let axis):
                    let softmaxKey = Key(op: .softmax(axis: axis), inputs: rewrittenInputs, shape: node.shape,
                                         elementType: node.elementType)
                    logSoftmaxOf[softmaxKey] = logSoftmaxOf[softmaxKey] ?? id
                case .softmax:
                    if let source = logSoftmaxOf[key] { shared[id] = source }
                default:
                    break
                }
            }
        }

        // 3a: a sum to one element of a sum with no other reader, over a
        //    product of two factors of its shape, sums every element of
        //    the product (a dot product, below).
        var readers = [Int](repeating: 0, count: count)
        for node in nodes { for input in node.inputs { readers[input.rawValue] += 1 } }
        var bypassed = Set<Int>()
        for id in 0..<count {
            let node = nodes[id]
            guard case .sum = node.op, node.inputs.count == 1, node.shape.count == 1 else { continue }
            let inner = nodes[node.inputs[0].rawValue]
            let iid = inner.id.rawValue
            guard case .sum = inner.op, inner.inputs.count == 1, readers[iid] == 1, !isOutput[iid], !protected[iid]
            else { continue }
            let product = nodes[inner.inputs[0].rawValue]
            guard case .binary(.multiply) = product.op,
                  product.inputs.allSatisfy({ nodes[$0.rawValue].shape == product.shape }) else { continue }
            bypassed.insert(iid)
            nodes[id] = Node(id: node.id, op: .sum(axis: nil), inputs: inner.inputs, shape: node.shape,
                             elementType: node.elementType)
        }

        // 3: contractions, where the product has a single reader.
        readers = [Int](repeating: 0, count: count)
        for node in nodes where !bypassed.contains(node.id.rawValue) {
            for input in node.inputs { readers[input.rawValue] += 1 }
        }
        var contractions = Set<Int>()
        for id in 0..<count {
            let node = nodes[id]
            guard case .sum(let axis) = node.op, node.inputs.count == 1 else { continue }
            let product = nodes[node.inputs[0].rawValue]
            let pid = product.id.rawValue
            guard case .binary(.multiply) = product.op, readers[pid] == 1, !isOutput[pid], !protected[pid]
            else { continue }
            if let axis {
                let contracted = axis < 0 ? axis + product.shape.rank : axis
                guard contracted >= 0, contracted < product.shape.rank, product.shape[contracted] > 1 else { continue }
            } else {
                // Every element: a dot product of two factors of the product's shape.
                guard product.inputs.allSatisfy({ nodes[$0.rawValue].shape == product.shape }),
                      product.shape.count > 1 else { continue }
            }
            nodes[id] = Node(id: node.id, op: node.op, inputs: product.inputs, shape: node.shape, elementType: node.elementType)
            contractions.insert(id)
        }

        // 4: selections.
        var selections: [Int: (constant: Int, selected: [Int32])] = [:]
        for id in contractions {
            let node = nodes[id]
            guard case .sum(let axis?) = node.op else { continue }
            let factors = node.inputs.map { nodes[$0.rawValue] }
            guard let product = Shape.broadcast(factors[0].shape, factors[1].shape) else { continue }
            let contracted = axis < 0 ? axis + product.rank : axis
            for position in 0..<2 {
                // A constant, possibly reshaped (same elements in the same order).
                var source = factors[position]
                while case .reshape = source.op { source = nodes[source.inputs[0].rawValue] }
                guard case .constant(let values) = source.op,
                      let selected = Self.oneHotLines(values, shape: factors[position].shape,
                                                      axis: contracted - (product.rank - factors[position].shape.rank)) else { continue }
                selections[id] = (position, selected)
                break
            }
        }

        // 4b: selections that read every element of the other factor once,
        //    in its own order, are that factor under a new shape.
        for (id, selection) in selections {
            let node = nodes[id]
            guard case .sum(let axis?) = node.op else { continue }
            let constant = nodes[node.inputs[selection.constant].rawValue]
            let other = nodes[node.inputs[1 - selection.constant].rawValue]
            guard other.elementType == .real, other.shape.count == node.shape.count,
                  Self.readsInOrder(other: other.shape, constant: constant.shape, selected: selection.selected,
                                    axis: axis) else { continue }
            nodes[id] = Node(id: node.id, op: .reshape, inputs: [other.id], shape: node.shape, elementType: .real)
            contractions.remove(id)
            selections[id] = nil
        }

        logSigmoidPairs = Self.fuseLogSigmoidPairs(&nodes, isOutput: isOutput, protected: protected)
        selectedOperands = Self.selectConcatOperands(&nodes, &contractions, &selections, protected: protected)
        if foldConstants { Self.foldConstants(&nodes, logSigmoidPairs: logSigmoidPairs, isOutput: isOutput, protected: protected) }
        logitDifferences = Self.replaceLogitDifferences(&nodes, &contractions, logSigmoidPairs: logSigmoidPairs,
                                                        selections: selections, protected: protected)
        Self.removeIdentities(&nodes, protected: protected)
        bernoulliDivergences = Self.fuseBernoulliDivergences(&nodes, &contractions, logSigmoidPairs: logSigmoidPairs,
                                                             isOutput: isOutput, protected: protected)
        bernoulliLogLikelihoods = Self.fuseBernoulliLogLikelihoods(
            &nodes, &contractions, logSigmoidPairs: logSigmoidPairs, selections: selections,
            isOutput: isOutput, protected: protected)
        binaryWeightLikelihoods = Self.readGatheredValues(&nodes, likelihoods: bernoulliLogLikelihoods,
                                                          isOutput: isOutput, protected: protected)
        biasedRelus = Self.fuseBiasedRelus(&nodes, isOutput: isOutput, protected: protected)
        Self.scaleSoftmaxes(&nodes, sharedWeights: shared, isOutput: isOutput, protected: protected)

        graph = Graph(nodes: nodes)
        sharedWeights = shared
        self.contractions = contractions
        self.selections = selections
    }

    /// Whether a selection reads element `j` of the other factor for its
    /// `j`-th output, for every `j`: the enumerated value of a site whose
    /// axis lines up with the class axis of its probabilities
    /// (``TensorLayout``) selects them in place.
    ///
    /// Output element `j`, at multi-index `i` of the broadcast product with
    /// the contracted axis removed, reads the other factor at `i` with the
    /// contracted axis set to the constant's selected index there (size-1
    /// axes of either factor broadcast).
    static func readsInOrder(other: Shape, constant: Shape, selected: [Int32], axis: Int) -> Bool {
        guard let product = Shape.broadcast(other, constant) else { return false }
        let rank = product.rank
        let contracted = axis < 0 ? axis + rank : axis
        guard contracted >= 0, contracted < rank else { return false }
        let otherStrides = BroadcastGeometry.alignedStrides(other, output: product)
        let constantStrides = BroadcastGeometry.alignedStrides(constant, output: product)
        var index = [Int](repeating: 0, count: rank)
        var output = 0
        let total = product.count / product[contracted]
        while output < total {
            var otherOffset = 0, constantOffset = 0
            for k in 0..<rank where k != contracted {
                otherOffset += index[k] * otherStrides[k]
                constantOffset += index[k] * constantStrides[k]
            }
            otherOffset += Int(selected[constantOffset]) * otherStrides[contracted]
            if otherOffset != output { return false }
            output += 1
            // Next multi-index over the product, skipping the contracted axis.
            var k = rank - 1
            while k >= 0 {
                if k != contracted {
                    index[k] += 1
                    if index[k] < product[k] { break }
                    index[k] = 0
                }
                k -= 1
            }
        }
        return true
    }

    /// For a constant whose every line along `axis` is one-hot (one 1, the
    /// rest 0), the index of the 1 stored at each line's starting element
    /// (other entries 0); `nil` otherwise, or when the constant does not
    /// extend along the axis.
    static func oneHotLines(_ values: [Double], shape: Shape, axis: Int) -> [Int32]? {
        guard axis >= 0, axis < shape.rank, shape[axis] > 1 else { return nil }
        let length = shape[axis]
        let inner = shape.dimensions[(axis + 1)...].reduce(1, *)
        let outer = shape.dimensions[..<axis].reduce(1, *)
        var selected = [Int32](repeating: 0, count: values.count)
        for o in 0..<outer {
            for i in 0..<inner {
                let start = o * length * inner + i
                var one = -1
                for k in 0..<length {
                    let v = values[start + k * inner]
                    if v == 1, one < 0 { one = k } else if v != 0 { return nil }
                }
                guard one >= 0 else { return nil }
                selected[start] = Int32(one)
            }
        }
        return selected
    }
}

// MARK: - Readers among the computed nodes

extension GraphRewriting {
    /// Which nodes an output (or a requested tensor) depends on, and how
    /// many of those read each node. A graph may hold nodes nothing needs
    /// (the ELBO lowering's, e.g. a relaxed site's unused density), which
    /// are never computed and must not count as readers.
    static func liveReaders(_ nodes: [Node], isOutput: [Bool], protected: [Bool]) -> (live: [Bool], readers: [Int]) {
        var live = isOutput
        for id in nodes.indices.reversed() where live[id] || protected[id] {
            live[id] = true
            for input in nodes[id].inputs { live[input.rawValue] = true }
        }
        var readers = [Int](repeating: 0, count: nodes.count)
        for node in nodes where live[node.id.rawValue] { for input in node.inputs { readers[input.rawValue] += 1 } }
        return (live, readers)
    }
}

// MARK: - 5. Log-sigmoid pairs

extension GraphRewriting {
    /// Rewrites each `concat(logSigmoid(negate(x)), logSigmoid(x), axis:
    /// last)` whose inputs have a last extent of 1 and whose negate and
    /// log-sigmoids are read by nothing else (and are neither outputs nor
    /// requested) into `concat(x)` of the same shape, and returns the
    /// rewritten nodes. The inner nodes are then unread and not computed.
    /// Readers are counted among the nodes an output depends on (a graph
    /// may hold unused nodes, as the ELBO lowering's).
    static func fuseLogSigmoidPairs(_ nodes: inout [Node], isOutput: [Bool], protected: [Bool]) -> Set<Int> {
        let (_, readers) = liveReaders(nodes, isOutput: isOutput, protected: protected)
        func exclusive(_ id: Int) -> Bool { readers[id] == 1 && !isOutput[id] && !protected[id] }
        var pairs = Set<Int>()
        for id in nodes.indices {
            let node = nodes[id]
            guard case .concat(let axis) = node.op, node.inputs.count == 2, node.elementType == .real,
                  axis == node.shape.rank - 1, node.shape[axis] == 2 else { continue }
            let (first, second) = (nodes[node.inputs[0].rawValue], nodes[node.inputs[1].rawValue])
            guard case .unary(.logSigmoid) = first.op, case .unary(.logSigmoid) = second.op,
                  exclusive(first.id.rawValue), exclusive(second.id.rawValue) else { continue }
            let negation = nodes[first.inputs[0].rawValue]
            guard case .unary(.negate) = negation.op, exclusive(negation.id.rawValue),
                  negation.inputs[0] == second.inputs[0] else { continue }
            let x = nodes[second.inputs[0].rawValue]
            guard x.elementType == .real, x.shape == second.shape, x.shape.count * 2 == node.shape.count else { continue }
            nodes[id] = Node(id: node.id, op: node.op, inputs: [x.id], shape: node.shape, elementType: node.elementType)
            pairs.insert(id)
        }
        return pairs
    }
}

// MARK: - 6. Selections of a concat operand

extension GraphRewriting {
    /// Rewrites each selection (a contraction in `selections`) whose
    /// constant selects the same class `k` on every line, and whose other
    /// factor is (through reshapes) a concat along the contracted axis of
    /// operands of extent 1 there, into a reshape of operand `k` when that
    /// operand has the selection's element count; removes it from
    /// `contractions` and `selections` and returns the rewritten nodes.
    static func selectConcatOperands(
        _ nodes: inout [Node], _ contractions: inout Set<Int>,
        _ selections: inout [Int: (constant: Int, selected: [Int32])], protected: [Bool]
    ) -> Set<Int> {
        var rewritten = Set<Int>()
        for id in selections.keys.sorted() {
            let (position, selected) = selections[id]!
            let node = nodes[id]
            guard case .sum(let axis?) = node.op, node.inputs.count == 2, !protected[id] else { continue }
            let factor = nodes[node.inputs[1 - position].rawValue]
            let constantShape = nodes[node.inputs[position].rawValue].shape
            guard let product = Shape.broadcast(factor.shape, constantShape) else { continue }
            let contracted = axis < 0 ? axis + product.rank : axis
            // The constant varies only along the contracted axis: one line, one class.
            let constantAxis = contracted - (product.rank - constantShape.rank)
            guard constantAxis >= 0, constantShape.count == constantShape[constantAxis] else { continue }
            let k = Int(selected[0])
            // The factor's elements in order, as a concat along the contracted axis.
            guard factor.shape == product else { continue }
            var source = factor
            while case .reshape = source.op { source = nodes[source.inputs[0].rawValue] }
            guard case .concat(let concatAxis) = source.op, source.inputs.count == constantShape.count,
                  source.shape.count == factor.shape.count else { continue }
            // The concat axis must be the contracted axis: the same number of
            // elements inside it, and the same extent.
            let innerFactor = factor.shape.dimensions[(contracted + 1)...].reduce(1, *)
            let innerSource = source.shape.dimensions[(concatAxis + 1)...].reduce(1, *)
            guard innerFactor == innerSource, source.shape[concatAxis] == factor.shape[contracted] else { continue }
            let operand = nodes[source.inputs[k].rawValue]
            guard operand.shape[concatAxis] == 1, operand.shape.count == node.shape.count,
                  operand.elementType == .real else { continue }
            nodes[id] = Node(id: node.id, op: .reshape, inputs: [operand.id], shape: node.shape, elementType: node.elementType)
            contractions.remove(id)
            selections[id] = nil
            rewritten.insert(id)
        }
        return rewritten
    }
}

// MARK: - 7. Constants folded

extension GraphRewriting {
    /// Replaces every node computed from constants alone by elementwise,
    /// clamp, power or concat operations, and read by a node that is not
    /// (or an output), by a constant holding its value: a plan of the
    /// graph (compiled without this rewrite) computes them with the
    /// kernels the step would run.
    static func foldConstants(_ nodes: inout [Node], logSigmoidPairs: Set<Int>, isOutput: [Bool], protected: [Bool]) {
        var constant = [Bool](repeating: false, count: nodes.count)
        for node in nodes {
            let id = node.id.rawValue
            switch node.op {
            case .constant:
                constant[id] = true
            case .unary, .binary, .clamp, .power, .concat, .reshape:
                constant[id] = node.elementType == .real && !protected[id] && !logSigmoidPairs.contains(id)
                    && !node.inputs.isEmpty && node.inputs.allSatisfy { constant[$0.rawValue] }
            default:
                break
            }
        }
        var targets: [Int] = []
        var wanted = [Bool](repeating: false, count: nodes.count)
        for node in nodes {
            for input in node.inputs where constant[input.rawValue] && !constant[node.id.rawValue] {
                wanted[input.rawValue] = true
            }
            if isOutput[node.id.rawValue] && constant[node.id.rawValue] { wanted[node.id.rawValue] = true }
        }
        // A reshape is free, but what it reshapes may not be: fold that.
        for id in nodes.indices.reversed() where wanted[id] {
            if case .reshape = nodes[id].op { wanted[nodes[id].inputs[0].rawValue] = true }
        }
        for id in nodes.indices where wanted[id] {
            switch nodes[id].op {
            case .constant, .reshape: continue   // already free
            default: targets.append(id)
            }
        }
        guard !targets.isEmpty else { return }
        // The targets and the constants they are computed from, renumbered
        // in order as a graph of their own (compiling the whole graph again
        // would cost as much as the plan itself).
        var needed = [Bool](repeating: false, count: nodes.count)
        for id in targets { needed[id] = true }
        for id in nodes.indices.reversed() where needed[id] {
            for input in nodes[id].inputs { needed[input.rawValue] = true }
        }
        var renumbered = [Int](repeating: -1, count: nodes.count)
        var subgraph: [Node] = []
        for id in nodes.indices where needed[id] {
            let node = nodes[id]
            renumbered[id] = subgraph.count
            subgraph.append(Node(id: NodeID(subgraph.count), op: node.op,
                                 inputs: node.inputs.map { NodeID(renumbered[$0.rawValue]) },
                                 shape: node.shape, elementType: node.elementType))
        }
        let graph = Graph(nodes: subgraph)
        let outputs = targets.map { graph.nodes[renumbered[$0]].tensor }
        guard let plan = try? Plan(graph: graph, outputs: outputs, gradients: [], foldConstants: false) else { return }
        plan.forward()
        for (id, output) in zip(targets, outputs) {
            guard let values = try? plan.values(of: output) else { continue }
            let node = nodes[id]
            nodes[id] = Node(id: node.id, op: .constant(values), inputs: [], shape: node.shape, elementType: node.elementType)
        }
    }
}

// MARK: - 8. Scaled softmaxes

extension GraphRewriting {
    /// Rewrites each `softmax(divide(x, t))` as the doc of ``GraphRewriting``
    /// says (rewrite 8) into a softmax node reading `x` and `t`; PlanLowering
    /// passes `t` to the softmax kernels as the instruction's second input.
    static func scaleSoftmaxes(_ nodes: inout [Node], sharedWeights: [Int: Int], isOutput: [Bool], protected: [Bool]) {
        let (live, readers) = liveReaders(nodes, isOutput: isOutput, protected: protected)
        for id in nodes.indices where live[id] {
            let node = nodes[id]
            // A softmax whose weights a live logSoftmax of its input writes keeps that input.
            guard case .softmax = node.op, node.inputs.count == 1, !(sharedWeights[id].map { live[$0] } ?? false)
            else { continue }
            let quotient = nodes[node.inputs[0].rawValue]
            let qid = quotient.id.rawValue
            guard case .binary(.divide) = quotient.op, readers[qid] == 1, !isOutput[qid], !protected[qid] else { continue }
            let x = nodes[quotient.inputs[0].rawValue], t = nodes[quotient.inputs[1].rawValue]
            guard x.shape == quotient.shape, t.shape.count == 1, !protected[t.id.rawValue] else { continue }
            var source = t
            while case .reshape = source.op { source = nodes[source.inputs[0].rawValue] }
            switch source.op {
            case .input, .constant: guard !protected[source.id.rawValue] else { continue }
            default: continue
            }
            nodes[id] = Node(id: node.id, op: node.op, inputs: [x.id, t.id], shape: node.shape, elementType: node.elementType)
        }
    }
}
