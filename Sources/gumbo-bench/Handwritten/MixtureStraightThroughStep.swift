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
/// the soft sample: `∂/∂y_ik = (x_i − μ_{k*_i}) μ_k`, then softmax and
/// logSoftmax's Jacobians, plus the analytic KL's
/// `∂(−KL)/∂φ_ik = −q_ik (h_ik − KL_i)` with `h = log q − log ⅓`.
struct MixtureStraightThroughStep: HandwrittenStep {
    static let k = 3
    let temperature = 0.5
    let data: [Double]
    var theta: [Double]
    var rng: Xoshiro256StarStar
    var adam: HandwrittenAdam
    private var gradient: [Double]
    private var gumbel: [Double]
    private var epsilon = [0.0, 0.0, 0.0], sigma = [0.0, 0.0, 0.0], mu = [0.0, 0.0, 0.0], dMu = [0.0, 0.0, 0.0]
    private var logQ = [0.0, 0.0, 0.0], q = [0.0, 0.0, 0.0], soft = [0.0, 0.0, 0.0], dA = [0.0, 0.0, 0.0]

    init(data: [Double], seed: UInt64, learningRate: Double = 0.05) {
        self.data = data
        let k = Self.k
        theta = [-1, 0, 1] + Array(repeating: Foundation.log(Foundation.expm1(1.0)), count: k)
            + Array(repeating: 0, count: data.count * k)
        rng = Xoshiro256StarStar(seed: seed)
        adam = HandwrittenAdam(learningRate: learningRate, count: theta.count)
        gradient = Array(repeating: 0, count: theta.count)
        gumbel = Array(repeating: 0, count: data.count * k)
    }

    private mutating func computeGradient() {
        let k = Self.k, base = 2 * k
        for j in 0..<k { epsilon[j] = rng.nextStandardNormal() }
        for i in 0..<gumbel.count { gumbel[i] = rng.nextStandardGumbel() }
        for j in 0..<k {
            sigma[j] = Scalar.softplus(theta[k + j])
            mu[j] = theta[j] + sigma[j] * epsilon[j]
            dMu[j] = 0
        }
        let logUniform = Foundation.log(1.0 / 3)
        for i in 0..<data.count {
            let row = base + i * k
            var top = -Double.infinity
            for j in 0..<k { top = max(top, theta[row + j]) }
            var total = 0.0
            for j in 0..<k { total += Foundation.exp(theta[row + j] - top) }
            let lse = top + Foundation.log(total)
            var kl = 0.0
            var best = 0, bestValue = -Double.infinity
            var topA = -Double.infinity
            for j in 0..<k {
                logQ[j] = theta[row + j] - lse
                q[j] = Foundation.exp(logQ[j])
                kl += q[j] * (logQ[j] - logUniform)
                let a = logQ[j] + gumbel[i * k + j]
                if a > bestValue { (best, bestValue) = (j, a) }
                soft[j] = a / temperature
                topA = max(topA, soft[j])
            }
            var softTotal = 0.0
            for j in 0..<k {
                soft[j] = Foundation.exp(soft[j] - topA)
                softTotal += soft[j]
            }
            let residual = data[i] - mu[best]
            dMu[best] += residual
            // Through the soft sample: ∂/∂y_j = r μ_j, then softmax(a/τ).
            var weighted = 0.0
            for j in 0..<k {
                soft[j] /= softTotal
                weighted += soft[j] * residual * mu[j]
            }
            var dASum = 0.0
            for j in 0..<k {
                dA[j] = soft[j] * (residual * mu[j] - weighted) / temperature
                dASum += dA[j]
            }
            // Through logSoftmax(φ), and the KL term.
            for j in 0..<k {
                gradient[row + j] = dA[j] - q[j] * dASum - q[j] * ((logQ[j] - logUniform) - kl)
            }
        }
        for j in 0..<k {
            let m = theta[j]
            let fromGuide = (mu[j] - m) / (sigma[j] * sigma[j])
            let dMuTotal = dMu[j] - mu[j] / 100 + fromGuide
            gradient[j] = dMuTotal - fromGuide
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
