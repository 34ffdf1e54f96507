/// A plan that cannot be compiled, or a request a compiled plan cannot
/// serve. Each description names the tensor and says what to do.
public enum PlanError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A handle that is not a node of the plan's graph.
    case unknownTensor(Tensor)
    /// A plan needs at least one output.
    case noOutputs
    /// A gradient was requested for an index tensor, which has none.
    case gradientOfIndexTensor(Tensor)
    /// The loss (the first output) is an index tensor but gradients were
    /// requested.
    case indexLoss(Tensor)
    /// The tensor's value is not computed by this plan: it is neither an
    /// input nor needed for an output.
    case notComputed(Tensor)
    /// The tensor is computed, but its storage is reused by later values
    /// in the forward pass (it is not an output, and the backward pass does
    /// not read it), so its value cannot be read afterwards.
    case notKept(Tensor)
    /// No gradient of this tensor was requested when the plan was compiled.
    case noGradient(Tensor)
    /// A value accessor for the wrong element type.
    case wrongElementType(Tensor, expected: ElementType)
    /// Values given for a tensor do not match its element count.
    case wrongValueCount(Tensor, expected: Int, given: Int)
    /// The plan's arenas could hold more elements than an instruction's
    /// 32-bit offsets address (``Instruction``): about `elements`.
    case tooLarge(elements: Int)

    public var description: String {
        switch self {
        case .unknownTensor(let tensor):
            return "plan: tensor \(tensor) is not a node of this plan's graph"
        case .noOutputs:
            return "plan: no outputs were given; pass at least the loss"
        case .gradientOfIndexTensor(let tensor):
            return "plan: a gradient was requested for index tensor \(tensor), which has none; request gradients of real tensors only"
        case .indexLoss(let tensor):
            return "plan: the loss \(tensor) (the first output) is an index tensor, which cannot be differentiated"
        case .notComputed(let tensor):
            return "plan: tensor \(tensor) is not computed by this plan; add it to the outputs when compiling"
        case .notKept(let tensor):
            return "plan: tensor \(tensor) is an intermediate value whose storage later values reuse; add it to the outputs when compiling to read it"
        case .noGradient(let tensor):
            return "plan: no gradient of \(tensor) was requested; add it to the gradients when compiling"
        case .wrongElementType(let tensor, let expected):
            let kind = expected == .real ? "a real" : "an index"
            return "plan: tensor \(tensor) is not \(kind) tensor; use the \(expected == .real ? "indices" : "values") accessors for it"
        case .wrongValueCount(let tensor, let expected, let given):
            return "plan: tensor \(tensor) holds \(expected) values, but \(given) were given"
        case .tooLarge(let elements):
            return "plan: its tensors would hold up to \(elements) values, more than the \(Int32.max) a plan addresses "
                + "(\(elements / 134_217_728) GiB of doubles); compute on fewer data points or particles at a time"
        }
    }
}
