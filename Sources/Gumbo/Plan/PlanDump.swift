/// A text dump of a compiled plan: arena sizes, where every computed value
/// and gradient lives, and both instruction lists. Stable enough for golden
/// tests; offsets are arena element indices.
///
///     plan: 3 forward instructions, 3 backward; arenas: 16 values, 13 gradients, 0 indices
///     slots:
///       %0 [3, 1] input "x" (data): value @0
///       %1 [2] input "mu" (parameter): value @3, gradient @0
///       …
///     forward:
///       %3 = subtract %0, %1 : broadcast [3, 2], strides [1, 0] [0, 1]
///     backward (seed ∂%5 = 1; zero @0+2):
///       ∂%3 → add ∂%1 : subtract
extension Plan: CustomStringConvertible {
    public var description: String {
        let l = lowering
        var lines: [String] = []
        lines.append("plan: \(forwardInstructionCount) forward instructions, \(backwardInstructionCount) backward; "
            + "arenas: \(valueCount) values, \(gradientCount) gradients, \(indexCount) indices")
        lines.append("slots:")
        for node in l.graph.nodes where l.valueOffset[node.id.rawValue] >= 0 {
            let id = node.id.rawValue
            var line = "  \(node.id) \(node.shape) \(node.op)"
            if !node.inputs.isEmpty { line += " " + node.inputs.map(\.description).joined(separator: ", ") }
            let arena = node.elementType == .index ? "index" : "value"
            line += ": \(arena) @\(l.valueOffset[id])"
            if l.storageOwner[id] != id { line += " (shares %\(l.storageOwner[id]))" }
            if l.gradientOffset[id] >= 0 { line += ", gradient @\(l.gradientOffset[id])" }
            if l.gradientOwner[id] != id { line += " (shares ∂%\(l.gradientOwner[id]))" }
            lines.append(line)
        }
        lines.append("forward:")
        for index in l.forwardOrder {
            lines.append("  " + forwardLine(l.instructions[index]))
        }
        let zeroed = l.zeroRanges.map { "@\($0.offset)+\($0.count)" }
        lines.append("backward (seed ∂\(l.loss.id) = 1; zero " + (zeroed.isEmpty ? "nothing" : zeroed.joined(separator: ", ")) + "):")
        for index in l.backwardOrder {
            lines.append("  " + backwardLine(index))
        }
        return lines.joined(separator: "\n")
    }

    private func forwardLine(_ i: Instruction) -> String {
        let node = lowering.graph.nodes[i.node]
        var line = "\(node.id) = \(node.op) " + node.inputs.map(\.description).joined(separator: ", ")
        switch i.opcode {
        case .contraction:
            line += " : contracting \(i.length), broadcast " + geometryText(i.geometry, operands: 2)
        case .selection:
            line += " : selecting 1 of \(i.length) by constant %\(node.inputs[i.batch].rawValue), broadcast "
                + geometryText(i.geometry, operands: 2)
        case .binary, .gather, .elementwiseDensity:
            line += " : broadcast " + geometryText(i.geometry, operands: node.inputs.count)
        case .vectorDensity, .categoricalInverseCDF:
            line += " : \(i.length) classes, broadcast " + geometryText(i.geometry, operands: node.inputs.count)
        case .sum, .mean, .logSumExp, .softmax, .logSoftmax, .argmax, .oneHotArgmax:
            line += " : lines \(i.outer)×\(i.length)×\(i.inner)"
        case .enumeratedExpectation:
            line += " : \(i.outer) × [\(i.inner)×\(i.length)], x stride \(i.batchStride0), t stride \(i.batchStride1)"
        case .logSigmoidPair:
            line += " : log σ(−x), log σ(x) fused"
        case .bernoulliDivergence:
            line += " : \(i.constant0 < 0 ? "−" : "")KL(Bernoulli(σ(x)) ‖ exp L) fused, broadcast " + geometryText(i.geometry, operands: 2)
        case .bernoulliLogLikelihood:
            line += i.constant0 == 1 ? " : (1 − v) log σ(−x) + v log σ(x) fused" : " : W₀ log σ(−x) + W₁ log σ(x) fused"
        case .biasedRelu:
            line += " : max(a + b, 0) fused, \(i.outer) rows of \(i.inner)"
        case .matmul:
            line += " : \(i.batch)×[\(i.outer)×\(i.length)]·[\(i.length)×\(i.inner)]"
        case .singlePrecisionMatmul:
            line += " : \(i.batch)×[\(i.outer)×\(i.length)]·[\(i.length)×\(i.inner)] in Float"
        default:
            break
        }
        if i.auxiliary >= 0 {
            switch i.opcode {
            case .logSigmoidPair: line += ", σ(x), σ(−x) saved @\(i.auxiliary)"
            case .bernoulliDivergence: line += ", ∂KL/∂x saved @\(i.auxiliary)"
            case .bernoulliLogLikelihood: line += ", ∂y/∂x saved @\(i.auxiliary)"
            case .matmul: line += ", dense flags @\(i.auxiliary)"
            case .singlePrecisionMatmul: line += ", Float panel, copies and dense flags @\(i.auxiliary)"
            default: line += ", weights @\(i.auxiliary)"
            }
        }
        return line
    }

    /// `∂%8 → set ∂%6, add ∂%7 : add`: each gradient written, overwritten
    /// (`set`, its first and dense write) or accumulated (`add`).
    private func backwardLine(_ index: Int) -> String {
        let node = lowering.graph.nodes[lowering.instructions[index].node]
        let targets = lowering.gradientWrites[index].map { "\($0.overwrite ? "set" : "add") ∂%\($0.node)" }
        let instruction = lowering.instructions[index]
        var line = "∂\(node.id) → " + targets.joined(separator: ", ") + " : \(node.op)"
        if instruction.companionGradient >= 0,
           let softmax = lowering.graph.nodes.first(where: { lowering.gradientOffset[$0.id.rawValue] == instruction.companionGradient }) {
            line += " and ∂\(softmax.id)'s softmax"
        }
        return line
    }

    /// `[3, 2], strides [1, 0] [0, 1]`: collapsed extents and each operand's strides.
    private func geometryText(_ offset: Int, operands: Int) -> String {
        let metadata = lowering.metadata
        let rank = metadata[offset]
        let extents = Array(metadata[(offset + 1)...(offset + rank)])
        var text = "\(Shape(extents)), strides"
        for k in 0..<min(operands, BroadcastGeometry.operandSlots) {
            let start = offset + 1 + rank + k * rank
            text += " \(Shape(Array(metadata[start..<(start + rank)])))"
        }
        return text
    }
}
