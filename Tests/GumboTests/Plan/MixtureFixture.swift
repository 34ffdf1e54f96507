import Foundation
import Gumbo
import GumboWorkloads

/// The W3 mixture log-likelihood of `../shared/BENCHMARKS.md` as a compiled
/// plan, with a hand-written reference:
///
///     L(mu, w) = Σᵢ log Σₖ wₖ · N(xᵢ; muₖ, 1)
///
/// Data: SplitMix64 seed 1; point i has centre `[-4, 0, 4][i % 3]` plus a
/// benchmark normal.
struct MixtureFixture {
    static let classes = 3
    let data: [Double]
    let x: Tensor
    let mu: Tensor
    let w: Tensor
    let loss: Tensor
    let plan: Plan

    init(points: Int, mu muValues: [Double] = [-1, 0, 1], w wValues: [Double] = [0.2, 0.3, 0.5]) throws {
        data = BenchmarkData.mixture(count: points)
        var b = GraphBuilder()
        x = try b.input("x", shape: [points, 1])
        mu = try b.parameter("mu", shape: [Self.classes])
        w = try b.parameter("w", shape: [Self.classes])
        let logNormal = try b.normalLogProb(x, mean: mu, std: b.constant(1))
        let terms = try b.add(logNormal, b.log(w))
        loss = try b.sum(b.logSumExp(terms, axis: 1))
        plan = try Plan(graph: b.build(), outputs: [loss], gradients: [mu, w])
        try plan.setValues(data, of: x)
        try plan.setValues(muValues, of: mu)
        try plan.setValues(wValues, of: w)
    }

    /// The value and gradient computed directly, one point at a time.
    static func handwritten(data: [Double], mu: [Double], w: [Double]) -> (value: Double, mu: [Double], w: [Double]) {
        let logW = w.map { Foundation.log($0) }
        let constant = -0.5 * Foundation.log(2 * Double.pi)
        var value = 0.0
        var gradientMu = [Double](repeating: 0, count: classes)
        var gradientLogW = [Double](repeating: 0, count: classes)
        for x in data {
            var terms = [Double](repeating: 0, count: classes)
            for k in 0..<classes {
                let d = x - mu[k]
                terms[k] = logW[k] - 0.5 * d * d + constant
            }
            let lse = StableMath.logSumExp(terms)
            value += lse
            for k in 0..<classes {
                let responsibility = Foundation.exp(terms[k] - lse)
                gradientMu[k] += responsibility * (x - mu[k])
                gradientLogW[k] += responsibility
            }
        }
        return (value, gradientMu, zip(gradientLogW, w).map { $0 / $1 })
    }
}
