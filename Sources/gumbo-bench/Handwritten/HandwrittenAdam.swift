import Foundation
import Gumbo

/// Adam as `torch.optim.Adam` (and Gumbo's ``Optimizer``) computes it, four
/// parameters at a time. With `t` the step count,
///
///     m ← β₁ m + (1 − β₁) g,    v ← β₂ v + (1 − β₂) g²
///     θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// with `1/√(1 − β₂ᵗ)` computed once per step, so each element costs one
/// square root and one division — the same operations in the same order
/// as the library's update.
struct HandwrittenAdam {
    typealias Vector = SIMD4<Double>
    let learningRate: Double
    let beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8
    var m: [Vector]
    var v: [Vector]
    var t = 0

    init(learningRate: Double, count: Int) {
        self.learningRate = learningRate
        m = Array(repeating: .zero, count: count)
        v = Array(repeating: .zero, count: count)
    }

    /// Moves `parameters` against `gradient` (the loss's).
    mutating func update(_ parameters: inout [Vector], _ gradient: [Vector]) {
        t += 1
        let stepSize = learningRate / (1 - Foundation.pow(beta1, Double(t)))
        let inverseCorrection = 1 / (1 - Foundation.pow(beta2, Double(t))).squareRoot()
        let (beta1, beta2, epsilon) = (self.beta1, self.beta2, self.epsilon)
        precondition(gradient.count == parameters.count && m.count == parameters.count && v.count == parameters.count)
        gradient.withUnsafeBufferPointer { g in
            parameters.withUnsafeMutableBufferPointer { p in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        for i in 0..<p.count {
                            let mi = beta1 * m[i] + (1 - beta1) * g[i]
                            let vi = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                            m[i] = mi
                            v[i] = vi
                            p[i] -= stepSize * mi / (VectorMath.squareRoot(vi) * inverseCorrection + epsilon)
                        }
                    }
                }
            }
        }
    }
}
