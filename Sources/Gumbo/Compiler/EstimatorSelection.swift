/// Compiler pass 4: chooses a gradient estimator for every latent site,
/// and records why.
///
/// Default policy, in order:
/// 1. Normal → reparameterization.
/// 2. Bernoulli, Categorical → exact enumeration when every term that
///    depends on the site depends on it elementwise and the joint values of
///    enumerated sites at any term fit ``CompileOptions/enumerationBudget``.
/// 3. Otherwise, when the value can be relaxed: binary Concrete (Bernoulli)
///    or Gumbel-softmax (Categorical) — straight-through where the value
///    reaches a lookup, soft where it is only used as a number.
/// 4. Otherwise REINFORCE with a moving-average baseline.
///
/// An override (``CompileOptions/estimators``, or `.estimator(…)` on the
/// model's or guide's site) replaces the choice; one that cannot work is a
/// ``ModelError`` that says why.
enum EstimatorSelection {
    static func select(model: IRProgram, guide: IRProgram, dependencies: DependencyAnalysis,
                       relaxability: RelaxabilityAnalysis, options: CompileOptions) throws -> [SiteEstimator] {
        var enumerated: [String: Int] = [:]   // site → classes
        var choices: [SiteEstimator] = []
        for site in model.latentSites {
            guard case .latent(let name, let family, let modelOverride) = site.kind else { continue }
            let guideSite = guide.node(named: name)
            var guideOverride: Estimator?
            if let guideSite, case .latent(_, _, let e) = guideSite.kind { guideOverride = e }
            if let modelOverride, let guideOverride, modelOverride != guideOverride {
                throw ModelError(.invalidEstimator, subject: name,
                    "the model asks for \(modelOverride) and the guide for \(guideOverride); choose one")
            }
            let override = options.estimators[name] ?? guideOverride ?? modelOverride
            let plates = site.plates.map { model[plate: $0].name }
            let enumerability = enumerationCheck(name, site: site, family: family, enumerated: enumerated,
                                                 model: model, guide: guide, dependencies: dependencies, options: options)
            let use = relaxability.sites[name]

            let estimator: Estimator
            let reason: String
            if let override {
                try checkOverride(override, name: name, site: site, family: family, enumerability: enumerability, use: use,
                                  model: model, guide: guide, dependencies: dependencies)
                estimator = override
                reason = "chosen by the user"
            } else {
                (estimator, reason) = defaultChoice(family: family, enumerability: enumerability, use: use, options: options)
            }
            if estimator == .enumeration, let k = family.valueType.classCount { enumerated[name] = k }
            choices.append(SiteEstimator(site: name, family: family, plates: plates, estimator: estimator,
                                         reason: reason, isOverride: override != nil))
        }
        try checkAntitheticPairs(choices, guide: guide, dependencies: dependencies)
        return choices
    }

    /// ARM and DisARM (Yin & Zhou 2019; Dong, Mnih & Tucker 2020) draw each
    /// of their sites twice from one uniform, antithetically, with every
    /// other draw shared by the pair, and weight the difference of the two
    /// costs by the site's own logit: valid for a factorized guide, where a
    /// site's probability is the same in both halves. When the guide of one
    /// such site reads another's value, its probability differs between
    /// the halves and the estimate is biased (measured: 250 standard errors
    /// on the reading site's coupling weight), so that is an error. So is a
    /// leave-one-out baseline beside them (a particle's pair copy is among
    /// its "others": the score of such a site came out exactly 0).
    private static func checkAntitheticPairs(_ choices: [SiteEstimator], guide: IRProgram,
                                             dependencies: DependencyAnalysis) throws {
        func isPaired(_ estimator: Estimator) -> Bool {
            switch estimator {
            case .arm, .disarm: true
            default: false
            }
        }
        let paired = choices.filter { isPaired($0.estimator) }
        if let first = paired.first,
           let leaveOneOut = choices.first(where: { $0.estimator == .reinforce(baseline: .leaveOneOut) }) {
            // The pairs copy every other site's draws into both halves, so a
            // particle's "others" include its own copy.
            throw ModelError(.invalidEstimator, subject: leaveOneOut.site,
                "\(leaveOneOut.estimator) cannot estimate this \(leaveOneOut.family.name) site beside \(first.estimator) on "
                + "'\(first.site)': the antithetic pairs share this site's draws, so each particle's leave-one-out "
                + "baseline holds its own copy; use baseline=ma or none")
        }
        for choice in paired {
            guard let guideSite = guide.node(named: choice.site) else { continue }
            for other in paired where other.site != choice.site {
                if (dependencies.guideDependents[other.site] ?? []).contains(where: { $0.term == guideSite.id }) {
                    throw ModelError(.invalidEstimator, subject: choice.site,
                        "\(choice.estimator) cannot estimate this \(choice.family.name) site: its guide reads '\(other.site)', "
                        + "which is \(other.estimator) too, so the antithetic pair's two values of '\(other.site)' give this "
                        + "site two different probabilities; use reinforce for one of them")
                }
            }
        }
    }

    // MARK: Default policy

    private static func defaultChoice(family: DistributionFamily, enumerability: Result<Int, Refusal>,
                                      use: RelaxabilityAnalysis.SiteUse?, options: CompileOptions) -> (Estimator, String) {
        guard let classes = family.valueType.classCount else {
            return (.reparameterization, "Normal site: pathwise gradient through z = μ + σ·ε")
        }
        if options.allowsEnumeration, case .success(let grid) = enumerability {
            return (.enumeration, "\(classes) classes; every dependent term needs at most \(grid) joint values (budget \(options.enumerationBudget)): exact expectation under the guide")
        }
        let notEnumerable: String
        switch enumerability {
        case .failure(let refusal): notEnumerable = "not enumerable (\(refusal.reason))"
        case .success: notEnumerable = "enumeration disabled"
        }
        let isBernoulli = classes == 2 && family.name == "Bernoulli"
        if let use, use.relaxable {
            let straightThrough = use.reachesLookup
            let how = straightThrough
                ? "value reaches a \(use.uses.joined(separator: ", ")), so the forward pass sees the hard value (straight-through)"
                : "value used only as a number (\(use.uses.isEmpty ? "no downstream use" : use.uses.joined(separator: ", "))), so the soft value is meaningful"
            if isBernoulli {
                return (.concrete(temperature: options.bernoulliTemperature, straightThrough: straightThrough),
                        "\(notEnumerable); relaxable: binary Concrete, \(how)")
            }
            return (.gumbelSoftmax(temperature: options.categoricalTemperature, straightThrough: straightThrough),
                    "\(notEnumerable); relaxable: Gumbel-softmax, \(how)")
        }
        let blocked = use?.blockers.joined(separator: "; ") ?? "not relaxable"
        return (.reinforce(baseline: options.baseline), "\(notEnumerable); cannot be relaxed (\(blocked)): score function with a baseline")
    }

    // MARK: Enumeration

    struct Refusal: Error {
        let reason: String
    }

    /// Whether `site` can be enumerated given the sites already enumerated;
    /// on success, the largest joint grid any dependent term needs.
    private static func enumerationCheck(_ name: String, site: IRNode, family: DistributionFamily,
                                         enumerated: [String: Int], model: IRProgram, guide: IRProgram,
                                         dependencies: DependencyAnalysis, options: CompileOptions) -> Result<Int, Refusal> {
        guard let classes = family.valueType.classCount else {
            return .failure(Refusal(reason: "a continuous site has no finite support"))
        }
        guard site.eventShape.isEmpty else {
            return .failure(Refusal(reason: "the site has event shape \(site.eventShape); only one value per plate element is enumerated"))
        }
        for dependence in dependencies.modelDependents[name] ?? [] {
            let term = model[dependence.term]
            if dependence.elementwisePlates.count != site.plates.count {
                let missing = site.plates.filter { !dependence.elementwisePlates.contains($0) }.map { "'\(model[plate: $0].name)'" }
                return .failure(Refusal(reason: "'\(term.name ?? term.id.description)' depends on all of its values across plate \(missing.joined(separator: ", "))"))
            }
        }
        for dependence in dependencies.guideDependents[name] ?? [] where guide[dependence.term].name != name {
            return .failure(Refusal(reason: "the guide's '\(guide[dependence.term].name ?? "")' depends on it"))
        }
        var largest = 1
        for dependence in dependencies.modelDependents[name] ?? [] {
            var grid = classes
            for other in dependencies.modelTermSites[dependence.term] ?? [] where other != name {
                grid *= enumerated[other] ?? 1
            }
            if grid > options.enumerationBudget {
                return .failure(Refusal(reason: "'\(model[dependence.term].name ?? "")' would need \(grid) joint values, over the budget of \(options.enumerationBudget)"))
            }
            largest = max(largest, grid)
        }
        return .success(largest)
    }

    // MARK: Overrides

    private static func checkOverride(_ estimator: Estimator, name: String, site: IRNode, family: DistributionFamily,
                                      enumerability: Result<Int, Refusal>, use: RelaxabilityAnalysis.SiteUse?,
                                      model: IRProgram, guide: IRProgram, dependencies: DependencyAnalysis) throws {
        func reject(_ why: String) -> ModelError {
            ModelError(.invalidEstimator, subject: name, "\(estimator) cannot estimate this \(family.name) site: \(why)")
        }
        let isBernoulli = family.name == "Bernoulli"
        let isCategorical = family.name == "Categorical"
        func requireRelaxable() throws {
            if let use, !use.relaxable {
                throw reject("its value \(use.blockers.joined(separator: "; ")), which needs a discrete value; use reinforce or enumerate")
            }
        }
        switch estimator {
        case .reparameterization:
            if family != .normal { throw reject("only a Normal site is reparameterized; for a discrete site use enumerate, a relaxation or reinforce") }
        case .enumeration:
            if case .failure(let refusal) = enumerability { throw reject("it cannot be enumerated: \(refusal.reason); use reinforce or a relaxation") }
        case .reinforce(let baseline):
            if case .movingAverage(let decay) = baseline, !(decay >= 0 && decay < 1) {
                throw reject("a moving-average decay must be in [0, 1), got \(decay)")
            }
        case .gumbelSoftmax(let temperature, _):
            if isBernoulli { throw reject("a Bernoulli site uses the binary Concrete relaxation: write concrete or st-concrete") }
            if !isCategorical { throw reject("Gumbel-softmax relaxes Categorical sites only") }
            try requireRelaxable()
            try checkTemperature(temperature, name: name)
        case .concrete(let temperature, _):
            if !isBernoulli { throw reject("binary Concrete relaxes Bernoulli sites only\(isCategorical ? "; use gumbel-softmax" : "")") }
            try requireRelaxable()
            try checkTemperature(temperature, name: name)
        case .hardConcrete(let temperature, let lower, let upper):
            if !isBernoulli { throw reject("Hard Concrete gates are Bernoulli sites") }
            try requireRelaxable()
            try checkTemperature(.constant(temperature), name: name)
            if !(lower < 0 && upper > 1) {
                throw reject("the stretch interval must contain [0, 1] strictly (lower < 0 < 1 < upper), got (\(lower), \(upper))")
            }
        case .localExpectation:
            guard family.valueType.isDiscrete else { throw reject("local expectation needs a discrete site") }
            try checkLocalExpectation(name, site: site, model: model, guide: guide, dependencies: dependencies, reject: reject)
        case .arm, .disarm:
            if !isBernoulli { throw reject("ARM and DisARM estimate Bernoulli sites only") }
        }
    }

    /// The most element-and-value pairs a local-expectation site may have:
    /// each is one evaluation of the terms that depend on the site.
    static let localExpectationBudget = 4096

    private static func checkLocalExpectation(_ name: String, site: IRNode, model: IRProgram, guide: IRProgram,
                                              dependencies: DependencyAnalysis, reject: (String) -> ModelError) throws {
        guard site.eventShape.isEmpty else { throw reject("local expectation needs one value per plate element (event shape [])") }
        if let plate = site.plates.first(where: { model[plate: $0].subsampleSize != nil }) {
            throw reject("the site is in the subsampled plate '\(model[plate: plate].name)'; every element is flipped in turn, so its plates must be whole")
        }
        let pairs = site.plates.reduce(site.valueType.classCount ?? 1) { $0 * model[plate: $1].size }
        if pairs > localExpectationBudget {
            throw reject("it has \(pairs) element-value pairs, over the budget of \(localExpectationBudget); use reinforce or disarm")
        }
        for dependence in dependencies.guideDependents[name] ?? [] where guide[dependence.term].name != name {
            throw reject("the guide's '\(guide[dependence.term].name ?? "")' depends on it")
        }
    }

    static func checkTemperature(_ temperature: Temperature, name: String) throws {
        let valid: Bool
        switch temperature {
        case .constant(let tau):
            valid = tau > 0 && tau.isFinite
        case .exponential(let initial, let minimum, let rate):
            valid = initial > 0 && initial.isFinite && minimum > 0 && minimum <= initial && rate >= 0 && rate.isFinite
        case .learned(let initial, let minimum):
            valid = minimum > 0 && initial > minimum && initial.isFinite
        }
        if !valid {
            throw ModelError(.invalidTemperature, subject: name,
                "temperature \(temperature) is invalid: it must be positive and finite (an annealed one needs 0 < minimum ≤ initial and rate ≥ 0; a learned one needs initial > minimum > 0)")
        }
    }
}
