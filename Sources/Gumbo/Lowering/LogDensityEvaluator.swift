/// The log density of a program at given values of its latent sites:
/// `log p(x, z)` for a model (the log joint, observations included) or
/// `log q(z)` for a guide, computed by a compiled plan.
///
///     let evaluator = try LogDensityEvaluator(program: try model.program())
///     let logJoint = try evaluator.logDensity(["rain": [1], "sprinkler": [0]])
///
/// Latent values are given in the site's full shape (plate sizes, then
/// event shape), row-major; discrete values as class indices. Parameters
/// take their initial values unless given (in the constrained space).
public final class LogDensityEvaluator {
    public let program: IRProgram
    private let plan: Plan
    private let total: Tensor
    private let siteInputs: [(node: IRNode, input: Tensor, classes: Int?)]
    private let parameterInputs: [(name: String, input: Tensor, node: IRNode)]

    public init(program: IRProgram) throws {
        for plate in program.plates where plate.subsampleSize != nil {
            throw ModelError(.unsupported, subject: plate.name, "the log density is evaluated on full plates; remove subsampling")
        }
        self.program = program
        var lowering = ProgramLowering(layout: TensorLayout(particles: 1, plates: program.plates))
        var inputs: [(IRNode, Tensor, Int?)] = []
        let values = try lowering.lower(program) { lowering, node, _ in
            let plates = node.plates.map { $0.index }
            let shape = lowering.layout.prefix(plates: plates) + node.eventShape
            if let classes = node.valueType.classCount {
                let index = try lowering.graph.input("value.\(node.name!)", shape: Shape(shape), role: .index)
                inputs.append((node, index, classes))
                return LoweredValue(try lowering.graph.oneHot(index, classes: classes), eventRank: node.eventShape.count, classes: classes)
            }
            let input = try lowering.graph.input("value.\(node.name!)", shape: Shape(shape), role: .data)
            inputs.append((node, input, nil))
            return LoweredValue(input, eventRank: node.eventShape.count)
        }
        var sum: Tensor?
        for node in program.nodes where node.isTerm {
            let term: Tensor
            switch node.kind {
            case .latent(_, let family, _), .observed(_, let family, _):
                term = try lowering.logProb(family, parameters: node.inputs.map { values[$0]! },
                                            value: values[node.id]!, eventRank: node.eventShape.count)
            default:
                term = values[node.id]!.tensor
            }
            let scalar = try lowering.graph.sum(lowering.sumEvent(term))
            sum = try sum.map { try lowering.graph.add($0, scalar) } ?? scalar
        }
        total = sum ?? lowering.graph.constant(0)
        plan = try Plan(graph: lowering.graph.build(), outputs: [total])
        siteInputs = inputs.map { (node: $0.0, input: $0.1, classes: $0.2) }
        parameterInputs = lowering.parameters
    }

    /// `log p` at the given latent values (and parameters, if given).
    public func logDensity(_ latents: [String: [Double]], parameters: [String: [Double]] = [:]) throws -> Double {
        for (node, input, classes) in siteInputs {
            let name = node.name!
            guard let values = latents[name] else {
                throw ModelError(.unknownSite, subject: name, "no value given for this latent site")
            }
            let count = program.fullShape(of: node).reduce(1, *)
            guard values.count == count else {
                throw ModelError(.observationShape, subject: name, "\(values.count) values given, the site has \(count)")
            }
            if let classes {
                guard values.allSatisfy({ $0 == $0.rounded() && $0 >= 0 && $0 < Double(classes) }) else {
                    throw ModelError(.observationOutsideSupport, subject: name, "values must be class indices 0…\(classes - 1)")
                }
                try plan.setIndices(values.map { Int($0) }, of: input)
            } else {
                try plan.setValues(values, of: input)
            }
        }
        for (name, input, node) in parameterInputs {
            guard case .parameter(_, let initial, let constraint) = node.kind else { continue }
            let constrained = parameters[name] ?? initial
            guard let unconstrained = constraint.unconstrain(constrained, lastAxis: node.eventShape.last ?? 1) else {
                throw ModelError(.invalidParameterValue, subject: name, "value must be \(constraint.rule)")
            }
            try plan.setValues(unconstrained, of: input)
        }
        plan.forward()
        return try plan.scalar(total)
    }
}
