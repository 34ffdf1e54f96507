import Foundation

/// The Bernoulli distribution on {0, 1}, parameterized by its log-odds.
///
/// With `l = logit = log(p/(1 − p))`:
///
///     log P(x) = x · log σ(l) + (1 − x) · log σ(−l),   x ∈ {0, 1}
///
/// Both log-sigmoids are computed as `−softplus(∓l)` (``StableMath``), so the
/// log-probabilities stay exact for `|l|` up to 700 and beyond, where `σ(l)`
/// itself rounds to 0 or 1. Sampler: `x = 1` when a uniform `u ∈ (0, 1)`
/// falls below `p`.
///
///     let coin = try Bernoulli(logit: -2)
///     coin.logProb(1)   // log σ(−2) ≈ −2.127
public struct Bernoulli: Distribution, Hashable, Sendable {
    /// The log-odds `log(p/(1 − p))`; `±infinity` when the distribution was
    /// built from a probability of exactly 0 or 1.
    public let logit: Double
    /// `P(x = 1) = σ(logit)`.
    public let probability: Double

    /// - Throws: ``DistributionError`` unless `probability` is in [0, 1].
    ///   The end points are allowed (a deterministic bit).
    public init(probability: Double) throws {
        try DistributionError.checkProbability(probability, "probability", in: "Bernoulli")
        self.probability = probability
        self.logit = StableMath.logit(probability)
    }

    /// - Throws: ``DistributionError`` unless `logit` is finite.
    public init(logit: Double) throws {
        try DistributionError.checkFinite(logit, "logit", in: "Bernoulli")
        self.logit = logit
        self.probability = StableMath.sigmoid(logit)
    }

    public var mean: Double { probability }
    public var variance: Double { probability * (1 - probability) }

    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> Int {
        generator.nextOpenUniform() < probability ? 1 : 0
    }

    /// `log P(x)` for `x ∈ {0, 1}`; `-infinity` for any other integer.
    public func logProb(_ x: Int) -> Double {
        switch x {
        case 1: return StableMath.logSigmoid(logit)
        case 0: return StableMath.logSigmoid(-logit)
        default: return -.infinity
        }
    }
}

// MARK: Kernels

extension Bernoulli {
    /// `x · log σ(l) + (1 − x) · log σ(−l)` for raw `x` and `l = logit`,
    /// unvalidated. `x` is normally 0 or 1; the formula is also the one a
    /// relaxed value in [0, 1] is scored with. A term whose weight is exactly
    /// zero is dropped, so an infinite logit gives 0, not NaN.
    @inlinable
    public static func logProb(_ x: Double, logit: Double) -> Double {
        let one = x == 0 ? 0 : x * StableMath.logSigmoid(logit)
        let zero = x == 1 ? 0 : (1 - x) * StableMath.logSigmoid(-logit)
        return one + zero
    }

    /// The partial derivatives of ``logProb(_:logit:)``:
    ///
    ///     ∂/∂x = log σ(l) − log σ(−l) = l,   ∂/∂l = x − σ(l)
    @inlinable
    public static func logProbPartials(_ x: Double, logit: Double) -> (value: Double, logit: Double) {
        (value: logit, logit: x - StableMath.sigmoid(logit))
    }
}
