import Foundation

/// Compiler pass: the automatic mean-field guide, used when a model is
/// compiled without one (the analogue of Pyro's `AutoNormal` and
/// `AutoDiscrete` guides).
///
/// For every latent site of the model, in order, one guide site in the same
/// plates with the same shape and independent parameters per element:
/// - Normal → `Normal(loc, softplus-positive scale)`, `scale` starting at 0.1
///   and `loc` at the prior mean (when it is a constant) plus 0.1 prior
///   standard deviations of seeded noise, which breaks the symmetry between
///   exchangeable sites (as Pyro's `init_to_median` does with prior draws);
/// - Bernoulli → `Bernoulli(logit)`, logit 0;
/// - Categorical → `Categorical(logits)`, logits 0.
///
/// Parameters are named `<site>.loc`, `<site>.scale`, `<site>.logit`,
/// `<site>.logits`.
enum GuideSynthesis {
    static func meanField(for model: IRProgram) throws -> IRProgram {
        var guide = IRBuilder(name: "auto guide")
        for site in model.latentSites {
            guard case .latent(let name, let family, _) = site.kind else { continue }
            var plates: [PlateID] = []
            for plateID in site.plates {
                let plate = model[plate: plateID]
                plates.append(try guide.plate(plate.name, size: plate.size, subsample: plate.subsampleSize))
            }
            let fullShape = site.plates.map { model[plate: $0].size } + site.eventShape
            let count = fullShape.reduce(1, *)

            func local(_ parameter: IRNodeID) throws -> IRNodeID {
                var value = parameter
                for plate in plates { value = try guide.operation(.plateIndex(plate), [value]) }
                return value
            }

            switch family {
            case .normal:
                let (mean, std) = priorMoments(of: site, in: model)
                var noise = SplitMix64(seed: fnv1a(name))
                let initialLoc = (0..<count).map { _ in mean + 0.1 * std * noise.nextBenchmarkNormal() }
                let loc = try guide.parameter("\(name).loc", initial: initialLoc, shape: fullShape)
                let scale = try guide.parameter("\(name).scale", initial: Array(repeating: 0.1, count: count),
                                                shape: fullShape, constraint: .positive)
                _ = try guide.latent(name, .normal, parameters: [try local(loc), try local(scale)], plates: plates)
            case .bernoulliProbability, .bernoulliLogit:
                let logit = try guide.parameter("\(name).logit", initial: Array(repeating: 0, count: count), shape: fullShape)
                _ = try guide.latent(name, .bernoulliLogit, parameters: [try local(logit)], plates: plates)
            case .categoricalProbabilities(let k), .categoricalLogits(let k):
                let logits = try guide.parameter("\(name).logits", initial: Array(repeating: 0, count: count * k),
                                                 shape: fullShape + [k])
                _ = try guide.latent(name, .categoricalLogits(classes: k), parameters: [try local(logits)], plates: plates)
            }
        }
        return guide.build()
    }

    /// The prior's mean and standard deviation where they are constants
    /// (the first element), else (0, 1).
    private static func priorMoments(of site: IRNode, in model: IRProgram) -> (Double, Double) {
        func constant(_ id: IRNodeID) -> Double? {
            if case .constant(let values) = model[id].kind { return values.first }
            return nil
        }
        let mean = constant(site.inputs[0]) ?? 0
        let std = constant(site.inputs[1]) ?? 1
        return (mean, std)
    }

    /// FNV-1a hash of a site name: a seed that depends only on the name.
    private static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01B3
        }
        return hash
    }
}
