import Foundation

/// One plan of an ``SVI`` run with the buffers a step touches, resolved
/// once: the whole ELBO (one thread), or one chunk of its largest plate
/// (``SVIConfiguration/threads`` above 1, see ``ELBOChunk``).
final class TrainingChunk {
    let plan: ELBOPlan
    /// The plan's parameter values and loss gradients, each one block.
    let parameters: UnsafeMutableBufferPointer<Double>
    let gradients: UnsafeMutableBufferPointer<Double>
    let lossValue: UnsafeMutableBufferPointer<Double>
    let objectiveValue: UnsafeMutableBufferPointer<Double>
    let baselineInputs: [UnsafeMutableBufferPointer<Double>]
    let baselineCosts: [UnsafeMutableBufferPointer<Double>]
    /// Each moving-average baseline's state (shape of its cost).
    var baselineState: [[Double]]
    /// The seed of this step's per-element noise (threaded runs).
    var noiseSeed: UInt64 = 0
    let index: Int

    init(_ elbo: ELBOGraph, index: Int, chunk: ELBOChunk?) throws {
        let plan = try ELBOPlan(elbo, withGradients: true)
        self.plan = plan
        self.index = index
        guard let block = plan.plan.contiguousBlock(of: plan.parameterInputs) else {
            throw SVIError.invalidConfiguration("the plan did not lay the parameters out as one block")
        }
        parameters = block.values
        gradients = block.gradients
        lossValue = try plan.plan.valueBuffer(of: elbo.loss)
        objectiveValue = try plan.plan.valueBuffer(of: elbo.objective)
        baselineInputs = try elbo.baselines.map { try plan.plan.valueBuffer(of: $0.input) }
        baselineCosts = try elbo.baselines.map { try plan.plan.valueBuffer(of: $0.cost) }
        baselineState = baselineInputs.map { Array(repeating: 0, count: $0.count) }
        if let chunk { try plan.fillChunkIndices(chunk) }
    }

    /// Writes each baseline's bias-corrected state into its input.
    func setBaselineInputs(updates: Int) {
        // Index loops: in an unoptimized build, `for … in` over an array
        // allocates a coroutine frame per element (a step allocates nothing).
        for index in 0..<baselineInputs.count {
            let input = baselineInputs[index]
            let decay = plan.elbo.baselines[index].decay
            let correction = updates == 0 ? 0 : 1 / (1 - pow(decay, Double(updates)))
            baselineState[index].withUnsafeBufferPointer { state in
                for i in 0..<input.count { input[i] = state[i] * correction }
            }
        }
    }

    /// `b ← decay·b + (1 − decay)·cost` for each baseline.
    func updateBaselines() {
        for index in 0..<baselineCosts.count {
            let cost = baselineCosts[index]
            let decay = plan.elbo.baselines[index].decay
            baselineState[index].withUnsafeMutableBufferPointer { state in
                for i in 0..<state.count { state[i] = decay * state[i] + (1 - decay) * cost[i] }
            }
        }
    }

    /// A chunk's share of a threaded step: its per-element noise from its
    /// own stream of this step's seed, then forward and backward.
    func runChunk() {
        var random = Xoshiro256StarStar(seed: noiseSeed).stream(UInt64(index))
        plan.fillNoise(using: &random, perChunkElement: true)
        plan.plan.forward()
        plan.plan.backward()
    }
}
