/// A readable, stable text form of an IR program, for golden tests and for
/// users who ask what their model became.
///
///     program sprinkler
///     %0 = constant 0.2 : real[]
///     %1 = latent "rain" ~ Bernoulli(probability: %0) : discrete(2)[]
extension IRProgram: CustomStringConvertible {
    public var description: String {
        var lines = ["program \(name)"]
        for (index, plate) in plates.enumerated() {
            var line = "plate p\(index) \"\(plate.name)\" size \(plate.size)"
            if let subsample = plate.subsampleSize { line += " subsample \(subsample)" }
            lines.append(line)
        }
        for node in nodes { lines.append(describe(node)) }
        return lines.joined(separator: "\n")
    }

    func describe(_ node: IRNode) -> String {
        let type = "\(node.valueType)\(node.eventShape)"
        let platesText = node.plates.isEmpty ? "" : " in " + node.plates.map { "\"\(plates[$0.index].name)\"" }.joined(separator: ", ")
        let args = node.inputs.map(\.description).joined(separator: ", ")
        let body: String
        switch node.kind {
        case .constant(let values):
            body = "constant \(summarize(values))"
        case .data(let name, let values):
            body = "data \"\(name)\" \(summarize(values))"
        case .parameter(let name, let initial, let constraint):
            body = "parameter \"\(name)\" \(constraint) init \(summarize(initial))"
        case .latent(let name, let family, let estimator):
            let parameters = zip(family.parameterNames, node.inputs).map { "\($0): \($1)" }.joined(separator: ", ")
            body = "latent \"\(name)\" ~ \(family.name)(\(parameters))" + (estimator.map { " estimator \($0)" } ?? "")
        case .observed(let name, let family, let values):
            let parameters = zip(family.parameterNames, node.inputs).map { "\($0): \($1)" }.joined(separator: ", ")
            body = "observed \"\(name)\" ~ \(family.name)(\(parameters)) data \(summarize(values))"
        case .factor(let name):
            body = "factor \"\(name)\"(\(args))"
        case .operation(.plateIndex(let plate)):
            body = "plateIndex \"\(plates[plate.index].name)\"(\(args))"
        case .operation(.unplate(let plate)):
            body = "unplate \"\(plates[plate.index].name)\"(\(args))"
        case .operation(let op):
            body = "\(op)(\(args))"
        }
        return "\(node.id) = \(body) : \(type)\(platesText)"
    }

    private func summarize(_ values: [Double]) -> String {
        let shown = values.prefix(4).map(shortNumber).joined(separator: ", ")
        if values.count == 1 { return shown }
        return values.count > 4 ? "[\(shown), … (\(values.count))]" : "[\(shown)]"
    }
}
