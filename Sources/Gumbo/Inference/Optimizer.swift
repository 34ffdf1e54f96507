import Foundation
import GumboAVX2

/// A first-order optimizer over one flat vector of unconstrained
/// parameters. It minimizes: `update` moves against the gradient.
///
/// The state (moments, step count) is preallocated when the optimizer is
/// made, so `update` allocates nothing, and it is `Codable` so a checkpoint
/// restores it exactly.
public struct Optimizer: Codable, Sendable, Equatable {
    public enum Rule: Codable, Sendable, Equatable {
        /// Adam (Kingma & Ba 2015, Algorithm 1), in the form of
        /// `torch.optim.Adam` (and so Pyro's `optim.Adam`):
        ///     m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²
        ///     θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
        case adam(learningRate: Double, beta1: Double, beta2: Double, epsilon: Double)
        /// Stochastic gradient descent with optional (heavy-ball) momentum:
        ///     u ← μu + g,  θ ← θ − lr·u
        case sgd(learningRate: Double, momentum: Double)
    }

    public let rule: Rule
    /// When set, gradients whose global Euclidean norm exceeds this are
    /// scaled down to it before the update.
    public let gradientClipNorm: Double?
    public private(set) var step: Int = 0
    private var firstMoment: [Double]
    private var secondMoment: [Double]

    /// Adam with the usual defaults (β₁ = 0.9, β₂ = 0.999, ε = 1e-8).
    public static func adam(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999,
                            epsilon: Double = 1e-8, gradientClipNorm: Double? = nil) -> OptimizerSettings {
        OptimizerSettings(rule: .adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon),
                          gradientClipNorm: gradientClipNorm)
    }

    /// Plain or momentum SGD.
    public static func sgd(learningRate: Double, momentum: Double = 0, gradientClipNorm: Double? = nil) -> OptimizerSettings {
        OptimizerSettings(rule: .sgd(learningRate: learningRate, momentum: momentum), gradientClipNorm: gradientClipNorm)
    }

    /// An optimizer for `count` parameters.
    public init(_ settings: OptimizerSettings, count: Int) {
        rule = settings.rule
        gradientClipNorm = settings.gradientClipNorm
        firstMoment = Array(repeating: 0, count: count)
        switch settings.rule {
        case .adam: secondMoment = Array(repeating: 0, count: count)
        case .sgd: secondMoment = []
        }
    }

    public var count: Int { firstMoment.count }

    /// One step: moves `parameters` against `gradients` (both `count` long).
    /// `gradients` is read only; clipping scales the step, not the buffer.
    public mutating func update(parameters: UnsafeMutablePointer<Double>, gradients: UnsafePointer<Double>) {
        let n = firstMoment.count
        var squared = 0.0
        if gradientClipNorm != nil {
            for i in 0..<n { squared += gradients[i] * gradients[i] }
        }
        withRangeStep(squaredGradientNorm: squared) { step in
            step.apply(parameters: parameters, gradients: gradients, count: n, offset: 0)
        }
    }
}

extension Optimizer {
    /// One step's constants and the moments' storage, for updating the
    /// parameters piece by piece (on several threads); each element's update
    /// depends only on its own values and the step's constants, so any split
    /// gives the same result as ``update(parameters:gradients:)``.
    struct RangeStep {
        let rule: Rule
        let stepSize: Double
        let correction2Root: Double
        /// The gradient's factor: 1, or the clipping scale.
        let scale: Double
        let firstMoment: UnsafeMutablePointer<Double>
        let secondMoment: UnsafeMutablePointer<Double>?

        /// Updates the `count` parameters at `parameters` from the gradients
        /// at `gradients`: elements `offset ..< offset + count` of the
        /// optimizer's vector, whose moments they use. The values may live
        /// anywhere (a threaded run keeps them in its chunks' plans).
        func apply(parameters: UnsafeMutablePointer<Double>, gradients: UnsafePointer<Double>, count: Int, offset: Int) {
            switch rule {
            case .adam(_, let beta1, let beta2, let epsilon):
                Optimizer.adam(parameters: parameters, gradients: gradients, m: firstMoment + offset,
                               v: secondMoment! + offset, count: count, scale: scale, beta1: beta1, beta2: beta2,
                               stepSize: stepSize, correction2Root: correction2Root, epsilon: epsilon)
            case .sgd(let learningRate, let momentum):
                let u = firstMoment + offset
                for i in 0..<count {
                    let g = gradients[i] * scale
                    if momentum == 0 {
                        parameters[i] -= learningRate * g
                    } else {
                        u[i] = momentum * u[i] + g
                        parameters[i] -= learningRate * u[i]
                    }
                }
            }
        }
    }

    /// Counts a step and calls `body` with its constants and the moments'
    /// storage, valid during the call. With clipping, `squaredGradientNorm`
    /// is the whole gradient's squared Euclidean norm (summed in vector
    /// order, as ``update(parameters:gradients:)`` does).
    mutating func withRangeStep(squaredGradientNorm: Double, _ body: (RangeStep) -> Void) {
        var scale = 1.0
        if let clip = gradientClipNorm {
            let norm = squaredGradientNorm.squareRoot()
            if norm > clip { scale = clip / norm }
        }
        step += 1
        var stepSize = 0.0, correction2Root = 1.0
        if case .adam(let learningRate, let beta1, let beta2, _) = rule {
            stepSize = learningRate / (1 - pow(beta1, Double(step)))
            correction2Root = (1 - pow(beta2, Double(step))).squareRoot()
        }
        let rule = self.rule
        firstMoment.withUnsafeMutableBufferPointer { m in
            secondMoment.withUnsafeMutableBufferPointer { v in
                body(RangeStep(rule: rule, stepSize: stepSize, correction2Root: correction2Root, scale: scale,
                               firstMoment: m.baseAddress!, secondMoment: v.baseAddress))
            }
        }
    }

    /// Adam's update over raw buffers (``VectorKernels/adam(parameters:gradients:m:v:count:scale:beta1:beta2:stepSize:inverseCorrection:epsilon:)``),
    /// compiled for AVX2 where the processor has it: the same operations,
    /// so the same result, at twice the rate.
    @inline(__always)
    static func adam(parameters: UnsafeMutablePointer<Double>, gradients: UnsafePointer<Double>,
                     m: UnsafeMutablePointer<Double>, v: UnsafeMutablePointer<Double>, count n: Int,
                     scale: Double, beta1: Double, beta2: Double, stepSize: Double,
                     correction2Root: Double, epsilon: Double) {
        // √v̂ = √v / √(1 − β₂ᵗ): one multiplication, not a second division.
        let inverseCorrection = 1 / correction2Root
        if InstructionSet.current.hasAVX2 {
            VectorPasses.adam(parameters: parameters, gradients: gradients, m: m, v: v, count: n, scale: scale,
                              beta1: beta1, beta2: beta2, stepSize: stepSize, inverseCorrection: inverseCorrection,
                              epsilon: epsilon)
        } else {
            VectorKernels.adam(parameters: parameters, gradients: gradients, m: m, v: v, count: n, scale: scale,
                               beta1: beta1, beta2: beta2, stepSize: stepSize, inverseCorrection: inverseCorrection,
                               epsilon: epsilon)
        }
    }
}

/// How to make an ``Optimizer``: its rule and clipping, before the
/// parameter count is known.
public struct OptimizerSettings: Codable, Sendable, Equatable {
    public let rule: Optimizer.Rule
    public let gradientClipNorm: Double?

    /// ``Optimizer/adam(learningRate:beta1:beta2:epsilon:gradientClipNorm:)``,
    /// so that `SVIConfiguration(optimizer: .adam(learningRate: 0.01))` reads
    /// as Swift's implicit member expressions let it.
    public static func adam(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999,
                            epsilon: Double = 1e-8, gradientClipNorm: Double? = nil) -> OptimizerSettings {
        Optimizer.adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                       gradientClipNorm: gradientClipNorm)
    }

    /// ``Optimizer/sgd(learningRate:momentum:gradientClipNorm:)``, as an
    /// implicit member.
    public static func sgd(learningRate: Double, momentum: Double = 0, gradientClipNorm: Double? = nil)
        -> OptimizerSettings {
        Optimizer.sgd(learningRate: learningRate, momentum: momentum, gradientClipNorm: gradientClipNorm)
    }
}
