/// A graph that cannot be built as asked. Every case names the operation
/// and the shapes involved, and its ``description`` says what is wrong.
///
///     do { _ = try builder.add(a, b) }
///     catch { print(error) }
///     // add: cannot broadcast shapes [2, 3] and [4] (axis 1: 3 vs 4)
public enum GraphError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The operands' shapes do not fit the operation's rule.
    case incompatibleShapes(operation: String, shapes: [Shape], reason: String)
    /// An axis outside `-rank..<rank` of the operand's shape.
    case invalidAxis(operation: String, axis: Int, shape: Shape)
    /// A real tensor where an index tensor belongs, or the reverse.
    case wrongElementType(operation: String, operand: String, expected: ElementType, shape: Shape)
    /// A handle that does not belong to this builder's graph.
    case unknownTensor(operation: String, tensor: Tensor)
    /// Two inputs with the same name.
    case duplicateInputName(String)
    /// Any other invalid argument (a non-positive dimension, a value count
    /// that does not match the shape).
    case invalidArgument(operation: String, message: String)

    public var description: String {
        switch self {
        case .incompatibleShapes(let operation, let shapes, let reason):
            let list = shapes.map(\.description)
            let joined = list.count == 2 ? "\(list[0]) and \(list[1])" : list.joined(separator: ", ")
            return "\(operation): incompatible shapes \(joined): \(reason)"
        case .invalidAxis(let operation, let axis, let shape):
            return "\(operation): axis \(axis) is out of range for shape \(shape) (rank \(shape.rank)); use -\(max(shape.rank, 1))..<\(shape.rank)"
        case .wrongElementType(let operation, let operand, let expected, let shape):
            let found = expected == .real ? "an index" : "a real"
            let wanted = expected == .real ? "a real" : "an index"
            return "\(operation): \(operand) must be \(wanted) tensor, but \(found) tensor of shape \(shape) was given"
        case .unknownTensor(let operation, let tensor):
            return "\(operation): tensor \(tensor) does not belong to this graph; build every tensor with the same GraphBuilder"
        case .duplicateInputName(let name):
            return "input: an input named \"\(name)\" already exists; input names must be unique"
        case .invalidArgument(let operation, let message):
            return "\(operation): \(message)"
        }
    }
}
