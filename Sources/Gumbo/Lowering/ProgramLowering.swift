import Foundation

/// Lowers the nodes of IR programs into one ``GraphBuilder`` graph, in the
/// ``TensorLayout``: the shared machinery under the log-joint evaluator
/// and the ELBO builders.
///
/// Parameters are shared by name across the programs lowered into one
/// graph (Pyro's parameter store works the same way): each becomes one
/// unconstrained `.parameter` input and one constrained value.
struct ProgramLowering {
    var graph = GraphBuilder()
    let layout: TensorLayout
    /// Unconstrained parameter inputs by name, with their IR node.
    private(set) var parameters: [(name: String, input: Tensor, node: IRNode)] = []
    private var constrainedParameters: [String: LoweredValue] = [:]
    /// Index inputs holding each subsampled plate's minibatch, by layout plate.
    private(set) var subsampleIndices: [Int: Tensor] = [:]
    /// In a chunk of a threaded run, what it slices (``ChunkSlicing``).
    var chunk: ChunkSlicing?
    /// The arithmetic of every matrix product lowered (``MatrixPrecision``).
    var matrixPrecision: MatrixPrecision = .double
    /// Constants made by ``constant(_:eventShape:)``, so that indexing one
    /// by the chunk's plate can take the chunk's rows at compile time.
    private var constantData: [NodeID: [Double]] = [:]
    /// Sliced parameters' values: their first event axis holds just the
    /// chunk's rows, so indexing them by its plate needs no gather.
    private var chunkRows: Set<NodeID> = []

    init(layout: TensorLayout) {
        self.layout = layout
    }

    /// Lowers a program in order. `latent` gives the value of each latent
    /// site from its node and its lowered parameters.
    mutating func lower(_ program: IRProgram,
                        latent: (inout ProgramLowering, IRNode, [LoweredValue]) throws -> LoweredValue)
        throws -> [IRNodeID: LoweredValue] {
        var values: [IRNodeID: LoweredValue] = [:]
        let plateMap = try program.plates.map { plate -> Int in
            guard let index = layout.plateIndex(named: plate.name) else {
                throw ModelError(.guideMismatch, subject: plate.name, "the plate is not a plate of the model; use the model's plates in the guide")
            }
            return index
        }
        for node in program.nodes {
            let inputs = node.inputs.map { values[$0]! }
            let sitePlates = node.plates.map { plateMap[$0.index] }
            switch node.kind {
            case .constant(let data):
                values[node.id] = try constant(data, eventShape: node.eventShape)
            case .data(_, let data):
                values[node.id] = try constant(data, eventShape: node.eventShape)
            case .parameter(let name, _, _):
                values[node.id] = try parameter(name, node: node)
            case .latent:
                values[node.id] = try latent(&self, node, inputs)
            case .observed(_, let family, let data):
                values[node.id] = try observed(data, family: family, node: node, plates: sitePlates)
            case .factor:
                values[node.id] = try broadcast(inputs[0], toPlates: sitePlates)
            case .operation(let op):
                values[node.id] = try operation(op, inputs, node: node, program: program, plateMap: plateMap)
            }
        }
        return values
    }

    /// `value` with every axis of `plates` at its batch size: a factor's
    /// log-weight that reads nothing of a plate's element, repeated for
    /// each element (added to zeros of that shape).
    private mutating func broadcast(_ value: LoweredValue, toPlates plates: [Int]) throws -> LoweredValue {
        let target = layout.prefix(plates: plates)
        let dimensions = value.tensor.shape.dimensions
        guard (0..<layout.prefixRank).contains(where: { dimensions[$0] == 1 && target[$0] > 1 }) else { return value }
        let zeros = try graph.constant(Array(repeating: 0, count: target.reduce(1, *)),
                                       shape: Shape(target + Array(repeating: 1, count: dimensions.count - layout.prefixRank)))
        return LoweredValue(try graph.add(value.tensor, zeros), eventRank: value.eventRank)
    }

    // MARK: Leaves

    mutating func constant(_ data: [Double], eventShape: [Int]) throws -> LoweredValue {
        let tensor = try graph.constant(data, shape: Shape(layout.prefix() + eventShape))
        if chunk != nil { constantData[tensor.id] = data }
        return LoweredValue(tensor, eventRank: eventShape.count)
    }

    private mutating func parameter(_ name: String, node: IRNode) throws -> LoweredValue {
        if let existing = constrainedParameters[name] {
            let first = parameters.first { $0.name == name }!.node
            guard first.eventShape == node.eventShape else {
                throw ModelError(.duplicateName, subject: name,
                    "the parameter has shape \(first.eventShape) in one program and \(node.eventShape) in another; rename one")
            }
            return existing
        }
        guard case .parameter(_, _, let constraint) = node.kind else { fatalError("not a parameter") }
        var eventShape = node.eventShape
        let sliced = chunk?.slicedParameters.contains(name) == true
        if let chunk, sliced {
            // Only the chunk's rows: the first axis is indexed by its plate.
            eventShape[0] = layout.plates[chunk.plate].batchSize
        }
        let input = try graph.input(name, shape: Shape(eventShape), role: .parameter)
        var value: Tensor
        switch constraint {
        case .real: value = input
        case .positive: value = try graph.softplus(input)
        case .probability: value = try graph.sigmoid(input)
        case .simplex: value = try graph.softmax(input, axis: -1)
        }
        value = try graph.reshape(value, to: Shape(layout.prefix() + eventShape))
        if sliced { chunkRows.insert(value.id) }
        let lowered = LoweredValue(value, eventRank: node.eventShape.count)
        parameters.append((name, input, node))
        constrainedParameters[name] = lowered
        return lowered
    }

    /// Observed data laid out with its plates (gathered to the minibatch in
    /// subsampled plates); discrete data as one-hot weights.
    private mutating func observed(_ data: [Double], family: DistributionFamily, node: IRNode,
                                   plates sitePlates: [Int]) throws -> LoweredValue {
        var prefix = layout.prefix()
        for plate in sitePlates { prefix[layout.plateAxis(plate)] = layout.plates[plate].size }
        var data = data
        if let chunk, sitePlates.contains(chunk.plate) {
            // The chunk's elements of the data, taken now rather than gathered.
            let axis = layout.plateAxis(chunk.plate)
            let count = layout.plates[chunk.plate].batchSize
            let rowSize = prefix[(axis + 1)...].reduce(1, *) * node.eventShape.reduce(1, *)
            data = ChunkSlicing.rows(of: data, outer: prefix[..<axis].reduce(1, *), extent: prefix[axis], rowSize: rowSize,
                                     start: chunk.start, count: count)
            prefix[axis] = count
        }
        var tensor: Tensor
        if let classes = family.valueType.classCount {
            var weights = [Double](repeating: 0, count: data.count * classes)
            for (i, value) in data.enumerated() { weights[i * classes + Int(value)] = 1 }
            tensor = try graph.constant(weights, shape: Shape(prefix + node.eventShape + [classes]))
        } else {
            tensor = try graph.constant(data, shape: Shape(prefix + node.eventShape))
        }
        for plate in sitePlates where layout.plates[plate].subsampleSize != nil && plate != chunk?.plate {
            tensor = try subsample(tensor, plate: plate)
        }
        return LoweredValue(tensor, eventRank: node.eventShape.count, classes: family.valueType.classCount)
    }

    /// The minibatch of a tensor along a subsampled plate's axis.
    private mutating func subsample(_ tensor: Tensor, plate: Int) throws -> Tensor {
        let info = layout.plates[plate]
        let indices: Tensor
        if let existing = subsampleIndices[plate] {
            indices = existing
        } else {
            indices = try graph.input("subsample.\(info.name)", shape: [info.batchSize], role: .index)
            subsampleIndices[plate] = indices
        }
        var shape = Array(repeating: 1, count: tensor.rank)
        shape[layout.plateAxis(plate)] = info.batchSize
        return try graph.gather(tensor, indices: graph.reshape(indices, to: Shape(shape)), axis: layout.plateAxis(plate))
    }

    // MARK: Operations

    /// Reshapes a value so its event part has `rank` axes (1s inserted
    /// right after the prefix), for broadcasting against another value.
    mutating func aligned(_ value: LoweredValue, toEventRank rank: Int) throws -> Tensor {
        let own = value.eventRank + (value.classes == nil ? 0 : 1)
        guard own < rank else { return value.tensor }
        let shape = value.shape
        let prefix = Array(shape.prefix(layout.prefixRank))
        let event = Array(shape.dropFirst(layout.prefixRank))
        return try graph.reshape(value.tensor, to: Shape(prefix + Array(repeating: 1, count: rank - own) + event))
    }

    private mutating func operation(_ op: IROperation, _ inputs: [LoweredValue], node: IRNode,
                                    program: IRProgram, plateMap: [Int]) throws -> LoweredValue {
        let rank = node.eventShape.count
        let p = layout.prefixRank
        func real(_ tensor: Tensor) -> LoweredValue { LoweredValue(tensor, eventRank: rank) }
        func eventAxis(_ axis: Int, of value: LoweredValue) -> Int {
            p + (axis < 0 ? axis + value.eventRank : axis)
        }
        switch op {
        case .negate, .exp, .log, .log1p, .expm1, .softplus, .sigmoid, .logSigmoid, .tanh, .relu, .square, .sqrt:
            return real(try graph.unary(Self.unaryFunction(op), inputs[0].tensor))
        case .add, .subtract, .multiply, .divide:
            let a = try aligned(inputs[0], toEventRank: rank), b = try aligned(inputs[1], toEventRank: rank)
            return real(try graph.binary(Self.binaryOperator(op), a, b))
        case .sum(let axis), .mean(let axis):
            let isSum: Bool = { if case .sum = op { return true } else { return false } }()
            let x = inputs[0]
            if x.eventRank == 0 { return real(x.tensor) }
            if let axis {
                let a = eventAxis(axis, of: x)
                return real(isSum ? try graph.sum(x.tensor, axis: a) : try graph.mean(x.tensor, axis: a))
            }
            let flat = try graph.reshape(x.tensor, to: Shape(Array(x.shape.prefix(p)) + [x.shape.dropFirst(p).reduce(1, *)]))
            return real(isSum ? try graph.sum(flat, axis: -1) : try graph.mean(flat, axis: -1))
        case .logSumExp(let axis):
            return real(try graph.logSumExp(inputs[0].tensor, axis: eventAxis(axis, of: inputs[0])))
        case .softmax(let axis):
            return real(try graph.softmax(inputs[0].tensor, axis: eventAxis(axis, of: inputs[0])))
        case .logSoftmax(let axis):
            return real(try graph.logSoftmax(inputs[0].tensor, axis: eventAxis(axis, of: inputs[0])))
        case .dot:
            let r = max(inputs[0].eventRank, inputs[1].eventRank)
            let product = try graph.multiply(aligned(inputs[0], toEventRank: r), aligned(inputs[1], toEventRank: r))
            return real(try graph.sum(product, axis: -1))
        case .matmul:
            return real(try matmul(inputs[0], inputs[1]))
        case .gather:
            // Σ_k w_k · table[k]: the table's first event axis against the class axis.
            let table = inputs[0], weights = inputs[1]
            let rest = table.eventRank - 1
            var shape = weights.shape
            shape += Array(repeating: 1, count: rest)
            let w = try graph.reshape(weights.tensor, to: Shape(shape))
            return real(try graph.softSelect(table.tensor, weights: w, axis: p + weights.eventRank))
        case .oneHot:
            return LoweredValue(inputs[0].tensor, eventRank: rank)
        case .asReal:
            let k = inputs[0].classes!
            return real(try weighted(inputs[0], by: (0..<k).map(Double.init)))
        case .opaque(let function):
            let k = inputs[0].classes!
            return real(try weighted(inputs[0], by: (0..<k).map { function.function($0) }))
        case .choose:
            // b + w₁·(a − b), with w₁ the weight of class 1.
            let w1 = LoweredValue(try weighted(inputs[0], by: [0, 1]), eventRank: inputs[0].eventRank)
            let a = try aligned(inputs[1], toEventRank: rank), b = try aligned(inputs[2], toEventRank: rank)
            let difference = try graph.subtract(a, b)
            return real(try graph.add(b, graph.multiply(aligned(w1, toEventRank: rank), difference)))
        case .plateIndex(let plate):
            return try plateIndex(inputs[0], plate: plateMap[plate.index], node: node)
        case .unplate(let plate):
            return try unplate(inputs[0], plate: plateMap[plate.index], node: node)
        case .concat(let axis):
            let target = inputs.map(\.shape).reduce(inputs[0].shape) { result, shape in
                zip(result.prefix(p), shape.prefix(p)).map { max($0, $1) } + Array(result.dropFirst(p))
            }
            var parts: [Tensor] = []
            for input in inputs {
                if Array(input.shape.prefix(p)) == Array(target.prefix(p)) {
                    parts.append(input.tensor)
                } else {
                    let zeros = try graph.constant(Array(repeating: 0, count: target.prefix(p).reduce(1, *)),
                                                   shape: Shape(Array(target.prefix(p)) + Array(repeating: 1, count: input.eventRank)))
                    parts.append(try graph.add(input.tensor, zeros))
                }
            }
            return real(try graph.concat(parts, axis: eventAxis(axis, of: inputs[0])))
        case .reshape(let shape):
            let x = inputs[0]
            let classAxis = x.classes.map { [$0] } ?? []
            return LoweredValue(try graph.reshape(x.tensor, to: Shape(Array(x.shape.prefix(p)) + shape + classAxis)),
                                eventRank: shape.count, classes: x.classes)
        }
    }

    /// `Σ_k w_k · table_k` over the class axis, for a fixed table.
    mutating func weighted(_ value: LoweredValue, by table: [Double]) throws -> Tensor {
        let shape = Array(repeating: 1, count: value.tensor.rank - 1) + [table.count]
        let constant = try graph.constant(table, shape: Shape(shape))
        return try graph.softSelect(constant, weights: value.tensor, axis: -1)
    }

    /// `x · W`: `x` is `[prefix…, …, n]`, `W` an `[n, m]` matrix that does
    /// not vary by particle or plate.
    private mutating func matmul(_ x: LoweredValue, _ w: LoweredValue) throws -> Tensor {
        let p = layout.prefixRank
        guard w.shape.prefix(p).allSatisfy({ $0 == 1 }) else {
            throw ModelError(.unsupported, subject: "matmul",
                "the weight matrix varies by particle, plate or enumerated value; only a fixed (parameter or data) matrix is supported")
        }
        let n = w.shape[p], m = w.shape[p + 1]
        let matrix = try graph.reshape(w.tensor, to: [n, m])
        let rows = x.shape.dropLast().reduce(1, *)
        let flat = try graph.reshape(x.tensor, to: [rows, n])
        let product = try graph.matmul(flat, matrix, precision: matrixPrecision)
        return try graph.reshape(product, to: Shape(Array(x.shape.dropLast()) + [m]))
    }

    /// `x[i]`: the first event axis becomes the plate's batch axis (then,
    /// in a subsampled plate, the minibatch is gathered).
    private mutating func plateIndex(_ x: LoweredValue, plate: Int, node: IRNode) throws -> LoweredValue {
        let p = layout.prefixRank
        let axis = layout.plateAxis(plate)
        var shape = x.shape
        try checkNoInnerEnumeration(shape, after: axis)
        guard shape[axis] == 1, shape[(axis + 1)..<p].allSatisfy({ $0 == 1 }) else {
            throw ModelError(.unsupported, subject: layout.plates[plate].name,
                "indexing a value by this plate after it was batched over a later plate needs a transpose, which is not supported yet; index by the plates in declaration order")
        }
        let extent = shape.remove(at: p)
        shape[axis] = extent
        if let chunk, plate == chunk.plate, let data = constantData[x.tensor.id] {
            // A constant indexed by the chunk's plate: its rows, taken now.
            let count = layout.plates[plate].batchSize
            let rows = ChunkSlicing.rows(of: data, outer: 1, extent: extent, rowSize: x.shape.dropFirst(p + 1).reduce(1, *),
                                         start: chunk.start, count: count)
            shape[axis] = count
            return LoweredValue(try graph.constant(rows, shape: Shape(shape)), eventRank: x.eventRank - 1, classes: x.classes)
        }
        var tensor = try graph.reshape(x.tensor, to: Shape(shape))
        // A sliced parameter already holds just the chunk's rows.
        if layout.plates[plate].subsampleSize != nil && !(plate == chunk?.plate && chunkRows.contains(x.tensor.id)) {
            tensor = try subsample(tensor, plate: plate)
        }
        return LoweredValue(tensor, eventRank: x.eventRank - 1, classes: x.classes)
    }

    /// The whole array of a batched value: the plate's axis becomes the
    /// first event axis.
    private mutating func unplate(_ x: LoweredValue, plate: Int, node: IRNode) throws -> LoweredValue {
        let p = layout.prefixRank
        let axis = layout.plateAxis(plate)
        var shape = x.shape
        try checkNoInnerEnumeration(shape, after: axis)
        guard shape[(axis + 1)..<p].allSatisfy({ $0 == 1 }) else {
            throw ModelError(.unsupported, subject: layout.plates[plate].name,
                "using a value batched over this plate and a later one as a whole array needs a transpose, which is not supported yet")
        }
        let extent = shape[axis]
        shape[axis] = 1
        shape.insert(extent, at: p)
        return LoweredValue(try graph.reshape(x.tensor, to: Shape(shape)), eventRank: x.eventRank + 1, classes: x.classes)
    }

    /// Throws ``InnerEnumerationConflict`` when `shape` varies along an
    /// inner enumeration axis after `axis`: moving `axis` into the event
    /// would then need a transpose.
    private func checkNoInnerEnumeration(_ shape: [Int], after axis: Int) throws {
        for later in (axis + 1)..<layout.prefixRank where layout.isInnerEnumerationAxis(later) && shape[later] > 1 {
            throw InnerEnumerationConflict()
        }
    }

    static func unaryFunction(_ op: IROperation) -> UnaryFunction {
        switch op {
        case .negate: return .negate
        case .exp: return .exp
        case .log: return .log
        case .log1p: return .log1p
        case .expm1: return .expm1
        case .softplus: return .softplus
        case .sigmoid: return .sigmoid
        case .logSigmoid: return .logSigmoid
        case .tanh: return .tanh
        case .relu: return .relu
        case .square: return .square
        default: return .sqrt
        }
    }

    static func binaryOperator(_ op: IROperation) -> BinaryOperator {
        switch op {
        case .add: return .add
        case .subtract: return .subtract
        case .multiply: return .multiply
        default: return .divide
        }
    }
}
