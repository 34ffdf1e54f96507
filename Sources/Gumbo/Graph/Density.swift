/// The distributions whose log-density a graph can compute in one fused
/// operation (``Op/logProb(_:)``), each with the kernel and analytic
/// partial derivatives of the distribution library
/// (`Sources/Gumbo/Distributions`, `Docs/Distributions.md`).
///
/// Elementwise densities take real operands that broadcast together; the
/// categorical ones score a vector along the last axis, whose other axes
/// broadcast against the remaining operands.
public enum Density: Hashable, Sendable, CustomStringConvertible {
    /// `Normal.logProb(x, mean:, std:)`; operands `(x, mean, std)`.
    case normal
    /// `Bernoulli.logProb(x, logit:)`; operands `(x, logit)`; `x` may be relaxed.
    case bernoulli
    /// `Gumbel.logProb(x, location:, scale:)`; operands `(x, location, scale)`.
    case gumbel
    /// `RelaxedBernoulli.logProb(logitOfValue:logit:temperature:)`: the binary
    /// Concrete density of `y = σ(s)` given `s`; operands `(s, logit, temperature)`.
    case relaxedBernoulli
    /// `HardConcrete.logProb(z, logit:, temperature:, lower:, upper:)`, with
    /// constant stretch bounds; operands `(z, logit, temperature)`.
    case hardConcrete(lower: Double, upper: Double)
    /// `Categorical.logProb(index, logits:)`; operands `(index, logits[…, K])`.
    case categorical
    /// `RelaxedCategorical.logProb(value, logits:, temperature:)`; operands
    /// `(value[…, K], logits[…, K], temperature)`.
    case relaxedCategorical
    /// `ExpRelaxedCategorical.logProb(value, logits:, temperature:)`; operands
    /// `(logValue[…, K], logits[…, K], temperature)`.
    case expRelaxedCategorical

    /// Whether the density scores a vector along the last axis.
    public var isVector: Bool {
        switch self {
        case .categorical, .relaxedCategorical, .expRelaxedCategorical: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .normal: return "Normal"
        case .bernoulli: return "Bernoulli"
        case .gumbel: return "Gumbel"
        case .relaxedBernoulli: return "RelaxedBernoulli"
        case .hardConcrete(let lower, let upper): return "HardConcrete(\(lower), \(upper))"
        case .categorical: return "Categorical"
        case .relaxedCategorical: return "RelaxedCategorical"
        case .expRelaxedCategorical: return "ExpRelaxedCategorical"
        }
    }
}

/// The closed-form KL divergences a graph can compute in one fused
/// operation (``Op/klDivergence(_:)``), with the distribution library's
/// kernels and partials: `KL(p ‖ q)` with `p`'s parameters first.
public enum Divergence: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Operands `(mean, std, toMean, toStd)`.
    case normal
    /// Operands `(logit, toLogit)`.
    case bernoulli
    /// Operands `(logits[…, K], toLogits[…, K])`, along the last axis.
    case categorical

    public var description: String {
        switch self {
        case .normal: return "Normal"
        case .bernoulli: return "Bernoulli"
        case .categorical: return "Categorical"
        }
    }
}
