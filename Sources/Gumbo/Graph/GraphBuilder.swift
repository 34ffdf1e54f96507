/// Builds a ``Graph`` node by node, checking shapes as it goes.
///
/// Every method appends one node (a few convenience methods append more)
/// and returns its ``Tensor`` handle. A method whose operands do not fit
/// throws a ``GraphError`` naming the operation and the shapes, and leaves
/// the builder unchanged. Because a node can only be made from handles that
/// already exist, the nodes come out in topological order.
///
///     var builder = GraphBuilder()
///     let x = try builder.input("x", shape: [1000, 1])
///     let mu = try builder.input("mu", shape: [3], role: .parameter)
///     let d = try builder.subtract(x, mu)               // [1000, 3]
///     let loss = try builder.sum(builder.square(d))     // []
///     let graph = builder.build()
public struct GraphBuilder: Sendable {
    /// The nodes added so far, in order.
    public private(set) var nodes: [Node] = []
    private var inputNames: Set<String> = []

    public init() {}

    /// The graph of every node added so far.
    public func build() -> Graph {
        Graph(nodes: nodes)
    }

    // MARK: Leaves

    /// An input written into the plan before each forward pass.
    ///
    /// Inputs with role ``InputRole/index`` hold category indices
    /// (``ElementType/index``); every other role holds reals.
    /// - Throws: ``GraphError`` when the name is taken or a dimension is not
    ///   positive.
    public mutating func input(_ name: String, shape: Shape, role: InputRole = .data) throws -> Tensor {
        try checkDimensions(shape, operation: "input \"\(name)\"")
        guard !inputNames.contains(name) else { throw GraphError.duplicateInputName(name) }
        inputNames.insert(name)
        return append(.input(name: name, role: role), [], shape, role == .index ? .index : .real)
    }

    /// A learned input: ``input(_:shape:role:)`` with role
    /// ``InputRole/parameter``.
    public mutating func parameter(_ name: String, shape: Shape) throws -> Tensor {
        try input(name, shape: shape, role: .parameter)
    }

    /// A real scalar constant.
    public mutating func constant(_ value: Double) -> Tensor {
        append(.constant([value]), [], .scalar, .real)
    }

    /// A real constant of the given shape, values in row-major order.
    public mutating func constant(_ values: [Double], shape: Shape) throws -> Tensor {
        try checkDimensions(shape, operation: "constant")
        guard values.count == shape.count else {
            throw GraphError.invalidArgument(
                operation: "constant",
                message: "\(values.count) values given for shape \(shape), which holds \(shape.count)")
        }
        return append(.constant(values), [], shape, .real)
    }

    /// A constant index tensor of the given shape, values in row-major order.
    public mutating func indexConstant(_ values: [Int], shape: Shape) throws -> Tensor {
        try checkDimensions(shape, operation: "indexConstant")
        guard values.count == shape.count else {
            throw GraphError.invalidArgument(
                operation: "indexConstant",
                message: "\(values.count) values given for shape \(shape), which holds \(shape.count)")
        }
        if let bad = values.first(where: { $0 < 0 || $0 > Int(Int32.max) }) {
            throw GraphError.invalidArgument(operation: "indexConstant", message: "index \(bad) is negative or does not fit in Int32")
        }
        return append(.indexConstant(values.map { Int32($0) }), [], shape, .index)
    }

    // MARK: Checks shared by the operation families

    /// Appends a node whose operands have been checked.
    @discardableResult
    mutating func append(_ op: Op, _ inputs: [Tensor], _ shape: Shape, _ elementType: ElementType) -> Tensor {
        let node = Node(id: NodeID(nodes.count), op: op, inputs: inputs.map(\.id), shape: shape, elementType: elementType)
        nodes.append(node)
        return node.tensor
    }

    /// Throws unless `tensor` is a node of this builder.
    func check(_ tensor: Tensor, operation: String) throws {
        let index = tensor.id.rawValue
        guard nodes.indices.contains(index),
              nodes[index].shape == tensor.shape,
              nodes[index].elementType == tensor.elementType
        else { throw GraphError.unknownTensor(operation: operation, tensor: tensor) }
    }

    /// Throws unless `tensor` is a real node of this builder.
    func checkReal(_ tensor: Tensor, operation: String, operand: String = "the operand") throws {
        try check(tensor, operation: operation)
        guard tensor.elementType == .real else {
            throw GraphError.wrongElementType(operation: operation, operand: operand, expected: .real, shape: tensor.shape)
        }
    }

    /// Throws unless `tensor` is an index node of this builder.
    func checkIndex(_ tensor: Tensor, operation: String, operand: String = "the indices") throws {
        try check(tensor, operation: operation)
        guard tensor.elementType == .index else {
            throw GraphError.wrongElementType(operation: operation, operand: operand, expected: .index, shape: tensor.shape)
        }
    }

    /// The normalized axis, or a ``GraphError/invalidAxis(operation:axis:shape:)``.
    func axis(_ axis: Int, of shape: Shape, operation: String) throws -> Int {
        guard let normalized = shape.normalizedAxis(axis) else {
            throw GraphError.invalidAxis(operation: operation, axis: axis, shape: shape)
        }
        return normalized
    }

    /// The broadcast of two shapes, or an error naming the conflicting axis.
    func broadcast(_ a: Shape, _ b: Shape, operation: String) throws -> Shape {
        if let shape = Shape.broadcast(a, b) { return shape }
        let conflict = Shape.firstConflict(a, b)!
        throw GraphError.incompatibleShapes(
            operation: operation, shapes: [a, b],
            reason: "cannot broadcast (axis \(conflict.axis) of the result: \(conflict.a) vs \(conflict.b); dimensions must be equal or 1)")
    }

    func checkDimensions(_ shape: Shape, operation: String) throws {
        guard shape.dimensions.allSatisfy({ $0 > 0 }) else {
            throw GraphError.invalidArgument(operation: operation, message: "shape \(shape) has a dimension that is not positive")
        }
    }
}
