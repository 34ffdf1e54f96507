import Foundation
import Gumbo

/// W3 with `z` enumerated, by hand. With `σ = softplus(s)`, `μ = m + σε`,
/// `q_i = softmax(φ_i)` and `f_ik = log N(x_i; μ_k, 1) + log ⅓ − log q_ik`,
///
///     ELBO = Σ_k [log N(μ_k; 0, 10) − log N(μ_k; m_k, σ_k)] + Σ_i Σ_k q_ik f_ik
///     ∂/∂φ_ik = q_ik (f_ik − Σ_j q_ij f_ij)
///     ∂/∂μ_k  = Σ_i q_ik (x_i − μ_k) − μ_k/100 + (μ_k − m_k)/σ_k²
///
/// and `m`, `s` by the chain rule through `μ` plus the guide density's own
/// dependence on them. Parameters live in one flat array `[m, s, φ]`,
/// which Adam updates in place.
struct MixtureEnumerationStep: HandwrittenStep {
    static let k = 3
    let data: [Double]
    var theta: [Double]
    var rng: Xoshiro256StarStar
    var adam: HandwrittenAdam
    private var gradient: [Double]
    private var epsilon = [0.0, 0.0, 0.0], sigma = [0.0, 0.0, 0.0], mu = [0.0, 0.0, 0.0], dMu = [0.0, 0.0, 0.0]
    private var logQ = [0.0, 0.0, 0.0], q = [0.0, 0.0, 0.0], f = [0.0, 0.0, 0.0]

    init(data: [Double], seed: UInt64, learningRate: Double = 0.05) {
        self.data = data
        let k = Self.k
        theta = [-1, 0, 1] + Array(repeating: Foundation.log(Foundation.expm1(1.0)), count: k)   // softplus(s) = 1
            + Array(repeating: 0, count: data.count * k)
        rng = Xoshiro256StarStar(seed: seed)
        adam = HandwrittenAdam(learningRate: learningRate, count: theta.count)
        gradient = Array(repeating: 0, count: theta.count)
    }

    /// Fills `gradient` with the objective's gradient, `[m, s, φ]`.
    private mutating func computeGradient() {
        let k = Self.k, base = 2 * k
        for j in 0..<k {
            epsilon[j] = rng.nextStandardNormal()
            sigma[j] = Scalar.softplus(theta[k + j])
            mu[j] = theta[j] + sigma[j] * epsilon[j]
            dMu[j] = 0
        }
        let logPrior = Foundation.log(1.0 / 3)
        for i in 0..<data.count {
            let x = data[i]
            let row = base + i * k
            var top = -Double.infinity
            for j in 0..<k { top = max(top, theta[row + j]) }
            var total = 0.0
            for j in 0..<k { total += Foundation.exp(theta[row + j] - top) }
            let lse = top + Foundation.log(total)
            var expected = 0.0
            for j in 0..<k {
                logQ[j] = theta[row + j] - lse
                q[j] = Foundation.exp(logQ[j])
                let d = x - mu[j]
                f[j] = -0.5 * d * d - Scalar.halfLogTwoPi + logPrior - logQ[j]
                expected += q[j] * f[j]
                dMu[j] += q[j] * d
            }
            for j in 0..<k { gradient[row + j] = q[j] * (f[j] - expected) }
        }
        for j in 0..<k {
            let m = theta[j]
            let fromGuide = (mu[j] - m) / (sigma[j] * sigma[j])
            let dMuTotal = dMu[j] - mu[j] / 100 + fromGuide
            // ∂/∂m: through μ, and −log q(μ) depends on m directly.
            gradient[j] = dMuTotal - fromGuide
            // ∂/∂σ: through μ (times ε), and −∂ log N(μ; m, σ)/∂σ directly.
            let dSigma = dMuTotal * epsilon[j] - ((mu[j] - m) * (mu[j] - m) / (sigma[j] * sigma[j] * sigma[j]) - 1 / sigma[j])
            gradient[k + j] = dSigma * Scalar.sigmoid(theta[k + j])
        }
    }

    mutating func step() {
        computeGradient()
        for i in 0..<gradient.count { gradient[i] = -gradient[i] }
        adam.update(&theta, gradient)
    }

    mutating func objectiveGradient() -> [String: [Double]] {
        computeGradient()
        let k = Self.k
        return ["m": Array(gradient[0..<k]), "s": Array(gradient[k..<2 * k]), "phi": Array(gradient[(2 * k)...])]
    }
}
