/// Enumerated sites lowered to one fused node each
/// (``GraphBuilder/enumeratedExpectation(logits:terms:entropyWeight:)``).
///
/// An enumerated site `z` with a guide `q = softmax(x)` contributes to the
/// ELBO, for each plate element `r`,
///
///     Σ_k q_rk (T_rk − c log q_rk),
///
/// where `T` sums the terms that depend on `z` (and on no other enumerated
/// or local-expectation site) and `c` is the guide term's subsampling
/// scale. Lowered term by term, that is a `logSoftmax` (one logarithm per
/// row), a `softmax`, one weighted contraction per term and their
/// backward passes; the fused node reads `x` and `T` once forward and once
/// backward, with no logarithm per row (see ``EnumeratedExpectationKernels``).
/// The value is the same expectation; only the order of the sums differs.
///
/// A site is fused when its guide's class log-probabilities are a
/// `logSoftmax` of logits over the last axis, its weights depend on no
/// other enumerated site, and its enumeration axis is the last prefix axis
/// it spans (the inner layout); a term joins it when it broadcasts into
/// the weights' shape and no score-function site's cost reads it. Anything
/// else takes the term-by-term path.
extension ELBOLowering {
    struct FusedEnumeration {
        /// The guide's logits, in the weights' shape up to the site's
        /// enumeration axis (the prefix, classes last; ``trailingAxes``
        /// more axes of extent 1 follow in the weights).
        let logits: Tensor
        let weights: Tensor
        let trailingAxes: Int
        let entropyWeight: Double
    }

    /// The terms read by some score-function site's downstream cost: they
    /// must stay individual tensors.
    var scoreCostTerms: (model: Set<IRNodeID>, guide: Set<IRNodeID>) {
        var model = Set<IRNodeID>(), guide = Set<IRNodeID>()
        for (site, treatment) in treatments where treatment.isScoreFunction {
            for dependence in compiled.dependencies.modelDependents[site] ?? [] { model.insert(dependence.term) }
            for dependence in compiled.dependencies.guideDependents[site] ?? [] { guide.insert(dependence.term) }
        }
        return (model, guide)
    }

    /// The enumerated sites to fuse, by name.
    mutating func fusedEnumerations() throws -> [String: FusedEnumeration] {
        guard compiled.options.fusesEnumeratedExpectations, layout.particleAxis == 0 else { return [:] }
        var result: [String: FusedEnumeration] = [:]
        for (name, weights) in enumerationWeights.sorted(by: { $0.key < $1.key }) {
            guard let logProbabilities = guideClassLogProbabilities[name], let logits = logits(of: logProbabilities),
                  logits.shape.count == weights.shape.count,
                  let enumerationAxis = layout.enumerationAxis(of: name),
                  weights.shape.dimensions[(enumerationAxis + 1)...].allSatisfy({ $0 == 1 }),
                  let site = compiled.guide.node(named: name),
                  enumeratedSites(compiled.dependencies.guideTermSites[site.id] ?? []) == [name]
            else { continue }
            let plates = site.plates.map { compiled.guide[plate: $0].name }
            let shape = Shape(Array(weights.shape.dimensions[...enumerationAxis]))
            result[name] = FusedEnumeration(logits: try lowering.graph.reshape(logits, to: shape), weights: weights,
                                            trailingAxes: weights.rank - 1 - enumerationAxis,
                                            entropyWeight: scaleFactor(plates: plates))
        }
        return result
    }

    /// The fused site a term joins, if any: the one enumerated site it
    /// depends on, when that site is fused, the term broadcasts into its
    /// weights' shape, and no score-function cost reads it.
    func fusedSite(of term: Tensor, sites: [String], _ fused: [String: FusedEnumeration], inScoreCost: Bool) -> String? {
        guard !inScoreCost, !sites.contains(where: { localWeights[$0] != nil }) else { return nil }
        let enumerated = enumeratedSites(sites)
        guard enumerated.count == 1, let fusion = fused[enumerated[0]] else { return nil }
        let (d, w) = (term.shape.dimensions, fusion.weights.shape.dimensions)
        guard d.count == w.count, zip(d, w).dropFirst().allSatisfy({ $0 == 1 || $0 == $1 }) else { return nil }
        return enumerated[0]
    }

    /// `Σ_r Σ_k q_rk (T_rk + B_k − c log q_rk)` per particle, in the
    /// prefix's rank: `B` sums the terms that vary only with the class (a
    /// prior's `log π_k`), `T` the others.
    mutating func fusedExpectation(_ fusion: FusedEnumeration, terms: [Tensor]) throws -> Tensor {
        let weights = fusion.weights.shape.dimensions
        let rows = [1] + weights.dropFirst()
        let classAxis = weights.count - 1 - fusion.trailingAxes
        func isClassTerm(_ term: Tensor) -> Bool {
            term.shape.dimensions.enumerated().allSatisfy { axis, extent in
                axis == classAxis ? extent == weights[classAxis] : extent == 1
            }
        }
        func sum(_ terms: [Tensor]) throws -> Tensor? {
            var total: Tensor?
            for term in terms { total = try total.map { try lowering.graph.add($0, term) } ?? term }
            return total
        }
        let classTotal = try sum(terms.filter(isClassTerm))
        var total = try sum(terms.filter { !isClassTerm($0) })
        if total == nil || total!.shape.dimensions.dropFirst() != rows.dropFirst() {
            // Every row and class, even where no term varies.
            let zeros = try lowering.graph.constant([Double](repeating: 0, count: rows.reduce(1, *)), shape: Shape(rows))
            total = try total.map { try lowering.graph.add($0, zeros) } ?? zeros
        }
        func trimmed(_ tensor: Tensor) throws -> Tensor {
            try lowering.graph.reshape(tensor, to: Shape(Array(tensor.shape.dimensions.dropLast(fusion.trailingAxes))))
        }
        let value = try lowering.graph.enumeratedExpectation(
            logits: fusion.logits, terms: trimmed(total!), classTerms: classTotal.map(trimmed),
            entropyWeight: fusion.entropyWeight)
        return try lowering.graph.reshape(value, to: Shape(value.shape.dimensions + Array(repeating: 1, count: fusion.trailingAxes)))
    }

    /// The logits `x` of log-probabilities computed as `logSoftmax(x)`
    /// over the last axis; `nil` for any others.
    func logits(of logProbabilities: Tensor) -> Tensor? {
        let node = lowering.graph.nodes[logProbabilities.id.rawValue]
        guard case .logSoftmax(let axis) = node.op, axis == logProbabilities.rank - 1 else { return nil }
        return lowering.graph.nodes[node.inputs[0].rawValue].tensor
    }

    /// A relaxed Categorical site's own term, `−KL(q ‖ p) = Σ_k q_k (log p_k − log q_k)`
    /// summed over its plates, as one `enumeratedExpectation` of the
    /// guide's logits with the prior's `log p` as class terms (no term per
    /// row, and no logarithm per row), per particle in the prefix's rank;
    /// `nil` (the chain of ``negativeKL``) unless the guide is
    /// `Categorical(logits:)`, the prior's classes are the same for every
    /// element, and no score-function cost reads the term.
    mutating func fusedNegativeKL(_ node: IRNode, values: [IRNodeID: LoweredValue], inScoreCost: Bool) throws -> Tensor? {
        guard compiled.options.fusesEnumeratedExpectations, !inScoreCost, layout.particleAxis == 0,
              case .latent(let name, let family, _) = node.kind, node.eventShape.isEmpty,
              case .relaxed(let relaxation)? = treatments[name], usesAnalyticKL(name),
              let logQ = guideClassLogProbabilities[name], let x = logits(of: logQ),
              x.rank == layout.prefixRank + 1
        else { return nil }
        switch relaxation {
        case .soft, .straightThrough: break
        case .hardConcrete: return nil
        }
        let logP = try lowering.classLogProbabilities(family, parameters: node.inputs.map { values[$0]! }, eventRank: 0)
        let classes = x.shape.dimensions.last!
        guard logP.shape.count == classes, logP.shape.dimensions.last == classes else { return nil }
        let c = scaleFactor(plates: node.plates.map { compiled.model[plate: $0].name })
        let rows = [1] + x.shape.dimensions.dropFirst()
        let zeros = try lowering.graph.constant([Double](repeating: 0, count: rows.reduce(1, *)), shape: Shape(rows))
        var classTerms = try lowering.graph.reshape(logP, to: Shape([Int](repeating: 1, count: x.rank - 1) + [classes]))
        if c != 1 { classTerms = try lowering.graph.multiply(classTerms, c) }
        let total = try lowering.graph.enumeratedExpectation(logits: x, terms: zeros, classTerms: classTerms, entropyWeight: c)
        return try lowering.graph.reshape(total, to: Shape([total.shape[0]] + [Int](repeating: 1, count: layout.prefixRank - 1)))
    }

    private func enumeratedSites(_ sites: [String]) -> [String] {
        sites.filter { enumerationWeights[$0] != nil }
    }
}

extension SiteTreatment {
    /// Whether the guide's parameters get their gradient through a score
    /// function (REINFORCE, ARM, DisARM).
    var isScoreFunction: Bool {
        if case .hard(score: _?) = self { return true }
        return false
    }
}
