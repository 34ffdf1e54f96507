import Foundation

/// The Gumbel-softmax transform (Jang, Gu & Poole 2017, "Categorical
/// reparameterization with Gumbel-softmax"; Maddison, Mnih & Teh 2017, the
/// Concrete distribution), as plain functions of logits, a temperature and
/// Gumbel noise.
///
/// With logits `z`, temperature `τ > 0` and independent standard Gumbels `g`:
///
///     gumbelMax      k = argmax_j (z_j + g_j)            ~ Categorical(softmax(z))
///     relaxedSample  y = softmax((z + g)/τ)              ~ RelaxedCategorical(τ, z)
///     logRelaxedSample  x = log_softmax((z + g)/τ)       ~ ExpRelaxedCategorical(τ, z)
///
/// As `τ → 0`, `y` tends to the one-hot vector of `k`. The straight-through
/// estimator (Bengio, Léonard & Courville 2013; Jang et al. 2017 §2.2) uses
/// the one-hot `hard` in the forward pass and differentiates `soft`; the pair
/// is a ``StraightThroughSample``.
///
///     var rng = Xoshiro256StarStar(seed: 5)
///     let gumbels = (0..<3).map { _ in rng.nextStandardGumbel() }
///     let pair = try GumbelSoftmax.straightThrough(logits: [0, 1, -1], temperature: 0.5, gumbels: gumbels)
///     pair.hard   // one-hot at pair.index
///     pair.soft   // a point on the simplex, largest at pair.index
public enum GumbelSoftmax {
    // MARK: Validated functions on arrays

    /// `softmax((z + g)/τ)`, a point on the simplex.
    /// - Throws: ``DistributionError`` if the logits are empty or not finite,
    ///   the temperature is not finite and positive, or `gumbels` is not one
    ///   finite value per logit.
    public static func relaxedSample(logits: [Double], temperature: Double, gumbels: [Double]) throws -> [Double] {
        try check(logits: logits, temperature: temperature, gumbels: gumbels)
        var soft = [Double](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { z in
            gumbels.withUnsafeBufferPointer { g in
                soft.withUnsafeMutableBufferPointer { relaxedSample(logits: z, temperature: temperature, gumbels: g, into: $0) }
            }
        }
        return soft
    }

    /// `log_softmax((z + g)/τ)`: the logarithm of ``relaxedSample(logits:temperature:gumbels:)``,
    /// computed without forming the simplex point, so no entry underflows to
    /// `-infinity` at small temperatures.
    /// - Throws: as ``relaxedSample(logits:temperature:gumbels:)``.
    public static func logRelaxedSample(logits: [Double], temperature: Double, gumbels: [Double]) throws -> [Double] {
        try check(logits: logits, temperature: temperature, gumbels: gumbels)
        var logSoft = [Double](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { z in
            gumbels.withUnsafeBufferPointer { g in
                logSoft.withUnsafeMutableBufferPointer { logRelaxedSample(logits: z, temperature: temperature, gumbels: g, into: $0) }
            }
        }
        return logSoft
    }

    /// The hard one-hot sample with its relaxation.
    /// - Throws: as ``relaxedSample(logits:temperature:gumbels:)``.
    public static func straightThrough(logits: [Double], temperature: Double, gumbels: [Double]) throws -> StraightThroughSample {
        let soft = try relaxedSample(logits: logits, temperature: temperature, gumbels: gumbels)
        let index = logits.withUnsafeBufferPointer { z in
            gumbels.withUnsafeBufferPointer { g in gumbelMax(logits: z, gumbels: g) }
        }
        return StraightThroughSample(index: index, soft: soft)
    }

    /// Draws the Gumbel noise from `generator` and returns
    /// ``straightThrough(logits:temperature:gumbels:)``.
    public static func straightThrough<G: RandomNumberGenerator>(logits: [Double], temperature: Double, using generator: inout G) throws -> StraightThroughSample {
        let gumbels = (0..<logits.count).map { _ in generator.nextStandardGumbel() }
        return try straightThrough(logits: logits, temperature: temperature, gumbels: gumbels)
    }

    static func check(logits: [Double], temperature: Double, gumbels: [Double]) throws {
        try DistributionError.checkLogits(logits, in: "GumbelSoftmax")
        try DistributionError.checkGreater(temperature, than: 0, "temperature", in: "GumbelSoftmax")
        try DistributionError.checkSameLength(gumbels.count, "gumbels", logits.count, "logits", in: "GumbelSoftmax")
        for (i, g) in gumbels.enumerated() {
            try DistributionError.checkFinite(g, "gumbels[\(i)]", in: "GumbelSoftmax")
        }
    }

    // MARK: Kernels

    /// `argmax_j (z_j + g_j)`, the first index on ties: an exact draw from
    /// `Categorical(logits: z)` when `g` is standard Gumbel noise.
    @inlinable
    public static func gumbelMax(logits: UnsafeBufferPointer<Double>, gumbels: UnsafeBufferPointer<Double>) -> Int {
        var best = 0
        var bestScore = -Double.infinity
        for j in logits.indices {
            let score = logits[j] + gumbels[j]
            if score > bestScore {
                bestScore = score
                best = j
            }
        }
        return best
    }

    /// Writes `softmax((z + g)/τ)` into `soft` (same length as `logits`).
    /// Unvalidated, no allocation.
    @inlinable
    public static func relaxedSample(logits: UnsafeBufferPointer<Double>, temperature: Double, gumbels: UnsafeBufferPointer<Double>, into soft: UnsafeMutableBufferPointer<Double>) {
        var maximum = -Double.infinity
        for j in logits.indices {
            let w = (logits[j] + gumbels[j]) / temperature
            soft[j] = w
            if w > maximum { maximum = w }
        }
        var total = 0.0
        for j in logits.indices {
            soft[j] = exp(soft[j] - maximum)
            total += soft[j]
        }
        for j in logits.indices {
            soft[j] /= total
        }
    }

    /// Writes `log_softmax((z + g)/τ)` into `logSoft` (same length as
    /// `logits`). Unvalidated, no allocation.
    @inlinable
    public static func logRelaxedSample(logits: UnsafeBufferPointer<Double>, temperature: Double, gumbels: UnsafeBufferPointer<Double>, into logSoft: UnsafeMutableBufferPointer<Double>) {
        for j in logits.indices {
            logSoft[j] = (logits[j] + gumbels[j]) / temperature
        }
        let normalizer = StableMath.logSumExp(UnsafeBufferPointer(logSoft))
        for j in logits.indices {
            logSoft[j] -= normalizer
        }
    }
}
