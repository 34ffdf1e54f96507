import Foundation

/// Builds the ELBO of a compiled model as one graph, with each latent site
/// entering through its estimator.
///
/// The guide is lowered first: every site draws its value from noise inputs
/// (or, when enumerated, takes all its values on its own axis). The model is
/// lowered on those values. Every log-probability term is then reduced to
/// its expectation over the enumerated sites it depends on and summed:
///
///     ELBO = Σ_model terms E[log p] − Σ_guide terms E[log q]
///
/// and the surrogate adds, for each score-function site `s`,
/// `log q(z_s) · detach(cost_s − baseline_s)` (REINFORCE) or
/// `α_s · detach(g_s)` (ARM, DisARM), where `cost_s` sums only the terms
/// downstream of `s` (the compiler's dependency analysis). The reported
/// value is the objective; the gradient is the surrogate's (Schulman et al.
/// 2015). See `Docs/Estimators.md` for each estimator's terms.
struct ELBOLowering {
    let compiled: CompiledModel
    let treatments: [String: SiteTreatment]
    let particles: Int
    let chunk: ELBOChunk?

    var lowering: ProgramLowering
    private var noise: [NoiseInput] = []
    private var temperatures: [ELBOGraph.TemperatureSlot] = []
    private var guideValues: [String: LoweredValue] = [:]
    /// The guide's log-probabilities over classes, prefix + event + [K].
    var guideClassLogProbabilities: [String: Tensor] = [:]
    /// q(z = k) on an enumerated site's axis.
    var enumerationWeights: [String: Tensor] = [:]
    /// Bernoulli logits α and their logistic noise L, prefix + event.
    private var bernoulliLogits: [String: Tensor] = [:]
    private var logisticNoise: [String: Tensor] = [:]
    /// `log y` of a relaxed Categorical sample and `s = (α + L)/τ` of a relaxed Bernoulli one.
    private var relaxedLogValues: [String: Tensor] = [:]
    private var temperatureValues: [String: Tensor] = [:]
    private var diagnostics: [(label: String, tensor: Tensor)] = []
    /// For a local-expectation site: q(element d = v) on its (element, value)
    /// axes, and its element count.
    var localWeights: [String: (weights: Tensor, elements: Int)] = [:]

    static func flipAxis(_ site: String) -> String { "\(site)#element" }
    static func valueAxis(_ site: String) -> String { "\(site)#value" }

    /// The ELBO graph; with `chunk`, the part of it that one of several
    /// threads computes (``ELBOChunk``).
    static func lower(_ compiled: CompiledModel, treatments: [String: SiteTreatment], particles: Int,
                      chunk: ELBOChunk? = nil) throws -> ELBOGraph {
        do {
            var builder = try ELBOLowering(compiled: compiled, treatments: treatments, particles: particles, chunk: chunk,
                                           innerEnumeration: true)
            return try builder.build()
        } catch is InnerEnumerationConflict {
            var builder = try ELBOLowering(compiled: compiled, treatments: treatments, particles: particles, chunk: chunk,
                                           innerEnumeration: false)
            return try builder.build()
        }
    }

    /// With `innerEnumeration`, enumerated sites take the inner axes of
    /// ``TensorLayout``; otherwise (and always for local-expectation sites)
    /// outer ones.
    private init(compiled: CompiledModel, treatments: [String: SiteTreatment], particles: Int, chunk: ELBOChunk?,
                 innerEnumeration: Bool) throws {
        self.compiled = compiled
        self.treatments = treatments
        self.particles = particles
        self.chunk = chunk
        // One axis per enumerated site; two (element, value) per local-expectation site.
        var outer: [String] = [], inner: [String] = []
        for site in compiled.model.latentSites {
            switch treatments[site.name!] {
            case .enumerated?:
                if innerEnumeration { inner.append(site.name!) } else { outer.append(site.name!) }
            case .localExpectation?:
                outer += [Self.flipAxis(site.name!), Self.valueAxis(site.name!)]
            default:
                break
            }
        }
        // A chunk's plate is lowered as if subsampled to the chunk's
        // elements: data, constants and sliced parameters indexed by it are
        // the chunk's rows (``ChunkSlicing``); any other value is gathered
        // by the chunk's indices (an index input filled once).
        let plates = compiled.model.plates.map { plate in
            plate.name == chunk?.plate ? IRPlate(name: plate.name, size: plate.size, subsampleSize: chunk!.count) : plate
        }
        lowering = ProgramLowering(layout: TensorLayout(outerSites: outer, innerSites: inner, particles: particles, plates: plates))
        lowering.matrixPrecision = compiled.options.matrixPrecision
        if let chunk, let plate = plates.firstIndex(where: { $0.name == chunk.plate }) {
            lowering.chunk = ChunkSlicing(plate: plate, start: chunk.start,
                                          slicedParameters: ChunkSlicing.sliceableParameters(compiled, plate: chunk.plate))
        }
    }

    var layout: TensorLayout { lowering.layout }
    private var isPaired: Bool { treatments.values.contains { $0.isPaired } }

    // MARK: Building

    private mutating func build() throws -> ELBOGraph {
        if isPaired && particles % 2 != 0 {
            throw ModelError(.invalidEstimator, subject: pairedSiteName,
                "ARM and DisARM evaluate antithetic pairs of particles: use an even number of particles (at least 2)")
        }
        for (site, treatment) in treatments {
            if case .hard(score: .reinforce(.leaveOneOut)?) = treatment, particles < 2 {
                throw ModelError(.invalidEstimator, subject: site,
                    "the leave-one-out baseline needs at least 2 particles")
            }
        }
        let guide = compiled.guide, model = compiled.model
        let guideNodes = try lowerGuide(guide)
        let values = guideValues
        var modelLowering = lowering
        let modelNodes = try modelLowering.lower(model) { _, node, _ in values[node.name!]! }
        lowering = modelLowering

        // Each term's expectation over the enumerated sites it depends on: prefix with enumeration axes reduced.
        for site in guide.latentSites {
            diagnostics.append(("the guide's sample of '\(site.name!)'", guideValues[site.name!]!.tensor))
        }
        var modelTerms: [IRNodeID: Tensor] = [:]
        var guideTerms: [IRNodeID: Tensor] = [:]
        var scoreLogQ: [String: Tensor] = [:]
        // Enumerated sites whose expectation one fused node computes, and
        // the terms (signed) it takes in.
        let fused = try fusedEnumerations()
        let costTerms = scoreCostTerms
        var fusedTerms: [String: [Tensor]] = [:]
        var fusedTotals: [Tensor] = []
        for node in model.nodes where node.isTerm {
            if let total = try fusedNegativeKL(node, values: modelNodes, inScoreCost: costTerms.model.contains(node.id)) {
                fusedTotals.append(total)
                diagnostics.append(("the model's log-probability of '\(node.name!)'", total))
                continue
            }
            let raw = try modelTerm(node, values: modelNodes, guideNodes: guideNodes)
            let sites = compiled.dependencies.modelTermSites[node.id] ?? []
            if let site = fusedSite(of: raw, sites: sites, fused, inScoreCost: costTerms.model.contains(node.id)) {
                fusedTerms[site, default: []].append(raw)
                diagnostics.append(("the model's log-probability of '\(node.name!)'", raw))
                continue
            }
            modelTerms[node.id] = try expectation(raw, sites: sites)
            diagnostics.append(("the model's log-probability of '\(node.name!)'", modelTerms[node.id]!))
        }
        for node in guide.nodes where node.isTerm {
            guard case .latent(let name, _, _) = node.kind else { continue }
            if fused[name] != nil {
                // Its entropy is in the fused node.
                diagnostics.append(("the guide's log-probability of '\(name)'", guideClassLogProbabilities[name]!))
                continue
            }
            let raw = try guideTerm(node, values: guideNodes)
            let sites = compiled.dependencies.guideTermSites[node.id] ?? []
            if !treatments[name]!.isScoreFunction,
               let site = fusedSite(of: raw, sites: sites, fused, inScoreCost: costTerms.guide.contains(node.id)) {
                fusedTerms[site, default: []].append(try lowering.graph.negate(raw))
                diagnostics.append(("the guide's log-probability of '\(name)'", raw))
                continue
            }
            var term = try expectation(raw, sites: sites)
            if case .hard(score: _?) = treatments[name]! {
                // The direct gradient of −log q has expectation zero: the
                // guide term enters the objective as a value only, and the
                // guide gets its gradient through the score term below.
                // The score is log q of the values actually drawn, without
                // the plates' scale (N/M of a subsampled plate, 1/chunks of a
                // term outside a thread's chunk): the cost it multiplies
                // carries that scale already.
                if foldsOwnTermsIntoKL(name) {
                    guard case .latent(_, let family, _) = node.kind else { continue }
                    let logQ = try lowering.logProb(family, parameters: node.inputs.map { guideNodes[$0]! },
                                                    value: guideNodes[node.id]!, eventRank: node.eventShape.count)
                    scoreLogQ[name] = try lowering.sumEvent(logQ)
                } else {
                    scoreLogQ[name] = try scaleFactor(plates: node.plates.map { guide[plate: $0].name }) == 1
                        ? term : expectation(guideTerm(node, values: guideNodes, scaled: false), sites: sites)
                }
                term = try lowering.graph.detach(term)
            }
            guideTerms[node.id] = term
            diagnostics.append(("the guide's log-probability of '\(name)'", term))
        }

        var perParticle = try lowering.graph.constant(Array(repeating: 0, count: particles),
                                                      shape: Shape(layout.prefix(particles: true)))
        for term in modelTerms.sorted(by: { $0.key < $1.key }).map(\.value) {
            perParticle = try lowering.graph.add(perParticle, sumPlates(term))
        }
        for (site, fusion) in fused.sorted(by: { $0.key < $1.key }) {
            perParticle = try lowering.graph.add(perParticle, fusedExpectation(fusion, terms: fusedTerms[site] ?? []))
        }
        for total in fusedTotals { perParticle = try lowering.graph.add(perParticle, total) }
        for term in guideTerms.sorted(by: { $0.key < $1.key }).map(\.value) {
            perParticle = try lowering.graph.subtract(perParticle, sumPlates(term))
        }
        let particleObjectives = try lowering.graph.reshape(perParticle, to: [particles])
        let objective = try lowering.graph.mean(particleObjectives)

        // Score-function surrogates.
        var surrogate = objective
        var baselines: [ELBOGraph.BaselineSlot] = []
        for site in model.latentSites {
            let name = site.name!
            guard case .hard(score: let score?) = treatments[name]! else { continue }
            let cost = try downstreamCost(of: name, modelTerms: modelTerms, guideTerms: guideTerms)
            switch score {
            case .reinforce(let baseline):
                let logQ = scoreLogQ[name]!
                var advantage = cost
                switch baseline {
                case .none:
                    break
                case .movingAverage(let decay):
                    var shape = cost.shape.dimensions
                    shape[layout.particleAxis] = 1
                    let input = try lowering.graph.input("baseline.\(name)", shape: Shape(shape), role: .data)
                    let meanCost = try lowering.graph.mean(cost, axis: layout.particleAxis, keepingDimension: true)
                    baselines.append(.init(site: name, decay: decay, input: input, cost: meanCost))
                    advantage = try lowering.graph.subtract(cost, input)
                case .leaveOneOut:
                    let total = try lowering.graph.sum(cost, axis: layout.particleAxis, keepingDimension: true)
                    let others = try lowering.graph.multiply(lowering.graph.subtract(total, cost), 1 / Double(particles - 1))
                    advantage = try lowering.graph.subtract(cost, others)
                }
                let weighted = try lowering.graph.multiply(logQ, lowering.graph.detach(advantage))
                surrogate = try lowering.graph.add(surrogate, lowering.graph.multiply(lowering.graph.sum(weighted), 1 / Double(particles)))
            case .arm, .disarm:
                surrogate = try lowering.graph.add(surrogate, pairedSurrogate(name, cost: cost, disarm: score.isDisARM))
            }
        }
        let loss = try lowering.graph.negate(surrogate)

        return ELBOGraph(
            graph: lowering.graph.build(), loss: loss, objective: objective, particleObjectives: particleObjectives,
            particles: particles, noise: noise, parameters: lowering.parameters,
            subsamples: lowering.subsampleIndices.sorted { $0.key < $1.key }
                .filter { layout.plates[$0.key].name != chunk?.plate }.map { (layout.plates[$0.key], $0.value) },
            chunkIndices: lowering.subsampleIndices.first { layout.plates[$0.key].name == chunk?.plate }?.value,
            slicedParameters: lowering.chunk?.slicedParameters.filter { name in lowering.parameters.contains { $0.name == name } } ?? [],
            baselines: baselines, temperatures: temperatures,
            isRelaxed: treatments.values.contains { if case .relaxed = $0 { return true } else { return false } },
            isPaired: isPaired, diagnostics: diagnostics)
    }

    private var pairedSiteName: String? {
        treatments.first { $0.value.isPaired }?.key
    }

    // MARK: The guide's samples

    private mutating func lowerGuide(_ guide: IRProgram) throws -> [IRNodeID: LoweredValue] {
        var inner = lowering
        var state = self
        let nodes = try inner.lower(guide) { lowering, node, parameters in
            state.lowering = lowering
            let value = try state.sample(node, parameters: parameters, program: guide)
            lowering = state.lowering
            return value
        }
        let innerLowering = inner
        self = state
        lowering = innerLowering
        return nodes
    }

    private mutating func noiseInput(_ site: String, kind: NoiseInput.Kind, shape: [Int], antithetic: Bool = false) throws -> Tensor {
        let tensor = try lowering.graph.input("noise.\(site)", shape: Shape(shape), role: .noise)
        let chunkAxis = chunk.flatMap { chunk in layout.plateIndex(named: chunk.plate).map(layout.plateAxis) }
        let perElement = chunkAxis.map { shape[$0] > 1 } ?? false
        noise.append(NoiseInput(site: site, tensor: tensor, kind: kind, antithetic: antithetic, perChunkElement: perElement))
        return tensor
    }

    private mutating func temperature(_ site: String, _ schedule: Temperature) throws -> Tensor {
        if let existing = temperatureValues[site] { return existing }
        let value: Tensor
        let input: Tensor
        switch schedule {
        case .learned(let initial, let minimum):
            input = try lowering.graph.input("temperature.\(site)", shape: .scalar, role: .parameter)
            value = try lowering.graph.add(lowering.graph.softplus(input), minimum)
            _ = initial
        default:
            input = try lowering.graph.input("temperature.\(site)", shape: .scalar, role: .data)
            value = input
        }
        temperatures.append(.init(site: site, schedule: schedule, input: input, value: value))
        temperatureValues[site] = value
        return value
    }

    /// The value of one guide site, drawn as its treatment says.
    private mutating func sample(_ node: IRNode, parameters: [LoweredValue], program: IRProgram) throws -> LoweredValue {
        guard case .latent(let name, let family, _) = node.kind, let treatment = treatments[name] else {
            throw ModelError(.unknownSite, subject: node.name, "no estimator for this site")
        }
        let plates = node.plates.map { layout.plateIndex(named: program[plate: $0].name)! }
        let rank = node.eventShape.count
        let batch = layout.prefix(plates: plates, particles: true) + node.eventShape

        guard let classes = family.valueType.classCount else {
            let mean = try lowering.aligned(parameters[0], toEventRank: rank)
            let std = try lowering.aligned(parameters[1], toEventRank: rank)
            let epsilon = try noiseInput(name, kind: .normal, shape: batch)
            var value = try lowering.graph.add(mean, lowering.graph.multiply(std, epsilon))
            if case .hard = treatment { value = try lowering.graph.detach(value) }
            guideValues[name] = LoweredValue(value, eventRank: rank)
            return guideValues[name]!
        }

        let logProbabilities = try lowering.classLogProbabilities(family, parameters: parameters, eventRank: rank)
        guideClassLogProbabilities[name] = logProbabilities
        let value: Tensor
        switch treatment {
        case .enumerated:
            guard rank == 0 else {
                throw ModelError(.invalidEstimator, subject: name, "only a site with one value per plate element can be enumerated")
            }
            var eye = [Double](repeating: 0, count: classes * classes)
            for k in 0..<classes { eye[k * classes + k] = 1 }
            value = try lowering.graph.constant(eye, shape: Shape(layout.prefix(enumeration: (name, classes)) + [classes]))
            let probabilities = try lowering.graph.exp(logProbabilities)
            enumerationWeights[name] = try lowering.graph.softSelect(probabilities, weights: value, axis: -1)
        case .reparameterized:
            throw ModelError(.invalidEstimator, subject: name, "a discrete site cannot be reparameterized")
        case .localExpectation:
            let hard = try inverseCDFSample(name, logProbabilities: logProbabilities, rows: batch)
            value = try localExpectationValue(name, hard: hard, logProbabilities: logProbabilities, node: node,
                                              program: program, classes: classes)
        case .hard where !treatment.isPaired:
            value = try inverseCDFSample(name, logProbabilities: logProbabilities, rows: batch)
        case .hard, .relaxed:
            if classes == 2 && family.name == "Bernoulli" {
                value = try bernoulliSample(name, treatment: treatment, logProbabilities: logProbabilities, rank: rank, batch: batch)
            } else {
                value = try categoricalSample(name, treatment: treatment, logProbabilities: logProbabilities,
                                              batch: batch + [classes])
            }
        }
        guideValues[name] = LoweredValue(value, eventRank: rank, classes: classes)
        return guideValues[name]!
    }

    /// The value of a local-expectation site (Titsias & Lázaro-Gredilla 2015,
    /// "Local Expectation Gradients for Black Box Variational Inference"):
    /// on its element axis `d` and value axis `v`, the hard sample `b` with
    /// element `d` set to `v`,
    ///
    ///     value[d, v] = M_d · onehot(v) + (1 − M_d) · b,   M_d = onehot of element d,
    ///
    /// so every term that depends on the site is evaluated at each element's
    /// every value with the other elements held at the sample. Records
    /// `q(element d = v)` for the weighting in ``expectation(_:sites:)``.
    private mutating func localExpectationValue(_ name: String, hard: Tensor, logProbabilities: Tensor, node: IRNode,
                                                program: IRProgram, classes: Int) throws -> Tensor {
        let plates = node.plates.map { layout.plateIndex(named: program[plate: $0].name)! }
        let sizes = plates.map { layout.plates[$0].size }
        let elements = sizes.reduce(1, *)
        let flipAxis = layout.enumerationAxis(of: Self.flipAxis(name))!
        let valueAxis = layout.enumerationAxis(of: Self.valueAxis(name))!
        // M[d, j] = 1 where plate position j is element d.
        var maskShape = Array(repeating: 1, count: layout.prefixRank) + [1]
        maskShape[flipAxis] = elements
        for (plate, size) in zip(plates, sizes) { maskShape[layout.plateAxis(plate)] = size }
        var mask = [Double](repeating: 0, count: elements * elements)
        for d in 0..<elements { mask[d * elements + d] = 1 }
        let maskTensor = try lowering.graph.constant(mask, shape: Shape(maskShape))
        var valueShape = Array(repeating: 1, count: layout.prefixRank) + [classes]
        valueShape[valueAxis] = classes
        var eye = [Double](repeating: 0, count: classes * classes)
        for k in 0..<classes { eye[k * classes + k] = 1 }
        let values = try lowering.graph.constant(eye, shape: Shape(valueShape))
        let flipped = try lowering.graph.multiply(maskTensor, values)
        let kept = try lowering.graph.multiply(lowering.graph.subtract(lowering.graph.constant(1), maskTensor), hard)
        // q(element d = v): the guide's probabilities at element d, read at value v.
        var atElement = try lowering.graph.multiply(lowering.graph.exp(logProbabilities), maskTensor)
        for plate in plates {
            atElement = try lowering.graph.sum(atElement, axis: layout.plateAxis(plate), keepingDimension: true)
        }
        let weights = try lowering.graph.softSelect(atElement, weights: values, axis: -1)
        localWeights[name] = (weights, elements)
        return try lowering.graph.add(flipped, kept)
    }

    /// A hard sample that needs neither a relaxation nor noise shared with
    /// another estimate (REINFORCE, evaluation, local expectation): the
    /// guide's one-hot by inversion of its CDF, one uniform per draw, for
    /// Bernoulli sites (`[1 − y, y]` with `y = 1[u ≥ 1 − p]`) as for
    /// Categorical ones. The probabilities are `exp(log q)`, which
    /// ``GraphRewriting`` reads from the `logSoftmax` of the logits at no
    /// cost; Gumbel-max would take a Gumbel variate (a logarithm) per class.
    private mutating func inverseCDFSample(_ name: String, logProbabilities: Tensor, rows: [Int]) throws -> Tensor {
        let uniform = try noiseInput(name, kind: .uniform, shape: rows)
        return try lowering.graph.categoricalInverseCDF(probabilities: lowering.graph.exp(logProbabilities), uniform: uniform)
    }

    /// A Bernoulli site's weights `[1 − y, y]` from logistic noise: the
    /// hard `y = 1[α + L > 0]` of ARM and DisARM (whose antithetic partner
    /// negates `L`), binary Concrete `y = σ((α + L)/τ)`, or Hard Concrete
    /// `y = clamp(σ((α + L)/τ)(ζ − γ) + γ, 0, 1)`.
    private mutating func bernoulliSample(_ name: String, treatment: SiteTreatment, logProbabilities: Tensor,
                                          rank: Int, batch: [Int]) throws -> Tensor {
        let alpha = try lowering.weighted(LoweredValue(logProbabilities, eventRank: rank, classes: 2), by: [-1, 1])
        let logistic = try noiseInput(name, kind: .logistic, shape: batch, antithetic: treatment.isPaired)
        bernoulliLogits[name] = alpha
        logisticNoise[name] = logistic
        let perturbed = try lowering.graph.add(alpha, logistic)
        func weights(_ y: Tensor) throws -> Tensor {
            let column = try lowering.graph.reshape(y, to: Shape(y.shape.dimensions + [1]))
            let complement = try lowering.graph.subtract(lowering.graph.constant(1), column)
            return try lowering.graph.concat([complement, column], axis: -1)
        }
        switch treatment {
        case .relaxed(let relaxation):
            let tau = try temperature(name, relaxation.schedule)
            let scaled = try lowering.graph.divide(perturbed, tau)
            relaxedLogValues[name] = scaled
            let soft = try lowering.graph.sigmoid(scaled)
            switch relaxation {
            case .soft:
                return try weights(soft)
            case .straightThrough:
                return try lowering.graph.straightThrough(hard: weights(lowering.graph.step(perturbed)), soft: weights(soft))
            case .hardConcrete(_, let lower, let upper):
                let stretched = try lowering.graph.add(lowering.graph.multiply(soft, upper - lower), lower)
                return try weights(lowering.graph.clamp(stretched, lower: 0, upper: 1))
            }
        default:
            return try weights(lowering.graph.step(perturbed))
        }
    }

    /// A relaxed Categorical site's weights from Gumbel noise:
    /// `softmax((log π + g)/τ)`, or the straight-through pair with the
    /// Gumbel-max one-hot (the same `g`, so the hard value is the relaxed
    /// one's argmax). Other hard samples come from ``inverseCDFSample``;
    /// only paired ones (ARM, DisARM: Bernoulli sites) would reach the
    /// Gumbel-max `default`.
    private mutating func categoricalSample(_ name: String, treatment: SiteTreatment, logProbabilities: Tensor,
                                            batch: [Int]) throws -> Tensor {
        let gumbel = try noiseInput(name, kind: .gumbel, shape: batch)
        // argmax and softmax are the same for the logits as for the
        // log-probabilities (a row's shift cancels): perturbing the logits
        // leaves the logSoftmax to the terms that need log q.
        let perturbed = try lowering.graph.add(logits(of: logProbabilities) ?? logProbabilities, gumbel)
        switch treatment {
        case .relaxed(let relaxation):
            let tau = try temperature(name, relaxation.schedule)
            let logSoft = try lowering.graph.logSoftmax(lowering.graph.divide(perturbed, tau), axis: -1)
            relaxedLogValues[name] = logSoft
            let soft = try lowering.graph.exp(logSoft)
            if case .straightThrough = relaxation {
                return try lowering.graph.straightThrough(hard: lowering.graph.oneHotArgmax(perturbed, axis: -1), soft: soft)
            }
            return soft
        default:
            return try lowering.graph.oneHotArgmax(perturbed, axis: -1)
        }
    }

    // MARK: Terms

    /// Whether a relaxed site's own terms are replaced by the analytic
    /// discrete KL: its prior and its guide depend on no other latent site.
    func usesAnalyticKL(_ name: String) -> Bool {
        guard let modelSite = compiled.model.node(named: name), let guideSite = compiled.guide.node(named: name) else { return false }
        return (compiled.dependencies.modelTermSites[modelSite.id] ?? []) == [name]
            && (compiled.dependencies.guideTermSites[guideSite.id] ?? []) == [name]
    }

    /// Whether a local-expectation site's own terms become the exact KL: a
    /// discrete site whose prior and guide depend on no other latent site.
    ///
    /// Score-function sites keep their own terms in the cost on purpose:
    /// with the whole integrand `log p(x, z) − log q(z)` the cost tends to
    /// a constant (`log p(x)`) as the guide approaches the posterior, so
    /// the score function's variance vanishes near the optimum. Splitting
    /// off the exact KL removes that: measured on W5, REINFORCE ended
    /// 1–3 nats per image worse, and about 10 nats worse on W3.
    private func foldsOwnTermsIntoKL(_ name: String) -> Bool {
        switch treatments[name] {
        case .localExpectation?:
            return usesAnalyticKL(name) && compiled.model.node(named: name)?.valueType.isDiscrete == true
        default:
            return false
        }
    }

    private mutating func modelTerm(_ node: IRNode, values: [IRNodeID: LoweredValue],
                                    guideNodes: [IRNodeID: LoweredValue]) throws -> Tensor {
        let rank = node.eventShape.count
        let parameters = node.inputs.map { values[$0]! }
        var term: Tensor
        switch node.kind {
        case .latent(let name, let family, _):
            if case .relaxed(let relaxation)? = treatments[name] {
                if usesAnalyticKL(name) {
                    term = try negativeKL(name, family: family, modelParameters: parameters, rank: rank, relaxation: relaxation)
                } else if case .soft = relaxation, compiled.options.relaxedSiteTerms == .concreteDensities {
                    term = try relaxedLogDensityRatio(name, family: family, modelParameters: parameters, rank: rank)
                } else {
                    term = try lowering.logProb(family, parameters: parameters, value: values[node.id]!, eventRank: rank)
                }
            } else if foldsOwnTermsIntoKL(name) {
                term = try negativeKL(name, family: family, modelParameters: parameters, rank: rank, relaxation: nil)
            } else {
                term = try lowering.logProb(family, parameters: parameters, value: values[node.id]!, eventRank: rank)
            }
        case .observed(_, let family, _):
            term = try lowering.logProb(family, parameters: parameters, value: values[node.id]!, eventRank: rank)
        default:
            term = values[node.id]!.tensor
        }
        return try scaled(lowering.sumEvent(term), plates: node.plates.map { compiled.model[plate: $0].name })
    }

    /// The guide's term of a latent site, `log q` summed over its event and
    /// (unless `scaled` is false) multiplied by its plates' scale.
    private mutating func guideTerm(_ node: IRNode, values: [IRNodeID: LoweredValue], scaled applyScale: Bool = true)
        throws -> Tensor {
        guard case .latent(let name, let family, _) = node.kind else { return try lowering.constant([0], eventShape: []).tensor }
        let rank = node.eventShape.count
        var term: Tensor
        if case .relaxed(let relaxation)? = treatments[name] {
            let foldedIntoModelTerm: Bool
            if usesAnalyticKL(name) {
                foldedIntoModelTerm = true
            } else if case .soft = relaxation {
                foldedIntoModelTerm = compiled.options.relaxedSiteTerms == .concreteDensities
            } else {
                foldedIntoModelTerm = false
            }
            if foldedIntoModelTerm {
                // Folded into the model term (−KL or the relaxed density ratio).
                return try lowering.graph.reshape(lowering.graph.constant(0), to: Shape(layout.prefix()))
            }
            // The guide's exact negative entropy Σ q log q (its expectation of log q).
            let logQ = try relaxedGuideClassLogProbabilities(name, relaxation: relaxation)
            term = try lowering.graph.sum(lowering.graph.multiply(lowering.graph.exp(logQ), logQ), axis: -1)
        } else if foldsOwnTermsIntoKL(name) {
            // Folded into the model term, −KL(q ‖ p).
            return try lowering.graph.reshape(lowering.graph.constant(0), to: Shape(layout.prefix()))
        } else {
            term = try lowering.logProb(family, parameters: node.inputs.map { values[$0]! }, value: values[node.id]!, eventRank: rank)
        }
        let summed = try lowering.sumEvent(term)
        return applyScale ? try scaled(summed, plates: node.plates.map { compiled.guide[plate: $0].name }) : summed
    }

    /// The guide's class log-probabilities as the relaxation sees them: for
    /// a Hard Concrete gate, `[log(1 − q₀), log q₀]` with `q₀ = P(gate ≠ 0)
    /// = σ(α − τ log(−γ/ζ))` (Louizos et al. 2018, eq. 12).
    private mutating func relaxedGuideClassLogProbabilities(_ name: String, relaxation: SiteTreatment.Relaxation?) throws -> Tensor {
        guard case .hardConcrete(let tau, let lower, let upper)? = relaxation else { return guideClassLogProbabilities[name]! }
        let alpha = bernoulliLogits[name]!
        let shifted = try lowering.graph.add(alpha, -tau * Foundation.log(-lower / upper))
        let column = try lowering.graph.reshape(shifted, to: Shape(shifted.shape.dimensions + [1]))
        return try lowering.graph.concat([lowering.graph.logSigmoid(lowering.graph.negate(column)), lowering.graph.logSigmoid(column)], axis: -1)
    }

    /// `−KL(q ‖ p) = −Σ_k q_k (log q_k − log p_k)` over the classes.
    private mutating func negativeKL(_ name: String, family: DistributionFamily, modelParameters: [LoweredValue],
                                     rank: Int, relaxation: SiteTreatment.Relaxation?) throws -> Tensor {
        let logP = try lowering.classLogProbabilities(family, parameters: modelParameters, eventRank: rank)
        let logQ = try relaxedGuideClassLogProbabilities(name, relaxation: relaxation)
        let kl = try lowering.graph.sum(lowering.graph.multiply(lowering.graph.exp(logQ), lowering.graph.subtract(logQ, logP)), axis: -1)
        return try lowering.graph.negate(kl)
    }

    /// `log p_τ(y) − log q_τ(y)` for the relaxed sample `y`, with the terms
    /// common to both densities cancelled (Maddison et al. 2017):
    /// - binary Concrete, with `s = (α + L)/τ` and `g(t) = log σ(t) + log σ(−t)`:
    ///   `g(τs − l_p) − g(L)`;
    /// - Concrete over K classes:
    ///   `Σ_k (log π^p_k − log π^q_k) − K·[lse_k(log π^p_k − τ log y_k) − lse_k(log π^q_k − τ log y_k)]`.
    private mutating func relaxedLogDensityRatio(_ name: String, family: DistributionFamily, modelParameters: [LoweredValue],
                                                 rank: Int) throws -> Tensor {
        let logP = try lowering.classLogProbabilities(family, parameters: modelParameters, eventRank: rank)
        if family.name == "Bernoulli" {
            let priorLogit = try lowering.weighted(LoweredValue(logP, eventRank: rank, classes: 2), by: [-1, 1])
            let logistic = logisticNoise[name]!
            let alpha = bernoulliLogits[name]!
            let prior = try logLogisticDensity(lowering.graph.subtract(lowering.graph.add(alpha, logistic), priorLogit))
            return try lowering.graph.subtract(prior, logLogisticDensity(logistic))
        }
        let logQ = guideClassLogProbabilities[name]!
        let tau = temperatureValues[name]!
        let scaledLogY = try lowering.graph.multiply(relaxedLogValues[name]!, tau)
        let classes = Double(logP.shape.dimensions.last!)
        let sumP = try lowering.graph.sum(logP, axis: -1), sumQ = try lowering.graph.sum(logQ, axis: -1)
        let lseP = try lowering.graph.logSumExp(lowering.graph.subtract(logP, scaledLogY), axis: -1)
        let lseQ = try lowering.graph.logSumExp(lowering.graph.subtract(logQ, scaledLogY), axis: -1)
        return try lowering.graph.subtract(lowering.graph.subtract(sumP, sumQ),
                                           lowering.graph.multiply(lowering.graph.subtract(lseP, lseQ), classes))
    }

    /// `g(t) = log σ(t) + log σ(−t)`, the standard logistic log-density.
    private mutating func logLogisticDensity(_ t: Tensor) throws -> Tensor {
        try lowering.graph.add(lowering.graph.logSigmoid(t), lowering.graph.logSigmoid(lowering.graph.negate(t)))
    }

    /// A term in subsampled plates, scaled by `size / subsample` per plate.
    /// In a chunk, a term in the chunk's plate is not scaled for it (the
    /// chunks together hold every element), and a term outside it is scaled
    /// by `1/chunks` (every chunk computes it; their sum counts it once).
    private mutating func scaled(_ term: Tensor, plates: [String]) throws -> Tensor {
        let factor = scaleFactor(plates: plates)
        return factor == 1 ? term : try lowering.graph.multiply(term, factor)
    }

    /// The factor ``scaled(_:plates:)`` applies.
    func scaleFactor(plates: [String]) -> Double {
        var factor = plates.compactMap { name in layout.plates.first { $0.name == name } }
            .reduce(1.0) { $0 * ($1.name == chunk?.plate ? 1 : $1.scale) }
        if let chunk, !plates.contains(chunk.plate) { factor /= Double(chunk.chunks) }
        return factor
    }

    /// `Σ_grid Π_s q_s · term` over the enumeration axes of the sites the
    /// term depends on; the axes stay, with extent 1.
    private mutating func expectation(_ term: Tensor, sites: [String]) throws -> Tensor {
        var weighted = term
        var axes: [Int] = []
        for site in sites {
            guard let weights = enumerationWeights[site], let axis = layout.enumerationAxis(of: site) else { continue }
            weighted = try lowering.graph.multiply(weighted, weights)
            axes.append(axis)
        }
        for axis in axes where weighted.shape.dimensions[axis] > 1 {
            weighted = try lowering.graph.sum(weighted, axis: axis, keepingDimension: true)
        }
        let local = sites.filter { localWeights[$0] != nil }
        if local.count > 1 {
            throw ModelError(.unsupported, subject: local.joined(separator: ", "),
                "a term depends on two local-expectation sites; estimate one of them another way")
        }
        if let site = local.first, let (weights, elements) = localWeights[site],
           let flipAxis = layout.enumerationAxis(of: Self.flipAxis(site)),
           let valueAxis = layout.enumerationAxis(of: Self.valueAxis(site)),
           weighted.shape.dimensions[valueAxis] > 1 {
            // Σ_v q(d = v) t(d, v) estimates E[t] for every element d. The
            // value is their mean over d; the gradient reaching q(d = ·) is
            // each element's whole, so a zero-valued correction adds the
            // missing (1 − 1/D) of it.
            func reduce(_ x: Tensor) throws -> Tensor {
                try lowering.graph.sum(lowering.graph.sum(x, axis: valueAxis, keepingDimension: true), axis: flipAxis, keepingDimension: true)
            }
            let mean = try lowering.graph.multiply(reduce(lowering.graph.multiply(weighted, weights)), 1 / Double(elements))
            let centred = try lowering.graph.subtract(weights, lowering.graph.detach(weights))
            let correction = try reduce(lowering.graph.multiply(centred, lowering.graph.detach(weighted)))
            weighted = try lowering.graph.add(mean, lowering.graph.multiply(correction, 1 - 1 / Double(elements)))
        }
        return weighted
    }

    /// A prefix-shaped term summed over its plate axes (and any enumeration
    /// axes left), to one value per particle.
    private mutating func sumPlates(_ term: Tensor) throws -> Tensor {
        var result = term
        for axis in 0..<layout.prefixRank where axis != layout.particleAxis && result.shape.dimensions[axis] > 1 {
            result = try lowering.graph.sum(result, axis: axis, keepingDimension: true)
        }
        return result
    }

    /// The downstream cost of a score-function site: the model terms that
    /// depend on it minus the guide terms that do, each summed over the
    /// plates along which it does not depend on the site elementwise;
    /// detached, with shape prefix (particles and the site's plates).
    private mutating func downstreamCost(of name: String, modelTerms: [IRNodeID: Tensor],
                                         guideTerms: [IRNodeID: Tensor]) throws -> Tensor {
        var cost: Tensor?
        func add(_ term: Tensor, elementwise: [String], sign: Double) throws {
            var reduced = term
            for (index, plate) in layout.plates.enumerated() where !elementwise.contains(plate.name) {
                let axis = layout.plateAxis(index)
                if reduced.shape.dimensions[axis] > 1 {
                    reduced = try lowering.graph.sum(reduced, axis: axis, keepingDimension: true)
                }
            }
            if sign < 0 { reduced = try lowering.graph.negate(reduced) }
            cost = try cost.map { try lowering.graph.add($0, reduced) } ?? reduced
        }
        let ownTermsFolded = foldsOwnTermsIntoKL(name)
        for dependence in compiled.dependencies.modelDependents[name] ?? []
        where !(ownTermsFolded && compiled.model[dependence.term].name == name) {
            try add(modelTerms[dependence.term]!, elementwise: dependence.elementwisePlates.map { compiled.model[plate: $0].name }, sign: 1)
        }
        for dependence in compiled.dependencies.guideDependents[name] ?? []
        where !(ownTermsFolded && compiled.guide[dependence.term].name == name) {
            try add(guideTerms[dependence.term]!, elementwise: dependence.elementwisePlates.map { compiled.guide[plate: $0].name }, sign: -1)
        }
        // A site that nothing downstream depends on costs nothing.
        var total = try cost ?? lowering.graph.reshape(lowering.graph.constant(0), to: Shape(layout.prefix()))
        // Broadcast to one cost per particle and per element of the site.
        let site = compiled.model.node(named: name)!
        let plates = site.plates.map { layout.plateIndex(named: compiled.model[plate: $0].name)! }
        let target = layout.prefix(plates: plates, particles: true)
        if total.shape.dimensions != target {
            total = try lowering.graph.add(total, lowering.graph.constant(Array(repeating: 0, count: target.reduce(1, *)), shape: Shape(target)))
        }
        return try lowering.graph.detach(total)
    }

    /// The ARM or DisARM surrogate `Σ α · detach(g) / M` over the M
    /// antithetic pairs (particle j and j + M):
    /// - DisARM (Dong, Mnih & Tucker 2020): `g = ½ (f(b) − f(b̃)) (b − b̃) σ(|α|)`;
    /// - ARM (Yin & Zhou 2019): `g = (f(1[u > σ(−α)]) − f(1[u < σ(α)])) (u − ½)`, `u = σ(L)`.
    private mutating func pairedSurrogate(_ name: String, cost: Tensor, disarm: Bool) throws -> Tensor {
        let half = particles / 2
        let axis = layout.particleAxis
        func slice(_ tensor: Tensor, second: Bool) throws -> Tensor {
            guard tensor.shape.dimensions[axis] == particles else { return tensor }
            var shape = Array(repeating: 1, count: tensor.rank)
            shape[axis] = half
            let indices = try lowering.graph.indexConstant(Array((second ? half : 0)..<(second ? particles : half)), shape: Shape(shape))
            return try lowering.graph.gather(tensor, indices: indices, axis: axis)
        }
        let alpha = bernoulliLogits[name]!
        let logistic = logisticNoise[name]!
        let rank = alpha.rank - layout.prefixRank
        let f1 = try lowering.aligned(LoweredValue(try slice(cost, second: false), eventRank: 0), toEventRank: rank)
        let f2 = try lowering.aligned(LoweredValue(try slice(cost, second: true), eventRank: 0), toEventRank: rank)
        let alpha1 = try slice(alpha, second: false)
        let l1 = try slice(logistic, second: false), l2 = try slice(logistic, second: true)
        let g: Tensor
        if disarm {
            let b1 = try lowering.graph.step(lowering.graph.add(alpha1, l1))
            let b2 = try lowering.graph.step(lowering.graph.add(alpha1, l2))
            let confidence = try lowering.graph.maximum(lowering.graph.sigmoid(alpha1), lowering.graph.sigmoid(lowering.graph.negate(alpha1)))
            g = try lowering.graph.multiply(lowering.graph.multiply(lowering.graph.multiply(lowering.graph.subtract(f1, f2), 0.5),
                                                                   lowering.graph.subtract(b1, b2)), confidence)
        } else {
            // The first particle's b = 1[α + L > 0] = 1[u > σ(−α)] with u = σ(L):
            // ARM's first term; its antithetic partner is 1[u < σ(α)].
            let u = try lowering.graph.sigmoid(l1)
            g = try lowering.graph.multiply(lowering.graph.subtract(f1, f2), lowering.graph.add(u, -0.5))
        }
        let surrogate = try lowering.graph.multiply(alpha1, lowering.graph.detach(g))
        return try lowering.graph.multiply(lowering.graph.sum(surrogate), 1 / Double(half))
    }
}

/// One of several threads' share of an ELBO: the elements
/// `start ..< start + count` of one plate (the chunks partition it). Terms
/// in the plate cover the chunk's elements; terms outside it are scaled by
/// `1 / chunks`, so the chunks' objectives and gradients add up to the whole.
struct ELBOChunk: Equatable {
    let plate: String
    let start: Int
    let count: Int
    let chunks: Int
}

private extension SiteTreatment.ScoreFunction {
    var isDisARM: Bool { if case .disarm = self { return true } else { return false } }
}
