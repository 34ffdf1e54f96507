/// `log p(x) = log Σ_z p(x, z)` for a model whose latent sites are all
/// discrete: global sites (outside plates) and, optionally, local ones in
/// one plate `P` whose every dependent term depends on them element by
/// element (a mixture's assignments, for instance). Every site takes its
/// values on an enumeration axis of its own and the log joint is broadcast
/// over that grid; with local sites the local axes are summed out first,
/// for each element of `P` on its own, then `P`'s elements are multiplied
/// together (their logs summed), and finally the global axes are summed
/// out:
///
///     log p(x) = log Σ_g p(g) p(x_glob | g) Π_i Σ_{z_i} p(z_i | g) p(x_i | z_i, g)
///
/// (variable elimination on a plated factor graph, in the order Pyro's
/// `TraceEnum_ELBO` takes: Obermeyer et al. 2019, "Tensor variable
/// elimination for plated factor graphs"). The grid is the global sites'
/// values times one element's local values, at most `budget` entries.
struct LogEvidenceLowering {
    let graph: Graph
    let logEvidence: Tensor
    let parameters: [(name: String, input: Tensor, node: IRNode)]

    /// `nil` when the model does not qualify.
    static func lower(_ model: IRProgram, dependencies: DependencyAnalysis, budget: Int) throws -> LogEvidenceLowering? {
        var grid = 1
        var localPlate: PlateID?
        var localSites: [String] = []
        for site in model.latentSites {
            guard let name = site.name, let classes = site.valueType.classCount, site.eventShape.isEmpty,
                  site.plates.count <= 1 else { return nil }
            if let plate = site.plates.first {
                if let localPlate, localPlate != plate { return nil }
                // Every term that reads the site must read it element by element.
                for dependence in dependencies.modelDependents[name] ?? [] where !dependence.elementwisePlates.contains(plate) {
                    return nil
                }
                localPlate = plate
                localSites.append(name)
            }
            grid *= classes
            if grid > budget { return nil }
        }
        let sites = model.latentSites.compactMap(\.name)
        var lowering = ProgramLowering(layout: TensorLayout(outerSites: sites, particles: 1, plates: model.plates))
        let values = try lowering.lower(model) { lowering, node, _ in
            let classes = node.valueType.classCount!
            var eye = [Double](repeating: 0, count: classes * classes)
            for k in 0..<classes { eye[k * classes + k] = 1 }
            let shape = lowering.layout.prefix(enumeration: (node.name!, classes)) + [classes]
            return LoweredValue(try lowering.graph.constant(eye, shape: Shape(shape)), eventRank: 0, classes: classes)
        }
        let layout = lowering.layout
        let localAxis = localPlate.map { layout.plateAxis($0.index) }
        // The terms in the local sites' plate, per element, and the others.
        var local: Tensor?, global: Tensor?
        for node in model.nodes where node.isTerm {
            var term: Tensor
            switch node.kind {
            case .latent(_, let family, _), .observed(_, let family, _):
                term = try lowering.logProb(family, parameters: node.inputs.map { values[$0]! }, value: values[node.id]!,
                                            eventRank: node.eventShape.count)
            default:
                term = values[node.id]!.tensor
            }
            term = try lowering.sumEvent(term)
            let inLocalPlate = localPlate.map { node.plates.contains($0) } ?? false
            // Sum the plate axes, but for a term in the local sites' plate
            // keep that one: its elements are summed after their local values.
            for index in model.plates.indices where !(inLocalPlate && PlateID(index) == localPlate) {
                let axis = layout.plateAxis(index)
                term = try sumPlate(term, axis: axis, &lowering)
            }
            if inLocalPlate {
                local = try local.map { try lowering.graph.add($0, term) } ?? term
            } else {
                global = try global.map { try lowering.graph.add($0, term) } ?? term
            }
        }
        var total = global
        if var perElement = local, let localAxis {
            // Each element's local values, then the product over elements.
            for name in localSites {
                let axis = layout.enumerationAxis(of: name)!
                if perElement.shape.dimensions[axis] > 1 {
                    perElement = try lowering.graph.logSumExp(perElement, axis: axis, keepingDimension: true)
                }
            }
            perElement = try sumPlate(perElement, axis: localAxis, &lowering)
            total = try total.map { try lowering.graph.add($0, perElement) } ?? perElement
        }
        guard let total else { return nil }
        let flat = try lowering.graph.reshape(total, to: [total.shape.count])
        let logEvidence = try lowering.graph.logSumExp(flat, axis: 0)
        return LogEvidenceLowering(graph: lowering.graph.build(), logEvidence: logEvidence, parameters: lowering.parameters)
    }

    /// A term summed over one plate's axis. (Every term in a plate has that
    /// axis at full extent: data are per element, and `ProgramLowering`
    /// broadcasts a factor's log-weight to its plates.)
    private static func sumPlate(_ term: Tensor, axis: Int, _ lowering: inout ProgramLowering) throws -> Tensor {
        term.shape.dimensions[axis] > 1 ? try lowering.graph.sum(term, axis: axis, keepingDimension: true) : term
    }
}
