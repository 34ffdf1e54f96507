import Foundation

/// The binary Concrete distribution (relaxed Bernoulli) on the open interval
/// (0, 1): Maddison, Mnih & Teh 2017, "The Concrete distribution: a
/// continuous relaxation of discrete random variables", the binary case.
///
/// With `l = logit` and `τ = temperature`, a draw is
///
///     y = σ((l + L)/τ),   L = log u − log(1 − u) a standard logistic,
///
/// and as `τ → 0` it becomes a Bernoulli(σ(l)) bit. The density is the
/// paper's
///
///     p(y) = τ α y^{−τ−1} (1 − y)^{−τ−1} / (α y^{−τ} + (1 − y)^{−τ})²,   α = e^l,
///
/// which Gumbo evaluates in logit space. With `s = logit(y)` and
/// `g(t) = log σ(t) + log σ(−t)` the log-density of a standard logistic,
///
///     log p(y) = log τ + g(τ s − l) − g(s)
///
/// (the logistic density of `s = (l + L)/τ`, times the Jacobian
/// `ds/dy = 1/(y(1 − y)) = e^{−g(s)}`). Each `g` is `−|t| − 2 log(1 + e^{−|t|})`,
/// so the log-density is finite for every finite `s`: within 1e-12 of 0 and 1,
/// at temperature 0.01, and for `|l|` in the hundreds.
///
/// At small temperatures `y` itself rounds to exactly 0 or 1 (outside the
/// support), so the engine works with `s`: ``sampleLogitOfValue(using:)`` and
/// ``logProb(logitOfValue:)`` are the stable pair, and `y = σ(s)`.
///
///     let gate = try RelaxedBernoulli(temperature: 0.5, logit: 1)
///     var rng = Xoshiro256StarStar(seed: 3)
///     let s = gate.sampleLogitOfValue(using: &rng)
///     let score = gate.logProb(logitOfValue: s)   // == gate.logProb(σ(s))
public struct RelaxedBernoulli: Distribution, Hashable, Sendable {
    public let temperature: Double
    /// The log-odds `l` of the Bernoulli being relaxed; `σ(l) = P(y > 1/2)`.
    public let logit: Double

    /// - Throws: ``DistributionError`` unless `temperature` is finite and
    ///   greater than 0 and `logit` is finite.
    public init(temperature: Double, logit: Double) throws {
        try DistributionError.checkGreater(temperature, than: 0, "temperature", in: "RelaxedBernoulli")
        try DistributionError.checkFinite(logit, "logit", in: "RelaxedBernoulli")
        self.temperature = temperature
        self.logit = logit
    }

    /// `y = σ((l + L)/τ)`. At small temperatures this can round to exactly 0
    /// or 1; use ``sampleLogitOfValue(using:)`` where that matters.
    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> Double {
        StableMath.sigmoid(sampleLogitOfValue(using: &generator))
    }

    /// The logit of a draw, `s = (l + L)/τ`, from the same random numbers as
    /// ``sample(using:)`` (so `sample == σ(sampleLogitOfValue)` for equal
    /// generators).
    public func sampleLogitOfValue<G: RandomNumberGenerator>(using generator: inout G) -> Double {
        (logit + generator.nextStandardLogistic()) / temperature
    }

    /// `log p(y)` for `y ∈ (0, 1)`; `-infinity` at 0, at 1 and outside.
    public func logProb(_ y: Double) -> Double {
        guard y > 0, y < 1 else { return -.infinity }
        return RelaxedBernoulli.logProb(logitOfValue: StableMath.logit(y), logit: logit, temperature: temperature)
    }

    /// `log p(y)` at `y = σ(s)`, given `s` directly: the density of `y` (not
    /// of `s`), in its most stable form. `-infinity` for a non-finite `s`.
    public func logProb(logitOfValue s: Double) -> Double {
        guard s.isFinite else { return -.infinity }
        return RelaxedBernoulli.logProb(logitOfValue: s, logit: logit, temperature: temperature)
    }

    /// `P(Y ≤ y) = σ(τ · logit(y) − l)`.
    public func cdf(_ y: Double) -> Double {
        if y <= 0 { return 0 }
        if y >= 1 { return 1 }
        return StableMath.sigmoid(temperature * StableMath.logit(y) - logit)
    }
}

// MARK: Kernels

extension RelaxedBernoulli {
    /// `g(t) = log σ(t) + log σ(−t) = −|t| − 2 log(1 + e^{−|t|})`, the
    /// log-density of the standard logistic.
    @inlinable
    public static func logLogisticDensity(_ t: Double) -> Double {
        -abs(t) - 2 * log1p(exp(-abs(t)))
    }

    /// `g′(t) = σ(−t) − σ(t) = −tanh(t/2)`.
    @inlinable
    public static func logLogisticDensityDerivative(_ t: Double) -> Double {
        -tanh(0.5 * t)
    }

    /// `log p(y)` at `y = σ(s)`: `log τ + g(τs − l) − g(s)`, for raw
    /// parameters, unvalidated (`τ > 0` is assumed).
    @inlinable
    public static func logProb(logitOfValue s: Double, logit: Double, temperature: Double) -> Double {
        log(temperature) + logLogisticDensity(temperature * s - logit) - logLogisticDensity(s)
    }

    /// The partial derivatives of ``logProb(logitOfValue:logit:temperature:)``
    /// with `t = τs − l` and `g′(t) = −tanh(t/2)`:
    ///
    ///     ∂/∂s = τ g′(t) − g′(s),   ∂/∂l = −g′(t),   ∂/∂τ = 1/τ + s g′(t)
    @inlinable
    public static func logProbPartials(logitOfValue s: Double, logit: Double, temperature: Double) -> (logitOfValue: Double, logit: Double, temperature: Double) {
        let dt = logLogisticDensityDerivative(temperature * s - logit)
        return (
            logitOfValue: temperature * dt - logLogisticDensityDerivative(s),
            logit: -dt,
            temperature: 1 / temperature + s * dt
        )
    }
}
