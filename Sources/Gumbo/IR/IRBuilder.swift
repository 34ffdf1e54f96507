/// Builds an ``IRProgram`` node by node, checking each node as it is added
/// (in the manner of Gen's static IR builder), so that later passes can
/// trust the graph.
///
///     var ir = IRBuilder(name: "coin")
///     let half = try ir.constant([0.5])
///     let flip = try ir.latent("flip", .bernoulliProbability, parameters: [half])
///     let program = ir.build()
///
/// The DSL lowers into this builder; tests and tools may use it directly.
public struct IRBuilder {
    public let name: String
    public private(set) var plates: [IRPlate] = []
    public private(set) var nodes: [IRNode] = []
    private var nameToNode: [String: IRNodeID] = [:]

    public init(name: String) {
        self.name = name
    }

    /// The finished program.
    public func build() -> IRProgram {
        IRProgram(name: name, plates: plates, nodes: nodes)
    }

    public subscript(id: IRNodeID) -> IRNode { nodes[id.index] }

    // MARK: Plates

    /// Declares a plate of `size` elements, optionally subsampled.
    public mutating func plate(_ name: String, size: Int, subsample: Int? = nil) throws -> PlateID {
        guard !name.isEmpty else {
            throw ModelError(.emptyName, subject: nil, "a plate needs a non-empty name")
        }
        if let existing = plates.firstIndex(where: { $0.name == name }) {
            let plate = plates[existing]
            guard plate.size == size, plate.subsampleSize == subsample else {
                throw ModelError(.duplicatePlate, subject: name,
                    "plate declared twice with different sizes (\(plate.size) and \(size)); give each plate one size, or use different names")
            }
            return PlateID(existing)
        }
        guard size > 0 else {
            throw ModelError(.invalidPlate, subject: name, "plate size must be positive, got \(size)")
        }
        if let subsample {
            guard subsample > 0, subsample <= size else {
                throw ModelError(.invalidPlate, subject: name,
                    "subsample size must be between 1 and the plate size \(size), got \(subsample)")
            }
        }
        plates.append(IRPlate(name: name, size: size, subsampleSize: subsample))
        return PlateID(plates.count - 1)
    }

    // MARK: Leaves

    /// A constant tensor of the given event shape.
    public mutating func constant(_ values: [Double], shape: [Int] = []) throws -> IRNodeID {
        try checkCount(values.count, shape: shape, subject: "constant")
        return append(.constant(values), inputs: [], plates: [], eventShape: shape, valueType: .real)
    }

    /// Named data (covariates) of the given shape.
    public mutating func data(_ name: String, values: [Double], shape: [Int]) throws -> IRNodeID {
        try claim(name)
        try checkCount(values.count, shape: shape, subject: name)
        return append(.data(name: name, values: values), inputs: [], plates: [], eventShape: shape, valueType: .real)
    }

    /// A learnable parameter with its initial (constrained) value.
    public mutating func parameter(_ name: String, initial: [Double], shape: [Int], constraint: Constraint = .real) throws -> IRNodeID {
        try claim(name)
        try checkCount(initial.count, shape: shape, subject: name)
        return append(.parameter(name: name, initial: initial, constraint: constraint),
                      inputs: [], plates: [], eventShape: shape, valueType: .real)
    }

    // MARK: Sites

    /// A latent site in the given plates, with its distribution's parameters.
    public mutating func latent(_ name: String, _ family: DistributionFamily, parameters: [IRNodeID],
                                plates sitePlates: [PlateID] = [], estimator: Estimator? = nil) throws -> IRNodeID {
        try claim(name)
        let eventShape = try siteEventShape(name, family, parameters: parameters, plates: sitePlates)
        return append(.latent(name: name, family: family, estimator: estimator), inputs: parameters,
                      plates: sitePlates.sorted(), eventShape: eventShape, valueType: family.valueType)
    }

    /// An observed site with its data, which must fill the site's full shape
    /// (plate sizes, then event shape) in row-major order.
    public mutating func observed(_ name: String, _ family: DistributionFamily, parameters: [IRNodeID],
                                  values: [Double], plates sitePlates: [PlateID] = []) throws -> IRNodeID {
        try claim(name)
        let eventShape = try siteEventShape(name, family, parameters: parameters, plates: sitePlates)
        let full = sitePlates.map { plates[$0.index].size } + eventShape
        let expected = full.reduce(1, *)
        guard values.count == expected else {
            throw ModelError(.observationShape, subject: name,
                "observed data has \(values.count) values but the site's shape \(full) needs \(expected); pass data of that shape")
        }
        return append(.observed(name: name, family: family, values: values), inputs: parameters,
                      plates: sitePlates.sorted(), eventShape: eventShape, valueType: family.valueType)
    }

    /// A factor `log w` added to the log joint, once per element of the
    /// plates it is declared in (`plates`) and of those its log-weight
    /// varies along: inside a plate of N elements a log-weight that reads
    /// nothing of the element is added N times, as every other term in
    /// the plate is (and as Pyro's `factor` broadcasts to its plates).
    public mutating func factor(_ name: String, logWeight: IRNodeID, plates enclosing: [PlateID] = []) throws -> IRNodeID {
        try claim(name)
        try checkExists(logWeight)
        let input = nodes[logWeight.index]
        guard input.valueType == .real else {
            throw ModelError(.typeMismatch, subject: name, "a factor's log-weight must be real; convert a discrete value with asReal")
        }
        return append(.factor(name: name), inputs: [logWeight], plates: Array(Set(input.plates + enclosing)).sorted(),
                      eventShape: input.eventShape, valueType: .real)
    }

    // MARK: Operations

    /// A deterministic operation; its plates and event shape are inferred.
    public mutating func operation(_ operation: IROperation, _ inputs: [IRNodeID]) throws -> IRNodeID {
        for input in inputs { try checkExists(input) }
        let (plates, shape, type) = try ShapeInference.infer(operation, inputs.map { nodes[$0.index] }, plateTable: self.plates)
        return append(.operation(operation), inputs: inputs, plates: plates, eventShape: shape, valueType: type)
    }

    // MARK: Checks

    private mutating func claim(_ name: String) throws {
        guard !name.isEmpty else {
            throw ModelError(.emptyName, subject: nil, "every site, parameter and data tensor needs a non-empty name")
        }
        guard nameToNode[name] == nil else {
            throw ModelError(.duplicateName, subject: name,
                "the name is used twice; give every site, parameter and data tensor its own name")
        }
        nameToNode[name] = IRNodeID(nodes.count)
    }

    private func checkExists(_ id: IRNodeID) throws {
        guard id.index >= 0, id.index < nodes.count else {
            throw ModelError(.unknownSite, subject: id.description, "input \(id) does not exist yet; add inputs before their users")
        }
    }

    private func checkCount(_ count: Int, shape: [Int], subject: String) throws {
        guard shape.allSatisfy({ $0 > 0 }) else {
            throw ModelError(.shapeMismatch, subject: subject, "shape \(shape) has a non-positive dimension")
        }
        let expected = shape.reduce(1, *)
        guard count == expected else {
            throw ModelError(.shapeMismatch, subject: subject,
                "\(count) values given for shape \(shape), which holds \(expected)")
        }
    }

    /// The event shape of a site: its parameters' event shapes (less the
    /// class axis of a Categorical) broadcast together. The parameters may
    /// lie only in plates the site lies in.
    private func siteEventShape(_ name: String, _ family: DistributionFamily, parameters: [IRNodeID],
                                plates sitePlates: [PlateID]) throws -> [Int] {
        guard parameters.count == family.parameterNames.count else {
            throw ModelError(.shapeMismatch, subject: name,
                "\(family.name) takes \(family.parameterNames.count) parameters (\(family.parameterNames.joined(separator: ", "))), got \(parameters.count)")
        }
        for plate in sitePlates where plate.index >= plates.count {
            throw ModelError(.unknownPlate, subject: name, "plate \(plate) is not declared")
        }
        guard Set(sitePlates).count == sitePlates.count else {
            throw ModelError(.plateIndexMisuse, subject: name, "the site lists a plate twice")
        }
        var shape: [Int] = []
        for (parameterName, id) in zip(family.parameterNames, parameters) {
            try checkExists(id)
            let parameter = nodes[id.index]
            guard parameter.valueType == .real else {
                throw ModelError(.typeMismatch, subject: name,
                    "\(family.name) \(parameterName) must be real, but it is \(parameter.valueType); convert with asReal or oneHot")
            }
            if let outside = parameter.plates.first(where: { !sitePlates.contains($0) }) {
                throw ModelError(.plateIndexMisuse, subject: name,
                    "\(parameterName) varies over plate '\(plates[outside.index].name)' but the site is not inside it; sample the site inside that plate")
            }
            var event = parameter.eventShape
            if family.parameterEventRank == 1 {
                guard let classes = event.last, classes == family.valueType.classCount else {
                    throw ModelError(.shapeMismatch, subject: name,
                        "\(family.name) \(parameterName) must end in an axis of \(family.valueType.classCount ?? 0) classes, got shape \(event)")
                }
                event.removeLast()
            }
            guard let joined = ShapeInference.broadcast(shape, event) else {
                throw ModelError(.shapeMismatch, subject: name,
                    "\(family.name) parameters have shapes that do not broadcast: \(shape) and \(event) (\(parameterName))")
            }
            shape = joined
        }
        return shape
    }

    private mutating func append(_ kind: IRNode.Kind, inputs: [IRNodeID], plates: [PlateID],
                                 eventShape: [Int], valueType: ValueType) -> IRNodeID {
        let id = IRNodeID(nodes.count)
        nodes.append(IRNode(id: id, kind: kind, inputs: inputs, plates: plates, eventShape: eventShape, valueType: valueType))
        return id
    }
}
