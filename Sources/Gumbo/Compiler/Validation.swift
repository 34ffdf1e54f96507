/// Compiler pass 1: checks a model and its guide before anything runs.
///
/// Every rule throws a ``ModelError`` that names the site and the rule and
/// says how to fix it: constant distribution parameters in range,
/// observations inside their support, parameter initial values inside
/// their constraint, no whole-array use of a subsampled plate, and a guide
/// whose sites match the model's (same names, supports, plates and shapes).
enum Validation {
    static func validate(model: IRProgram, guide: IRProgram) throws {
        try validateProgram(model, role: "model")
        try validateProgram(guide, role: "guide")
        try validateGuideMatchesModel(model: model, guide: guide)
    }

    // MARK: One program

    static func validateProgram(_ program: IRProgram, role: String) throws {
        // Sites first, so a bad constant is reported by the site it feeds.
        for node in program.nodes {
            switch node.kind {
            case .latent(let name, let family, _):
                try checkConstantParameters(of: node, name: name, family: family, in: program)
            case .observed(let name, let family, let values):
                try checkConstantParameters(of: node, name: name, family: family, in: program)
                try checkSupport(values, name: name, family: family)
            default:
                break
            }
        }
        for node in program.nodes {
            switch node.kind {
            case .parameter(let name, let initial, let constraint):
                let lastAxis = node.eventShape.last ?? 1
                if constraint.unconstrain(initial, lastAxis: lastAxis) == nil {
                    throw ModelError(.invalidParameterValue, subject: name,
                        "initial value must be \(constraint.rule) for a \(constraint) parameter; change the initial value")
                }
            case .data(let name, let values):
                if let bad = values.first(where: { !$0.isFinite }) {
                    throw ModelError(.invalidConstant, subject: name, "data contains \(bad); remove or impute non-finite values")
                }
            case .constant(let values):
                if let bad = values.first(where: { $0.isNaN }) {
                    throw ModelError(.invalidConstant, subject: "\(node.id)", "constant contains \(bad) in the \(role)")
                }
            case .operation(.unplate(let plate)):
                let info = program[plate: plate]
                if info.subsampleSize != nil {
                    throw ModelError(.subsampledWholeArray, subject: info.name,
                        "a value batched over the subsampled plate is used as a whole array, but each step computes only a minibatch of it; use it inside the plate, or drop subsampling")
                }
            case .latent, .observed, .factor, .operation:
                break
            }
        }
    }

    /// Checks distribution parameters that are constants in the program.
    private static func checkConstantParameters(of node: IRNode, name: String, family: DistributionFamily,
                                                in program: IRProgram) throws {
        for (parameterName, input) in zip(family.parameterNames, node.inputs) {
            guard case .constant(let values) = program[input].kind else { continue }
            let rule: String?
            switch (family, parameterName) {
            case (.normal, "mean"):
                rule = values.allSatisfy(\.isFinite) ? nil : "must be finite"
            case (.normal, "std"):
                rule = values.allSatisfy({ $0 > 0 && $0.isFinite }) ? nil : "must be greater than 0 and finite"
            case (.bernoulliProbability, _):
                rule = values.allSatisfy({ $0 >= 0 && $0 <= 1 }) ? nil : "must lie in [0, 1]"
            case (.bernoulliLogit, _), (.categoricalLogits, _):
                rule = values.allSatisfy({ !$0.isNaN && $0 != .infinity }) ? nil : "must not be NaN or +infinity"
            case (.categoricalProbabilities(let k), _):
                rule = isSimplex(values, classes: k) ? nil : "must be non-negative and sum to 1 over the \(k) classes"
            default:
                rule = nil
            }
            if let rule {
                let shown = values.prefix(6).map(shortNumber).joined(separator: ", ")
                throw ModelError(.invalidConstant, subject: name,
                    "\(family.name) \(parameterName) \(rule), got [\(shown)\(values.count > 6 ? ", …" : "")]; fix the constant")
            }
        }
    }

    private static func isSimplex(_ values: [Double], classes: Int) -> Bool {
        guard values.allSatisfy({ $0 >= 0 && $0.isFinite }) else { return false }
        for start in stride(from: 0, to: values.count, by: classes) {
            let total = values[start..<start + classes].reduce(0, +)
            if abs(total - 1) > 1e-6 { return false }
        }
        return true
    }

    /// Observed values must lie in the support of their distribution.
    private static func checkSupport(_ values: [Double], name: String, family: DistributionFamily) throws {
        for (position, value) in values.enumerated() {
            let inside: Bool
            let support: String
            switch family {
            case .normal:
                inside = value.isFinite
                support = "finite real numbers"
            case .bernoulliProbability, .bernoulliLogit:
                inside = value == 0 || value == 1
                support = "{0, 1}"
            case .categoricalProbabilities(let k), .categoricalLogits(let k):
                inside = value == value.rounded() && value >= 0 && value < Double(k)
                support = "the class indices 0…\(k - 1)"
            }
            if !inside {
                throw ModelError(.observationOutsideSupport, subject: name,
                    "observed value \(shortNumber(value)) at position \(position) is outside the support of \(family.name) (\(support)); fix the data or the distribution")
            }
        }
    }

    // MARK: Guide against model

    static func validateGuideMatchesModel(model: IRProgram, guide: IRProgram) throws {
        // Plates with one name must agree in size and subsampling.
        for plate in guide.plates {
            if let other = model.plates.first(where: { $0.name == plate.name }), other != plate {
                throw ModelError(.guideMismatch, subject: plate.name,
                    "the plate has size \(plate.size)\(plate.subsampleSize.map { " (subsample \($0))" } ?? "") in the guide but \(other.size)\(other.subsampleSize.map { " (subsample \($0))" } ?? "") in the model; declare it the same way in both")
            }
        }
        let modelSites = model.latentSites
        let guideSites = guide.latentSites
        for site in modelSites where !guideSites.contains(where: { $0.name == site.name }) {
            throw ModelError(.guideMissingSite, subject: site.name,
                "the model samples this latent site but the guide does not; add it to the guide")
        }
        for site in guideSites {
            guard let counterpart = modelSites.first(where: { $0.name == site.name }) else {
                let observed = model.node(named: site.name!) != nil
                throw ModelError(.guideExtraSite, subject: site.name,
                    observed ? "the guide samples a site the model observes; remove it from the guide"
                             : "the guide samples a site the model does not have; remove it or add it to the model")
            }
            guard counterpart.valueType == site.valueType else {
                throw ModelError(.guideMismatch, subject: site.name,
                    "the model's site is \(counterpart.valueType) but the guide's is \(site.valueType); give them the same support")
            }
            let modelPlates = counterpart.plates.map { model[plate: $0].name }
            let guidePlates = site.plates.map { guide[plate: $0].name }
            guard Set(modelPlates) == Set(guidePlates) else {
                throw ModelError(.guideMismatch, subject: site.name,
                    "the site is in plates \(modelPlates) in the model but \(guidePlates) in the guide; sample it in the same plates")
            }
            guard counterpart.eventShape == site.eventShape else {
                throw ModelError(.guideMismatch, subject: site.name,
                    "the site has shape \(counterpart.eventShape) in the model but \(site.eventShape) in the guide; give them the same shape")
            }
        }
    }
}
