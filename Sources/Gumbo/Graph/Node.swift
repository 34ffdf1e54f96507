/// One operation of a graph: what it computes, from which earlier nodes, and
/// the static shape and element type of its result.
public struct Node: Hashable, Sendable {
    public let id: NodeID
    public let op: Op
    /// The nodes this one reads, in the order the op takes them; all have
    /// smaller identifiers than ``id``.
    public let inputs: [NodeID]
    public let shape: Shape
    public let elementType: ElementType

    public init(id: NodeID, op: Op, inputs: [NodeID], shape: Shape, elementType: ElementType) {
        self.id = id
        self.op = op
        self.inputs = inputs
        self.shape = shape
        self.elementType = elementType
    }

    /// The handle for this node's result.
    public var tensor: Tensor {
        Tensor(id: id, shape: shape, elementType: elementType)
    }

    /// Whether a gradient arriving at this node flows on to input `position`.
    ///
    /// False for index inputs, for the inputs of ``Op/detach`` and of the
    /// discrete helpers, for the `hard` side of ``Op/straightThrough``, and
    /// for the indices of ``Op/gather(axis:)``.
    public func isDifferentiable(input position: Int) -> Bool {
        switch op {
        case .input, .constant, .indexConstant:
            return false
        case .detach, .oneHotArgmax, .argmax, .step, .oneHot, .categoricalInverseCDF:
            return false
        case .straightThrough:
            return position == 1
        case .gather:
            return position == 0
        case .logProb(.categorical):
            return position == 1          // the logits, not the index
        case .hardConcreteGate:
            return position != 0          // the logit and temperature, not the noise
        case .logProb, .klDivergence, .hardConcreteProbabilityNonzero:
            return true
        case .unary, .power, .clamp, .binary, .sum, .mean, .logSumExp, .softmax, .logSoftmax,
             .enumeratedExpectation, .matmul, .concat, .reshape:
            return true
        }
    }
}
