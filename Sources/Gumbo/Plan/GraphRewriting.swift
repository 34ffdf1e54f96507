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
/// 4. **Selections.** A contraction with a constant factor whose every
///    line along the contracted axis is one-hot (an enumerated site's
///    values, the identity) selects one element of the other factor per
///    output instead of multiplying and adding (``selections``): the
///    enumeration's `log p(z = k)`, `μ[z = k]` and `q(z = k)` are reads.
/// 5. **Log-sigmoid pairs.** `concat(logSigmoid(−x), logSigmoid(x))` along
///    a last axis of two, a Bernoulli's class log-probabilities
///    `[log(1 − σ(x)), log σ(x)]`, whose three inner nodes have no other
///    reader, becomes one node reading `x` (``logSigmoidPairs``): both
///    values share `log1p(e^{−|x|})` and both derivatives `e^{−|x|}`,
///    bit for bit as the separate kernels compute them.
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

    init(graph original: Graph, outputs: [Tensor], gradients wanted: [Tensor]) {
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

        // 3: contractions, where the product has a single reader.
        var readers = [Int](repeating: 0, count: count)
        for node in nodes { for input in node.inputs { readers[input.rawValue] += 1 } }
        var contractions = Set<Int>()
        for id in 0..<count {
            let node = nodes[id]
            guard case .sum(let axis?) = node.op, node.inputs.count == 1 else { continue }
            let product = nodes[node.inputs[0].rawValue]
            let pid = product.id.rawValue
            let contracted = axis < 0 ? axis + product.shape.rank : axis
            guard case .binary(.multiply) = product.op, readers[pid] == 1, !isOutput[pid], !protected[pid],
                  contracted >= 0, contracted < product.shape.rank, product.shape[contracted] > 1 else { continue }
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

        logSigmoidPairs = Self.fuseLogSigmoidPairs(&nodes, isOutput: isOutput, protected: protected)

        graph = Graph(nodes: nodes)
        sharedWeights = shared
        self.contractions = contractions
        self.selections = selections
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

// MARK: - 5. Log-sigmoid pairs

extension GraphRewriting {
    /// Rewrites each `concat(logSigmoid(negate(x)), logSigmoid(x), axis:
    /// last)` whose inputs have a last extent of 1 and whose negate and
    /// log-sigmoids are read by nothing else (and are neither outputs nor
    /// requested) into `concat(x)` of the same shape, and returns the
    /// rewritten nodes. The inner nodes are then unread and not computed.
    static func fuseLogSigmoidPairs(_ nodes: inout [Node], isOutput: [Bool], protected: [Bool]) -> Set<Int> {
        var readers = [Int](repeating: 0, count: nodes.count)
        for node in nodes { for input in node.inputs { readers[input.rawValue] += 1 } }
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
