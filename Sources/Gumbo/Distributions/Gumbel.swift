import Foundation

/// The Gumbel (type-I extreme value) distribution with a location and a
/// scale.
///
/// With `z = (x − location)/scale`:
///
///     log p(x) = −log scale − z − e^{−z}
///     P(X ≤ x) = exp(−e^{−z})
///
/// Sampler: `x = location + scale · G` with `G = −log(−log u)` a standard
/// Gumbel. Mean `location + γ·scale` (γ the Euler–Mascheroni constant),
/// variance `π²·scale²/6`. The maximum of `logits + G` picks a class with
/// probability `softmax(logits)` (Gumbel 1954; Maddison, Tarlow & Minka 2014,
/// "A* sampling"), which is what ``GumbelSoftmax`` relaxes.
///
///     let noise = try Gumbel(location: 0, scale: 1)
///     noise.cdf(0)   // e^{−1}
public struct Gumbel: Distribution, Hashable, Sendable {
    public let location: Double
    public let scale: Double

    /// - Throws: ``DistributionError`` if `location` is not finite, or
    ///   `scale` is not finite and greater than 0.
    public init(location: Double, scale: Double) throws {
        try DistributionError.checkFinite(location, "location", in: "Gumbel")
        try DistributionError.checkGreater(scale, than: 0, "scale", in: "Gumbel")
        self.location = location
        self.scale = scale
    }

    /// `location + γ · scale`.
    public var mean: Double { location + 0.577_215_664_901_532_9 * scale }
    /// `π² · scale² / 6`.
    public var variance: Double { Double.pi * Double.pi * scale * scale / 6 }

    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> Double {
        location + scale * generator.nextStandardGumbel()
    }

    /// `log p(x)`; `-infinity` for a non-finite `x`.
    public func logProb(_ x: Double) -> Double {
        guard x.isFinite else { return -.infinity }
        return Gumbel.logProb(x, location: location, scale: scale)
    }

    /// `P(X ≤ x) = exp(−e^{−(x − location)/scale})`.
    public func cdf(_ x: Double) -> Double {
        Gumbel.cdf(x, location: location, scale: scale)
    }
}

// MARK: Kernels

extension Gumbel {
    /// `log p(x) = −log scale − z − e^{−z}` for raw parameters, unvalidated.
    @inlinable
    public static func logProb(_ x: Double, location: Double, scale: Double) -> Double {
        let z = (x - location) / scale
        return -log(scale) - z - exp(-z)
    }

    /// The partial derivatives of ``logProb(_:location:scale:)``:
    ///
    ///     ∂/∂x = (e^{−z} − 1)/scale,   ∂/∂location = (1 − e^{−z})/scale,
    ///     ∂/∂scale = (z(1 − e^{−z}) − 1)/scale
    @inlinable
    public static func logProbPartials(_ x: Double, location: Double, scale: Double) -> (value: Double, location: Double, scale: Double) {
        let z = (x - location) / scale
        // 1 − e^{−z}, exact near z = 0.
        let oneMinusExp = -expm1(-z)
        return (value: -oneMinusExp / scale, location: oneMinusExp / scale, scale: (z * oneMinusExp - 1) / scale)
    }

    /// `P(X ≤ x) = exp(−e^{−z})` for raw parameters.
    @inlinable
    public static func cdf(_ x: Double, location: Double, scale: Double) -> Double {
        exp(-exp(-(x - location) / scale))
    }
}
