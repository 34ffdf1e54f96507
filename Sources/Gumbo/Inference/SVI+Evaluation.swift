import Foundation

extension SVI {
    /// The ELBO of the discrete model under the current parameters.
    ///
    /// Sites the compiler can enumerate are summed exactly; every other
    /// discrete site is a hard sample from the guide (never relaxed), and
    /// every Normal site a sample; the estimate is the mean over `particles`
    /// draws with its standard error. Subsampled plates are evaluated on the
    /// full data. When every latent site is discrete and enumerated the
    /// value is exact, and `log p(x)` is computed too when the discrete
    /// sites are outside plates or local to one plate, each element's
    /// values read only by that element's terms
    /// (``ELBOEvaluation/logEvidence``). Evaluation draws from its own
    /// random stream (from `seed`), so it never changes the training run.
    public func evaluate(particles: Int = 1000, seed: UInt64 = 0) throws -> ELBOEvaluation {
        guard particles >= 1 else { throw SVIError.invalidConfiguration("particles must be at least 1") }
        let full = try compiled.withoutSubsampling()
        var options = compiled.options
        options.estimators = [:]
        options.allowsEnumeration = true
        let choices = try EstimatorSelection.select(model: full.model, guide: full.guide, dependencies: full.dependencies,
                                                    relaxability: full.relaxability, options: options)
        var treatments: [String: SiteTreatment] = [:]
        var enumerated: [String] = []
        for choice in choices {
            switch choice.estimator {
            case .enumeration:
                treatments[choice.site] = .enumerated
                enumerated.append(choice.site)
            case .reparameterization:
                treatments[choice.site] = .reparameterized
            default:
                treatments[choice.site] = .hard(score: nil)
            }
        }
        let evaluation = try ELBOPlan(ELBOLowering.lower(full, treatments: treatments, particles: particles), withGradients: false)
        let values = parameterValues()
        for (name, buffer) in evaluation.parameterBuffers {
            guard let node = full.model.node(named: name) ?? full.guide.node(named: name),
                  case .parameter(_, _, let constraint) = node.kind,
                  let value = values[name], let unconstrained = constraint.unconstrain(value, lastAxis: node.eventShape.last ?? 1) else { continue }
            for i in 0..<buffer.count { buffer[i] = unconstrained[i] }
        }
        var random = Xoshiro256StarStar(seed: seed).stream(0xE7A1)
        evaluation.fillNoise(using: &random)
        evaluation.plan.forward()
        let samples = try evaluation.plan.values(of: evaluation.elbo.particleObjectives)
        let mean = samples.reduce(0, +) / Double(particles)
        let isExact = evaluation.elbo.noise.isEmpty
        var standardError = 0.0
        if !isExact && particles > 1 {
            let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(particles - 1)
            standardError = (variance / Double(particles)).squareRoot()
        }
        var logEvidence: Double?
        if isExact, let lowered = try LogEvidenceLowering.lower(full.model, dependencies: full.dependencies,
                                                                budget: max(options.enumerationBudget, 1) * 1024) {
            let plan = try Plan(graph: lowered.graph, outputs: [lowered.logEvidence])
            for (name, input, node) in lowered.parameters {
                guard case .parameter(_, _, let constraint) = node.kind, let value = values[name],
                      let unconstrained = constraint.unconstrain(value, lastAxis: node.eventShape.last ?? 1) else { continue }
                try plan.setValues(unconstrained, of: input)
            }
            plan.forward()
            logEvidence = try plan.scalar(lowered.logEvidence)
        }
        return ELBOEvaluation(elbo: mean, standardError: standardError, particles: particles, enumeratedSites: enumerated,
                              exactELBO: isExact ? mean : nil, logEvidence: logEvidence)
    }
}

extension CompiledModel {
    /// The same compiled model with every plate's subsampling removed.
    func withoutSubsampling() throws -> CompiledModel {
        guard model.plates.contains(where: { $0.subsampleSize != nil }) || guide.plates.contains(where: { $0.subsampleSize != nil }) else {
            return self
        }
        func full(_ program: IRProgram) -> IRProgram {
            IRProgram(name: program.name, plates: program.plates.map { IRPlate(name: $0.name, size: $0.size) }, nodes: program.nodes)
        }
        return try CompiledModel.compile(model: full(model), guide: full(guide), options: options)
    }
}
