/// The estimator lab: compares gradient estimators on one model and guide.
///
/// For every ``EstimatorAssignment`` it measures, at the same parameter
/// values, T gradient estimates of the objective — their mean, variance,
/// signal-to-noise ratio, and bias and mean squared error against a
/// ``GradientReference`` — and the median time per estimate; optionally it
/// trains a fresh run per assignment for an ``ELBOCurve`` and repeats the
/// gradient measurement at several particle counts.
///
///     let compiled = try Sprinkler.model().compile(guide: Sprinkler.guide())
///     let lab = try EstimatorLab(compiled, assignments: [
///         .everyDiscreteSite(.enumeration, of: compiled),
///         .everyDiscreteSite(.reinforce(baseline: .movingAverageDefault), of: compiled),
///         .everyDiscreteSite(.concrete(temperature: .constant(2.0 / 3), straightThrough: false), of: compiled),
///     ], configuration: LabConfiguration(trials: 500, seed: 1, curves: CurveSettings(steps: 1000, points: 21)))
///     let report = try lab.run()
///     print(report.markdownTable())
///     try report.writeSVG(to: "sprinkler-lab.svg")
///
/// Seeds are fixed, and every assignment draws from the same seed, so
/// estimators that consume the same noise see the same draws (common random
/// numbers; see ``LabConfiguration``). Errors in the assignments (an unknown
/// site, an estimator that does not fit its site, a particle count ARM
/// cannot use) are thrown by the initializer, before anything runs.
public struct EstimatorLab: Sendable {
    public let compiled: CompiledModel
    public let assignments: [EstimatorAssignment]
    public let configuration: LabConfiguration
    /// Each assignment compiled, in order.
    let variants: [CompiledModel]

    public init(_ compiled: CompiledModel, assignments: [EstimatorAssignment],
                configuration: LabConfiguration = LabConfiguration()) throws {
        guard !assignments.isEmpty else { throw LabError.noAssignments }
        guard configuration.trials >= 2 else { throw LabError.tooFewTrials(configuration.trials) }
        try Self.validate(configuration, compiled: compiled)
        let latentSites = compiled.model.latentSites.compactMap(\.name)
        var names = Set<String>()
        var variants: [CompiledModel] = []
        for assignment in assignments {
            guard names.insert(assignment.name).inserted else { throw LabError.duplicateName(assignment.name) }
            for site in assignment.estimators.keys.sorted() where !latentSites.contains(site) {
                throw LabError.unknownSite(assignment: assignment.name, site: site, latentSites: latentSites)
            }
            if let particles = assignment.particles, particles < 1 {
                throw LabError.invalidAssignment(assignment: assignment.name, reason: "particles is \(particles); give at least 1")
            }
            var options = compiled.options
            options.estimators.merge(assignment.estimators) { $1 }
            let variant: CompiledModel
            do {
                variant = try CompiledModel.compile(model: compiled.model, guide: compiled.guide, options: options)
                // Lowering is where particle counts are checked (ARM's pairs, leave-one-out).
                _ = try SVI(variant, configuration: SVIConfiguration(particles: assignment.particles ?? configuration.particles))
            } catch {
                throw LabError.invalidAssignment(assignment: assignment.name, reason: "\(error)")
            }
            variants.append(variant)
        }
        self.compiled = compiled
        self.assignments = assignments
        self.configuration = configuration
        self.variants = variants
    }

    private static func validate(_ configuration: LabConfiguration, compiled: CompiledModel) throws {
        guard configuration.particles >= 1 else {
            throw LabError.invalidSetting("particles is \(configuration.particles); give at least 1")
        }
        if let bad = configuration.particleSweep.first(where: { $0 < 1 }) {
            throw LabError.invalidSetting("the particle sweep holds \(bad); every particle count must be at least 1")
        }
        if case .automatic(let samples) = configuration.reference, samples < 2 {
            throw LabError.invalidSetting("the reference averages \(samples) estimates; give at least 2 (thousands for a useful reference)")
        }
        try configuration.curves?.validate()
        for name in configuration.parameters.keys.sorted() {
            let value = configuration.parameters[name]!
            guard let node = compiled.model.node(named: name) ?? compiled.guide.node(named: name),
                  case .parameter(_, let initial, let constraint) = node.kind else {
                let known = (compiled.model.parameters + compiled.guide.parameters).compactMap(\.name)
                throw LabError.invalidParameter(name: name, reason: "the model and guide have no such parameter; they have \(known.joined(separator: ", "))")
            }
            guard value.count == initial.count else {
                throw LabError.invalidParameter(name: name, reason: "has \(initial.count) values, \(value.count) given")
            }
            guard value.allSatisfy(\.isFinite), constraint.unconstrain(value, lastAxis: node.eventShape.last ?? 1) != nil else {
                throw LabError.invalidParameter(name: name, reason: "the value must be finite and \(constraint.rule)")
            }
        }
    }

    // MARK: Running

    /// Measures every assignment: gradients, the reference, the particle
    /// sweep, then the ELBO curves.
    public func run() throws -> LabReport {
        let groups = ParameterGroup.groups(of: compiled)
        let runs = try assignments.indices.map { try makeSVI($0, particles: particles(of: $0), seed: configuration.seed) }
        var samples = runs.map { _ in GradientSample(order: parameterOrder) }
        // The assignments take turns, a tenth of the estimates at a time, so
        // a change in the machine's speed (another process, the CPU's clock)
        // falls on all of them alike, while each turn's plan stays in cache.
        let turns = min(configuration.trials, 10)
        for turn in 0..<turns {
            let count = configuration.trials * (turn + 1) / turns - configuration.trials * turn / turns
            for index in assignments.indices {
                try measure(runs[index], trials: count, into: &samples[index], name: assignments[index].name)
            }
        }
        let reference = try findReference(samples)
        var results: [EstimatorResult] = []
        for index in assignments.indices {
            var sweep: [ParticleSweepPoint] = []
            for particles in configuration.particleSweep {
                sweep.append(try sweepPoint(index, particles: particles, groups: groups, reference: reference))
            }
            let statistics = samples[index].statistics(reference: reference)
            results.append(EstimatorResult(
                name: assignments[index].name,
                estimators: Self.estimators(of: variants[index]),
                isSurrogate: runs[index].isSurrogate,
                particles: particles(of: index),
                parameters: statistics,
                groups: Self.group(statistics, into: groups),
                overall: Self.overall(statistics, groups: groups),
                secondsPerEstimate: samples[index].secondsPerEstimate,
                curve: try configuration.curves.map { try curve(index, settings: $0) },
                sweep: sweep))
        }
        return LabReport(model: compiled.model.name, configuration: configuration, groups: groups,
                         parameterValues: runs[0].parameterValues(), reference: reference, results: results)
    }

    private func particles(of index: Int) -> Int {
        assignments[index].particles ?? configuration.particles
    }

    /// A run of assignment `index` at the lab's parameter values.
    private func makeSVI(_ index: Int, particles: Int, seed: UInt64,
                         optimizer: OptimizerSettings? = nil) throws -> SVI {
        try makeSVI(variants[index], name: assignments[index].name, particles: particles, seed: seed, optimizer: optimizer)
    }

    private func makeSVI(_ variant: CompiledModel, name: String, particles: Int, seed: UInt64,
                         optimizer: OptimizerSettings? = nil) throws -> SVI {
        do {
            let svi = try SVI(variant, configuration: SVIConfiguration(
                optimizer: optimizer ?? Optimizer.adam(learningRate: 0.05), particles: particles, seed: seed))
            for (name, value) in configuration.parameters.sorted(by: { $0.key < $1.key }) {
                try svi.setParameter(name, to: value)
            }
            return svi
        } catch {
            throw LabError.invalidAssignment(assignment: name, reason: "\(error)")
        }
    }

    /// T estimates from `svi`, each timed.
    private func measure(_ svi: SVI, trials: Int, name: String) throws -> GradientSample {
        var sample = GradientSample(order: parameterOrder)
        try measure(svi, trials: trials, into: &sample, name: name)
        return sample
    }

    /// Adds `trials` timed estimates from `svi` to `sample`.
    private func measure(_ svi: SVI, trials: Int, into sample: inout GradientSample, name: String) throws {
        for _ in 0..<trials {
            let start = configuration.clock.now()
            let gradient: [String: [Double]]
            do {
                gradient = try svi.estimateGradient()
            } catch {
                throw LabError.invalidAssignment(assignment: name, reason: "\(error)")
            }
            sample.add(gradient, seconds: configuration.clock.now() - start)
        }
    }

    /// Parameter names in program order (model, then guide); names the
    /// programs lack (learned temperatures) sort after them.
    private var parameterOrder: [String] {
        (compiled.model.parameters + compiled.guide.parameters).compactMap(\.name)
    }

    /// Group statistics: each group's parameters concatenated, over the
    /// parameters this assignment has.
    static func group(_ statistics: [GradientStatistics], into groups: [ParameterGroup]) -> [GradientStatistics] {
        groups.map { group in
            GradientStatistics(name: group.name, concatenating: group.parameters.compactMap { name in
                statistics.first { $0.name == name }
            })
        }
    }

    /// The parameters the groups cover (each once, in order), concatenated.
    static func overall(_ statistics: [GradientStatistics], groups: [ParameterGroup]) -> GradientStatistics {
        let covered = Set(groups.flatMap(\.parameters))
        return GradientStatistics(name: "all", concatenating: statistics.filter { covered.contains($0.name) })
    }

    // MARK: Reference

    /// The stream the reference draws from, apart from the assignments'.
    private var referenceSeed: UInt64 { configuration.seed &+ 0x9E37_79B9_7F4A_7C15 }

    private func findReference(_ samples: [GradientSample]) throws -> GradientReference? {
        if case .none = configuration.reference { return nil }
        var options = compiled.options
        var discrete: [String] = []
        for site in compiled.model.latentSites {
            guard case .latent(let name, let family, _) = site.kind, family.valueType.isDiscrete else { continue }
            options.estimators[name] = .enumeration
            discrete.append(name)
        }
        var enumerated: CompiledModel?
        var reason: String
        do {
            enumerated = try CompiledModel.compile(model: compiled.model, guide: compiled.guide, options: options)
            reason = ""
        } catch {
            reason = "enumerating every discrete site fails: \(error)"
        }
        if let enumerated {
            let svi = try makeSVI(enumerated, name: "enumerate", particles: 1, seed: referenceSeed)
            let elbo = svi.training.elbo
            if elbo.noise.isEmpty && elbo.subsamples.isEmpty {
                let gradient = try measure(svi, trials: 1, name: "enumerate").mean
                return GradientReference(kind: .exact, source: "enumerate", estimators: Self.estimators(of: enumerated),
                                         particles: 1, samples: 1, gradients: gradient,
                                         standardErrors: gradient.mapValues { $0.map { _ in 0 } },
                                         exactUnavailableReason: nil)
            }
            let normal = compiled.model.latentSites.filter { !$0.valueType.isDiscrete }.compactMap(\.name)
            let subsampled = compiled.model.plates.filter { $0.subsampleSize != nil }.map(\.name)
            reason = "with every discrete site enumerated the gradient is still an estimate: "
                + (normal.isEmpty ? "" : "Normal sites \(normal.joined(separator: ", ")) are sampled")
                + (!normal.isEmpty && !subsampled.isEmpty ? ", and " : "")
                + (subsampled.isEmpty ? "" : "plates \(subsampled.joined(separator: ", ")) are subsampled")
        }
        guard case .automatic(let referenceSamples) = configuration.reference else { return nil }

        // Candidates: the unbiased assignments, the all-enumeration one, and
        // as a last resort REINFORCE on every discrete site.
        var candidates: [(name: String, variant: CompiledModel, particles: Int, variance: Double)] = []
        for index in assignments.indices where variants[index].estimators.allSatisfy(\.estimator.isUnbiased) {
            candidates.append((assignments[index].name, variants[index], particles(of: index), samples[index].totalVariance))
        }
        var fallbacks: [(String, CompiledModel)] = []
        if let enumerated { fallbacks.append(("enumerate", enumerated)) }
        if candidates.isEmpty && fallbacks.isEmpty {
            var reinforce = compiled.options
            for name in discrete { reinforce.estimators[name] = .reinforce(baseline: .movingAverageDefault) }
            let variant = try CompiledModel.compile(model: compiled.model, guide: compiled.guide, options: reinforce)
            fallbacks.append((Estimator.reinforce(baseline: .movingAverageDefault).description, variant))
        }
        for (name, variant) in fallbacks where variant.estimators.allSatisfy(\.estimator.isUnbiased) {
            let svi = try makeSVI(variant, name: name, particles: configuration.particles, seed: configuration.seed)
            let pilot = try measure(svi, trials: configuration.trials, name: name)
            candidates.append((name, variant, configuration.particles, pilot.totalVariance))
        }
        guard let best = candidates.min(by: { $0.variance < $1.variance }) else { return nil }
        let svi = try makeSVI(best.variant, name: best.name, particles: best.particles, seed: referenceSeed)
        let sample = try measure(svi, trials: referenceSamples, name: best.name)
        let variances = sample.variances
        return GradientReference(kind: .sampled, source: best.name, estimators: Self.estimators(of: best.variant),
                                 particles: best.particles, samples: referenceSamples, gradients: sample.mean,
                                 standardErrors: variances.mapValues { $0.map { ($0 / Double(referenceSamples)).squareRoot() } },
                                 exactUnavailableReason: reason)
    }

    private static func estimators(of variant: CompiledModel) -> [String: Estimator] {
        Dictionary(uniqueKeysWithValues: variant.estimators.map { ($0.site, $0.estimator) })
    }

    // MARK: Particle sweep

    private func sweepPoint(_ index: Int, particles: Int, groups: [ParameterGroup],
                            reference: GradientReference?) throws -> ParticleSweepPoint {
        let svi: SVI
        do {
            svi = try SVI(variants[index], configuration: SVIConfiguration(particles: particles, seed: configuration.seed))
        } catch let error as ModelError where error.rule == .invalidEstimator {
            return ParticleSweepPoint(particles: particles, groups: [], overall: nil, secondsPerEstimate: nil,
                                      skippedReason: error.description)
        }
        for (name, value) in configuration.parameters.sorted(by: { $0.key < $1.key }) {
            try svi.setParameter(name, to: value)
        }
        let sample = try measure(svi, trials: configuration.trials, name: assignments[index].name)
        let statistics = sample.statistics(reference: reference)
        return ParticleSweepPoint(particles: particles, groups: Self.group(statistics, into: groups),
                                  overall: Self.overall(statistics, groups: groups),
                                  secondsPerEstimate: sample.secondsPerEstimate, skippedReason: nil)
    }

    // MARK: ELBO curves

    /// A fresh run of assignment `index`, trained to the last record step.
    /// Only the training steps are timed, not the evaluations.
    private func curve(_ index: Int, settings: CurveSettings) throws -> ELBOCurve {
        let svi = try makeSVI(index, particles: particles(of: index), seed: configuration.seed, optimizer: settings.optimizer)
        var records: [ELBOCurve.Record] = []
        var seconds = 0.0
        var failure: String?
        for step in settings.recordSteps {
            var objectiveSum = 0.0
            var objectiveCount = 0
            let start = configuration.clock.now()
            do {
                while svi.completedSteps < step {
                    try svi.step()
                    objectiveSum += svi.lastObjective
                    objectiveCount += 1
                }
            } catch let error as SVIError {
                failure = error.description
            }
            seconds += configuration.clock.now() - start
            if failure != nil { break }
            let evaluation = try svi.evaluate(particles: settings.evaluationParticles, seed: settings.evaluationSeed)
            records.append(ELBOCurve.Record(step: step, seconds: seconds, elbo: evaluation.elbo,
                                            elboStandardError: evaluation.standardError,
                                            objective: objectiveCount > 0 ? objectiveSum / Double(objectiveCount) : .nan))
        }
        return ELBOCurve(records: records, isSurrogate: svi.isSurrogate, failure: failure)
    }
}
