/// Text dumps of graphs: one line per node, stable enough for golden tests.
///
///     %0 = input "x" (data) : [3, 1]
///     %1 = input "mu" (parameter) : [2]
///     %2 = subtract %0, %1 : [3, 2]
///     %3 = logSumExp(axis: 1) %2 : [3]
extension Graph: CustomStringConvertible {
    public var description: String {
        nodes.map(\.description).joined(separator: "\n")
    }
}

extension Node: CustomStringConvertible {
    /// `%2 = subtract %0, %1 : [3, 2]`; index tensors end in `index`.
    public var description: String {
        var line = "\(id) = \(op)"
        if !inputs.isEmpty {
            line += " " + inputs.map(\.description).joined(separator: ", ")
        }
        line += " : \(shape)"
        if elementType == .index { line += " index" }
        return line
    }
}

extension Op: CustomStringConvertible {
    /// The op's name and its parameters, as in a graph dump:
    /// `logSumExp(axis: 1)`, `input "x" (data)`, `constant [1.0, 2.0]`.
    public var description: String {
        switch self {
        case .input(let name, let role): return "input \"\(name)\" (\(role))"
        case .constant(let values): return "constant " + Op.list(values.map(\.description))
        case .indexConstant(let values): return "indexConstant " + Op.list(values.map(\.description))
        case .unary(let function): return function.rawValue
        case .power(let exponent): return "power(\(exponent))"
        case .clamp(let lower, let upper): return "clamp(\(lower), \(upper))"
        case .binary(let op): return op.rawValue
        case .sum(let axis): return axis.map { "sum(axis: \($0))" } ?? "sum"
        case .mean(let axis): return axis.map { "mean(axis: \($0))" } ?? "mean"
        case .logSumExp(let axis): return "logSumExp(axis: \(axis))"
        case .softmax(let axis): return "softmax(axis: \(axis))"
        case .logSoftmax(let axis): return "logSoftmax(axis: \(axis))"
        case .enumeratedExpectation(let weight): return "enumeratedExpectation(entropyWeight: \(weight))"
        case .matmul(.double): return "matmul"
        case .matmul(let precision): return "matmul(precision: \(precision))"
        case .gather(let axis): return "gather(axis: \(axis))"
        case .concat(let axis): return "concat(axis: \(axis))"
        case .reshape: return "reshape"
        case .detach: return "detach"
        case .straightThrough: return "straightThrough"
        case .oneHotArgmax(let axis): return "oneHotArgmax(axis: \(axis))"
        case .argmax(let axis): return "argmax(axis: \(axis))"
        case .step: return "step"
        case .categoricalInverseCDF: return "categoricalInverseCDF"
        case .oneHot(let classes): return "oneHot(classes: \(classes))"
        case .logProb(let density): return "logProb(\(density))"
        case .klDivergence(let divergence): return "klDivergence(\(divergence))"
        case .hardConcreteGate(let lower, let upper): return "hardConcreteGate(\(lower), \(upper))"
        case .hardConcreteProbabilityNonzero(let lower, let upper): return "hardConcreteProbabilityNonzero(\(lower), \(upper))"
        }
    }

    /// A scalar prints bare; longer lists print their first four values.
    private static func list(_ items: [String]) -> String {
        if items.count == 1 { return items[0] }
        if items.count <= 4 { return "[" + items.joined(separator: ", ") + "]" }
        return "[" + items.prefix(4).joined(separator: ", ") + ", … (\(items.count) values)]"
    }
}
