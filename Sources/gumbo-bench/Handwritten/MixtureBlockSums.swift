import Gumbo

/// What both hand-written W3 steps do around their per-block arithmetic:
/// store a block's `∂/∂φ` (zero in padding lanes) and add its residuals
/// `q_·k (x − μ_k)` into per-class sums, then turn the sums into the global
/// gradients. With `μ = m + σε`, `σ = softplus(s)` and the prior
/// `N(0, 10²)`, the loss's
///
///     ∂/∂m = −(Σ_i q_ik (x_i − μ_k) − μ_k/100)
///     ∂/∂s = −(∂/∂μ_k · ε_k + 1/σ_k) · sigmoid(s_k)
///
/// (the `1/σ` is the guide entropy's; `∂/∂m` of the guide density cancels).
struct MixtureBlockSums {
    typealias Vector = SIMD4<Double>
    /// The three class lanes of a parameter vector (the fourth is padding).
    static let classLanes = Vector(1, 1, 1, 0)
    private var sum0 = Vector.zero, sum1 = Vector.zero, sum2 = Vector.zero

    /// Stores a full block's gradient at `row` and adds its residuals.
    @inline(__always)
    mutating func add(_ g: (Vector, Vector, Vector), _ r: (Vector, Vector, Vector), row: Int, into gradient: inout [Vector]) {
        gradient[row] = g.0
        gradient[row + 1] = g.1
        gradient[row + 2] = g.2
        sum0 += r.0
        sum1 += r.1
        sum2 += r.2
    }

    /// The same for the last block, whose lanes where `padding` is set (past
    /// the last point) contribute nothing.
    mutating func add(_ g: (Vector, Vector, Vector), _ r: (Vector, Vector, Vector), row: Int,
                      into gradient: inout [Vector], padding: SIMDMask<SIMD4<Int64>>) {
        gradient[row] = g.0.replacing(with: 0, where: padding)
        gradient[row + 1] = g.1.replacing(with: 0, where: padding)
        gradient[row + 2] = g.2.replacing(with: 0, where: padding)
        sum0 += r.0.replacing(with: 0, where: padding)
        sum1 += r.1.replacing(with: 0, where: padding)
        sum2 += r.2.replacing(with: 0, where: padding)
    }

    /// Writes `∂/∂m` and `∂/∂s` into `gradient[0]` and `gradient[1]`.
    func finish(mu: Vector, epsilon: Vector, sigma: Vector, s: Vector, into gradient: inout [Vector]) {
        let dM = Vector(sum0.sum(), sum1.sum(), sum2.sum(), 0) - mu / 100
        let dSigma = dM * epsilon + 1 / sigma
        gradient[0] = -dM * Self.classLanes
        gradient[1] = -(dSigma * VectorMath.sigmoid(s)) * Self.classLanes
    }
}
