import Foundation

/// How the gradient of the ELBO flows through one latent site: the
/// vocabulary shared by the DSL's overrides, the compiler's choice and the
/// inference engine. Each case's mathematics is in `Docs/Estimators.md`.
public enum Estimator: Hashable, Sendable, CustomStringConvertible {
    /// Pathwise: `z = μ + σ·ε`, `ε ~ N(0, 1)` (Kingma & Welling 2014).
    /// Normal sites only.
    case reparameterization
    /// Exact expectation over the site's values, weighted by the guide.
    case enumeration
    /// Score function (Williams 1992) with a baseline, using only the
    /// site's downstream costs.
    case reinforce(baseline: Baseline)
    /// Gumbel-softmax / Concrete (Jang, Gu & Poole 2017; Maddison, Mnih &
    /// Teh 2017) for Categorical sites; straight-through when the forward
    /// pass must see a one-hot value.
    case gumbelSoftmax(temperature: Temperature, straightThrough: Bool)
    /// Binary Concrete (Maddison et al. 2017) for Bernoulli sites; soft or
    /// straight-through.
    case concrete(temperature: Temperature, straightThrough: Bool)
    /// Hard Concrete gates (Louizos, Welling & Kingma 2018) for Bernoulli
    /// sites used as gates.
    case hardConcrete(temperature: Double, lower: Double, upper: Double)
    /// Augment-REINFORCE-merge (Yin & Zhou 2019), Bernoulli sites.
    case arm
    /// Antithetic ARM (Dong, Mnih & Tucker 2020), Bernoulli sites.
    case disarm
    /// Local expectation gradients (Titsias & Lázaro-Gredilla 2015): for
    /// each element of the site, the exact expectation over its own values
    /// with the other elements sampled. Discrete sites with few elements.
    case localExpectation

    /// Whether the estimator's gradient is unbiased for the discrete
    /// model's ELBO.
    public var isUnbiased: Bool {
        switch self {
        case .reparameterization, .enumeration, .reinforce, .arm, .disarm, .localExpectation: return true
        case .gumbelSoftmax, .concrete, .hardConcrete: return false
        }
    }

    /// Whether downstream computations receive a relaxed (continuous) value.
    public var relaxesValue: Bool {
        switch self {
        case .gumbelSoftmax, .concrete, .hardConcrete: return true
        default: return false
        }
    }

    /// The Hard Concrete defaults of Louizos et al. (2018): τ = 2/3, γ = −0.1, ζ = 1.1.
    public static let hardConcreteDefault = Estimator.hardConcrete(temperature: 2.0 / 3.0, lower: -0.1, upper: 1.1)

    /// The command-line spelling, e.g. `reinforce` (no baseline),
    /// `reinforce:baseline=ma`, `st-gumbel-softmax:tau=0.5`,
    /// `st-gumbel-softmax:anneal=1:0.5:0.00155`. ``init(parsing:)`` reads
    /// it back.
    public var description: String {
        switch self {
        case .reparameterization: return "reparam"
        case .enumeration: return "enumerate"
        case .reinforce(.none): return "reinforce"
        case .reinforce(let baseline): return "reinforce:baseline=\(baseline)"
        case .gumbelSoftmax(let t, let st): return "\(st ? "st-" : "")gumbel-softmax:\(t.options)"
        case .concrete(let t, let st): return "\(st ? "st-" : "")concrete:\(t.options)"
        case .hardConcrete(let t, let l, let u):
            return "hard-concrete:tau=\(shortNumber(t)):lower=\(shortNumber(l)):upper=\(shortNumber(u))"
        case .arm: return "arm"
        case .disarm: return "disarm"
        case .localExpectation: return "local-expectation"
        }
    }
}

/// A control variate subtracted from a REINFORCE site's cost.
public enum Baseline: Hashable, Sendable, CustomStringConvertible {
    /// No baseline.
    case none
    /// An exponential moving average of the site's downstream cost,
    /// `b ← decay·b + (1 − decay)·cost`, kept per plate element.
    case movingAverage(decay: Double)
    /// Leave-one-out across particles (Kool, van Hoof & Welling 2019):
    /// particle j uses the mean cost of the other particles.
    case leaveOneOut

    /// Pyro's default decay for its moving-average baseline.
    public static let movingAverageDefault = Baseline.movingAverage(decay: 0.9)

    public var description: String {
        switch self {
        case .none: return "none"
        case .movingAverage(let decay): return decay == 0.9 ? "ma" : "ma:decay=\(shortNumber(decay))"
        case .leaveOneOut: return "loo"
        }
    }
}

/// The temperature of a relaxed estimator, per site.
public enum Temperature: Hashable, Sendable, CustomStringConvertible {
    /// A fixed τ.
    case constant(Double)
    /// `τ(t) = max(τ_min, τ₀·exp(−r·t))` at step t (Jang et al. 2017, §4).
    case exponential(initial: Double, minimum: Double, rate: Double)
    /// A learned τ = `minimum + softplus(u)`, bounded below so it cannot
    /// collapse to 0.
    case learned(initial: Double, minimum: Double)

    /// The temperature at step `t` (the learned case reports its initial value).
    public func value(atStep t: Int) -> Double {
        switch self {
        case .constant(let tau): return tau
        case .exponential(let initial, let minimum, let rate):
            return max(minimum, initial * exp(-rate * Double(t)))
        case .learned(let initial, _): return initial
        }
    }

    /// The temperature at the first step.
    public var initial: Double { value(atStep: 0) }

    /// The lower bound of a learned temperature when the spelling gives
    /// none (`gumbel-softmax:tau=0.5:learned`).
    public static let defaultLearnedMinimum = 0.1

    /// The estimator options that spell this temperature:
    /// `tau=0.5`, `anneal=1:0.5:0.00155`, `tau=0.5:learned`, `tau=1:learned:min=0.2`.
    var options: String {
        switch self {
        case .constant(let tau): return "tau=\(shortNumber(tau))"
        case .exponential(let initial, let minimum, let rate):
            return "anneal=\(shortNumber(initial)):\(shortNumber(minimum)):\(shortNumber(rate))"
        case .learned(let initial, let minimum):
            return "tau=\(shortNumber(initial)):learned"
                + (minimum == Self.defaultLearnedMinimum ? "" : ":min=\(shortNumber(minimum))")
        }
    }

    public var description: String {
        switch self {
        case .constant(let tau): return shortNumber(tau)
        case .exponential(let initial, let minimum, let rate):
            return "\(shortNumber(initial))→\(shortNumber(minimum))@\(shortNumber(rate))"
        case .learned(let initial, let minimum): return "learned(\(shortNumber(initial)),min=\(shortNumber(minimum)))"
        }
    }
}

/// A number printed without a trailing `.0`, with at most 6 significant
/// digits: `0.5`, `2`, `0.666667`.
func shortNumber(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return String(format: "%.6g", x)
}
