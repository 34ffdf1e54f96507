/// The two element types a tensor can have.
///
/// Real tensors hold `Double`s and are differentiable. Index tensors hold
/// `Int32` category indices (the value of a Categorical site, the positions
/// a ``Op/gather(axis:)`` reads); they live in a separate arena of the plan
/// and never carry a gradient.
public enum ElementType: String, Hashable, Sendable, CustomStringConvertible {
    case real
    case index

    public var description: String { rawValue }
}
