import Foundation

/// The normal (Gaussian) distribution N(mean, std²) on the real line.
///
/// Density, with `z = (x − mean)/std`:
///
///     log p(x) = −z²/2 − log std − log(2π)/2
///
/// Sampler: `x = mean + std · ε` with `ε ~ N(0, 1)` (the reparameterization
/// of Kingma & Welling 2014, "Auto-encoding variational Bayes").
///
///     let prior = try Normal(mean: 0, std: 1)
///     var rng = Xoshiro256StarStar(seed: 7)
///     let x = prior.sample(using: &rng)
///     let score = prior.logProb(x)
public struct Normal: Distribution, Hashable, Sendable {
    public let mean: Double
    public let std: Double

    /// - Throws: ``DistributionError`` if `mean` is not finite, or `std` is
    ///   not finite and greater than 0.
    public init(mean: Double, std: Double) throws {
        try DistributionError.checkFinite(mean, "mean", in: "Normal")
        try DistributionError.checkGreater(std, than: 0, "std", in: "Normal")
        self.mean = mean
        self.std = std
    }

    public var variance: Double { std * std }

    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> Double {
        mean + std * generator.nextStandardNormal()
    }

    /// `log p(x)`; `-infinity` for a non-finite `x`.
    public func logProb(_ x: Double) -> Double {
        guard x.isFinite else { return -.infinity }
        return Normal.logProb(x, mean: mean, std: std)
    }

    /// `P(X ≤ x) = erfc(−z/√2)/2`.
    public func cdf(_ x: Double) -> Double {
        0.5 * erfc(-(x - mean) / (std * 2.0.squareRoot()))
    }
}

// MARK: Kernels

extension Normal {
    /// `log p(x)` for raw parameters, unvalidated (`std > 0` is assumed).
    @inlinable
    public static func logProb(_ x: Double, mean: Double, std: Double) -> Double {
        let z = (x - mean) / std
        // 0.9189385332046727 = log(2π)/2.
        return -0.5 * z * z - log(std) - 0.918_938_533_204_672_7
    }

    /// The partial derivatives of ``logProb(_:mean:std:)``:
    ///
    ///     ∂/∂x = −z/std,   ∂/∂mean = z/std,   ∂/∂std = (z² − 1)/std
    @inlinable
    public static func logProbPartials(_ x: Double, mean: Double, std: Double) -> (value: Double, mean: Double, std: Double) {
        let z = (x - mean) / std
        let dMean = z / std
        return (value: -dMean, mean: dMean, std: (z * z - 1) / std)
    }
}
