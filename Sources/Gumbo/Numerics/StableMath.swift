import Foundation

/// Numerically stable scalar functions shared by the distributions and the
/// differentiable core. Each is exact to a few ulps over the whole real line
/// and never overflows where the true value is finite.
public enum StableMath {
    /// `softplus(x) = log(1 + eˣ)`, computed as `max(x, 0) + log1p(e^{−|x|})`
    /// so it is finite for every finite `x` and equals `x` (to rounding) for
    /// large `x`.
    @inlinable
    public static func softplus(_ x: Double) -> Double {
        max(x, 0) + log1p(exp(-abs(x)))
    }

    /// The logistic sigmoid `σ(x) = 1 / (1 + e^{−x})`, evaluated on the side
    /// where the exponential cannot overflow.
    @inlinable
    public static func sigmoid(_ x: Double) -> Double {
        if x >= 0 {
            return 1 / (1 + exp(-x))
        }
        let e = exp(x)
        return e / (1 + e)
    }

    /// `log σ(x) = −softplus(−x)`: stable for `|x|` up to the largest double.
    @inlinable
    public static func logSigmoid(_ x: Double) -> Double {
        -softplus(-x)
    }

    /// `logit(p) = log p − log(1 − p)`, the inverse of ``sigmoid(_:)``.
    @inlinable
    public static func logit(_ p: Double) -> Double {
        log(p) - log1p(-p)
    }

    /// `log(Σᵢ e^{xᵢ})` with the maximum subtracted first (so no term
    /// overflows). Returns `-infinity` for an empty input or when every
    /// term is `-infinity`.
    @inlinable
    public static func logSumExp(_ xs: UnsafeBufferPointer<Double>) -> Double {
        var m = -Double.infinity
        for x in xs where x > m { m = x }
        if m == -.infinity { return -.infinity }
        if m == .infinity { return .infinity }
        var s = 0.0
        for x in xs { s += exp(x - m) }
        return m + log(s)
    }

    /// ``logSumExp(_:)`` on an array.
    @inlinable
    public static func logSumExp(_ xs: [Double]) -> Double {
        xs.withUnsafeBufferPointer { logSumExp($0) }
    }

    /// `log(1 − eˣ)` for `x ≤ 0`, by the two-branch rule of Mächler (2012,
    /// "Accurately computing log(1 − exp(−|a|))"): `log(−expm1(x))` for
    /// `x > −log 2`, `log1p(−eˣ)` otherwise.
    @inlinable
    public static func log1mexp(_ x: Double) -> Double {
        x > -0.6931471805599453 ? log(-expm1(x)) : log1p(-exp(x))
    }

    /// `log Γ(x)` for `x > 0` (the C library's `lgamma`).
    @inlinable
    public static func logGamma(_ x: Double) -> Double {
        lgamma(x)
    }
}
