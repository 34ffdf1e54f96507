import Foundation

/// The hard concrete distribution on [0, 1]: a binary Concrete stretched to
/// (lower, upper) ⊃ [0, 1] and clamped back, so the gate is exactly 0 or 1
/// with positive probability (Louizos, Welling & Kingma 2018, "Learning
/// sparse neural networks through L0 regularization", section 4).
///
/// With `l = logit` (the paper's `log α`), `τ = temperature` (`β`),
/// `γ = lower < 0` and `ζ = upper > 1`, a draw is
///
///     s = σ((l + L)/τ),  L a standard logistic     (binary Concrete)
///     z = min(1, max(0, γ + (ζ − γ) s))
///
/// It has point masses at the ends and a density between them:
///
///     P(z = 0) = σ(τ log(−γ/ζ) − l)
///     P(z = 1) = σ(l − τ log((1 − γ)/(ζ − 1)))
///     p(z) = τ e^{g(τu − l)} (ζ − γ) / ((z − γ)(ζ − z)),   0 < z < 1,
///
/// where `u = log(z − γ) − log(ζ − z)` is the logit of the unstretched `s`
/// and `g(t) = log σ(t) + log σ(−t)` the standard logistic log-density.
/// ``logProb(_:)`` is the log of the density of this mixed distribution with
/// respect to `δ₀ + δ₁ + Lebesgue on (0, 1)`: `log P(z = 0)` at 0,
/// `log P(z = 1)` at 1, `log p(z)` between, and `-infinity` outside [0, 1].
///
/// The expected L0 penalty of a gate is ``probabilityNonzero``,
/// `P(z ≠ 0) = σ(l − τ log(−γ/ζ))` (the paper's L0 complexity term).
///
///     let gate = try HardConcrete(logit: 0.5)   // τ = 2/3, γ = −0.1, ζ = 1.1
///     gate.probabilityNonzero                   // the L0 penalty term
public struct HardConcrete: Distribution, Hashable, Sendable {
    public let logit: Double
    public let temperature: Double
    /// The lower end `γ` of the stretch; less than 0.
    public let lower: Double
    /// The upper end `ζ` of the stretch; greater than 1.
    public let upper: Double

    /// The paper's defaults are `τ = 2/3`, `γ = −0.1`, `ζ = 1.1`.
    /// - Throws: ``DistributionError`` unless `logit` is finite,
    ///   `temperature` is finite and greater than 0, `lower` is finite and
    ///   less than 0, and `upper` is finite and greater than 1.
    public init(logit: Double, temperature: Double = 2.0 / 3.0, lower: Double = -0.1, upper: Double = 1.1) throws {
        try DistributionError.checkFinite(logit, "logit", in: "HardConcrete")
        try DistributionError.checkGreater(temperature, than: 0, "temperature", in: "HardConcrete")
        try DistributionError.checkLess(lower, than: 0, "lower", in: "HardConcrete")
        try DistributionError.checkGreater(upper, than: 1, "upper", in: "HardConcrete")
        self.logit = logit
        self.temperature = temperature
        self.lower = lower
        self.upper = upper
    }

    /// `P(z ≠ 0) = σ(l − τ log(−γ/ζ))`, the expected L0 norm of the gate.
    public var probabilityNonzero: Double {
        HardConcrete.probabilityNonzero(logit: logit, temperature: temperature, lower: lower, upper: upper)
    }

    /// `P(z = 0) = σ(τ log(−γ/ζ) − l)`.
    public var probabilityZero: Double {
        exp(HardConcrete.logProb(0, logit: logit, temperature: temperature, lower: lower, upper: upper))
    }

    /// `P(z = 1) = σ(l − τ log((1 − γ)/(ζ − 1)))`.
    public var probabilityOne: Double {
        exp(HardConcrete.logProb(1, logit: logit, temperature: temperature, lower: lower, upper: upper))
    }

    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> Double {
        HardConcrete.gate(logistic: generator.nextStandardLogistic(), logit: logit, temperature: temperature, lower: lower, upper: upper)
    }

    /// `log P(z = 0)` at 0, `log P(z = 1)` at 1, the log-density between,
    /// and `-infinity` outside [0, 1].
    public func logProb(_ z: Double) -> Double {
        HardConcrete.logProb(z, logit: logit, temperature: temperature, lower: lower, upper: upper)
    }

    /// `P(Z ≤ z)`: 0 below 0, `σ(τ (log(z − γ) − log(ζ − z)) − l)` on
    /// [0, 1), and 1 from 1 on.
    public func cdf(_ z: Double) -> Double {
        if z < 0 { return 0 }
        if z >= 1 { return 1 }
        return StableMath.sigmoid(temperature * (log(z - lower) - log(upper - z)) - logit)
    }
}

// MARK: Kernels

extension HardConcrete {
    /// The gate `min(1, max(0, γ + (ζ − γ) σ((l + L)/τ)))` for a standard
    /// logistic draw `L`: the reparameterized sample.
    @inlinable
    public static func gate(logistic: Double, logit: Double, temperature: Double, lower: Double, upper: Double) -> Double {
        let s = StableMath.sigmoid((logit + logistic) / temperature)
        return min(1, max(0, lower + (upper - lower) * s))
    }

    /// The derivatives of ``gate(logistic:logit:temperature:lower:upper:)``
    /// with respect to the logit and the temperature, for the pathwise
    /// gradient. With `w = (l + L)/τ` and `s = σ(w)`, inside (0, 1):
    ///
    ///     ∂z/∂l = (ζ − γ) s (1 − s)/τ,   ∂z/∂τ = −w ∂z/∂l
    ///
    /// and 0 where the gate is clamped to 0 or 1.
    @inlinable
    public static func gatePartials(logistic: Double, logit: Double, temperature: Double, lower: Double, upper: Double) -> (logit: Double, temperature: Double) {
        let w = (logit + logistic) / temperature
        let s = StableMath.sigmoid(w)
        let stretched = lower + (upper - lower) * s
        guard stretched > 0, stretched < 1 else { return (logit: 0, temperature: 0) }
        let dLogit = (upper - lower) * s * StableMath.sigmoid(-w) / temperature
        return (logit: dLogit, temperature: -w * dLogit)
    }

    /// `P(z ≠ 0) = σ(l − τ log(−γ/ζ))`, unvalidated.
    @inlinable
    public static func probabilityNonzero(logit: Double, temperature: Double, lower: Double, upper: Double) -> Double {
        StableMath.sigmoid(logit - temperature * log(-lower / upper))
    }

    /// The partial derivatives of
    /// ``probabilityNonzero(logit:temperature:lower:upper:)``. With
    /// `P = σ(l − τ c)`, `c = log(−γ/ζ)` and `P′ = P(1 − P)`:
    ///
    ///     ∂P/∂l = P′,   ∂P/∂τ = −c P′,   ∂P/∂γ = −(τ/γ) P′,   ∂P/∂ζ = (τ/ζ) P′
    @inlinable
    public static func probabilityNonzeroPartials(logit: Double, temperature: Double, lower: Double, upper: Double) -> (logit: Double, temperature: Double, lower: Double, upper: Double) {
        let c = log(-lower / upper)
        let a = logit - temperature * c
        let slope = StableMath.sigmoid(a) * StableMath.sigmoid(-a)
        return (logit: slope, temperature: -c * slope, lower: -temperature / lower * slope, upper: temperature / upper * slope)
    }

    /// ``logProb(_:)`` for raw parameters, unvalidated (`τ > 0`, `γ < 0`,
    /// `ζ > 1` assumed).
    @inlinable
    public static func logProb(_ z: Double, logit: Double, temperature: Double, lower: Double, upper: Double) -> Double {
        if z == 0 {
            return StableMath.logSigmoid(temperature * log(-lower / upper) - logit)
        }
        if z == 1 {
            return StableMath.logSigmoid(logit - temperature * log((1 - lower) / (upper - 1)))
        }
        guard z > 0, z < 1 else { return -.infinity }
        let below = log(z - lower)
        let above = log(upper - z)
        let t = temperature * (below - above) - logit
        return log(temperature) + RelaxedBernoulli.logLogisticDensity(t) - below - above + log(upper - lower)
    }

    /// The partial derivatives of
    /// ``logProb(_:logit:temperature:lower:upper:)`` with respect to the
    /// value and every parameter. Between 0 and 1, with `u` and `t = τu − l`
    /// as in the density and `g′(t) = −tanh(t/2)`:
    ///
    ///     ∂/∂z = τ g′(t) (1/(z − γ) + 1/(ζ − z)) − 1/(z − γ) + 1/(ζ − z)
    ///     ∂/∂l = −g′(t),   ∂/∂τ = 1/τ + u g′(t)
    ///     ∂/∂γ = (1 − τ g′(t))/(z − γ) − 1/(ζ − γ)
    ///     ∂/∂ζ = −(1 + τ g′(t))/(ζ − z) + 1/(ζ − γ)
    ///
    /// At the point masses the value partial is 0 and, with `a` the argument
    /// of the log-sigmoid (`a = τ log(−γ/ζ) − l` at 0,
    /// `a = l − τ log((1 − γ)/(ζ − 1))` at 1), each parameter partial is
    /// `σ(−a) ∂a/∂θ`. Outside [0, 1] every partial is 0.
    @inlinable
    public static func logProbPartials(_ z: Double, logit: Double, temperature: Double, lower: Double, upper: Double)
        -> (value: Double, logit: Double, temperature: Double, lower: Double, upper: Double)
    {
        if z == 0 {
            let a = temperature * log(-lower / upper) - logit
            let slope = StableMath.sigmoid(-a)
            return (value: 0, logit: -slope, temperature: log(-lower / upper) * slope,
                    lower: temperature / lower * slope, upper: -temperature / upper * slope)
        }
        if z == 1 {
            let c = log((1 - lower) / (upper - 1))
            let slope = StableMath.sigmoid(temperature * c - logit)
            return (value: 0, logit: slope, temperature: -c * slope,
                    lower: temperature / (1 - lower) * slope, upper: temperature / (upper - 1) * slope)
        }
        guard z > 0, z < 1 else { return (value: 0, logit: 0, temperature: 0, lower: 0, upper: 0) }
        let below = z - lower
        let above = upper - z
        let u = log(below) - log(above)
        let dt = RelaxedBernoulli.logLogisticDensityDerivative(temperature * u - logit)
        return (
            value: temperature * dt * (1 / below + 1 / above) - 1 / below + 1 / above,
            logit: -dt,
            temperature: 1 / temperature + u * dt,
            lower: (1 - temperature * dt) / below - 1 / (upper - lower),
            upper: -(1 + temperature * dt) / above + 1 / (upper - lower)
        )
    }
}
