import Foundation

/// The categorical distribution over the classes `0..<K`.
///
/// With logits `z` (unnormalized log-probabilities), by the log-softmax:
///
///     log P(k) = z_k − log Σ_j exp(z_j)
///
/// computed with the maximum subtracted (``StableMath``),
/// so any finite logits are safe. Sampler: inversion of the cumulative
/// probabilities with one uniform draw. (``GumbelSoftmax`` draws the same
/// distribution by the Gumbel-max trick, `argmax_k (z_k + G_k)`.)
///
///     let die = try Categorical(probabilities: [0.5, 0.25, 0.25])
///     die.logProb(2)   // log 0.25
public struct Categorical: Distribution, Hashable, Sendable {
    /// The logits as given, or `log p` for a distribution built from
    /// probabilities (with `-infinity` for a class of probability 0).
    public let logits: [Double]
    /// The normalized log-probabilities, `log_softmax(logits)`.
    public let logProbabilities: [Double]

    /// - Throws: ``DistributionError`` if `logits` is empty or has a
    ///   non-finite entry.
    public init(logits: [Double]) throws {
        try DistributionError.checkLogits(logits, in: "Categorical")
        self.logits = logits
        self.logProbabilities = Categorical.logSoftmax(logits)
    }

    /// - Throws: ``DistributionError`` if `probabilities` is empty, has an
    ///   entry outside [0, 1], or does not sum to 1 within 1e-6. Zeros are
    ///   allowed: those classes are never drawn.
    public init(probabilities: [Double]) throws {
        try DistributionError.checkProbabilities(probabilities, in: "Categorical")
        self.logits = probabilities.map { log($0) }
        self.logProbabilities = Categorical.logSoftmax(logits)
    }

    /// The number of classes, `K`.
    public var count: Int { logits.count }

    /// `softmax(logits)`.
    public var probabilities: [Double] { logProbabilities.map { exp($0) } }

    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> Int {
        let u = generator.nextOpenUniform()
        var cumulative = 0.0
        var last = 0
        for (k, logProbability) in logProbabilities.enumerated() where logProbability > -.infinity {
            cumulative += exp(logProbability)
            last = k
            if u < cumulative { return k }
        }
        // Rounding can leave the total a few ulps below u; the mass there
        // belongs to the last class that can occur.
        return last
    }

    /// `log P(k)`; `-infinity` for an index outside `0..<K`.
    public func logProb(_ index: Int) -> Double {
        logProbabilities.indices.contains(index) ? logProbabilities[index] : -.infinity
    }

    static func logSoftmax(_ logits: [Double]) -> [Double] {
        let normalizer = StableMath.logSumExp(logits)
        return logits.map { $0 - normalizer }
    }
}

// MARK: Kernels

extension Categorical {
    /// `log P(index) = z_index − logSumExp(z)` for raw logits, unvalidated
    /// (`index` must be in range).
    @inlinable
    public static func logProb(_ index: Int, logits: UnsafeBufferPointer<Double>) -> Double {
        logits[index] - StableMath.logSumExp(logits)
    }

    /// Writes `∂ log P(index)/∂z_j = [j = index] − softmax(z)_j` into
    /// `logitsGradient` (overwriting it; same length as `logits`). No
    /// allocation.
    @inlinable
    public static func logProbGradient(_ index: Int, logits: UnsafeBufferPointer<Double>, into logitsGradient: UnsafeMutableBufferPointer<Double>) {
        let normalizer = StableMath.logSumExp(logits)
        for j in logits.indices {
            logitsGradient[j] = -exp(logits[j] - normalizer)
        }
        logitsGradient[index] += 1
    }

    /// Writes `softmax(z)` into `probabilities` (same length as `logits`).
    @inlinable
    public static func softmax(_ logits: UnsafeBufferPointer<Double>, into probabilities: UnsafeMutableBufferPointer<Double>) {
        let normalizer = StableMath.logSumExp(logits)
        for j in logits.indices {
            probabilities[j] = exp(logits[j] - normalizer)
        }
    }
}
