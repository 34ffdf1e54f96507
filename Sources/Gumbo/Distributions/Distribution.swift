/// A probability distribution that can be sampled and scored.
///
/// Every distribution in Gumbo is a value type whose parameters are checked
/// when it is built (its initializers throw a ``DistributionError``), so
/// `sample(using:)` and `logProb(_:)` never fail. `logProb` of a value outside
/// the support is `-infinity`; it is not an error, because an inference
/// algorithm must be able to score any value it is handed.
///
/// Alongside the validated instance API, each distribution exposes
/// unvalidated `static` kernels (`Normal.logProb(_:mean:std:)`,
/// `Normal.logProbPartials(_:mean:std:)`, …) that compute the same formulas
/// from raw parameters. The differentiable engine calls those as fused
/// operations, so each formula and its derivatives are written once, here.
/// `Docs/Distributions.md` lists every density, sampler and kernel.
///
///     var rng = Xoshiro256StarStar(seed: 1)
///     let normal = try Normal(mean: 0, std: 2)
///     let x = normal.sample(using: &rng)
///     let score = normal.logProb(x)
public protocol Distribution {
    /// The type of a sample: `Double`, `Int` (a class or a bit) or
    /// `[Double]` (a point on the simplex, or its logarithm).
    associatedtype Value

    /// One independent draw, using `generator` as the only source of
    /// randomness (so a seeded generator gives a reproducible draw).
    func sample<G: RandomNumberGenerator>(using generator: inout G) -> Value

    /// The log-density (or log-mass) at `value`; `-infinity` outside the
    /// support.
    func logProb(_ value: Value) -> Double
}

extension Distribution {
    /// `count` independent draws.
    public func sample<G: RandomNumberGenerator>(count: Int, using generator: inout G) -> [Value] {
        (0..<count).map { _ in sample(using: &generator) }
    }
}
