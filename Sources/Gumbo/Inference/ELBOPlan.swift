/// An ``ELBOGraph`` compiled into a plan, with its input buffers resolved
/// once, so that filling noise and parameters each step allocates nothing.
final class ELBOPlan {
    let elbo: ELBOGraph
    let plan: Plan
    private let noiseBuffers: [(buffer: UnsafeMutableBufferPointer<Double>, kind: NoiseInput.Kind, antithetic: Bool)]
    private let subsampleBuffers: [(buffer: UnsafeMutableBufferPointer<Int32>, size: Int)]
    /// Scratch permutations for drawing minibatches without replacement.
    private var permutations: [[Int32]]
    private var swaps: [[Int32]]
    /// The parameter inputs (the model's and guide's, then learned
    /// temperatures), in the order the plan lays them out: with gradients,
    /// their values and gradients are each one contiguous block
    /// (``Plan/contiguousBlock(of:)``).
    let parameterInputs: [Tensor]
    /// Their names (a learned temperature's is ``ELBOGraph/TemperatureSlot/parameterName``).
    let parameterNames: [String]
    /// Parameter inputs by name, with their value (and gradient) buffers.
    let parameterBuffers: [String: UnsafeMutableBufferPointer<Double>]
    let gradientBuffers: [String: UnsafeMutableBufferPointer<Double>]

    private let temperatureBuffers: [(buffer: UnsafeMutableBufferPointer<Double>, schedule: Temperature)]
    /// The noise buffers every chunk of a threaded run shares (copied from
    /// chunk 0's after it draws them), and the subsample index buffers.
    let sharedNoiseBuffers: [UnsafeMutableBufferPointer<Double>]
    let subsampleIndexBuffers: [UnsafeMutableBufferPointer<Int32>]

    /// With `diagnostics`, every sample and term of ``ELBOGraph/diagnostics``
    /// is an output too, readable after a forward pass (otherwise their
    /// storage is reused within the pass).
    init(_ elbo: ELBOGraph, withGradients: Bool, diagnostics: Bool = false) throws {
        self.elbo = elbo
        let learnedInputs = elbo.temperatures.filter(\.isLearned).map(\.input)
        let parameterInputs = elbo.parameters.map(\.input) + learnedInputs
        self.parameterInputs = parameterInputs
        parameterNames = elbo.parameters.map(\.name) + elbo.temperatures.filter(\.isLearned).map(\.parameterName)
        let plan = try Plan(graph: elbo.graph, outputs: [elbo.loss, elbo.objective, elbo.particleObjectives] + elbo.baselines.map(\.cost)
                            + (diagnostics ? elbo.diagnostics.map(\.tensor) : []),
                        gradients: withGradients ? parameterInputs : [])
        self.plan = plan
        noiseBuffers = try elbo.noise.map { (try plan.valueBuffer(of: $0.tensor), $0.kind, $0.antithetic) }
        subsampleBuffers = try elbo.subsamples.map { (try plan.indexBuffer(of: $0.input), $0.plate.size) }
        permutations = elbo.subsamples.map { Array(0..<Int32($0.plate.size)) }
        swaps = elbo.subsamples.map { Array(repeating: 0, count: $0.plate.batchSize) }
        var values: [String: UnsafeMutableBufferPointer<Double>] = [:]
        var gradients: [String: UnsafeMutableBufferPointer<Double>] = [:]
        for (name, input, _) in elbo.parameters {
            values[name] = try plan.valueBuffer(of: input)
            if withGradients { gradients[name] = try plan.gradientBuffer(of: input) }
        }
        for (slot, input) in zip(elbo.temperatures.filter(\.isLearned), learnedInputs) {
            values[slot.parameterName] = try plan.valueBuffer(of: input)
            if withGradients { gradients[slot.parameterName] = try plan.gradientBuffer(of: input) }
        }
        parameterBuffers = values
        gradientBuffers = gradients
        temperatureBuffers = try elbo.temperatures.filter { !$0.isLearned }.map { (try plan.valueBuffer(of: $0.input), $0.schedule) }
        sharedNoiseBuffers = try elbo.noise.filter { !$0.perChunkElement }.map { try plan.valueBuffer(of: $0.tensor) }
        subsampleIndexBuffers = subsampleBuffers.map(\.buffer)
    }

    /// Draws fresh noise into every noise input. With paired particles,
    /// the second half of the particle axis copies the first (common random
    /// numbers), negated for antithetic logistic inputs (`u → 1 − u`).
    ///
    /// The draws are those of ``RandomNumberGenerator/nextStandardNormal()``,
    /// ``RandomNumberGenerator/nextStandardGumbel()``,
    /// ``RandomNumberGenerator/nextStandardLogistic()`` and
    /// ``RandomNumberGenerator/nextOpenUniform()`` from the same
    /// uniforms in the same order, transformed four at a time by
    /// ``NoiseSampler`` (so they agree with the scalar samplers to a few ulps).
    ///
    /// In a chunk of a threaded run, `perChunkElement` selects the inputs
    /// with one value per element of the chunk's plate (`true`) or the ones
    /// all chunks share (`false`); `nil` fills every input.
    func fillNoise(using rng: inout Xoshiro256StarStar, perChunkElement: Bool? = nil) {
        let paired = elbo.isPaired
        // Index loops: in an unoptimized build, `for … in` over an array of
        // tuples allocates a coroutine frame per element.
        for index in 0..<noiseBuffers.count {
            if let perChunkElement, elbo.noise[index].perChunkElement != perChunkElement { continue }
            let (buffer, kind, antithetic) = noiseBuffers[index]
            let count = paired ? buffer.count / 2 : buffer.count
            let start = buffer.baseAddress!
            switch kind {
            case .normal: NoiseSampler.fillStandardNormal(start, count: count, using: &rng)
            case .gumbel: NoiseSampler.fillStandardGumbel(start, count: count, using: &rng)
            case .logistic: NoiseSampler.fillStandardLogistic(start, count: count, using: &rng)
            case .uniform: NoiseSampler.fillOpenUniform(start, count: count, using: &rng)
            }
            if paired {
                for i in 0..<count { buffer[count + i] = antithetic ? -buffer[i] : buffer[i] }
            }
        }
    }

    /// Draws each subsampled plate's minibatch: the first `M` entries of a
    /// partial Fisher–Yates shuffle, so indices are distinct. The swaps are
    /// undone afterwards, so the scratch permutation is the identity before
    /// every draw and the minibatches depend on the random stream alone
    /// (a resumed run draws the same ones); both passes cost O(M).
    func fillSubsamples(using rng: inout Xoshiro256StarStar) {
        for plate in 0..<subsampleBuffers.count {
            let (buffer, size) = subsampleBuffers[plate]
            swaps[plate].withUnsafeMutableBufferPointer { swaps in
                permutations[plate].withUnsafeMutableBufferPointer { permutation in
                    for i in 0..<buffer.count {
                        let j = i + Int(rng.next() % UInt64(size - i))
                        swaps[i] = Int32(j)
                        permutation.swapAt(i, j)
                        buffer[i] = permutation[i]
                    }
                    for i in stride(from: buffer.count - 1, through: 0, by: -1) {
                        permutation.swapAt(i, Int(swaps[i]))
                    }
                }
            }
        }
    }

    /// Writes the chunk's elements, `start ..< start + count`, into its
    /// plate's index input (once: they never change).
    func fillChunkIndices(_ chunk: ELBOChunk) throws {
        guard let input = elbo.chunkIndices else { return }
        let buffer = try plan.indexBuffer(of: input)
        for k in 0..<buffer.count { buffer[k] = Int32(chunk.start + k) }
    }


    /// Sets each scheduled temperature to its value at `step`.
    func setTemperatures(step: Int) {
        for index in 0..<temperatureBuffers.count {
            let (buffer, schedule) = temperatureBuffers[index]
            buffer[0] = schedule.value(atStep: step)
        }
    }
}

extension ELBOGraph.TemperatureSlot {
    var isLearned: Bool {
        if case .learned = schedule { return true }
        return false
    }

    /// The optimizer's name for a learned temperature.
    var parameterName: String { "temperature.\(site)" }
}
