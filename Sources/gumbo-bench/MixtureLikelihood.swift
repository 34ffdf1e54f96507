import Foundation
import Gumbo
import GumboWorkloads

/// The W3 mixture log-likelihood of `../shared/BENCHMARKS.md`,
///
///     L(mu, w) = Σᵢ logSumExpₖ(log wₖ + log N(xᵢ; muₖ, 1)),
///
/// with its gradient for `mu` and `w`, computed two ways: by a compiled
/// ``Plan`` and by a hand-written loop.
struct MixtureLikelihood {
    static let classes = 3
    /// The point at which value and gradient are taken.
    static let mu: [Double] = [-1, 0, 1]
    static let w: [Double] = [0.2, 0.3, 0.5]

    /// The W3 data set: point i has centre `[-4, 0, 4][i % 3]` plus a
    /// benchmark normal from SplitMix64 seed 1.
    static func data(points: Int) -> [Double] {
        BenchmarkData.mixture(count: points)
    }

    // MARK: The plan

    let plan: Plan
    let loss: Tensor
    let muTensor: Tensor
    let wTensor: Tensor

    init(data: [Double]) throws {
        var b = GraphBuilder()
        let x = try b.input("x", shape: [data.count, 1])
        muTensor = try b.parameter("mu", shape: [Self.classes])
        wTensor = try b.parameter("w", shape: [Self.classes])
        let logNormal = try b.normalLogProb(x, mean: muTensor, std: b.constant(1))
        let terms = try b.add(logNormal, b.log(wTensor))
        loss = try b.sum(b.logSumExp(terms, axis: 1))
        plan = try Plan(graph: b.build(), outputs: [loss], gradients: [muTensor, wTensor])
        try plan.setValues(data, of: x)
        try plan.setValues(Self.mu, of: muTensor)
        try plan.setValues(Self.w, of: wTensor)
    }

    // MARK: The hand-written loop

    /// Value and gradient directly: one pass over the points, the
    /// responsibilities `rₖ = exp(tₖ − lse)` accumulated into
    /// `∂L/∂muₖ = Σᵢ rᵢₖ (xᵢ − muₖ)` and `∂L/∂wₖ = Σᵢ rᵢₖ / wₖ`. Scratch for
    /// the `K` terms is passed in, so the loop allocates nothing.
    final class Handwritten {
        let data: UnsafeMutableBufferPointer<Double>
        let mu: UnsafeMutableBufferPointer<Double>
        let w: UnsafeMutableBufferPointer<Double>
        let gradientMu: UnsafeMutableBufferPointer<Double>
        let gradientW: UnsafeMutableBufferPointer<Double>
        private let logW: UnsafeMutableBufferPointer<Double>
        private let terms: UnsafeMutableBufferPointer<Double>
        private(set) var value = 0.0

        init(data values: [Double]) {
            let k = MixtureLikelihood.classes
            data = .allocate(capacity: values.count)
            _ = data.initialize(from: values)
            mu = .allocate(capacity: k)
            _ = mu.initialize(from: MixtureLikelihood.mu)
            w = .allocate(capacity: k)
            _ = w.initialize(from: MixtureLikelihood.w)
            gradientMu = .allocate(capacity: k)
            gradientMu.initialize(repeating: 0)
            gradientW = .allocate(capacity: k)
            gradientW.initialize(repeating: 0)
            logW = .allocate(capacity: k)
            logW.initialize(repeating: 0)
            terms = .allocate(capacity: k)
            terms.initialize(repeating: 0)
        }

        deinit {
            for buffer in [data, mu, w, gradientMu, gradientW, logW, terms] { buffer.deallocate() }
        }

        func run() {
            let k = MixtureLikelihood.classes
            let constant = -0.5 * Foundation.log(2 * Double.pi)
            for j in 0..<k {
                logW[j] = Foundation.log(w[j]) + constant
                gradientMu[j] = 0
                gradientW[j] = 0
            }
            var total = 0.0
            for x in data {
                var top = -Double.infinity
                for j in 0..<k {
                    let d = x - mu[j]
                    let t = logW[j] - 0.5 * d * d
                    terms[j] = t
                    top = max(top, t)
                }
                var sum = 0.0
                for j in 0..<k {
                    let e = Foundation.exp(terms[j] - top)
                    terms[j] = e
                    sum += e
                }
                total += top + Foundation.log(sum)
                let scale = 1 / sum
                for j in 0..<k {
                    let r = terms[j] * scale
                    gradientMu[j] += r * (x - mu[j])
                    gradientW[j] += r
                }
            }
            for j in 0..<k { gradientW[j] /= w[j] }
            value = total
        }
    }
}
