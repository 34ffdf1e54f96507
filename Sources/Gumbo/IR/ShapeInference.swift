/// The typing rules of ``IROperation``: for each operation, the plates,
/// event shape and value type of its result, or a ``ModelError`` naming the
/// operation and the shapes that do not fit.
enum ShapeInference {
    /// NumPy broadcasting of two shapes (right-aligned; a 1 stretches).
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if x == y || y == 1 { result[i] = x } else if x == 1 { result[i] = y } else { return nil }
        }
        return result
    }

    /// The union of the inputs' plates, in plate-table order.
    static func unionPlates(_ inputs: [IRNode]) -> [PlateID] {
        Array(Set(inputs.flatMap(\.plates))).sorted()
    }

    static func infer(_ op: IROperation, _ inputs: [IRNode], plateTable: [IRPlate])
        throws -> (plates: [PlateID], eventShape: [Int], valueType: ValueType) {
        func fail(_ message: String) -> ModelError {
            ModelError(.shapeMismatch, subject: op.description,
                "\(message) (input shapes: \(inputs.map { "\($0.eventShape)" }.joined(separator: ", ")))")
        }
        func requireArity(_ n: Int) throws {
            guard inputs.count == n else { throw fail("expects \(n) input\(n == 1 ? "" : "s"), got \(inputs.count)") }
        }
        func requireReal(_ indices: Range<Int>) throws {
            for i in indices where inputs[i].valueType != .real {
                throw ModelError(.typeMismatch, subject: op.description,
                    "input \(i) is \(inputs[i].valueType), but \(op) needs real values; convert a discrete value with asReal or oneHot")
            }
        }
        func normalizedAxis(_ axis: Int, rank: Int) throws -> Int {
            let a = axis < 0 ? axis + rank : axis
            guard a >= 0, a < rank else { throw fail("axis \(axis) is out of range for rank \(rank)") }
            return a
        }
        let plates = unionPlates(inputs)

        switch op {
        case .negate, .exp, .log, .log1p, .expm1, .softplus, .sigmoid, .logSigmoid, .tanh, .relu, .square, .sqrt:
            try requireArity(1); try requireReal(0..<1)
            return (plates, inputs[0].eventShape, .real)

        case .add, .subtract, .multiply, .divide:
            try requireArity(2); try requireReal(0..<2)
            guard let shape = broadcast(inputs[0].eventShape, inputs[1].eventShape) else {
                throw fail("shapes do not broadcast")
            }
            return (plates, shape, .real)

        case .sum(let axis), .mean(let axis):
            try requireArity(1); try requireReal(0..<1)
            guard let axis else { return (plates, [], .real) }
            var shape = inputs[0].eventShape
            shape.remove(at: try normalizedAxis(axis, rank: shape.count))
            return (plates, shape, .real)

        case .logSumExp(let axis):
            try requireArity(1); try requireReal(0..<1)
            var shape = inputs[0].eventShape
            shape.remove(at: try normalizedAxis(axis, rank: shape.count))
            return (plates, shape, .real)

        case .softmax(let axis), .logSoftmax(let axis):
            try requireArity(1); try requireReal(0..<1)
            _ = try normalizedAxis(axis, rank: inputs[0].eventShape.count)
            return (plates, inputs[0].eventShape, .real)

        case .dot:
            try requireArity(2); try requireReal(0..<2)
            guard !inputs[0].eventShape.isEmpty, !inputs[1].eventShape.isEmpty,
                  var shape = broadcast(inputs[0].eventShape, inputs[1].eventShape) else {
                throw fail("dot needs two vectors of the same length")
            }
            guard inputs[0].eventShape.last == inputs[1].eventShape.last else {
                throw fail("dot needs the same length on the last axis")
            }
            shape.removeLast()
            return (plates, shape, .real)

        case .matmul:
            try requireArity(2); try requireReal(0..<2)
            let a = inputs[0].eventShape, b = inputs[1].eventShape
            guard b.count == 2, let n = a.last, n == b[0] else {
                throw fail("matmul needs a [..., n] value and an [n, m] matrix")
            }
            return (plates, Array(a.dropLast()) + [b[1]], .real)

        case .gather:
            try requireArity(2); try requireReal(0..<1)
            let table = inputs[0], index = inputs[1]
            guard let classes = index.valueType.classCount else {
                throw ModelError(.typeMismatch, subject: op.description, "a table is indexed by a discrete value, but the index is real")
            }
            guard index.eventShape.isEmpty else {
                throw fail("the index must be one discrete value per plate element (event shape [])")
            }
            guard let first = table.eventShape.first, first == classes else {
                throw fail("the table's first axis must have one entry per class (\(classes))")
            }
            return (plates, Array(table.eventShape.dropFirst()), .real)

        case .oneHot:
            try requireArity(1)
            guard let classes = inputs[0].valueType.classCount else {
                throw ModelError(.typeMismatch, subject: op.description, "oneHot needs a discrete value")
            }
            return (plates, inputs[0].eventShape + [classes], .real)

        case .asReal, .opaque:
            try requireArity(1)
            guard inputs[0].valueType.isDiscrete else {
                throw ModelError(.typeMismatch, subject: op.description, "\(op) needs a discrete value")
            }
            return (plates, inputs[0].eventShape, .real)

        case .choose:
            try requireArity(3); try requireReal(1..<3)
            guard inputs[0].valueType == .discrete(classes: 2) else {
                throw ModelError(.typeMismatch, subject: op.description, "choose needs a Bernoulli (two-class) condition")
            }
            guard let a = broadcast(inputs[1].eventShape, inputs[2].eventShape),
                  let shape = broadcast(inputs[0].eventShape, a) else {
                throw fail("condition and branches do not broadcast")
            }
            return (plates, shape, .real)

        case .plateIndex(let plate):
            try requireArity(1)
            guard plate.index < plateTable.count else {
                throw ModelError(.unknownPlate, subject: op.description, "plate \(plate) is not declared")
            }
            let node = inputs[0]
            let size = plateTable[plate.index].size
            guard !node.plates.contains(plate) else {
                throw ModelError(.plateIndexMisuse, subject: op.description,
                    "the value is already inside plate '\(plateTable[plate.index].name)'; index it only once")
            }
            guard node.eventShape.first == size else {
                throw ModelError(.plateIndexMisuse, subject: op.description,
                    "indexing by plate '\(plateTable[plate.index].name)' needs a first axis of its size \(size), got shape \(node.eventShape)")
            }
            return ((node.plates + [plate]).sorted(), Array(node.eventShape.dropFirst()), node.valueType)

        case .unplate(let plate):
            try requireArity(1)
            let node = inputs[0]
            guard node.plates.contains(plate) else {
                throw ModelError(.plateIndexMisuse, subject: op.description, "the value is not inside plate \(plate)")
            }
            return (node.plates.filter { $0 != plate }, [plateTable[plate.index].size] + node.eventShape, node.valueType)

        case .concat(let axis):
            guard !inputs.isEmpty else { throw fail("concat needs at least one input") }
            try requireReal(0..<inputs.count)
            let rank = inputs[0].eventShape.count
            let a = try normalizedAxis(axis, rank: rank)
            var shape = inputs[0].eventShape
            for other in inputs.dropFirst() {
                var s = other.eventShape
                guard s.count == rank else { throw fail("concat needs inputs of equal rank") }
                shape[a] += s[a]
                s[a] = inputs[0].eventShape[a]
                guard s == inputs[0].eventShape else { throw fail("concat needs equal shapes off the axis") }
            }
            return (plates, shape, .real)

        case .reshape(let shape):
            try requireArity(1)
            guard shape.allSatisfy({ $0 > 0 }), shape.reduce(1, *) == inputs[0].eventSize else {
                throw fail("cannot reshape \(inputs[0].eventSize) elements to \(shape)")
            }
            return (plates, shape, inputs[0].valueType)
        }
    }
}
