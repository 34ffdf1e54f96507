import Foundation
import Gumbo

/// The inner loop of ``Variance8/run()``: every estimator's gradient
/// estimate, at every offset, from the n samples of one (trial, n) cell.
///
/// All buffers are allocated once, in `init`, and the loop allocates
/// nothing. A class because it owns that memory.
final class Variance8Sampler {
    let classCount: Int
    let offsetCount: Int
    let estimators: [Variance8.Estimator]
    /// `(estimator index, τ, straight-through)` of the relaxed estimators.
    private let relaxed: [(index: Int, temperature: Double, straightThrough: Bool)]
    private let reinforceIndex: Int?
    private let leaveOneOutIndex: Int?

    private let logits: UnsafeMutableBufferPointer<Double>
    private let probabilities: UnsafeMutableBufferPointer<Double>
    /// The rewards of offset o at `o * classCount`.
    private let rewards: UnsafeMutableBufferPointer<Double>
    private let gumbels: UnsafeMutableBufferPointer<Double>
    private let soft: UnsafeMutableBufferPointer<Double>
    private let classes: UnsafeMutableBufferPointer<Int>
    /// The estimate of (offset o, estimator e) at `(o * estimators.count + e) * classCount`.
    let estimates: UnsafeMutableBufferPointer<Double>

    init(estimators: [Variance8.Estimator], rewards rewardTable: [[Double]], maximumSampleSize: Int) {
        let k = Variance8.logits.count
        classCount = k
        offsetCount = rewardTable.count
        self.estimators = estimators
        relaxed = estimators.enumerated().compactMap { index, estimator in
            switch estimator {
            case .gumbelSoftmax(let tau): return (index, tau, false)
            case .straightThroughGumbelSoftmax(let tau): return (index, tau, true)
            case .reinforce, .reinforceLeaveOneOut: return nil
            }
        }
        reinforceIndex = estimators.firstIndex(of: .reinforce)
        leaveOneOutIndex = estimators.firstIndex(of: .reinforceLeaveOneOut)

        logits = .allocate(capacity: k)
        _ = logits.initialize(from: Variance8.logits)
        probabilities = .allocate(capacity: k)
        _ = probabilities.initialize(from: Variance8.probabilities)
        rewards = .allocate(capacity: rewardTable.count * k)
        _ = rewards.initialize(from: rewardTable.joined())
        gumbels = .allocate(capacity: k)
        gumbels.initialize(repeating: 0)
        soft = .allocate(capacity: k)
        soft.initialize(repeating: 0)
        classes = .allocate(capacity: maximumSampleSize)
        classes.initialize(repeating: 0)
        estimates = .allocate(capacity: rewardTable.count * estimators.count * k)
        estimates.initialize(repeating: 0)
    }

    deinit {
        for buffer in [logits, probabilities, rewards, gumbels, soft, estimates] {
            buffer.deallocate()
        }
        classes.deallocate()
    }

    /// The estimate of (offset `o`, estimator `e`) after ``estimate(sampleSize:using:)``.
    func estimate(offset o: Int, estimator e: Int) -> UnsafeBufferPointer<Double> {
        let start = (o * estimators.count + e) * classCount
        return UnsafeBufferPointer(rebasing: estimates[start..<(start + classCount)])
    }

    /// Fills ``estimates`` from `n` samples drawn from `generator`; the
    /// leave-one-out estimate is left at zero when `n < 2`.
    func estimate<G: RandomNumberGenerator>(sampleSize n: Int, using generator: inout G) {
        let k = classCount
        let stride = estimators.count * k
        let (logits, pi, rewards, gumbels, soft, classes, estimates) =
            (UnsafeBufferPointer(self.logits), UnsafeBufferPointer(probabilities), UnsafeBufferPointer(self.rewards),
             self.gumbels, self.soft, self.classes, self.estimates)
        estimates.update(repeating: 0)

        for s in 0..<n {
            for j in 0..<k { gumbels[j] = generator.nextStandardGumbel() }
            let z = GumbelSoftmax.gumbelMax(logits: logits, gumbels: UnsafeBufferPointer(gumbels))
            classes[s] = z
            for (e, tau, straightThrough) in relaxed {
                GumbelSoftmax.relaxedSample(logits: logits, temperature: tau, gumbels: UnsafeBufferPointer(gumbels), into: soft)
                for o in 0..<offsetCount {
                    let r = o * k
                    let out = o * stride + e * k
                    if straightThrough {
                        // Backward: the reward's gradient at the forward
                        // value x = onehot(z), u = ∂(r·x)/∂x = r (the reward
                        // is linear), pulled back through the full Jacobian
                        // ∂y_j/∂α_i = y_j (δ_ij − y_i)/τ of the soft sample.
                        for i in 0..<k {
                            var sum = 0.0
                            for j in 0..<k {
                                sum += soft[j] * ((i == j ? 1 : 0) - soft[i]) / tau * rewards[r + j]
                            }
                            estimates[out + i] += sum
                        }
                    } else {
                        // ∂(r·y)/∂α_i = Σ_j r_j y_j (δ_ij − y_i)/τ = y_i (r_i − r·y)/τ.
                        var dot = 0.0
                        for j in 0..<k { dot += rewards[r + j] * soft[j] }
                        for i in 0..<k {
                            estimates[out + i] += soft[i] * (rewards[r + i] - dot) / tau
                        }
                    }
                }
            }
        }

        // The score-function estimators: f(z) ∇ log π_z with
        // ∇_α log π_z = onehot(z) − π, and leave-one-out's baseline for
        // sample s, the mean reward of the other n − 1 samples.
        for o in 0..<offsetCount {
            let r = o * k
            var total = 0.0
            for s in 0..<n { total += rewards[r + classes[s]] }
            for s in 0..<n {
                let z = classes[s]
                let f = rewards[r + z]
                if let e = reinforceIndex {
                    let out = o * stride + e * k
                    for i in 0..<k { estimates[out + i] -= f * pi[i] }
                    estimates[out + z] += f
                }
                if let e = leaveOneOutIndex, n >= 2 {
                    let out = o * stride + e * k
                    let weight = f - (total - f) / Double(n - 1)
                    for i in 0..<k { estimates[out + i] -= weight * pi[i] }
                    estimates[out + z] += weight
                }
            }
        }

        let scale = 1 / Double(n)
        for i in estimates.indices { estimates[i] *= scale }
    }
}
