import Foundation
import Gumbo

/// W4 with binary Concrete gates (τ = 2/3), by hand, as Gumbo's estimator
/// defines it: with logistic noise `L_d`, `y_d = σ((θ_d + L_d)/τ)`,
/// `w_d = m_d + σ_d ε_d` and `b_d = y_d w_d`,
///
///     objective = Σ_i log N(y_i; Σ_d X_id b_d, 0.5)
///               + Σ_d [log N(w_d; 0, 1) − log N(w_d; m_d, σ_d) − KL(Bern(σ(θ_d)) ‖ Bern(0.1))]
///
/// (the gate's own terms as the exact discrete KL). The gradient reaches
/// `θ` through `y` (`∂y/∂θ = y(1 − y)/τ`) and the KL
/// (`∂KL/∂θ = q(1 − q)(θ − logit 0.1)`).
struct SpikeSlabConcreteStep: HandwrittenStep {
    let temperature = 2.0 / 3.0
    let design: [Double]   // N × D, row-major
    let responses: [Double]
    let n: Int, d: Int
    var theta: [Double]    // [θ (D), m (D), s (D)]
    var rng: Xoshiro256StarStar
    var adam: HandwrittenAdam
    private var gradient: [Double]
    private var logistic: [Double], epsilon: [Double]
    private var gate: [Double], weight: [Double], sigma: [Double], product: [Double], dProduct: [Double]

    init(design rows: [[Double]], responses: [Double], seed: UInt64, learningRate: Double = 0.01) {
        n = rows.count
        d = rows[0].count
        design = rows.flatMap { $0 }
        self.responses = responses
        theta = Array(repeating: 0, count: d) + Array(repeating: 0, count: d)
            + Array(repeating: Foundation.log(Foundation.expm1(1.0)), count: d)
        rng = Xoshiro256StarStar(seed: seed)
        adam = HandwrittenAdam(learningRate: learningRate, count: theta.count)
        gradient = Array(repeating: 0, count: theta.count)
        logistic = Array(repeating: 0, count: d)
        epsilon = logistic
        gate = logistic; weight = logistic; sigma = logistic; product = logistic; dProduct = logistic
    }

    private mutating func computeGradient() {
        for j in 0..<d { logistic[j] = rng.nextStandardLogistic() }
        for j in 0..<d { epsilon[j] = rng.nextStandardNormal() }
        for j in 0..<d {
            gate[j] = Scalar.sigmoid((theta[j] + logistic[j]) / temperature)
            sigma[j] = Scalar.softplus(theta[2 * d + j])
            weight[j] = theta[d + j] + sigma[j] * epsilon[j]
            product[j] = gate[j] * weight[j]
            dProduct[j] = 0
        }
        // ∂/∂mean_i of log N(y_i; mean_i, 0.5) is (y_i − mean_i)/0.25.
        for i in 0..<n {
            var mean = 0.0
            for j in 0..<d { mean += design[i * d + j] * product[j] }
            let r = (responses[i] - mean) / 0.25
            for j in 0..<d { dProduct[j] += r * design[i * d + j] }
        }
        let priorLogit = Foundation.log(0.1 / 0.9)
        for j in 0..<d {
            let q = Scalar.sigmoid(theta[j])
            let dGate = dProduct[j] * weight[j]
            gradient[j] = dGate * gate[j] * (1 - gate[j]) / temperature - q * (1 - q) * (theta[j] - priorLogit)
            let m = theta[d + j]
            let fromGuide = (weight[j] - m) / (sigma[j] * sigma[j])
            let dWeight = dProduct[j] * gate[j] - weight[j] + fromGuide
            gradient[d + j] = dWeight - fromGuide
            let dSigma = dWeight * epsilon[j] - ((weight[j] - m) * (weight[j] - m) / (sigma[j] * sigma[j] * sigma[j]) - 1 / sigma[j])
            gradient[2 * d + j] = dSigma * Scalar.sigmoid(theta[2 * d + j])
        }
    }

    mutating func step() {
        computeGradient()
        for i in 0..<gradient.count { gradient[i] = -gradient[i] }
        adam.update(&theta, gradient)
    }

    mutating func objectiveGradient() -> [String: [Double]] {
        computeGradient()
        return ["theta": Array(gradient[0..<d]), "m": Array(gradient[d..<2 * d]), "s": Array(gradient[(2 * d)...])]
    }
}
