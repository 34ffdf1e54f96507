import Foundation

/// The ExpConcrete distribution: the logarithm of a ``RelaxedCategorical``
/// draw (Maddison, Mnih & Teh 2017, the ExpConcrete; TensorFlow Probability's
/// `ExpRelaxedOneHotCategorical`, PyTorch's `ExpRelaxedCategorical`).
///
/// A draw is `x = log_softmax((z + g)/τ)` for logits `z`, temperature `τ` and
/// standard Gumbels `g`, so `Σ_k e^{x_k} = 1`. Its log-density is
///
///     log p(x) = log Γ(K) + (K − 1) log τ + Σ_k (z_k − τ x_k)
///                − K · logSumExp_i(z_i − τ x_i)
///
/// which stays finite at temperatures where the simplex point `e^x` has
/// entries that underflow to 0. The density is with respect to Lebesgue
/// measure on the log-ratios `(x_1 − x_K, …, x_{K−1} − x_K)` — not on
/// `(x_1, …, x_{K−1})`, whose density is smaller by the factor `e^{x_K}` —
/// which is the convention of the paper and of both libraries. It relates to
/// the Concrete density by
///
///     log p_Concrete(y) = log p_ExpConcrete(log y) − Σ_k log y_k
///
/// and for `K = 2` it is the logistic density of `x_1 − x_2`, the logit of
/// ``RelaxedBernoulli``. For a variational bound the base measure cancels,
/// provided the prior and the guide use the same one.
///
///     let relaxed = try ExpRelaxedCategorical(temperature: 0.01, logits: [0, 1, -1])
///     var rng = Xoshiro256StarStar(seed: 4)
///     let x = relaxed.sample(using: &rng)   // log-values, finite
///     let score = relaxed.logProb(x)
public struct ExpRelaxedCategorical: Distribution, Hashable, Sendable {
    public let temperature: Double
    public let logits: [Double]

    /// - Throws: ``DistributionError`` unless `temperature` is finite and
    ///   greater than 0 and `logits` is non-empty and finite.
    public init(temperature: Double, logits: [Double]) throws {
        try DistributionError.checkGreater(temperature, than: 0, "temperature", in: "ExpRelaxedCategorical")
        try DistributionError.checkLogits(logits, in: "ExpRelaxedCategorical")
        self.temperature = temperature
        self.logits = logits
    }

    /// The number of classes, `K`.
    public var count: Int { logits.count }

    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> [Double] {
        let gumbels = (0..<logits.count).map { _ in generator.nextStandardGumbel() }
        var logSoft = [Double](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { z in
            gumbels.withUnsafeBufferPointer { g in
                logSoft.withUnsafeMutableBufferPointer {
                    GumbelSoftmax.logRelaxedSample(logits: z, temperature: temperature, gumbels: g, into: $0)
                }
            }
        }
        return logSoft
    }

    /// `log p(x)`; `-infinity` unless `x` has `K` finite entries with
    /// `|logSumExp(x)| ≤` ``DistributionError/normalizationTolerance`` (the
    /// log of a point on the simplex).
    public func logProb(_ x: [Double]) -> Double {
        guard x.count == logits.count, x.allSatisfy({ $0.isFinite }),
              abs(StableMath.logSumExp(x)) <= DistributionError.normalizationTolerance
        else { return -.infinity }
        return x.withUnsafeBufferPointer { value in
            logits.withUnsafeBufferPointer { z in
                ExpRelaxedCategorical.logProb(value, logits: z, temperature: temperature)
            }
        }
    }
}

// MARK: Kernels

extension ExpRelaxedCategorical {
    /// `log p(x)` for raw inputs, unvalidated: `value` (the log-values) and
    /// `logits` have the same length, `τ > 0`. No allocation.
    @inlinable
    public static func logProb(_ value: UnsafeBufferPointer<Double>, logits: UnsafeBufferPointer<Double>, temperature: Double) -> Double {
        let k = Double(logits.count)
        var maximum = -Double.infinity
        for j in logits.indices {
            maximum = max(maximum, logits[j] - temperature * value[j])
        }
        // Σ_k (w_k − max) − K log Σ_i e^{w_i − max}, with w = z − τx: each
        // term is a log-softmax entry, so nothing cancels catastrophically.
        var linear = 0.0
        var total = 0.0
        for j in logits.indices {
            let shifted = logits[j] - temperature * value[j] - maximum
            linear += shifted
            total += exp(shifted)
        }
        return StableMath.logGamma(k) + (k - 1) * log(temperature) + linear - k * log(total)
    }

    /// Writes the gradient of ``logProb(_:logits:temperature:)`` with respect
    /// to the log-values and the logits into `valueGradient` and
    /// `logitsGradient` (overwriting them) and returns the partial derivative
    /// with respect to the temperature. With `r = softmax(z − τx)`:
    ///
    ///     ∂/∂x_k = τ (K r_k − 1)
    ///     ∂/∂z_k = 1 − K r_k
    ///     ∂/∂τ  = (K − 1)/τ − Σ_k x_k + K Σ_k r_k x_k
    ///
    /// The value gradient is that of the formula on all of `ℝ^K`; only its
    /// component along the constraint surface (`Σ_k e^{x_k} dx_k = 0`)
    /// matters when `x` comes from a log-softmax. No allocation.
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
            maximum = max(maximum, logits[j] - temperature * value[j])
        }
        var total = 0.0
        for j in logits.indices {
            logitsGradient[j] = exp(logits[j] - temperature * value[j] - maximum)
            total += logitsGradient[j]
        }
        var sumX = 0.0
        var weightedX = 0.0
        for j in logits.indices {
            let r = logitsGradient[j] / total
            sumX += value[j]
            weightedX += r * value[j]
            valueGradient[j] = temperature * (k * r - 1)
            logitsGradient[j] = 1 - k * r
        }
        return (k - 1) / temperature - sumX + k * weightedX
    }
}
