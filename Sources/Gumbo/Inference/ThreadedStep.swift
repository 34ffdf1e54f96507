import Foundation

/// The parallel part of an ``SVI`` step with ``SVIConfiguration/threads``
/// above 1: one ``TrainingChunk`` per thread, each a chunk of the largest
/// plate, run on a ``WorkerPool``.
///
/// A step is three pool runs (phases), each thread `k` doing part `k`:
/// 1. *compute*: chunk `k` draws its per-element noise and runs forward and
///    backward, then checks its sliced parameters' gradient rows, which it
///    alone holds (``ParameterPlacement``);
/// 2. *reduce*: the shared parameters' gradients are added in chunk order,
///    range by range, and checked (on the calling thread alone when they
///    are few, which saves waking the workers);
/// 3. *update*: the optimizer updates chunk `k`'s sliced rows and range `k`
///    of the shared parameters, then copies that range to every chunk.
///
/// Between phases the calling thread checks the loss and the gradient, so
/// a non-finite one throws before any parameter changes. No element's
/// arithmetic depends on which thread does it or when: the same seed and
/// thread count give the same result, bit for bit.
final class ThreadedStep {
    let chunks: [TrainingChunk]
    let placement: ParameterPlacement
    private var pool: WorkerPool?
    private enum Phase { case compute, reduce, update }
    private var phase = Phase.compute
    private var rangeStep: Optimizer.RangeStep?
    /// Per thread: whether its sliced rows' gradient, and its range of the
    /// reduced shared gradient, are finite.
    private let slicedFinite: UnsafeMutablePointer<Bool>
    private let sharedFinite: UnsafeMutablePointer<Bool>

    /// Below this many shared elements the calling thread reduces them
    /// alone: a few thousand additions cost less than waking the workers.
    static let serialReductionLimit = 1 << 14

    init(chunks: [TrainingChunk], placement: ParameterPlacement) {
        self.chunks = chunks
        self.placement = placement
        slicedFinite = .allocate(capacity: chunks.count)
        slicedFinite.initialize(repeating: true, count: chunks.count)
        sharedFinite = .allocate(capacity: chunks.count)
        sharedFinite.initialize(repeating: true, count: chunks.count)
        pool = WorkerPool(count: chunks.count) { [unowned self] index in self.run(index) }
    }

    deinit {
        pool = nil   // stops the threads before the buffers they use go
        slicedFinite.deallocate()
        sharedFinite.deallocate()
    }

    /// Thread `index`'s part of the current phase.
    private func run(_ index: Int) {
        switch phase {
        case .compute:
            chunks[index].runChunk()
            let work = placement.slicedWork[index]
            var finite = true
            for k in 0..<work.count where !work[k].gradientsAreFinite { finite = false }
            slicedFinite[index] = finite
        case .reduce:
            reduce(index)
        case .update:
            let step = rangeStep!
            let sliced = placement.slicedWork[index], shared = placement.sharedWork[index]
            for k in 0..<sliced.count {
                step.apply(parameters: sliced[k].values, gradients: sliced[k].gradients, count: sliced[k].count,
                           offset: sliced[k].offset)
            }
            for k in 0..<shared.count {
                step.apply(parameters: shared[k].values, gradients: shared[k].gradients, count: shared[k].count,
                           offset: shared[k].offset)
                shared[k].refreshReplicas()
            }
        }
    }

    /// Reduces and checks range `index` of the shared gradient.
    private func reduce(_ index: Int) {
        let work = placement.sharedWork[index]
        var finite = true
        for k in 0..<work.count {
            work[k].reduceGradients()
            if !work[k].gradientsAreFinite { finite = false }
        }
        sharedFinite[index] = finite
    }

    /// Forward and backward on every chunk, at shared inputs (noise every
    /// chunk must see and minibatches) drawn by chunk 0 from `rng` and
    /// copied; each chunk draws its own per-element noise from its stream
    /// of a seed drawn from `rng`. Leaves the gradient reduced. Returns the
    /// loss, `nil` when it is not finite (before reducing).
    func forwardBackward(using rng: inout Xoshiro256StarStar) -> Double? {
        let first = chunks[0].plan
        first.fillNoise(using: &rng, perChunkElement: false)
        first.fillSubsamples(using: &rng)
        let seed = rng.next()
        let sharedNoise = first.sharedNoiseBuffers, subsamples = first.subsampleIndexBuffers
        for chunk in 0..<chunks.count {
            chunks[chunk].noiseSeed = seed
            guard chunk > 0 else { continue }
            let other = chunks[chunk].plan
            let noise = other.sharedNoiseBuffers, indices = other.subsampleIndexBuffers
            for k in 0..<noise.count { _ = noise[k].update(from: sharedNoise[k]) }
            for k in 0..<indices.count { _ = indices[k].update(from: subsamples[k]) }
        }
        phase = .compute
        pool!.run()
        var loss = 0.0
        for chunk in 0..<chunks.count { loss += chunks[chunk].lossValue[0] }
        guard loss.isFinite else { return nil }
        if placement.sharedCount >= Self.serialReductionLimit {
            phase = .reduce
            pool!.run()
        } else {
            for index in 0..<chunks.count { reduce(index) }
        }
        return loss
    }

    /// The chunks' objectives added in chunk order.
    var objective: Double {
        var total = 0.0
        for chunk in 0..<chunks.count { total += chunks[chunk].objectiveValue[0] }
        return total
    }

    /// Whether the whole (reduced) gradient is finite.
    var gradientIsFinite: Bool {
        for index in 0..<chunks.count where !slicedFinite[index] || !sharedFinite[index] { return false }
        return true
    }

    /// One optimizer step on every piece of the parameters, in place.
    func update(_ optimizer: inout Optimizer) {
        var squaredNorm = 0.0
        if optimizer.gradientClipNorm != nil { squaredNorm = placement.squaredGradientNorm() }
        optimizer.withRangeStep(squaredGradientNorm: squaredNorm) { step in
            rangeStep = step
            phase = .update
            pool!.run()
        }
        rangeStep = nil
    }
}
