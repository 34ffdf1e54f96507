import Foundation

/// The standard samplers every distribution builds on. They are defined on
/// any `RandomNumberGenerator`, so a distribution's `sample(using:)` works
/// with ``Xoshiro256StarStar``, ``SplitMix64`` or the system generator.
extension RandomNumberGenerator {
    /// A uniform double on the open interval (0, 1).
    ///
    /// `(k + 1/2) · 2⁻⁵³` for a uniform 53-bit integer `k`: never 0 or 1, so
    /// `log(u)` and `log(1 − u)` are always finite (the extremes are
    /// `log(2⁻⁵⁴) ≈ −37.4`). The grid is symmetric about 1/2.
    @inlinable
    public mutating func nextOpenUniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// A standard normal draw, N(0, 1).
    ///
    /// Box–Muller (Box & Muller 1958): `sqrt(−2 log u₁) · cos(2π u₂)` with
    /// open uniforms. Because `u₁ ≥ 2⁻⁵⁴`, the largest magnitude is about
    /// 8.66, and `P(|Z| > 8.66) ≈ 5·10⁻¹⁸`: the tails are exact to that
    /// resolution (a check that reaches further needs more than 10¹⁷ draws).
    /// Both uniforms are consumed on every call so the stream is simple to
    /// reproduce.
    @inlinable
    public mutating func nextStandardNormal() -> Double {
        let u1 = nextOpenUniform()
        let u2 = nextOpenUniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A standard Gumbel draw, with CDF `exp(−exp(−g))`: `G = −log E` for a
    /// standard exponential `E` (the same law as `−log(−log u)`, with one
    /// logarithm instead of two).
    @inlinable
    public mutating func nextStandardGumbel() -> Double {
        -log(nextStandardExponential())
    }

    /// A standard exponential draw, `E ~ Exp(1)`, by the ziggurat method
    /// (``ExponentialZiggurat``): usually no logarithm at all.
    @inlinable
    public mutating func nextStandardExponential() -> Double {
        ExponentialZiggurat.next(using: &self, ExponentialZiggurat.tables)
    }

    /// A standard logistic draw: `L = log(u / (1 − u))`, with CDF `σ(l)`.
    /// It is the difference of two independent standard Gumbels, which is
    /// why the binary Concrete relaxation uses it.
    @inlinable
    public mutating func nextStandardLogistic() -> Double {
        let u = nextOpenUniform()
        return log(u / (1 - u))
    }
}
