/// A finished computation graph: nodes in topological order, each with
/// explicit inputs, a static shape and an element type.
///
/// Made by ``GraphBuilder/build()``, which guarantees the invariants later
/// passes rely on: every input of a node comes earlier in ``nodes``, shapes
/// agree with each op's rule, and input names are unique. Compile it with
/// ``Plan/init(graph:outputs:gradients:)``.
public struct Graph: Hashable, Sendable {
    /// The nodes, in the order they were added (a topological order).
    public let nodes: [Node]

    init(nodes: [Node]) {
        self.nodes = nodes
    }

    /// The node a handle refers to.
    public subscript(tensor: Tensor) -> Node {
        nodes[tensor.id.rawValue]
    }

    public subscript(id: NodeID) -> Node {
        nodes[id.rawValue]
    }

    /// The input nodes, in order of creation.
    public var inputs: [Node] {
        nodes.filter { if case .input = $0.op { return true } else { return false } }
    }

    /// The handle of the input called `name`, if there is one.
    public func input(named name: String) -> Tensor? {
        for node in nodes {
            if case .input(let inputName, _) = node.op, inputName == name { return node.tensor }
        }
        return nil
    }

    /// Whether `tensor` is a handle to a node of this graph (same position,
    /// shape and element type).
    public func contains(_ tensor: Tensor) -> Bool {
        let index = tensor.id.rawValue
        guard nodes.indices.contains(index) else { return false }
        let node = nodes[index]
        return node.shape == tensor.shape && node.elementType == tensor.elementType
    }
}
