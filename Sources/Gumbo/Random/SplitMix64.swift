import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014), the generator that seeds Gumbo's
/// main generator and that `../shared/BENCHMARKS.md` uses for benchmark data.
///
///     state += 0x9E3779B97F4A7C15
///     z = state
///     z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
///     z = (z ^ (z >> 27)) * 0x94D049BB133111EB
///     return z ^ (z >> 31)
///
/// All arithmetic wraps, so the stream is the same bit for bit on every
/// platform. It passes BigCrush but has only 64 bits of state; use
/// ``Xoshiro256StarStar`` for sampling and SplitMix64 for seeding and for
/// reproducing the reference data sets.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable, Codable {
    public var state: UInt64

    /// Starts the generator with `state = seed`.
    public init(seed: UInt64) {
        self.state = seed
    }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1): the top 53 bits of `next()` times 2⁻⁵³,
    /// exactly as the benchmark data generator specifies.
    @inlinable
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// One standard normal from two uniforms, by the Box–Muller formula the
    /// benchmark data generator specifies: `sqrt(-2 log(1 - u1)) cos(2π u2)`.
    @inlinable
    public mutating func nextBenchmarkNormal() -> Double {
        let u1 = nextUniform()
        let u2 = nextUniform()
        return (-2 * log(1 - u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
