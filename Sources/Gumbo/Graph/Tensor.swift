/// A typed handle to one node of a graph under construction: what
/// ``GraphBuilder`` methods take and return.
///
/// A tensor carries its node's position, static shape and element type, so
/// code that builds a graph can read shapes without asking the builder. It
/// is only meaningful with the builder (and the ``Graph``) that made it.
public struct Tensor: Hashable, Sendable, CustomStringConvertible {
    /// The node's position in the graph's topological order.
    public let id: NodeID
    public let shape: Shape
    public let elementType: ElementType

    public init(id: NodeID, shape: Shape, elementType: ElementType) {
        self.id = id
        self.shape = shape
        self.elementType = elementType
    }

    /// `%3 [1000, 3]`.
    public var description: String {
        "\(id) \(shape)" + (elementType == .index ? " index" : "")
    }
}

/// The position of a node in a graph. Nodes are numbered in the order they
/// were added, which is a topological order: a node's inputs have smaller
/// identifiers.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(_ rawValue: Int) {
        self.rawValue = rawValue
    }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// `%3`.
    public var description: String { "%\(rawValue)" }
}
