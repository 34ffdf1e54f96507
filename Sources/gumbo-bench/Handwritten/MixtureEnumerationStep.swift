import Foundation
import Gumbo

/// W3 with `z` enumerated, by hand. With `σ = softplus(s)`, `μ = m + σε`,
/// `q_i = softmax(φ_i)` and `f_ik = log N(x_i; μ_k, 1) + log ⅓ − log q_ik`,
///
///     ELBO = Σ_k [log N(μ_k; 0, 10) − log N(μ_k; m_k, σ_k)] + Σ_i Σ_k q_ik f_ik
///     ∂/∂φ_ik = q_ik (f_ik − Σ_j q_ij f_ij)
///     ∂/∂m_k  = Σ_i q_ik (x_i − μ_k) − μ_k/100
///     ∂/∂σ_k  = (∂/∂m_k) ε_k + 1/σ_k,     ∂/∂s_k = (∂/∂σ_k) · sigmoid(s_k)
///
/// (through `μ = m + σε`, the guide's `−log N(μ; m, σ) = log σ + ε²/2 + c`
/// leaves only `1/σ`). Since `log q_ik = φ_ik − logSumExp(φ_i)`,
/// `f_ik = −(x_i − μ_k)²/2 − φ_ik + c_i` with `c_i` the same for every
/// class, and `c_i` cancels in `f_ik − Σ_j q_ij f_ij`: the gradient needs
/// `q` but no logarithm (the ELBO's value, which the step does not need,
/// would). One pass over the points, four at a time: `q_k = e_k / Σ_j e_j`
/// with `e_k = exp(φ_k − max_j φ_j)` (three exponentials per four
/// points), the `φ` gradient written and `Σ_i q_ik (x_i − μ_k)`
/// accumulated in the same pass.
///
/// Parameters are laid out as ``MixtureLayout`` says, and Adam updates
/// them in place.
struct MixtureEnumerationStep: HandwrittenStep {
    typealias Vector = SIMD4<Double>
    static let k = MixtureLayout.classes
    static let base = MixtureLayout.base
    let count: Int
    /// The points, four per vector, the last padded with zeros.
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

    /// Fills `gradient` with the loss's gradient (minus the ELBO's).
    private mutating func computeGradient() {
        let epsilon = HandwrittenNoise.normal(Self.k, using: &rng)
        let s = theta[1]
        let sigma = VectorMath.softplus(s)
        let mu = theta[0] + sigma * epsilon
        let mu0 = Vector(repeating: mu[0]), mu1 = Vector(repeating: mu[1]), mu2 = Vector(repeating: mu[2])
        var sums = MixtureBlockSums()
        let full = count / 4
        for b in 0..<full {
            let row = Self.base + 3 * b
            let (g, r) = Self.block(x[b], theta[row], theta[row + 1], theta[row + 2], mu0, mu1, mu2)
            sums.add(g, r, row: row, into: &gradient)
        }
        if full * 4 < count {
            // The last points: padding lanes contribute nothing.
            let row = Self.base + 3 * full
            let padding = Vector(0, 1, 2, 3) .>= Vector(repeating: Double(count - 4 * full))
            let (g, r) = Self.block(x[full], theta[row], theta[row + 1], theta[row + 2], mu0, mu1, mu2)
            sums.add(g, r, row: row, into: &gradient, padding: padding)
        }
        sums.finish(mu: mu, epsilon: epsilon, sigma: sigma, s: s, into: &gradient)
    }

    /// Four points: the loss's `∂/∂φ_·k = q_·k (Σ_j q_·j u_·j − u_·k)` with
    /// `u = −(x − μ)²/2 − φ` (`f` less the terms the classes share), and
    /// `q_·k (x − μ_k)`.
    @inline(__always)
    static func block(_ x: Vector, _ phi0: Vector, _ phi1: Vector, _ phi2: Vector,
                      _ mu0: Vector, _ mu1: Vector, _ mu2: Vector)
        -> (gradient: (Vector, Vector, Vector), residual: (Vector, Vector, Vector)) {
        let top = maximum(phi0, phi1, phi2)
        let e0 = VectorMath.exp(phi0 - top), e1 = VectorMath.exp(phi1 - top), e2 = VectorMath.exp(phi2 - top)
        let inverse = 1 / (e0 + e1 + e2)
        let q0 = e0 * inverse, q1 = e1 * inverse, q2 = e2 * inverse
        let d0 = x - mu0, d1 = x - mu1, d2 = x - mu2
        let u0 = -(0.5 * d0 * d0 + phi0), u1 = -(0.5 * d1 * d1 + phi1), u2 = -(0.5 * d2 * d2 + phi2)
        let mean = q0 * u0 + q1 * u1 + q2 * u2
        return ((q0 * (mean - u0), q1 * (mean - u1), q2 * (mean - u2)), (q0 * d0, q1 * d1, q2 * d2))
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
