import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("Optimizers")
struct OptimizerTests {
    /// Runs an optimizer on `f(θ) = Σ a_i (θ_i − c_i)²` for `steps` steps.
    func minimize(_ settings: OptimizerSettings, start: [Double], steps: Int) -> [Double] {
        let a = [1.0, 3.0, 0.5], c = [2.0, -1.0, 0.25]
        var optimizer = Optimizer(settings, count: start.count)
        var theta = start
        var gradient = [Double](repeating: 0, count: start.count)
        for _ in 0..<steps {
            for i in theta.indices { gradient[i] = 2 * a[i] * (theta[i] - c[i]) }
            theta.withUnsafeMutableBufferPointer { p in
                gradient.withUnsafeBufferPointer { g in optimizer.update(parameters: p.baseAddress!, gradients: g.baseAddress!) }
            }
        }
        return theta
    }

    @Test("Adam follows Algorithm 1 of Kingma & Ba with bias correction")
    func adamMatchesPaper() {
        // Algorithm 1 written out independently: m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ),
        // θ ← θ − α m̂/(√v̂ + ε). torch's form divides ε by √(1−β₂ᵗ) instead,
        // a difference of order ε, far below the tolerance.
        let a = [1.0, 3.0, 0.5], c = [2.0, -1.0, 0.25]
        var theta = [0.0, 0.0, 0.0], m = [0.0, 0.0, 0.0], v = [0.0, 0.0, 0.0]
        let (alpha, b1, b2, eps) = (0.05, 0.9, 0.999, 1e-8)
        for t in 1...50 {
            for i in 0..<3 {
                let g = 2 * a[i] * (theta[i] - c[i])
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                let mHat = m[i] / (1 - pow(b1, Double(t))), vHat = v[i] / (1 - pow(b2, Double(t)))
                theta[i] -= alpha * mHat / (vHat.squareRoot() + eps)
            }
        }
        let ours = minimize(Optimizer.adam(learningRate: 0.05), start: [0, 0, 0], steps: 50)
        #expect(isClose(ours, theta, relative: 1e-9, absolute: 1e-9))
    }

    @Test("the first Adam step moves each coordinate by the learning rate")
    func adamFirstStep() {
        // After one step m̂ = g and v̂ = g², so the step is lr·g/(|g| + ε) ≈ lr·sign(g).
        let theta = minimize(Optimizer.adam(learningRate: 0.1), start: [0, 0, 0], steps: 1)
        #expect(isClose(theta, [0.1, -0.1, 0.1], relative: 1e-6))
    }

    @Test("Adam and SGD converge to the minimum")
    func convergence() {
        let target = [2.0, -1.0, 0.25]
        #expect(isClose(minimize(Optimizer.adam(learningRate: 0.05), start: [0, 0, 0], steps: 3000), target, relative: 0, absolute: 1e-4))
        #expect(isClose(minimize(Optimizer.sgd(learningRate: 0.05), start: [0, 0, 0], steps: 500), target, relative: 0, absolute: 1e-8))
        #expect(isClose(minimize(Optimizer.sgd(learningRate: 0.02, momentum: 0.9), start: [0, 0, 0], steps: 800), target, relative: 0, absolute: 1e-8))
    }

    @Test("SGD takes exactly lr·g")
    func sgdStep() {
        // Gradient at 0 is −2·a·c = [−4, 6, −0.25].
        let theta = minimize(Optimizer.sgd(learningRate: 0.1), start: [0, 0, 0], steps: 1)
        #expect(isClose(theta, [0.4, -0.6, 0.025], relative: 1e-15))
    }

    @Test("settings read as implicit members: .adam and .sgd are Optimizer's")
    func implicitMembers() {
        let adam: OptimizerSettings = .adam(learningRate: 0.02, beta2: 0.99, gradientClipNorm: 5)
        #expect(adam == Optimizer.adam(learningRate: 0.02, beta2: 0.99, gradientClipNorm: 5))
        #expect(adam.rule == .adam(learningRate: 0.02, beta1: 0.9, beta2: 0.99, epsilon: 1e-8))
        let sgd: OptimizerSettings = .sgd(learningRate: 0.1, momentum: 0.5)
        #expect(sgd == Optimizer.sgd(learningRate: 0.1, momentum: 0.5))
        #expect(SVIConfiguration(optimizer: .adam(learningRate: 0.05)).optimizer == Optimizer.adam(learningRate: 0.05))
    }

    @Test("clipping scales the gradient to the given global norm")
    func clipping() {
        // Gradient [−4, 6, −0.25] has norm √52.0625; clipped to 1, the SGD step is lr·g/‖g‖.
        let norm = (16 + 36 + 0.0625).squareRoot()
        let theta = minimize(Optimizer.sgd(learningRate: 1, gradientClipNorm: 1), start: [0, 0, 0], steps: 1)
        #expect(isClose(theta, [4 / norm, -6 / norm, 0.25 / norm], relative: 1e-14))
    }

    @Test("state round-trips through JSON exactly")
    func codable() throws {
        var optimizer = Optimizer(Optimizer.adam(learningRate: 0.01), count: 2)
        var theta = [0.3, -0.7], gradient = [0.123456789, -9.87654321e-5]
        theta.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in optimizer.update(parameters: p.baseAddress!, gradients: g.baseAddress!) }
        }
        let decoded = try JSONDecoder().decode(Optimizer.self, from: try JSONEncoder().encode(optimizer))
        #expect(decoded == optimizer)
    }
}
