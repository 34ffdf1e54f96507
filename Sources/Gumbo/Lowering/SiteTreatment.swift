/// How the ELBO builder treats one latent site: the lowering-level form of
/// an ``Estimator`` (or, for evaluation, of an exact or hard-sample read).
enum SiteTreatment {
    /// `z = μ + σ·ε`, gradient through the value.
    case reparameterized
    /// Every value on its own enumeration axis, weighted by the guide.
    case enumerated
    /// A hard sample with no gradient through the value; `score` says how
    /// the guide's parameters get their gradient (none when evaluating).
    case hard(score: ScoreFunction?)
    /// A relaxed sample downstream.
    case relaxed(Relaxation)
    /// A hard sample, and for each element every value with the other
    /// elements held at the sample (local expectation gradients).
    case localExpectation

    enum ScoreFunction {
        case reinforce(Baseline)
        case arm
        case disarm
    }

    enum Relaxation {
        case soft(Temperature)
        case straightThrough(Temperature)
        case hardConcrete(temperature: Double, lower: Double, upper: Double)

        var schedule: Temperature {
            switch self {
            case .soft(let t), .straightThrough(let t): return t
            case .hardConcrete(let t, _, _): return .constant(t)
            }
        }
    }

    init(_ estimator: Estimator) {
        switch estimator {
        case .reparameterization: self = .reparameterized
        case .enumeration: self = .enumerated
        case .reinforce(let baseline): self = .hard(score: .reinforce(baseline))
        case .arm: self = .hard(score: .arm)
        case .disarm: self = .hard(score: .disarm)
        case .localExpectation: self = .localExpectation
        case .gumbelSoftmax(let t, let st), .concrete(let t, let st):
            self = .relaxed(st ? .straightThrough(t) : .soft(t))
        case .hardConcrete(let t, let lower, let upper):
            self = .relaxed(.hardConcrete(temperature: t, lower: lower, upper: upper))
        }
    }

    var isPaired: Bool {
        switch self {
        case .hard(score: .arm?), .hard(score: .disarm?): return true
        default: return false
        }
    }
}
