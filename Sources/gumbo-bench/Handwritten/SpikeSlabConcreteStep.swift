import Foundation
import Gumbo

/// W4 with binary Concrete gates (τ = 2/3), by hand, as Gumbo's estimator
/// defines it: with logistic noise `L_d`, `y_d = σ((θ_d + L_d)/τ)`,
/// `w_d = m_d + σ_d ε_d` and `b_d = y_d w_d`,
///
///     objective = Σ_i log N(y_i; Σ_d X_id b_d, 0.5)
///               + Σ_d [log N(w_d; 0, 1) − log N(w_d; m_d, σ_d) − KL(Bern(σ(θ_d)) ‖ Bern(0.1))]
///
/// (the gate's own terms as the exact discrete KL). With
/// `∂/∂b_d = Σ_i 4 (y_i − Σ_d X_id b_d) X_id` and `q_d = σ(θ_d)`,
///
///     ∂/∂θ_d = (∂/∂b_d) w_d y_d (1 − y_d)/τ − q_d (1 − q_d)(θ_d − logit 0.1)
///     ∂/∂m_d = (∂/∂b_d) y_d − w_d
///     ∂/∂σ_d = (∂/∂m_d) ε_d + 1/σ_d,     ∂/∂s_d = (∂/∂σ_d) · sigmoid(s_d)
///
/// (through `w = m + σε`, the guide's `−log N(w; m, σ) = log σ + ε²/2 + c`
/// leaves only `1/σ`). The per-feature work runs four features at a time;
/// the regression, four points at a time: the design is stored by blocks
/// of four rows, column by column (`X[4b…4b+3][d]` in one vector), so a
/// block's means are `Σ_d X_·d b_d` and, in the same pass over the block,
/// `∂/∂b_d` gathers `r_· X_·d` in one vector per feature, summed across
/// lanes at the end.
///
/// Parameters are one array of vectors `[θ, m, s]`, each `⌈D/4⌉` vectors
/// (the last padded), which Adam updates in place.
struct SpikeSlabConcreteStep: HandwrittenStep {
    typealias Vector = SIMD4<Double>
    let temperature = 2.0 / 3.0
    let n: Int, d: Int
    /// Vectors per parameter: ⌈D/4⌉.
    let chunks: Int
    /// Block b, feature j at `b·D + j`: rows 4b…4b+3 (zero past N).
    let design: [Vector]
    /// Four responses per vector (zero past N: a zero row, zero residual).
    let responses: [Vector]
    var theta: [Vector]
    var rng: Xoshiro256StarStar
    var adam: HandwrittenAdam
    private var gradient: [Vector]
    private var epsilon: [Vector], gate: [Vector], weight: [Vector], sigma: [Vector]
    /// `b_d = y_d w_d`, one double per feature (broadcast in the regression).
    private var product: [Double]
    /// Per feature, per lane, `Σ_i r_i X_id` over the points in that lane.
    private var dProduct: [Vector]

    init(design rows: [[Double]], responses values: [Double], seed: UInt64, learningRate: Double = 0.01) {
        n = rows.count
        d = rows[0].count
        chunks = (d + 3) / 4
        let blocks = (n + 3) / 4
        var design = [Vector](repeating: .zero, count: blocks * d)
        var responses = [Vector](repeating: .zero, count: blocks)
        for i in 0..<n {
            for j in 0..<d { design[(i / 4) * d + j][i % 4] = rows[i][j] }
            responses[i / 4][i % 4] = values[i]
        }
        self.design = design
        self.responses = responses
        theta = Array(repeating: .zero, count: 2 * chunks)
            + Array(repeating: Vector(repeating: Foundation.log(Foundation.expm1(1.0))), count: chunks)
        rng = Xoshiro256StarStar(seed: seed)
        adam = HandwrittenAdam(learningRate: learningRate, count: theta.count)
        gradient = Array(repeating: .zero, count: theta.count)
        epsilon = Array(repeating: .zero, count: chunks)
        gate = epsilon; weight = epsilon; sigma = epsilon
        product = Array(repeating: 0, count: d)
        dProduct = Array(repeating: .zero, count: d)
    }

    /// Fills `gradient` with the loss's gradient (minus the objective's).
    private mutating func computeGradient() {
        let inverseTemperature = 1 / temperature
        // Noise in the library's order: all the logistic draws, then the normals.
        for c in 0..<chunks {
            let logistic = HandwrittenNoise.logistic(min(4, d - 4 * c), using: &rng)
            gate[c] = VectorMath.sigmoid((theta[c] + logistic) * inverseTemperature)
        }
        for c in 0..<chunks {
            let e = HandwrittenNoise.normal(min(4, d - 4 * c), using: &rng)
            let s = VectorMath.softplus(theta[2 * chunks + c])
            let w = theta[chunks + c] + s * e
            epsilon[c] = e
            sigma[c] = s
            weight[c] = w
            let b = gate[c] * w
            for lane in 0..<min(4, d - 4 * c) { product[4 * c + lane] = b[lane] }
        }
        regression()
        let priorLogit = Foundation.log(0.1 / 0.9)
        for c in 0..<chunks {
            let lanes = min(4, d - 4 * c)
            var dB = Vector.zero
            for lane in 0..<lanes { dB[lane] = dProduct[4 * c + lane].sum() }
            let t = theta[c], y = gate[c], w = weight[c]
            let q = VectorMath.sigmoid(t)
            let dTheta = dB * w * y * (1 - y) * inverseTemperature - q * (1 - q) * (t - priorLogit)
            let dM = dB * y - w
            let dS = (dM * epsilon[c] + 1 / sigma[c]) * VectorMath.sigmoid(theta[2 * chunks + c])
            var loss = (-dTheta, -dM, -dS)
            if lanes < 4 {
                let padding = Vector(0, 1, 2, 3) .>= Vector(repeating: Double(lanes))
                loss = (loss.0.replacing(with: 0, where: padding), loss.1.replacing(with: 0, where: padding),
                        loss.2.replacing(with: 0, where: padding))
            }
            gradient[c] = loss.0
            gradient[chunks + c] = loss.1
            gradient[2 * chunks + c] = loss.2
        }
    }

    /// `dProduct[j]`'s lanes sum to `∂/∂b_j = Σ_i 4 (y_i − Σ_d X_id b_d) X_ij`:
    /// per block of four rows, the means (two accumulators, so two chains
    /// of multiply-adds), the residuals, then `r X_·j` into each feature's
    /// vector while the block is in cache.
    private mutating func regression() {
        let d = self.d
        design.withUnsafeBufferPointer { design in
            responses.withUnsafeBufferPointer { responses in
                product.withUnsafeBufferPointer { product in
                    dProduct.withUnsafeMutableBufferPointer { dProduct in
                        for j in 0..<d { dProduct[j] = .zero }
                        for b in 0..<responses.count {
                            let block = design.baseAddress! + b * d
                            var mean0 = Vector.zero, mean1 = Vector.zero
                            var j = 0
                            while j + 2 <= d {
                                mean0 += block[j] * product[j]
                                mean1 += block[j + 1] * product[j + 1]
                                j += 2
                            }
                            if j < d { mean0 += block[j] * product[j] }
                            // ∂/∂mean of log N(y; mean, 0.5) is (y − mean)/0.25.
                            let r = (responses[b] - (mean0 + mean1)) * 4
                            for j in 0..<d { dProduct[j] += r * block[j] }
                        }
                    }
                }
            }
        }
    }

    mutating func step() {
        computeGradient()
        adam.update(&theta, gradient)
    }

    mutating func objectiveGradient() -> [String: [Double]] {
        computeGradient()
        func values(_ first: Int) -> [Double] { (0..<d).map { -gradient[first + $0 / 4][$0 % 4] } }
        return ["theta": values(0), "m": values(chunks), "s": values(2 * chunks)]
    }
}
