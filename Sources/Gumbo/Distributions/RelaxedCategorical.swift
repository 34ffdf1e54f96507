import Foundation

/// The Concrete, or Gumbel-softmax, distribution on the probability simplex
/// (Maddison, Mnih & Teh 2017, "The Concrete distribution", definition 1;
/// Jang, Gu & Poole 2017, "Categorical reparameterization with
/// Gumbel-softmax", eq. 2).
///
/// With `K` classes, logits `z`, `α_k = e^{z_k}` and temperature `τ`, a draw
/// is `y = softmax((z + g)/τ)` for independent standard Gumbels `g`
/// (``GumbelSoftmax/relaxedSample(logits:temperature:gumbels:)``), and its
/// density with respect to Lebesgue measure on `(y_1, …, y_{K−1})`, with
/// `y_K = 1 − Σ_{k<K} y_k`, is
///
///     p(y) = (K − 1)! τ^{K−1} Π_k ( α_k y_k^{−τ−1} ) / ( Σ_i α_i y_i^{−τ} )^K
///
///     log p(y) = log Γ(K) + (K − 1) log τ + Σ_k (z_k − (τ + 1) log y_k)
///                − K · logSumExp_i(z_i − τ log y_i)
///
/// The log-sum-exp is taken with its maximum subtracted and the logits are
/// shifted by their maximum first (the density is unchanged by a common
/// shift), so large logits are safe. At small temperatures entries of `y`
/// underflow to 0, outside the support; use ``ExpRelaxedCategorical``, whose
/// values are `log y`, there.
///
///     let relaxed = try RelaxedCategorical(temperature: 0.5, logits: [0, 1, -1])
///     var rng = Xoshiro256StarStar(seed: 2)
///     let y = relaxed.sample(using: &rng)   // on the simplex
///     let score = relaxed.logProb(y)
public struct RelaxedCategorical: Distribution, Hashable, Sendable {
    public let temperature: Double
    public let logits: [Double]

    /// - Throws: ``DistributionError`` unless `temperature` is finite and
    ///   greater than 0 and `logits` is non-empty and finite.
    public init(temperature: Double, logits: [Double]) throws {
        try DistributionError.checkGreater(temperature, than: 0, "temperature", in: "RelaxedCategorical")
        try DistributionError.checkLogits(logits, in: "RelaxedCategorical")
        self.temperature = temperature
        self.logits = logits
    }

    /// The number of classes, `K`.
    public var count: Int { logits.count }

    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> [Double] {
        let gumbels = (0..<logits.count).map { _ in generator.nextStandardGumbel() }
        var soft = [Double](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { z in
            gumbels.withUnsafeBufferPointer { g in
                soft.withUnsafeMutableBufferPointer {
                    GumbelSoftmax.relaxedSample(logits: z, temperature: temperature, gumbels: g, into: $0)
                }
            }
        }
        return soft
    }

    /// `log p(y)`; `-infinity` unless `y` has `K` positive entries
    /// summing to 1 within ``DistributionError/normalizationTolerance``.
    public func logProb(_ y: [Double]) -> Double {
        guard RelaxedCategorical.isOnSimplex(y, count: logits.count) else { return -.infinity }
        return y.withUnsafeBufferPointer { value in
            logits.withUnsafeBufferPointer { z in
                RelaxedCategorical.logProb(value, logits: z, temperature: temperature)
            }
        }
    }

    static func isOnSimplex(_ y: [Double], count: Int) -> Bool {
        guard y.count == count, y.allSatisfy({ $0 > 0 }) else { return false }
        return abs(y.reduce(0, +) - 1) <= DistributionError.normalizationTolerance
    }
}

// MARK: Kernels

extension RelaxedCategorical {
    /// `log p(y)` for raw inputs, unvalidated: `value` and `logits` have the
    /// same length `K`, `value` is on the simplex, `τ > 0`. No allocation.
    @inlinable
    public static func logProb(_ value: UnsafeBufferPointer<Double>, logits: UnsafeBufferPointer<Double>, temperature: Double) -> Double {
        let k = Double(logits.count)
        var logitMaximum = -Double.infinity
        for z in logits where z > logitMaximum { logitMaximum = z }
        var linear = 0.0
        var maximum = -Double.infinity
        for j in logits.indices {
            let logY = log(value[j])
            let shifted = logits[j] - logitMaximum
            linear += shifted - (temperature + 1) * logY
            maximum = max(maximum, shifted - temperature * logY)
        }
        var total = 0.0
        for j in logits.indices {
            total += exp(logits[j] - logitMaximum - temperature * log(value[j]) - maximum)
        }
        return StableMath.logGamma(k) + (k - 1) * log(temperature) + linear - k * (maximum + log(total))
    }

    /// Writes the gradient of ``logProb(_:logits:temperature:)`` with respect
    /// to the value and the logits into `valueGradient` and `logitsGradient`
    /// (overwriting them) and returns the partial derivative with respect to
    /// the temperature. With `r = softmax(z − τ log y)`:
    ///
    ///     ∂/∂y_k = (K τ r_k − τ − 1)/y_k
    ///     ∂/∂z_k = 1 − K r_k
    ///     ∂/∂τ  = (K − 1)/τ − Σ_k log y_k + K Σ_k r_k log y_k
    ///
    /// The value gradient is that of the formula on all of `ℝ^K`; only its
    /// component along the simplex (`Σ_k dy_k = 0`) matters when `y` comes
    /// from a softmax. No allocation (`logitsGradient` holds the scores
    /// while they are needed).
    @inlinable
    @discardableResult
    public static func logProbGradient(
        _ value: UnsafeBufferPointer<Double>,
        logits: UnsafeBufferPointer<Double>,
        temperature: Double,
        valueGradient: UnsafeMutableBufferPointer<Double>,
        logitsGradient: UnsafeMutableBufferPointer<Double>
    ) -> Double {
        let k = Double(logits.count)
        var maximum = -Double.infinity
        for j in logits.indices {
            let score = logits[j] - temperature * log(value[j])
            logitsGradient[j] = score
            maximum = max(maximum, score)
        }
        var total = 0.0
        for j in logits.indices {
            logitsGradient[j] = exp(logitsGradient[j] - maximum)
            total += logitsGradient[j]
        }
        var sumLogY = 0.0
        var weightedLogY = 0.0
        for j in logits.indices {
            let r = logitsGradient[j] / total
            let logY = log(value[j])
            sumLogY += logY
            weightedLogY += r * logY
            valueGradient[j] = (k * temperature * r - temperature - 1) / value[j]
            logitsGradient[j] = 1 - k * r
        }
        return (k - 1) / temperature - sumLogY + k * weightedLogY
    }
}
