import Foundation
import Gumbo

/// A hand-written SVI step for one reference workload: what a competent
/// person writes by hand in Swift for the same ELBO gradient as Gumbo's
/// estimator — plain loops over arrays, Foundation's `exp` and `log`, the
/// same noise from the same generator, and Adam — to compare one library
/// step against. Each is a struct whose step is a `mutating` method, so its
/// arrays are accessed without the dynamic exclusivity checks a class's
/// stored properties would cost in every loop.
protocol HandwrittenStep {
    /// One step: fresh noise, the gradient of the loss (minus the ELBO, or
    /// the relaxed surrogate), and an Adam update of the parameters.
    mutating func step()
    /// The gradient of the objective (not the loss) at the current
    /// parameters with the next noise draw, by parameter name in Gumbo's
    /// unconstrained space, without updating anything but the generator:
    /// what ``SVI/estimateGradient()`` returns.
    mutating func objectiveGradient() -> [String: [Double]]
}

/// Adam as `torch.optim.Adam` (and Gumbo's ``Optimizer``) computes it,
/// written out over a flat array.
struct HandwrittenAdam {
    let learningRate: Double
    let beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8
    var m: [Double]
    var v: [Double]
    var t = 0

    init(learningRate: Double, count: Int) {
        self.learningRate = learningRate
        m = Array(repeating: 0, count: count)
        v = Array(repeating: 0, count: count)
    }

    /// Moves `parameters` against `gradient` (the loss's).
    mutating func update(_ parameters: inout [Double], _ gradient: [Double]) {
        t += 1
        let correction1 = 1 - Foundation.pow(beta1, Double(t))
        let correction2Root = (1 - Foundation.pow(beta2, Double(t))).squareRoot()
        let stepSize = learningRate / correction1
        for i in 0..<parameters.count {
            let g = gradient[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            parameters[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2Root + epsilon)
        }
    }
}

/// Scalar helpers the hand-written loops share (Foundation only).
enum Scalar {
    static let halfLogTwoPi = 0.5 * Foundation.log(2 * Double.pi)

    static func softplus(_ x: Double) -> Double { max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x))) }

    static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
    }

    static func logSigmoid(_ x: Double) -> Double { -softplus(-x) }

    static func normalLogProb(_ x: Double, mean: Double, std: Double) -> Double {
        let z = (x - mean) / std
        return -0.5 * z * z - Foundation.log(std) - halfLogTwoPi
    }
}
