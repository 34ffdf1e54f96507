import Foundation
import Gumbo

/// W3 with straight-through Gumbel-softmax for `z` (τ = 0.5), by hand, as
/// Gumbo's estimator defines it: with `log q_i = logSoftmax(φ_i)`, Gumbel
/// noise `g_ik`, `a_ik = log q_ik + g_ik`, the hard sample
/// `k*_i = argmax_k a_ik` and the soft one `y_i = softmax(a_i/τ)`,
///
///     objective = Σ_k [log N(μ_k; 0, 10) − log N(μ_k; m_k, σ_k)]
///               + Σ_i [log N(x_i; μ_{k*_i}, 1) − KL(q_i ‖ uniform)]
///
/// The forward pass uses the hard one-hot; the gradient reaches `φ` through
/// the soft sample: with `r_i = x_i − μ_{k*_i}`, `∂/∂y_ik = r_i μ_k`, then
/// softmax's Jacobian, `∂/∂a_ik = y_ik (r_i μ_k − Σ_j y_ij r_i μ_j) / τ`,
/// and logSoftmax's, plus the analytic KL's `∂(−KL)/∂φ_ik = −q_ik (h_ik − KL_i)`
/// with `h = log q − log ⅓`:
///
///     ∂/∂φ_ik = ∂/∂a_ik − q_ik Σ_j ∂/∂a_ij − q_ik (h_ik − KL_i)
///             = ∂/∂a_ik − q_ik (h_ik − KL_i)     (Σ_j ∂/∂a_ij = 0)
///     ∂/∂m_k  = Σ_{i: k*_i = k} r_i − μ_k/100
///     ∂/∂σ_k  = (∂/∂m_k) ε_k + 1/σ_k,     ∂/∂s_k = (∂/∂σ_k) · sigmoid(s_k)
///
/// Since `log q_ik = φ_ik − logSumExp(φ_i)` and the shift is the same for
/// every class, `h_ik − KL_i = φ_ik − Σ_j q_ij φ_ij`, and `a_i` may be
/// taken as `φ_i + g_i` (neither the argmax nor `softmax(a_i/τ)` sees the
/// shift): no logarithm of `Σ exp φ` is needed. One pass over the points,
/// four at a time, drawing their Gumbel noise as it goes (`g = −log E`,
/// the twelve ziggurat exponentials of a block in the library's order,
/// point by point): three exponentials for `q`, three logarithms for `g`,
/// three exponentials for `y`.
/// Parameters are laid out as ``MixtureLayout`` says.
struct MixtureStraightThroughStep: HandwrittenStep {
    typealias Vector = SIMD4<Double>
    static let k = MixtureLayout.classes
    static let base = MixtureLayout.base
    let temperature = 0.5
    let count: Int
    let x: [Vector]
    var theta: [Vector]
    var rng: Xoshiro256StarStar
    var adam: HandwrittenAdam
    private var gradient: [Vector]

    init(data: [Double], seed: UInt64, learningRate: Double = 0.05) {
        count = data.count
        x = MixtureLayout.packed(data)
        theta = MixtureLayout.initialParameters(points: count)
        rng = Xoshiro256StarStar(seed: seed)
        adam = HandwrittenAdam(learningRate: learningRate, count: theta.count)
        gradient = Array(repeating: .zero, count: theta.count)
    }

    /// Fills `gradient` with the loss's gradient (minus the objective's).
    private mutating func computeGradient() {
        let epsilon = HandwrittenNoise.normal(Self.k, using: &rng)
        let s = theta[1]
        let sigma = VectorMath.softplus(s)
        let mu = theta[0] + sigma * epsilon
        let mu0 = Vector(repeating: mu[0]), mu1 = Vector(repeating: mu[1]), mu2 = Vector(repeating: mu[2])
        let inverseTemperature = 1 / temperature
        var sums = MixtureBlockSums()
        let full = count / 4
        for b in 0..<full {
            let (e0, e1, e2) = exponentials()
            let row = Self.base + 3 * b
            let (g, r) = Self.block(x[b], theta[row], theta[row + 1], theta[row + 2], e0, e1, e2,
                                    mu0, mu1, mu2, inverseTemperature)
            sums.add(g, r, row: row, into: &gradient)
        }
        if full * 4 < count {
            // The last points: padding lanes draw nothing (E = 1) and contribute nothing.
            let lanes = count - 4 * full
            var e0 = Vector.one, e1 = Vector.one, e2 = Vector.one
            for lane in 0..<lanes {
                e0[lane] = rng.nextStandardExponential()
                e1[lane] = rng.nextStandardExponential()
                e2[lane] = rng.nextStandardExponential()
            }
            let row = Self.base + 3 * full
            let padding = Vector(0, 1, 2, 3) .>= Vector(repeating: Double(lanes))
            let (g, r) = Self.block(x[full], theta[row], theta[row + 1], theta[row + 2], e0, e1, e2,
                                    mu0, mu1, mu2, inverseTemperature)
            sums.add(g, r, row: row, into: &gradient, padding: padding)
        }
        sums.finish(mu: mu, epsilon: epsilon, sigma: sigma, s: s, into: &gradient)
    }

    /// Twelve exponentials for four points, in the library's order (point by
    /// point, class by class), as one vector per class.
    @inline(__always)
    private mutating func exponentials() -> (Vector, Vector, Vector) {
        let a0 = rng.nextStandardExponential(), a1 = rng.nextStandardExponential(), a2 = rng.nextStandardExponential()
        let b0 = rng.nextStandardExponential(), b1 = rng.nextStandardExponential(), b2 = rng.nextStandardExponential()
        let c0 = rng.nextStandardExponential(), c1 = rng.nextStandardExponential(), c2 = rng.nextStandardExponential()
        let d0 = rng.nextStandardExponential(), d1 = rng.nextStandardExponential(), d2 = rng.nextStandardExponential()
        return (Vector(a0, b0, c0, d0), Vector(a1, b1, c1, d1), Vector(a2, b2, c2, d2))
    }

    /// Four points, given their exponentials `E` (`g = −log E`): the loss's
    /// `∂/∂φ_·k`, and `r = x − μ_{k*}` in class `k*`'s vector (0 in the others).
    @inline(__always)
    static func block(_ x: Vector, _ phi0: Vector, _ phi1: Vector, _ phi2: Vector,
                      _ e0: Vector, _ e1: Vector, _ e2: Vector,
                      _ mu0: Vector, _ mu1: Vector, _ mu2: Vector,
                      _ inverseTemperature: Double) -> (gradient: (Vector, Vector, Vector), residual: (Vector, Vector, Vector)) {
        // q = softmax(φ), and h − KL = φ − Σ_j q_j φ_j.
        let top = maximum(phi0, phi1, phi2)
        let p0 = VectorMath.exp(phi0 - top), p1 = VectorMath.exp(phi1 - top), p2 = VectorMath.exp(phi2 - top)
        let inverse = 1 / (p0 + p1 + p2)
        let q0 = p0 * inverse, q1 = p1 * inverse, q2 = p2 * inverse
        let phiMean = q0 * phi0 + q1 * phi1 + q2 * phi2
        // a = φ + g (log q less logSumExp φ): the hard sample, the first
        // maximum, and its residual.
        let a0 = phi0 - VectorMath.log(e0), a1 = phi1 - VectorMath.log(e1), a2 = phi2 - VectorMath.log(e2)
        let is0 = (a0 .>= a1) .& (a0 .>= a2)
        let is2 = a2 .> maximum(a0, a1)
        let is1 = .!(is0 .| is2)
        let r = x - mu0.replacing(with: mu1, where: is1).replacing(with: mu2, where: is2)
        // The soft sample y = softmax(a/τ), and ∂/∂a_k = y_k (μ_k − Σ_j y_j μ_j) r/τ.
        let s0 = a0 * inverseTemperature, s1 = a1 * inverseTemperature, s2 = a2 * inverseTemperature
        let topS = maximum(s0, s1, s2)
        let y0 = VectorMath.exp(s0 - topS), y1 = VectorMath.exp(s1 - topS), y2 = VectorMath.exp(s2 - topS)
        let scale = 1 / (y0 + y1 + y2)
        let w0 = y0 * scale, w1 = y1 * scale, w2 = y2 * scale
        let mean = w0 * mu0 + w1 * mu1 + w2 * mu2
        let rt = r * inverseTemperature
        // Loss: −∂/∂φ = q (h − KL) − ∂/∂a.
        return ((q0 * (phi0 - phiMean) - w0 * (mu0 - mean) * rt,
                 q1 * (phi1 - phiMean) - w1 * (mu1 - mean) * rt,
                 q2 * (phi2 - phiMean) - w2 * (mu2 - mean) * rt),
                (Vector.zero.replacing(with: r, where: is0), Vector.zero.replacing(with: r, where: is1),
                 Vector.zero.replacing(with: r, where: is2)))
    }

    mutating func step() {
        computeGradient()
        adam.update(&theta, gradient)
    }

    mutating func objectiveGradient() -> [String: [Double]] {
        computeGradient()
        return MixtureLayout.objectiveGradient(gradient, points: count)
    }
}
