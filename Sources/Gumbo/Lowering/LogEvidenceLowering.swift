/// `log p(x) = log Σ_z p(x, z)` for a model whose latent sites are all
/// discrete, outside plates, and jointly small: every site on its own
/// enumeration axis, the log joint broadcast over the whole grid, then one
/// log-sum-exp.
struct LogEvidenceLowering {
    let graph: Graph
    let logEvidence: Tensor
    let parameters: [(name: String, input: Tensor, node: IRNode)]

    /// `nil` when the model does not qualify.
    static func lower(_ model: IRProgram, budget: Int) throws -> LogEvidenceLowering? {
        var grid = 1
        for site in model.latentSites {
            guard let classes = site.valueType.classCount, site.plates.isEmpty, site.eventShape.isEmpty else { return nil }
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
        var joint: Tensor?
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
            // Observations in plates: sum their plate axes (the latents are outside plates).
            for axis in 0..<lowering.layout.prefixRank where !lowering.layout.isEnumerationAxis(axis) && term.shape.dimensions[axis] > 1 {
                term = try lowering.graph.sum(term, axis: axis, keepingDimension: true)
            }
            joint = try joint.map { try lowering.graph.add($0, term) } ?? term
        }
        guard let joint else { return nil }
        let flat = try lowering.graph.reshape(joint, to: [joint.shape.count])
        let total = try lowering.graph.logSumExp(flat, axis: 0)
        return LogEvidenceLowering(graph: lowering.graph.build(), logEvidence: total, parameters: lowering.parameters)
    }
}
