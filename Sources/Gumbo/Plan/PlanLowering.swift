/// The compiler pass that lowers a ``Graph`` to a ``Plan``'s program: which
/// nodes to compute, where each value and gradient lives, and the forward
/// and backward instruction lists.
///
/// 1. **Liveness**: a node is computed when an output depends on it. Every
///    input keeps a slot, so all inputs can be written whether used or not.
/// 2. **Gradient paths**: a node gets a gradient slot when it lies on a
///    differentiable path from a requested tensor to the loss (it depends on
///    a requested tensor, and the loss depends on it, through edges
///    ``Node/isDifferentiable(input:)`` allows), or when it was requested.
/// 3. **Slots**: each computed value gets a fixed offset in the value arena
///    (index tensors in the index arena), in graph order; ``Op/reshape``,
///    ``Op/detach`` and ``Op/straightThrough`` share the storage of the value
///    they forward, so they cost nothing in the forward pass.
/// 4. **Instructions**: one per computed non-leaf node, in graph order; the
///    backward list holds, in reverse order, those whose output has a
///    gradient slot and at least one input that needs a gradient.
///
/// Every scan is a loop over the topologically ordered nodes: no recursion,
/// whatever the depth of the graph.
struct PlanLowering {
    /// The graph as rewritten by ``GraphRewriting`` (same node identifiers).
    let graph: Graph
    let rewriting: GraphRewriting
    private(set) var instructions: [Instruction] = []
    private(set) var forwardOrder: [Int] = []
    private(set) var backwardOrder: [Int] = []
    private(set) var metadata: [Int] = []
    private(set) var valueCount = 0
    private(set) var gradientCount = 0
    private(set) var indexCount = 0
    private(set) var counterCount = 1
    /// Scratch reals the vector kernels need (two class vectors).
    private(set) var scratchCount = 0
    /// Per node: offset of its value (value or index arena), `-1` when not
    /// computed.
    private(set) var valueOffset: [Int]
    /// Per node: offset of its gradient, `-1` when it has none.
    private(set) var gradientOffset: [Int]
    /// Per node: the node whose storage it shares, or itself.
    private(set) var storageOwner: [Int]
    /// Per node: the node whose gradient slot it shares, or itself.
    private(set) var gradientOwner: [Int]
    /// The adds and subtracts that share their left operand's gradient
    /// slot, whose backward pass forms only the right operand's gradient.
    private(set) var passesLeftGradient: Set<Int> = []
    /// Per node: whether its value keeps its slot after the forward pass
    /// (inputs, constants, outputs, values the backward pass reads); the
    /// slots of the others are reused by later values.
    private(set) var kept: [Bool]
    /// Gradient ranges `(offset, count)` the backward pass zeroes before it
    /// runs: slots whose first write accumulates, or that nothing writes.
    private(set) var zeroRanges: [(offset: Int, count: Int)] = []
    /// Per instruction: the gradients it writes in the backward pass, in the
    /// order it writes them (instruction slot, input node, overwritten).
    private(set) var gradientWrites: [[(slot: Int, node: Int, overwrite: Bool)]] = []
    private(set) var constants: [(offset: Int, values: [Double])] = []
    private(set) var indexConstants: [(offset: Int, values: [Int32])] = []
    /// The differentiated output and where its gradient is seeded.
    let loss: Tensor

    init(graph original: Graph, outputs: [Tensor], gradients wanted: [Tensor], foldConstants: Bool = true) throws {
        guard let loss = outputs.first else { throw PlanError.noOutputs }
        for tensor in outputs + wanted where !original.contains(tensor) {
            throw PlanError.unknownTensor(tensor)
        }
        rewriting = GraphRewriting(graph: original, outputs: outputs, gradients: wanted, foldConstants: foldConstants)
        let graph = rewriting.graph
        self.graph = graph
        for tensor in wanted where tensor.elementType == .index {
            throw PlanError.gradientOfIndexTensor(tensor)
        }
        if !wanted.isEmpty && loss.elementType == .index { throw PlanError.indexLoss(loss) }
        self.loss = loss
        let nodes = graph.nodes
        let count = nodes.count
        valueOffset = [Int](repeating: -1, count: count)
        gradientOffset = [Int](repeating: -1, count: count)
        storageOwner = Array(0..<count)
        gradientOwner = Array(0..<count)
        kept = [Bool](repeating: false, count: count)

        // 1. Liveness, scanning backwards from the outputs.
        var live = [Bool](repeating: false, count: count)
        for tensor in outputs { live[tensor.id.rawValue] = true }
        for node in nodes.reversed() where live[node.id.rawValue] {
            for input in node.inputs { live[input.rawValue] = true }
        }
        for node in nodes { if case .input = node.op { live[node.id.rawValue] = true } }

        // 2. Gradient paths.
        var requested = [Bool](repeating: false, count: count)
        for tensor in wanted { requested[tensor.id.rawValue] = true }
        var fromWanted = requested
        for node in nodes where !fromWanted[node.id.rawValue] {
            fromWanted[node.id.rawValue] = node.inputs.indices.contains {
                node.isDifferentiable(input: $0) && fromWanted[node.inputs[$0].rawValue]
            }
        }
        var toLoss = [Bool](repeating: false, count: count)
        if !wanted.isEmpty { toLoss[loss.id.rawValue] = true }
        for node in nodes.reversed() where toLoss[node.id.rawValue] {
            for (position, input) in node.inputs.enumerated() where node.isDifferentiable(input: position) {
                toLoss[input.rawValue] = true
            }
        }
        let onPath = (0..<count).map { fromWanted[$0] && toLoss[$0] && nodes[$0].elementType == .real }

        // 3. Slots. Requested inputs come first in both arenas, in the
        //    order requested, so their values and gradients are each one
        //    contiguous block (an optimizer updates them in place).
        var leading: [Int] = []
        for tensor in wanted where !leading.contains(tensor.id.rawValue) {
            if case .input = nodes[tensor.id.rawValue].op { leading.append(tensor.id.rawValue) }
        }
        // A reshape or straight-through node on the path shares its
        // input's gradient slot (`soft`'s, for straight-through) unless its
        // own gradient was requested: its readers then add into the
        // input's gradient directly, and no copy runs backward.
        //
        // So does an add or a subtract whose left operand has its shape and
        // no other reader (a product before its bias): `∂left = ∂out`, so
        // the left operand's producer reads the add's gradient where the
        // add's readers wrote it, and the add's backward pass forms only
        // the right operand's gradient (``passesLeftGradient``).
        var readers = [Int](repeating: 0, count: count)
        for node in nodes where live[node.id.rawValue] {
            for input in node.inputs { readers[input.rawValue] += 1 }
        }
        for id in 0..<count where onPath[id] && !requested[id] && id != loss.id.rawValue {
            switch nodes[id].op {
            case .reshape: gradientOwner[id] = gradientOwner[nodes[id].inputs[0].rawValue]
            case .straightThrough: gradientOwner[id] = gradientOwner[nodes[id].inputs[1].rawValue]
            case .binary(.add), .binary(.subtract):
                // (An input on the path is a requested one, so never shared.)
                let left = nodes[id].inputs[0].rawValue
                if onPath[left] && !requested[left] && readers[left] == 1 && nodes[left].shape == nodes[id].shape {
                    gradientOwner[id] = gradientOwner[left]
                    passesLeftGradient.insert(id)
                }
            default: break
            }
        }
        // A softmax whose weights a live logSoftmax of the same input writes
        // (``GraphRewriting``): logSoftmax id → softmax id.
        var weightsTarget: [Int: Int] = [:]
        for (softmax, source) in rewriting.sharedWeights where live[softmax] && live[source] {
            weightsTarget[source] = softmax
        }
        let weightsFilled = Set(weightsTarget.values)
        assignValueSlots(nodes: nodes, live: live, leading: leading, outputs: outputs, onPath: onPath,
                         weightsFilled: weightsFilled)

        for id in leading {
            gradientOffset[id] = gradientCount
            gradientCount += nodes[id].shape.count
        }
        for id in 0..<count where gradientOffset[id] < 0
            && (onPath[id] || requested[id] || (id == loss.id.rawValue && !wanted.isEmpty)) {
            if gradientOwner[id] != id {
                gradientOffset[id] = gradientOffset[gradientOwner[id]]
                continue
            }
            gradientOffset[id] = gradientCount
            gradientCount += nodes[id].shape.count
        }

        // Every offset an instruction holds is 32 bits: refuse arenas that
        // could outgrow that (slots, and at most twice each live node's
        // elements and its inputs' in storage for the backward pass) rather
        // than trap while encoding.
        var bound = valueCount
        for node in nodes where live[node.id.rawValue] {
            bound += 2 * node.shape.count + node.inputs.reduce(0) { $0 + graph[$1].shape.count } + 64
        }
        let largest = max(bound, gradientCount, indexCount)
        if largest > Int(Int32.max) { throw PlanError.tooLarge(elements: largest) }

        // 4. Instructions.
        var writes: [[(slot: Int, node: Int, dense: Bool)]] = []
        for node in nodes where live[node.id.rawValue] {
            guard var instruction = lower(node) else { continue }
            let id = node.id.rawValue
            let inputsNeedingGradient = backwardInputs(node, onPath: onPath)
            let runsBackward = !inputsNeedingGradient.isEmpty
            if runsBackward {
                instruction.outputGradient = gradientOffset[id]
                for position in inputsNeedingGradient {
                    let offset = gradientOffset[node.inputs[position].rawValue]
                    switch position {
                    case 0: instruction.gradient0 = offset
                    case 1: instruction.gradient1 = offset
                    case 2: instruction.gradient2 = offset
                    case 3: instruction.gradient3 = offset
                    default: break // concat keeps its gradient offsets in its operand list
                    }
                }
                switch node.op {
                case .concat where !rewriting.logSigmoidPairs.contains(id):
                    patchConcatGradients(instruction, node, onPath)
                case .straightThrough:
                    // The gradient goes to `soft`, input 1, through the
                    // pass-gradient kernel's single operand.
                    (instruction.gradient0, instruction.gradient1) = (instruction.gradient1, -1)
                default:
                    break
                }
                switch node.op {
                case .logSumExp:
                    instruction.auxiliary = valueCount
                    valueCount += graph[node.inputs[0]].shape.count
                case .logSoftmax where weightsTarget[id] == nil:
                    instruction.auxiliary = valueCount
                    valueCount += graph[node.inputs[0]].shape.count
                case .concat where rewriting.logSigmoidPairs.contains(id):
                    // σ(x) and σ(−x), saved by the forward pass.
                    instruction.auxiliary = valueCount
                    valueCount += node.shape.count
                case .sum where rewriting.bernoulliDivergences[id] != nil:
                    // ∂KL/∂x, saved by the forward pass.
                    instruction.auxiliary = valueCount
                    valueCount += node.shape.count
                default: break
                }
            }
            if let softmax = weightsTarget[id] { instruction.auxiliary = valueOffset[softmax] }
            let index = instructions.count
            instructions.append(instruction)
            writes.append(runsBackward ? gradientTargets(node, inputsNeedingGradient) : [])
            if !instruction.opcode.isForwardFree && !weightsFilled.contains(id) { forwardOrder.append(index) }
            if runsBackward { backwardOrder.append(index) }
        }
        backwardOrder.reverse()
        foldSoftmaxBackward(into: weightsTarget, writes: &writes)

        // 4c. Each matrix product's kept nonzero positions, after the
        //     counters every kernel shares (their size is now known).
        for index in instructions.indices
        where [.matmul, .singlePrecisionMatmul].contains(instructions[index].opcode) {
            let i = instructions[index]
            instructions[index].keptPositions = counterCount
            counterCount += i.inner < MatMulKernels.sparseMinimumColumns
                ? 0 : i.batch * MatMulKernels.keptPositionCount(rows: i.outer, depth: i.length)
        }

        // 5. Gradient stores: the first write of a slot overwrites it when it
        //    is dense (covers every element once); other slots are zeroed.
        gradientWrites = [[(slot: Int, node: Int, overwrite: Bool)]](repeating: [], count: instructions.count)
        var written = [Bool](repeating: false, count: count)
        var zeroed = [Bool](repeating: false, count: count)
        if !wanted.isEmpty { written[loss.id.rawValue] = true }   // seeded with ones
        for index in backwardOrder {
            for write in writes[index] {
                let owner = gradientOwner[write.node]
                let overwrite = !written[owner] && write.dense
                if !written[owner] && !overwrite { zeroed[owner] = true }
                written[owner] = true
                gradientWrites[index].append((write.slot, write.node, overwrite))
                if overwrite {
                    if case .concat = nodes[instructions[index].node].op,
                       !rewriting.logSigmoidPairs.contains(instructions[index].node) {
                        metadata[instructions[index].geometry + 4 + 4 * write.slot] = 1
                    } else {
                        instructions[index].overwriteMask |= 1 << write.slot
                    }
                }
            }
        }
        for id in 0..<count where gradientOffset[id] >= 0 && gradientOwner[id] == id && (zeroed[id] || !written[id]) {
            if let last = zeroRanges.last, last.offset + last.count == gradientOffset[id] {
                zeroRanges[zeroRanges.count - 1].count += nodes[id].shape.count
            } else {
                zeroRanges.append((gradientOffset[id], nodes[id].shape.count))
            }
        }
    }

    /// 4b. A softmax whose weights a `logSoftmax` of the same input writes,
    /// when both pass gradients to that input: the logSoftmax's backward
    /// instruction does both in one pass over the lines (it runs after
    /// every reader of either, as the logSoftmax comes first), and the
    /// softmax's is dropped:
    ///
    ///     ∂x (+)= g_L − p Σ g_L + p ⊙ (g_S − Σ g_S ⊙ p)
    ///           = g_L + p ⊙ (g_S − Σ g_S ⊙ p − Σ g_L)
    ///
    /// with `p` the shared weights.
    private mutating func foldSoftmaxBackward(into weightsTarget: [Int: Int],
                                              writes: inout [[(slot: Int, node: Int, dense: Bool)]]) {
        guard !weightsTarget.isEmpty else { return }
        var instructionOf: [Int: Int] = [:]
        for (index, instruction) in instructions.enumerated() { instructionOf[instruction.node] = index }
        let runsBackward = Set(backwardOrder)
        for (source, softmax) in weightsTarget.sorted(by: { $0.key < $1.key }) {
            guard let l = instructionOf[source], let s = instructionOf[softmax],
                  runsBackward.contains(l), runsBackward.contains(s),
                  instructions[l].gradient0 >= 0, instructions[l].gradient0 == instructions[s].gradient0
            else { continue }
            instructions[l].companionGradient = instructions[s].outputGradient
            backwardOrder.removeAll { $0 == s }
            writes[s] = []
        }
    }

    /// Value slots. Inputs, constants, outputs, index tensors, softmax
    /// weights another instruction writes, and every value a backward
    /// instruction reads get their own slot for the plan's lifetime
    /// (``kept``). Every other value lives only from the instruction that
    /// computes it to its last reader in the forward pass: walking the nodes
    /// in order, a slot goes back to a free list once its last reader is
    /// behind, and a later value takes the smallest free block that fits
    /// (splitting it; neighbours merge), or new space at the end. An
    /// instruction never writes over its own inputs. Aliases (reshape,
    /// detach, straight-through) share their input's slot and keep it
    /// alive until their own last reader.
    private mutating func assignValueSlots(nodes: [Node], live: [Bool], leading: [Int], outputs: [Tensor], onPath: [Bool],
                                           weightsFilled: Set<Int>) {
        let count = nodes.count
        for id in leading {
            valueOffset[id] = valueCount
            valueCount += nodes[id].shape.count
            kept[id] = true
        }
        // Storage owners, and what must keep its slot.
        var pinned = [Bool](repeating: false, count: count)
        for tensor in outputs { pinned[tensor.id.rawValue] = true }
        for id in weightsFilled { pinned[id] = true }
        for node in nodes where live[node.id.rawValue] {
            let id = node.id.rawValue
            switch node.op {
            case .reshape, .detach:
                storageOwner[id] = storageOwner[node.inputs[0].rawValue]
            case .straightThrough:
                storageOwner[id] = storageOwner[node.inputs[0].rawValue]
            case .input, .constant, .indexConstant:
                pinned[id] = true
            default:
                if node.elementType == .index { pinned[id] = true }
            }
            // Values a backward instruction reads.
            let needing = backwardInputs(node, onPath: onPath)
            if !needing.isEmpty {
                let reads = backwardReads(node, needing: needing)
                if reads.output { pinned[id] = true }
                for position in reads.inputs { pinned[node.inputs[position].rawValue] = true }
            }
        }
        for id in 0..<count where pinned[id] { pinned[storageOwner[id]] = true }
        // Each owner's last reader in the forward pass.
        var lastUse = [Int](repeating: -1, count: count)
        for node in nodes where live[node.id.rawValue] {
            for input in node.inputs { lastUse[storageOwner[input.rawValue]] = node.id.rawValue }
        }
        var released = [[Int]](repeating: [], count: count + 1)   // owners whose slot frees after node i
        var free: [(offset: Int, size: Int)] = []
        var releasedUpTo = 0
        for node in nodes where live[node.id.rawValue] {
            let id = node.id.rawValue
            // Slots whose last reader came before this node are free again.
            while releasedUpTo < id {
                for owner in released[releasedUpTo] { Self.release((valueOffset[owner], nodes[owner].shape.count), into: &free) }
                releasedUpTo += 1
            }
            guard valueOffset[id] < 0 else { continue }
            if storageOwner[id] != id {
                valueOffset[id] = valueOffset[storageOwner[id]]
                continue
            }
            let size = node.shape.count
            if node.elementType == .index {
                valueOffset[id] = indexCount
                indexCount += size
            } else if pinned[id] {
                valueOffset[id] = valueCount
                valueCount += size
            } else if let block = free.indices.filter({ free[$0].size >= size }).min(by: { free[$0].size < free[$1].size }) {
                valueOffset[id] = free[block].offset
                if free[block].size == size {
                    free.remove(at: block)
                } else {
                    free[block] = (free[block].offset + size, free[block].size - size)
                }
            } else {
                valueOffset[id] = valueCount
                valueCount += size
            }
            kept[id] = pinned[id]
            if !pinned[id] && node.elementType == .real {
                // Freed once its last reader has run (or at once if it has none).
                released[max(lastUse[id], id)].append(id)
            }
            switch node.op {
            case .constant(let values): constants.append((valueOffset[id], values))
            case .indexConstant(let values): indexConstants.append((valueOffset[id], values))
            default: break
            }
        }
        for id in 0..<count where valueOffset[id] >= 0 { kept[id] = kept[storageOwner[id]] }
    }

    /// Which values a node's backward rule reads, given the inputs whose
    /// gradients it writes: its output's, and which inputs'. Anything not
    /// listed may be overwritten once the forward pass has moved on.
    /// The inputs whose gradients `node`'s backward instruction forms, empty
    /// when it runs none: its differentiable inputs on the path, if it has
    /// a gradient slot of its own — or shares its left operand's
    /// (``passesLeftGradient``), which then needs nothing from it.
    private func backwardInputs(_ node: Node, onPath: [Bool]) -> [Int] {
        let id = node.id.rawValue
        let passesLeft = passesLeftGradient.contains(id)
        guard onPath[id] && (gradientOwner[id] == id || passesLeft) else { return [] }
        return node.inputs.indices.filter {
            node.isDifferentiable(input: $0) && onPath[node.inputs[$0].rawValue] && !(passesLeft && $0 == 0)
        }
    }

    private func backwardReads(_ node: Node, needing: [Int]) -> (output: Bool, inputs: [Int]) {
        let all = Array(node.inputs.indices)
        switch node.op {
        case .reshape, .detach, .straightThrough, .input, .constant, .indexConstant, .concat, .sum, .mean:
            if rewriting.selections[node.id.rawValue] != nil { return (false, []) }
            if rewriting.logSigmoidPairs.contains(node.id.rawValue) { return (false, []) }   // σ(±x), saved
            if rewriting.bernoulliDivergences[node.id.rawValue] != nil
                || rewriting.bernoulliLogLikelihoods.contains(node.id.rawValue) {
                // ∂x from the saved slope; ∂L (∂W) recomputes σ(±x) (log σ(±x)) from x.
                return (false, needing.contains(1) ? [0] : [])
            }
            if rewriting.contractions.contains(node.id.rawValue) {
                // ∂a reads b and ∂b reads a.
                return (false, needing.map { 1 - $0 })
            }
            return (false, [])
        case .logSumExp, .logSoftmax:
            return (false, [])          // the weights slot, which is never reused
        case .softmax:
            return (true, [])
        case .enumeratedExpectation:
            return (false, all)         // x, t and b; q is in its own slot
        case .binary(.add), .binary(.subtract):
            return (false, [])
        case .binary(.multiply):
            return (false, needing.map { 1 - $0 })
        case .unary(.relu) where rewriting.biasedRelus.contains(node.id.rawValue):
            return (true, [])           // the mask h > 0
        case .unary(.exp), .unary(.sigmoid), .unary(.sqrt), .unary(.tanh):
            return (true, [])
        case .unary(.negate):
            return (false, [])
        case .unary(.expm1):
            return (true, [])
        case .gather:
            return (false, [1])
        default:
            return (true, all)
        }
    }

    /// Returns a block to the free list, merged with the blocks it touches.
    private static func release(_ block: (offset: Int, size: Int), into free: inout [(offset: Int, size: Int)]) {
        var merged = block
        free.removeAll { other in
            if other.offset + other.size == merged.offset {
                merged = (other.offset, other.size + merged.size)
                return true
            }
            if merged.offset + merged.size == other.offset {
                merged = (merged.offset, merged.size + other.size)
                return true
            }
            return false
        }
        free.append(merged)
    }

    /// The gradient writes of a node's backward rule, in the order its
    /// kernel performs them: instruction slot (operand-list position for a
    /// concat), the input written, and whether the write is dense.
    private func gradientTargets(_ node: Node, _ positions: [Int]) -> [(slot: Int, node: Int, dense: Bool)] {
        positions.map { position in
            let input = graph[node.inputs[position]]
            let dense: Bool
            switch node.op {
            case .sum where rewriting.bernoulliDivergences[node.id.rawValue] != nil:
                // x: one element per result; L: one row of two per result, unless broadcast.
                dense = input.shape.count == node.shape.count * (position == 0 ? 1 : 2)
            case .sum where rewriting.bernoulliLogLikelihoods.contains(node.id.rawValue):
                // x: one element per result; W: its row of two, same shape
                // as the pair (or v, one per result).
                dense = true
            case .sum where rewriting.selections[node.id.rawValue] != nil:
                // Only the selected elements are written.
                dense = false
            case .sum where rewriting.contractions.contains(node.id.rawValue):
                // Each element of a factor is written once only if the
                // factor is the whole product (not broadcast).
                let product = Shape.broadcast(graph[node.inputs[0]].shape, graph[node.inputs[1]].shape)
                dense = input.shape.count == (product?.count ?? -1)
            case .unary(.relu) where rewriting.biasedRelus.contains(node.id.rawValue):
                // a: one element per result; b: summed over the rows.
                dense = position == 0
            case .unary, .power, .clamp, .sum, .mean, .logSumExp, .softmax, .logSoftmax,
                 .reshape, .straightThrough, .concat, .enumeratedExpectation:
                // (An enumerated expectation writes every element of `x` and
                // `t` at its first particle and adds at the others.)
                dense = true
            case .binary, .logProb, .klDivergence, .hardConcreteGate, .hardConcreteProbabilityNonzero:
                // Each element (or, for a vector operand, each row of classes)
                // is written once unless the operand is broadcast.
                let isVector = Self.vectorOperands(node).indices.contains(position) && Self.vectorOperands(node)[position]
                let perResult = isVector ? Self.vectorClasses(node, graph) : 1
                dense = input.shape.count == node.shape.count * perResult
            case .matmul:
                // ∂A is dense unless one A is shared by a batch; ∂B sums over rows.
                dense = position == 0 && !(input.shape.rank == 2 && node.shape.rank == 3)
            default:
                dense = false
            }
            // A straight-through node passes its gradient to `soft` (input 1)
            // through its kernel's single operand.
            let slot = node.op == .straightThrough ? 0 : position
            return (slot, input.id.rawValue, dense)
        }
    }

    /// The instruction for a computed node, or `nil` for leaves and for
    /// nodes that only share storage and pass no gradient.
    private mutating func lower(_ node: Node) -> Instruction? {
        let id = node.id.rawValue
        let inputs = node.inputs.map { graph[$0] }
        var i = Instruction(opcode: .passGradient, node: id, count: node.shape.count, output: valueOffset[id])
        if inputs.count > 0 { i.input0 = valueOffset[inputs[0].id.rawValue] }
        if inputs.count > 1 { i.input1 = valueOffset[inputs[1].id.rawValue] }
        if inputs.count > 2 { i.input2 = valueOffset[inputs[2].id.rawValue] }
        if inputs.count > 3 { i.input3 = valueOffset[inputs[3].id.rawValue] }
        switch node.op {
        case .input, .constant, .indexConstant, .detach:
            return nil
        case .reshape:
            guard node.elementType == .real else { return nil }
            i.opcode = .passGradient
        case .straightThrough:
            i.opcode = .passGradient
            i.input0 = valueOffset[inputs[1].id.rawValue] // gradient flows to `soft`
            i.input1 = -1
        case .unary(.relu) where rewriting.biasedRelus.contains(id):
            i.opcode = .biasedRelu
            i.inner = node.shape[node.shape.rank - 1]
            i.outer = node.shape.count / i.inner
        case .unary(let function):
            i.opcode = .unary(function)
        case .power(let exponent):
            i.opcode = .power
            i.constant0 = exponent
        case .clamp(let lower, let upper):
            i.opcode = .clamp
            (i.constant0, i.constant1) = (lower, upper)
        case .step:
            i.opcode = .step
        case .binary(let op):
            i.opcode = .binary(op)
            i.geometry = encode(BroadcastGeometry(output: node.shape, operands: inputs.map(\.shape)))
        case .sum where rewriting.bernoulliDivergences[id] != nil:
            // The geometry walks the result; x is read in the same order,
            // L's offsets are the start of its row of two.
            i.opcode = .bernoulliDivergence
            i.constant0 = rewriting.bernoulliDivergences[id]!
            let logP = inputs[1].shape
            let batch = Shape(Array(logP.dimensions.dropLast()))
            i.geometry = encode(BroadcastGeometry(
                extents: node.shape.dimensions,
                strides: [node.shape.strides, BroadcastGeometry.alignedStrides(batch, output: node.shape).map { $0 * 2 }]))
        case .sum where rewriting.bernoulliLogLikelihoods.contains(id):
            // x and W (its rows of two) in order; the slope ∂y/∂x after
            // them, also the forward passes' scratch, so always there.
            i.opcode = .bernoulliLogLikelihood
            i.constant0 = rewriting.binaryWeightLikelihoods.contains(id) ? 1 : 0
            i.auxiliary = valueCount
            valueCount += node.shape.count
        case .sum(let axis) where rewriting.contractions.contains(id):
            lowerContraction(&i, node, inputs, axis: axis)
            if let selection = rewriting.selections[id] {
                i.opcode = .selection
                i.batch = selection.constant
                i.input2 = indexCount
                indexConstants.append((indexCount, selection.selected))
                indexCount += selection.selected.count
            }
        case .sum(let axis), .mean(let axis):
            i.opcode = { if case .sum = node.op { return .sum } else { return .mean } }()
            setLines(&i, inputs[0].shape, axis: axis)
            i.constant0 = i.opcode == .sum ? 1 : 1 / Double(i.length)
        case .logSumExp(let axis):
            i.opcode = .logSumExp
            setLines(&i, inputs[0].shape, axis: axis)
            scratchCount = max(scratchCount, SoftmaxKernels.scratchCount(length: i.length))
        case .softmax(let axis):
            i.opcode = .softmax
            setLines(&i, inputs[0].shape, axis: axis)
            // A softmax of `x / t` (``GraphRewriting``, rewrite 8) has `t`,
            // one element, as input1 (set above); otherwise input1 is -1.
            scratchCount = max(scratchCount, SoftmaxKernels.scratchCount(length: i.length))
        case .logSoftmax(let axis):
            i.opcode = .logSoftmax
            setLines(&i, inputs[0].shape, axis: axis)
            scratchCount = max(scratchCount, SoftmaxKernels.scratchCount(length: i.length))
        case .enumeratedExpectation(let weight):
            // outer: the results P; inner × length: rows × classes per
            // particle; batch strides: per-particle strides of x and t (0
            // when shared); auxiliary: q, shaped like x.
            i.opcode = .enumeratedExpectation
            let (x, t) = (inputs[0].shape, inputs[1].shape)
            i.outer = node.shape[0]
            i.length = x.dimensions.last!
            i.inner = x.count / x[0] / i.length
            i.batchStride0 = x[0] == 1 ? 0 : i.inner * i.length
            i.batchStride1 = t[0] == 1 ? 0 : i.inner * i.length
            i.constant0 = weight
            i.auxiliary = valueCount
            valueCount += x.count
            scratchCount = max(scratchCount, EnumeratedExpectationKernels.scratchCount(classes: i.length))
        case .argmax(let axis):
            i.opcode = .argmax
            setLines(&i, inputs[0].shape, axis: axis)
        case .oneHotArgmax(let axis):
            i.opcode = .oneHotArgmax
            setLines(&i, inputs[0].shape, axis: axis)
        case .categoricalInverseCDF:
            // The geometry walks the rows (the result without its classes):
            // the probabilities' strides scaled by the class count, so their
            // offset is the start of the row read; the uniform's, one per row.
            i.opcode = .categoricalInverseCDF
            let classes = node.shape.dimensions.last!
            let rows = Shape(Array(node.shape.dimensions.dropLast()))
            let probabilityRows = Shape(Array(inputs[0].shape.dimensions.dropLast()))
            i.length = classes
            i.geometry = encode(BroadcastGeometry(
                extents: rows.dimensions,
                strides: [BroadcastGeometry.alignedStrides(probabilityRows, output: rows).map { $0 * classes },
                          BroadcastGeometry.alignedStrides(inputs[1].shape, output: rows)]))
        case .oneHot(let classes):
            i.opcode = .oneHot
            i.outer = inputs[0].shape.count
            i.length = classes
        case .matmul(let precision):
            i.opcode = precision == .single ? .singlePrecisionMatmul : .matmul
            let (a, b) = (inputs[0].shape, inputs[1].shape)
            i.outer = a[a.rank - 2]
            i.length = a[a.rank - 1]
            i.inner = b[b.rank - 1]
            i.batch = node.shape.rank == 3 ? node.shape[0] : 1
            i.batchStride0 = a.rank == 3 ? i.outer * i.length : 0
            i.batchStride1 = b.rank == 3 ? i.length * i.inner : 0
            // The Float panel and operand copies (single precision), then a
            // dense flag per batch entry (``MatMulKernels/denseFlags(_:)``).
            i.auxiliary = valueCount
            if precision == .single {
                valueCount += MatMulKernels.singlePrecisionRegionCount(
                    rows: i.outer, depth: i.length, columns: i.inner, bCopies: i.batchStride1 == 0 ? 1 : i.batch)
            }
            valueCount += i.batch
            if precision == .double {
                scratchCount = max(scratchCount,
                                   MatMulKernels.scratchCount(rows: i.outer, depth: i.length, columns: i.inner))
            }
            counterCount = max(counterCount,
                               MatMulKernels.sparsePositionCount(rows: i.outer, depth: i.length, columns: i.inner))
        case .gather(let axis):
            i.opcode = .gather
            let (table, indices) = (inputs[0].shape, inputs[1].shape)
            var tableStrides = BroadcastGeometry.alignedStrides(table, output: node.shape)
            let axisStride = table.strides[axis]
            tableStrides[axis] = 0
            let indexStrides = BroadcastGeometry.alignedStrides(indices, output: node.shape)
            i.geometry = encode(BroadcastGeometry(extents: node.shape.dimensions, strides: [tableStrides, indexStrides]))
            i.length = table[axis]
            i.inner = axisStride
        case .logProb(let density):
            switch density {
            case .normal: lowerElementwise(&i, node, inputs, .normal)
            case .bernoulli: lowerElementwise(&i, node, inputs, .bernoulli)
            case .gumbel: lowerElementwise(&i, node, inputs, .gumbel)
            case .relaxedBernoulli: lowerElementwise(&i, node, inputs, .relaxedBernoulli)
            case .hardConcrete(let lower, let upper):
                lowerElementwise(&i, node, inputs, .hardConcrete)
                (i.constant0, i.constant1) = (lower, upper)
            case .categorical: lowerVector(&i, node, inputs, .categorical)
            case .relaxedCategorical: lowerVector(&i, node, inputs, .relaxedCategorical)
            case .expRelaxedCategorical: lowerVector(&i, node, inputs, .expRelaxedCategorical)
            }
        case .klDivergence(let divergence):
            switch divergence {
            case .normal: lowerElementwise(&i, node, inputs, .normalKL)
            case .bernoulli: lowerElementwise(&i, node, inputs, .bernoulliKL)
            case .categorical: lowerVector(&i, node, inputs, .categoricalKL)
            }
        case .hardConcreteGate(let lower, let upper):
            lowerElementwise(&i, node, inputs, .hardConcreteGate)
            (i.constant0, i.constant1) = (lower, upper)
        case .hardConcreteProbabilityNonzero(let lower, let upper):
            lowerElementwise(&i, node, inputs, .hardConcreteProbabilityNonzero)
            (i.constant0, i.constant1) = (lower, upper)
        case .concat where rewriting.logSigmoidPairs.contains(id):
            i.opcode = .logSigmoidPair
        case .concat(let axis):
            i.opcode = .concat
            i.outer = node.shape.dimensions[..<axis].reduce(1, *)
            let inner = node.shape.dimensions[(axis + 1)...].reduce(1, *)
            i.geometry = metadata.count
            metadata.append(inputs.count)
            for input in inputs {
                metadata.append(contentsOf: [valueOffset[input.id.rawValue], -1, input.shape[axis] * inner, 0])
            }
        }
        return i
    }

    /// A fused elementwise kernel: operands broadcast to the output; absent
    /// operands read element 0 of the value arena with stride 0.
    /// ``Instruction/singleElementMask`` marks single-element operands (the
    /// Normal kernel hoists `log std` out of its loop for one).
    private mutating func lowerElementwise(_ i: inout Instruction, _ node: Node, _ inputs: [Node], _ kind: ElementwiseDensity) {
        i.opcode = .elementwiseDensity(kind)
        i.geometry = encode(BroadcastGeometry(output: node.shape, operands: inputs.map(\.shape)))
        if inputs.count < 4 { i.input3 = 0 }
        if inputs.count < 3 { i.input2 = 0 }
        for (k, input) in inputs.enumerated() where input.shape.count == 1 { i.singleElementMask |= 1 << k }
    }

    /// A fused kernel along the last axis: the geometry walks the result
    /// (the batch shape), with each vector operand's strides scaled by the
    /// class count ``Instruction/length``, so its offset is the start of
    /// the row it reads.
    private mutating func lowerVector(_ i: inout Instruction, _ node: Node, _ inputs: [Node], _ kind: VectorDensity) {
        i.opcode = .vectorDensity(kind)
        let vectorOperands = Self.vectorOperands(node)
        let classes = Self.vectorClasses(node, graph)
        i.length = classes
        var strides: [[Int]] = []
        for (input, isVector) in zip(inputs, vectorOperands) {
            if isVector {
                let batch = Shape(Array(input.shape.dimensions.dropLast()))
                strides.append(BroadcastGeometry.alignedStrides(batch, output: node.shape).map { $0 * classes })
            } else {
                strides.append(BroadcastGeometry.alignedStrides(input.shape, output: node.shape))
            }
        }
        i.geometry = encode(BroadcastGeometry(extents: node.shape.dimensions, strides: strides))
        if inputs.count < 3 { i.input2 = 0 }
        i.input3 = 0
        scratchCount = max(scratchCount, 2 * classes)
    }

    /// A contraction `Σ_k a_k b_k` over one axis of the broadcast product
    /// (over every element when `axis` is `nil`):
    /// the geometry walks the output (the product's other axes, in order),
    /// ``Instruction/length`` is `K`, and each factor's stride along the
    /// contracted axis goes in ``Instruction/batchStride0`` and
    /// ``Instruction/batchStride1``.
    private mutating func lowerContraction(_ i: inout Instruction, _ node: Node, _ inputs: [Node], axis: Int?) {
        i.opcode = .contraction
        let product = Shape.broadcast(inputs[0].shape, inputs[1].shape)!
        guard let axis else {
            // Every element (factors of the product's shape): one dot product.
            i.length = product.count
            (i.batchStride0, i.batchStride1) = (1, 1)
            i.geometry = encode(BroadcastGeometry(extents: [1], strides: [[0], [0]]))
            return
        }
        let contracted = axis < 0 ? axis + product.rank : axis
        let strides = inputs.map { BroadcastGeometry.alignedStrides($0.shape, output: product) }
        var extents = product.dimensions
        i.length = extents.remove(at: contracted)
        i.batchStride0 = strides[0][contracted]
        i.batchStride1 = strides[1][contracted]
        i.geometry = encode(BroadcastGeometry(extents: extents,
                                              strides: strides.map { var s = $0; s.remove(at: contracted); return s }))
    }

    /// Which operands of a vector kernel's node are vectors of classes (the
    /// others are per-result: an index, a temperature); empty for other nodes.
    static func vectorOperands(_ node: Node) -> [Bool] {
        switch node.op {
        case .logProb(.categorical): return [false, true]
        case .logProb(.relaxedCategorical), .logProb(.expRelaxedCategorical): return [true, true, false]
        case .klDivergence(.categorical): return [true, true]
        default: return []
        }
    }

    /// The class count of a vector kernel's node, 0 for any other node.
    static func vectorClasses(_ node: Node, _ graph: Graph) -> Int {
        switch node.op {
        case .logProb(.categorical), .logProb(.relaxedCategorical), .logProb(.expRelaxedCategorical),
             .klDivergence(.categorical):
            return graph[node.inputs[1]].shape.dimensions.last!
        default:
            return 0
        }
    }

    /// Fills in the gradient offsets of a concat's operand list.
    private mutating func patchConcatGradients(_ i: Instruction, _ node: Node, _ onPath: [Bool]) {
        for (k, input) in node.inputs.enumerated() where onPath[input.rawValue] {
            metadata[i.geometry + 2 + 4 * k] = gradientOffset[input.rawValue]
        }
    }

    /// `outer × length × inner` around `axis` (the whole tensor when `nil`).
    private func setLines(_ i: inout Instruction, _ shape: Shape, axis: Int?) {
        guard let axis else {
            (i.outer, i.length, i.inner) = (1, shape.count, 1)
            return
        }
        i.outer = shape.dimensions[..<axis].reduce(1, *)
        i.length = shape[axis]
        i.inner = shape.dimensions[(axis + 1)...].reduce(1, *)
    }

    private mutating func encode(_ geometry: BroadcastGeometry) -> Int {
        counterCount = max(counterCount, geometry.rank)
        return geometry.encode(into: &metadata)
    }
}
