/// The position of a node in an ``IRProgram``; nodes are numbered in
/// topological order, so every input's ID is smaller than its user's.
public struct IRNodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: IRNodeID, b: IRNodeID) -> Bool { a.index < b.index }
    public var description: String { "%\(index)" }
}

/// One node of the IR: what it is, its inputs, and its type.
///
/// A node's value is a tensor of shape `plates.map(size) + eventShape`:
/// the batch axes of the plates it lies in (in plate-table order), then
/// its event axes. Sites, observations and factors carry their names.
public struct IRNode: Sendable {
    public let id: IRNodeID
    public let kind: Kind
    public let inputs: [IRNodeID]
    /// The plates the node lies in, in plate-table order.
    public let plates: [PlateID]
    public let eventShape: [Int]
    public let valueType: ValueType

    public enum Kind: Sendable {
        /// A fixed tensor written in the model (e.g. `0.2`, `[1/3, 1/3, 1/3]`).
        case constant([Double])
        /// A named data tensor that is not observed: covariates such as a
        /// design matrix.
        case data(name: String, values: [Double])
        /// A learnable parameter; `initial` is in the constrained space.
        case parameter(name: String, initial: [Double], constraint: Constraint)
        /// A latent random choice; inputs are the distribution's parameters
        /// in ``DistributionFamily/parameterNames`` order.
        case latent(name: String, family: DistributionFamily, estimator: Estimator?)
        /// An observed random choice with its data; inputs as for `latent`.
        case observed(name: String, family: DistributionFamily, values: [Double])
        /// An extra term `log w` added to the log joint; input `[logWeight]`.
        case factor(name: String)
        /// A deterministic function of the inputs.
        case operation(IROperation)
    }

    /// The name of a site, observation, factor, parameter or data node.
    public var name: String? {
        switch kind {
        case .data(let name, _), .parameter(let name, _, _), .latent(let name, _, _),
             .observed(let name, _, _), .factor(let name):
            return name
        case .constant, .operation:
            return nil
        }
    }

    /// Whether the node adds a log-probability term to the log joint.
    public var isTerm: Bool {
        switch kind {
        case .latent, .observed, .factor: return true
        default: return false
        }
    }

    /// The number of elements in one batch element (the event shape's size).
    public var eventSize: Int { eventShape.reduce(1, *) }
}
