/// Lowers a model or guide written in the DSL into an ``IRProgram``: the
/// one narrow door between the DSL and the IR.
///
/// Statements are processed in program order with a stack of open plates.
/// Expressions are lowered on first use, iteratively (never recursively),
/// and memoized by node identity, so an expression used twice is one IR node.
struct ProgramGenerator {
    private var ir: IRBuilder
    private var openPlates: [(index: PlateIndex, id: PlateID)] = []
    private var lowered: [ObjectIdentifier: IRNodeID] = [:]
    /// Bound sites: name → (IR node, the plates of its `~` statement in order).
    private var bound: [String: (id: IRNodeID, plates: [PlateID])] = [:]
    /// Every site handle seen in any statement, to report unbound ones.
    private var referencedSites: [String: SiteDeclaration] = [:]

    static func generate(name: String, statements: [ModelStatement]) throws -> IRProgram {
        var generator = ProgramGenerator(ir: IRBuilder(name: name))
        try generator.process(statements)
        return generator.ir.build()
    }

    // MARK: Statements

    private mutating func process(_ statements: [ModelStatement]) throws {
        for statement in statements {
            switch statement.kind {
            case .plate(let index, let body):
                let id = try ir.plate(index.name, size: index.size, subsample: index.subsampleSize)
                if openPlates.contains(where: { $0.id == id }) {
                    throw ModelError(.duplicatePlate, subject: index.name, "plate is opened inside itself; nest different plates")
                }
                openPlates.append((index, id))
                try process(body)
                openPlates.removeLast()
            case .sample(let target, let family, let parameters, let estimator):
                try sample(target, family, parameters, estimator)
            case .factor(let name, let logWeight):
                let weight = try lower(logWeight)
                _ = try ir.factor(name, logWeight: weight, plates: openPlates.map(\.id))
            }
        }
    }

    private mutating func sample(_ target: ExpressionNode, _ family: DistributionFamily,
                                 _ parameters: [ExpressionNode], _ estimator: Estimator?) throws {
        // Peel plate indices off the target: z[i][j] → (z, [i, j]).
        var indices: [PlateIndex] = []
        var base = target
        while case .plateIndex(let inner, let index) = base.kind {
            indices.insert(index, at: 0)
            base = inner
        }
        guard case .site(let site) = base.kind else {
            throw ModelError(.typeMismatch, subject: nil,
                "the left side of '~' must be a site declared with Real.latent, Discrete.latent or .observed, not an expression")
        }
        if bound[site.name] != nil {
            throw ModelError(.siteSampledTwice, subject: site.name,
                "the site is sampled by two '~' statements; each site is sampled once (declare another site for another draw)")
        }
        if site.isDiscrete != family.valueType.isDiscrete {
            throw ModelError(.typeMismatch, subject: site.name,
                "a \(site.isDiscrete ? "discrete" : "real") site cannot have a \(family.name) distribution")
        }
        // The indices must be exactly the open plates: a site inside a plate is batched over it.
        var sitePlates: [PlateID] = []
        for index in indices {
            guard let open = openPlates.first(where: { $0.index.name == index.name }) else {
                throw ModelError(.plateIndexMisuse, subject: site.name,
                    "indexed by plate '\(index.name)' outside that plate; write the statement inside Plate(\"\(index.name)\", …)")
            }
            sitePlates.append(open.id)
        }
        let openIDs = openPlates.map(\.id)
        if Set(sitePlates) != Set(openIDs) || sitePlates.count != openIDs.count {
            let missing = openPlates.filter { !sitePlates.contains($0.id) }.map { "'\($0.index.name)'" }
            throw ModelError(.plateIndexMisuse, subject: site.name,
                "sampled inside plate \(missing.joined(separator: ", ")) without its index; write \(site.name)[i] ~ … with the plate's index")
        }
        let parameterIDs = try parameters.map { try lower($0) }
        let id: IRNodeID
        switch site.role {
        case .latent:
            id = try ir.latent(site.name, family, parameters: parameterIDs, plates: sitePlates, estimator: estimator)
        case .observed(let values, let shape):
            if estimator != nil {
                throw ModelError(.invalidEstimator, subject: site.name, "an observed site has no gradient estimator; remove .estimator(…)")
            }
            id = try ir.observed(site.name, family, parameters: parameterIDs, values: values, plates: sitePlates)
            let node = ir[id]
            let expected = node.plates.map { ir.plates[$0.index].size } + node.eventShape
            if shape != expected && !(shape.count == 1 && shape[0] == expected.reduce(1, *) && expected.count <= 1) {
                throw ModelError(.observationShape, subject: site.name,
                    "observed data has shape \(shape), but the site's plates and event need \(expected); reshape the data")
            }
        }
        bound[site.name] = (id, sitePlates)
    }

    // MARK: Expressions

    /// Lowers an expression, inputs first, with an explicit stack.
    private mutating func lower(_ root: ExpressionNode) throws -> IRNodeID {
        var stack: [(node: ExpressionNode, expanded: Bool)] = [(root, false)]
        while let (node, expanded) = stack.popLast() {
            let key = ObjectIdentifier(node)
            if lowered[key] != nil { continue }
            let inputs = Self.inputs(of: node)
            if !expanded {
                stack.append((node, true))
                for input in inputs.reversed() where lowered[ObjectIdentifier(input)] == nil {
                    stack.append((input, false))
                }
                continue
            }
            lowered[key] = try emit(node, inputs: inputs.map { lowered[ObjectIdentifier($0)]! })
        }
        return lowered[ObjectIdentifier(root)]!
    }

    /// The inputs to lower before a node. A plate-indexed site (`z[i]`) is
    /// resolved as a whole, so its chain of indices is not lowered.
    private static func inputs(of node: ExpressionNode) -> [ExpressionNode] {
        switch node.kind {
        case .operation(_, let inputs): return inputs
        case .plateIndex(let base, _):
            return siteChain(node) == nil ? [base] : []
        default: return []
        }
    }

    /// For `z[i][j]` where `z` is a site handle: the site and the indices.
    private static func siteChain(_ node: ExpressionNode) -> (SiteDeclaration, [PlateIndex])? {
        var indices: [PlateIndex] = []
        var current = node
        while case .plateIndex(let inner, let index) = current.kind {
            indices.insert(index, at: 0)
            current = inner
        }
        if case .site(let site) = current.kind { return (site, indices) }
        return nil
    }

    private mutating func emit(_ node: ExpressionNode, inputs: [IRNodeID]) throws -> IRNodeID {
        switch node.kind {
        case .constant(let values, let shape):
            return try ir.constant(values, shape: shape)
        case .data(let name, let values, let shape):
            return try ir.data(name, values: values, shape: shape)
        case .parameter(let name, let initial, let shape, let constraint):
            return try ir.parameter(name, initial: initial, shape: shape, constraint: constraint)
        case .site(let site):
            // A bare site handle: the whole array of its values.
            let (id, plates) = try boundSite(site)
            var result = id
            for plate in plates.sorted().reversed() {
                result = try ir.operation(.unplate(plate), [result])
            }
            return result
        case .plateIndex(_, let index):
            if let (site, indices) = Self.siteChain(node) {
                // z[i] of a site sampled as z[i][j]: the plates not indexed
                // become event axes (the codes of image i, as a vector).
                let (id, plates) = try boundSite(site)
                let names = plates.map { ir.plates[$0.index].name }
                let indexed = indices.map(\.name)
                guard Set(indexed).count == indexed.count, Set(indexed).isSubset(of: Set(names)) else {
                    throw ModelError(.plateIndexMisuse, subject: site.name,
                        "used as \(site.name)[\(indexed.joined(separator: "]["))] but sampled as \(site.name)[\(names.joined(separator: "]["))]; index it by its own plates only, or use the whole array \(site.name)")
                }
                var result = id
                for plate in plates.sorted().reversed() where !indexed.contains(ir.plates[plate.index].name) {
                    result = try ir.operation(.unplate(plate), [result])
                }
                return result
            }
            guard let open = openPlates.first(where: { $0.index.name == index.name }) else {
                throw ModelError(.plateIndexMisuse, subject: index.name,
                    "a value is indexed by plate '\(index.name)' outside that plate")
            }
            return try ir.operation(.plateIndex(open.id), inputs)
        case .operation(let op, _):
            return try ir.operation(op, inputs)
        }
    }

    private func boundSite(_ site: SiteDeclaration) throws -> (IRNodeID, [PlateID]) {
        guard let binding = bound[site.name] else {
            throw ModelError(.siteUsedBeforeSampled, subject: site.name,
                "the site is used before a '~' statement samples it; sample it first (\(site.name) ~ …)")
        }
        return binding
    }
}
