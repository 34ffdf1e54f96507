/// A model or guide as a flat, topologically ordered graph: the
/// intermediate representation every compiler pass reads.
///
/// Built only through ``IRBuilder``, which guarantees the invariants the
/// passes rely on: inputs precede their users, names are unique, plates
/// exist, and every node's plates and event shape are consistent with its
/// inputs.
public struct IRProgram: Sendable {
    public let name: String
    public let plates: [IRPlate]
    public let nodes: [IRNode]

    init(name: String, plates: [IRPlate], nodes: [IRNode]) {
        self.name = name
        self.plates = plates
        self.nodes = nodes
    }

    public subscript(id: IRNodeID) -> IRNode { nodes[id.index] }
    public subscript(plate id: PlateID) -> IRPlate { plates[id.index] }

    /// The node with a given name (site, observation, factor, parameter or data).
    public func node(named name: String) -> IRNode? {
        nodes.first { $0.name == name }
    }

    /// Latent sites, in program order.
    public var latentSites: [IRNode] {
        nodes.filter { if case .latent = $0.kind { return true } else { return false } }
    }

    /// Parameters, in program order.
    public var parameters: [IRNode] {
        nodes.filter { if case .parameter = $0.kind { return true } else { return false } }
    }

    /// The full shape of a node's value: plate sizes, then event shape.
    public func fullShape(of node: IRNode) -> [Int] {
        node.plates.map { plates[$0.index].size } + node.eventShape
    }

    /// For each node, the nodes that use it as an input.
    public func users() -> [[IRNodeID]] {
        var users = Array(repeating: [IRNodeID](), count: nodes.count)
        for node in nodes {
            for input in node.inputs { users[input.index].append(node.id) }
        }
        return users
    }
}
