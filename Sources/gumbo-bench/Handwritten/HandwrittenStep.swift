import Gumbo

/// A hand-written SVI step for one reference workload: what a skilled
/// engineer writes by hand in Swift for the same ELBO gradient as Gumbo's
/// estimator, for that one model — four data points (or features) at a
/// time in `SIMD4<Double>` with ``VectorMath``'s exponential and
/// logarithm, forward and backward fused into one pass over the data, the
/// same noise from the same generator, and a vectorized Adam
/// (``HandwrittenAdam``). Single-threaded, double precision.
///
/// Each is a struct whose step is a `mutating` method, so its arrays are
/// accessed without the dynamic exclusivity checks a class's stored
/// properties would cost in every loop. Parameters are stored padded to
/// whole vectors, laid out for the loop (points of a block in the lanes);
/// padding lanes get a zero gradient, so Adam never moves them.
protocol HandwrittenStep {
    /// One step: fresh noise, the gradient of the loss (minus the ELBO, or
    /// the relaxed surrogate), and an Adam update of the parameters.
    mutating func step()
    /// The gradient of the objective (not the loss) at the current
    /// parameters with the next noise draw, by parameter name in Gumbo's
    /// unconstrained space and Gumbo's order, without updating anything
    /// but the generator: what ``SVI/estimateGradient()`` returns.
    mutating func objectiveGradient() -> [String: [Double]]
}
