/// A deterministic operation in the IR. Shapes are event shapes: the plate
/// (batch) dimensions of a node are tracked separately, and every operation
/// broadcasts over them.
public enum IROperation: Sendable, CustomStringConvertible {
    // MARK: Elementwise, one input
    case negate, exp, log, log1p, expm1, softplus, sigmoid, logSigmoid, tanh, relu, square, sqrt
    // MARK: Elementwise, two inputs, with NumPy broadcasting of event shapes
    case add, subtract, multiply, divide
    // MARK: Reductions over an event axis (`nil`: all event axes)
    case sum(axis: Int?)
    case mean(axis: Int?)
    /// `log Σ exp` over an event axis.
    case logSumExp(axis: Int)
    case softmax(axis: Int)
    case logSoftmax(axis: Int)
    /// `Σ_j a_j b_j` over the last event axis.
    case dot
    /// `a · B`: the last axis of `a` against a matrix `B` (event shape `[n, m]`).
    case matmul
    // MARK: Discrete values
    /// `table[index]`: selects along the first event axis of the table by a
    /// discrete value with as many classes. Relaxed: a soft selection
    /// `Σ_k w_k table[k]`.
    case gather
    /// The one-hot vector of a discrete value (a new trailing axis of length K).
    case oneHot
    /// A discrete value as the real number `k` (a Bernoulli outcome as 0 or 1).
    case asReal
    /// `condition ? ifTrue : ifFalse` for a Bernoulli condition. Relaxed:
    /// the convex mix `c·ifTrue + (1 − c)·ifFalse`.
    case choose
    /// A Swift function of a discrete value. Opaque: the compiler can
    /// neither relax nor differentiate it.
    case opaque(OpaqueFunction)
    // MARK: Plates
    /// `x[i]`: the first event axis of `x` becomes the plate's batch axis.
    case plateIndex(PlateID)
    /// The whole array of a batched value: the plate's batch axis becomes
    /// the first event axis.
    case unplate(PlateID)
    // MARK: Layout
    case concat(axis: Int)
    case reshape([Int])

    /// Whether the operation passes a relaxed discrete input on as a
    /// continuous function of it (the relaxability analysis asks this).
    public var acceptsRelaxedDiscreteInput: Bool {
        if case .opaque = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .negate: return "negate"
        case .exp: return "exp"
        case .log: return "log"
        case .log1p: return "log1p"
        case .expm1: return "expm1"
        case .softplus: return "softplus"
        case .sigmoid: return "sigmoid"
        case .logSigmoid: return "logSigmoid"
        case .tanh: return "tanh"
        case .relu: return "relu"
        case .square: return "square"
        case .sqrt: return "sqrt"
        case .add: return "add"
        case .subtract: return "subtract"
        case .multiply: return "multiply"
        case .divide: return "divide"
        case .sum(let axis): return axis.map { "sum(axis: \($0))" } ?? "sum"
        case .mean(let axis): return axis.map { "mean(axis: \($0))" } ?? "mean"
        case .logSumExp(let axis): return "logSumExp(axis: \(axis))"
        case .softmax(let axis): return "softmax(axis: \(axis))"
        case .logSoftmax(let axis): return "logSoftmax(axis: \(axis))"
        case .dot: return "dot"
        case .matmul: return "matmul"
        case .gather: return "gather"
        case .oneHot: return "oneHot"
        case .asReal: return "asReal"
        case .choose: return "choose"
        case .opaque(let f): return "opaque(\(f.name))"
        case .plateIndex(let p): return "plateIndex(\(p))"
        case .unplate(let p): return "unplate(\(p))"
        case .concat(let axis): return "concat(axis: \(axis))"
        case .reshape(let shape): return "reshape(\(shape))"
        }
    }
}

/// A named Swift function from a class index to a real number: the DSL's
/// escape hatch. The compiler treats it as opaque: a site whose value flows
/// into it can be enumerated or estimated by REINFORCE, never relaxed.
public struct OpaqueFunction: Sendable {
    public let name: String
    public let function: @Sendable (Int) -> Double

    public init(name: String, _ function: @escaping @Sendable (Int) -> Double) {
        self.name = name
        self.function = function
    }
}
