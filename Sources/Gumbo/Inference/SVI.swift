import Foundation

/// Stochastic variational inference on a compiled model: maximizes the
/// ELBO over the model's and the guide's parameters, with each latent site
/// contributing its gradient through the estimator the compiler chose.
///
///     let compiled = try model.compile(guide: guide)
///     let svi = try SVI(compiled, configuration: SVIConfiguration(optimizer: Optimizer.adam(learningRate: 0.05)))
///     try svi.run(steps: 1000)
///     let result = try svi.evaluate(particles: 1000)   // the discrete model's ELBO
///
/// A class, because a run has identity: it owns its plan's buffers, its
/// optimizer state and its random stream. One step allocates nothing once
/// the run is made.
public final class SVI {
    public let compiled: CompiledModel
    public let configuration: SVIConfiguration
    /// Steps taken so far.
    public private(set) var completedSteps = 0
    /// The last step's objective: an ELBO estimate, or the relaxed surrogate
    /// when a site is relaxed (see ``isSurrogate``).
    public private(set) var lastObjective = Double.nan
    /// Whether ``lastObjective`` is a relaxed surrogate rather than an ELBO estimate.
    public var isSurrogate: Bool { training.elbo.isRelaxed }

    let training: ELBOPlan

    /// The compiled training plan, dumped (``Plan/description``): what one
    /// step runs, for profiling and for tests of the plan the compiler picks.
    public var planDescription: String { training.plan.description }

    /// Bytes in the training plan's arenas: values, gradients and indices.
    public var planMemoryBytes: Int {
        let plan = training.plan
        return (plan.valueCount + plan.gradientCount) * MemoryLayout<Double>.stride + plan.indexCount * MemoryLayout<Int32>.stride
    }
    private var optimizer: Optimizer
    private var rng: Xoshiro256StarStar
    /// The plans: one, or one per thread (each a chunk of the largest
    /// plate, run by ``threaded``).
    private let chunks: [TrainingChunk]
    private let threaded: ThreadedStep?
    /// Where the run's vector of unconstrained parameters (the optimizer's
    /// and checkpoints' layout) lives in the chunks' plans.
    private let placement: ParameterPlacement
    /// In a one-thread run, the whole vector, as the plan's own parameter
    /// block: the forward pass reads them where the optimizer writes them.
    private let parameters: UnsafeMutableBufferPointer<Double>
    /// The loss gradient of every parameter, in the plan's gradient block
    /// (same layout), where the backward pass leaves it.
    private let gradients: UnsafeMutableBufferPointer<Double>
    private let slots: [ParameterSlot]
    private var baselineUpdates = 0
    private var evaluationPlans: [Int: ELBOPlan] = [:]

    /// One learnable vector in the flat parameter array.
    struct ParameterSlot {
        let name: String
        let offset: Int
        let count: Int
        /// Maps the unconstrained values to the parameter's value.
        let constrain: ([Double]) -> [Double]

        var range: Range<Int> { offset..<offset + count }
    }

    public init(_ compiled: CompiledModel, configuration: SVIConfiguration = SVIConfiguration()) throws {
        guard configuration.particles >= 1 else {
            throw SVIError.invalidConfiguration("particles must be at least 1, got \(configuration.particles)")
        }
        self.compiled = compiled
        self.configuration = configuration
        var treatments: [String: SiteTreatment] = [:]
        for choice in compiled.estimators { treatments[choice.site] = SiteTreatment(choice.estimator) }
        guard configuration.threads >= 1 else {
            throw SVIError.invalidConfiguration("threads must be at least 1, got \(configuration.threads)")
        }
        let split = Self.chunking(compiled, threads: configuration.threads)
        var chunks: [TrainingChunk] = []
        for (index, chunk) in split.enumerated() {
            let graph = try ELBOLowering.lower(compiled, treatments: treatments, particles: configuration.particles, chunk: chunk)
            chunks.append(try TrainingChunk(graph, index: index, chunk: chunk))
        }
        self.chunks = chunks
        let elbo = chunks[0].plan.elbo
        let training = chunks[0].plan
        self.training = training

        var slots: [ParameterSlot] = []
        var initial: [Double] = []
        for (name, _, node) in elbo.parameters {
            guard case .parameter(_, let value, let constraint) = node.kind else {
                throw SVIError.invalidConfiguration("input '\(name)' is not a parameter")
            }
            let lastAxis = node.eventShape.last ?? 1
            guard let unconstrained = constraint.unconstrain(value, lastAxis: lastAxis) else {
                throw ModelError(.invalidParameterValue, subject: name, "initial value must be \(constraint.rule)")
            }
            slots.append(ParameterSlot(name: name, offset: initial.count, count: value.count,
                                       constrain: { constraint.constrain($0, lastAxis: lastAxis) }))
            initial += unconstrained
        }
        for slot in elbo.temperatures where slot.isLearned {
            guard case .learned(let start, let minimum) = slot.schedule else { continue }
            // τ = minimum + softplus(u): start from softplus⁻¹(τ₀ − minimum).
            let gap = start - minimum
            slots.append(ParameterSlot(name: slot.parameterName, offset: initial.count, count: 1,
                                       constrain: { $0.map { minimum + StableMath.softplus($0) } }))
            initial.append(gap > 20 ? gap : Foundation.log(Foundation.expm1(gap)))
        }
        self.slots = slots
        // The plan lays the parameters out first, in this order: no copies
        // between the optimizer and the plan.
        guard chunks.count > 1 || chunks[0].parameters.count == initial.count else {
            throw SVIError.invalidConfiguration("the plan did not lay the parameters out as one block")
        }
        parameters = chunks[0].parameters
        gradients = chunks[0].gradients
        placement = try ParameterPlacement(names: slots.map(\.name), counts: slots.map(\.count), chunks: chunks, specs: split)
        placement.write(initial, at: 0)
        optimizer = Optimizer(configuration.optimizer, count: initial.count)
        rng = Xoshiro256StarStar(seed: configuration.seed)
        threaded = chunks.count > 1 ? ThreadedStep(chunks: chunks, placement: placement) : nil
    }

    /// How a run with `threads` threads splits: the largest plate that can
    /// be split (``splittablePlates(_:)``), in `threads` chunks of
    /// consecutive elements (the first ones one larger when the size does
    /// not divide), when it has at least two elements per thread; otherwise
    /// one plan (`[nil]`).
    static func chunking(_ compiled: CompiledModel, threads: Int) -> [ELBOChunk?] {
        guard threads > 1,
              let plate = splittablePlates(compiled).filter({ $0.size >= 2 * threads }).max(by: { $0.size < $1.size })
        else { return [nil] }
        var chunks: [ELBOChunk?] = []
        var start = 0
        for index in 0..<threads {
            let count = plate.size / threads + (index < plate.size % threads ? 1 : 0)
            chunks.append(ELBOChunk(plate: plate.name, start: start, count: count, chunks: threads))
            start += count
        }
        return chunks
    }

    /// The plates a chunk can hold part of: not subsampled (a chunk is
    /// lowered as a minibatch of its plate), never used as a whole array
    /// (`unplate`, as W5's `z[i]` over its codes: a chunk has only some of
    /// the elements), and holding no local-expectation site (whose
    /// element-by-element flips span the whole plate).
    static func splittablePlates(_ compiled: CompiledModel) -> [IRPlate] {
        var excluded: Set<String> = []
        for program in [compiled.model, compiled.guide] {
            for node in program.nodes {
                if case .operation(.unplate(let id)) = node.kind { excluded.insert(program[plate: id].name) }
            }
        }
        for choice in compiled.estimators where choice.estimator == .localExpectation {
            guard let site = compiled.model.node(named: choice.site) else { continue }
            for id in site.plates { excluded.insert(compiled.model[plate: id].name) }
        }
        return compiled.model.plates.filter { $0.subsampleSize == nil && !excluded.contains($0.name) }
    }

    // MARK: Training

    /// One step: fresh noise (and minibatches), forward, backward, an
    /// optimizer update and the baselines' update. Returns the loss (minus
    /// the surrogate objective). A non-finite loss or gradient throws
    /// ``SVIError/nonFinite(step:quantity:location:)`` before any parameter
    /// changes.
    @discardableResult
    public func step() throws -> Double {
        let loss = try computeGradient()
        if let threaded {
            threaded.update(&optimizer)
        } else {
            optimizer.update(parameters: parameters.baseAddress!, gradients: gradients.baseAddress!)
        }
        completedSteps += 1
        return loss
    }

    /// One gradient estimate of the objective (the ELBO, or the relaxed
    /// surrogate) at the current parameters, by parameter name, in the
    /// unconstrained space. Draws noise and updates baselines as a step
    /// does, but leaves the parameters and the step count alone.
    public func estimateGradient() throws -> [String: [Double]] {
        _ = try computeGradient()
        var result: [String: [Double]] = [:]
        for slot in slots {
            result[slot.name] = placement.read(slot.range, gradients: true).map { -$0 }
        }
        return result
    }

    /// Fills the inputs, runs forward and backward (which leaves the loss
    /// gradient in `gradients`), checks for non-finite values and updates
    /// the baselines. Returns the loss.
    private func computeGradient() throws -> Double {
        for chunk in 0..<chunks.count {
            chunks[chunk].plan.setTemperatures(step: completedSteps)
            chunks[chunk].setBaselineInputs(updates: baselineUpdates)
        }
        let loss: Double, objective: Double
        if let threaded {
            guard let value = threaded.forwardBackward(using: &rng) else {
                throw SVIError.nonFinite(step: completedSteps + 1, quantity: "loss",
                                         location: "one of the \(chunks.count) threads' chunks")
            }
            loss = value
            objective = threaded.objective
        } else {
            training.fillNoise(using: &rng)
            training.fillSubsamples(using: &rng)
            training.plan.forward()
            loss = chunks[0].lossValue[0]
            objective = chunks[0].objectiveValue[0]
            guard loss.isFinite, objective.isFinite else {
                throw SVIError.nonFinite(step: completedSteps + 1, quantity: "loss", location: locateNonFiniteValue())
            }
            training.plan.backward()
        }
        let finite: Bool
        if let threaded {
            finite = threaded.gradientIsFinite
        } else {
            finite = VectorMath.allFinite(gradients.baseAddress!, count: gradients.count)
        }
        if !finite {
            let bad = slots.first { slot in placement.read(slot.range, gradients: true).contains { !$0.isFinite } }
            throw SVIError.nonFinite(step: completedSteps + 1, quantity: "gradient", location: "parameter '\(bad?.name ?? "?")'")
        }
        for chunk in 0..<chunks.count { chunks[chunk].updateBaselines() }
        if !chunks[0].baselineCosts.isEmpty { baselineUpdates += 1 }
        lastObjective = objective
        return loss
    }

    /// Runs `steps` steps, calling `onStep(step, loss)` after each and
    /// reporting progress; returns the losses.
    @discardableResult
    public func run(steps: Int, progress: ProgressReporter? = nil,
                    onStep: ((Int, Double) throws -> Void)? = nil) throws -> [Double] {
        var losses: [Double] = []
        losses.reserveCapacity(steps)
        var reporter = progress
        for _ in 0..<steps {
            let loss = try step()
            losses.append(loss)
            try onStep?(completedSteps, loss)
            reporter?.report(step: completedSteps, objective: lastObjective, label: isSurrogate ? "surrogate" : "ELBO")
        }
        return losses
    }

    /// Where a non-finite value first appears: the first sample or term (in
    /// program order) holding one. The training plan reuses the storage of
    /// intermediate values, so this reruns the forward pass in a plan that
    /// keeps them, from the same inputs.
    private func locateNonFiniteValue() -> String {
        guard let diagnostic = try? ELBOPlan(training.elbo, withGradients: false, diagnostics: true) else {
            return "the estimators' surrogate terms"
        }
        diagnostic.plan.copyInputs(from: training.plan)
        diagnostic.plan.forward()
        for (label, tensor) in training.elbo.diagnostics {
            if let buffer = try? diagnostic.plan.valueBuffer(of: tensor), buffer.contains(where: { !$0.isFinite }) {
                return label
            }
        }
        return "the estimators' surrogate terms"
    }

    // MARK: Parameters

    /// Every parameter's current value (constrained), by name.
    public func parameterValues() -> [String: [Double]] {
        var values: [String: [Double]] = [:]
        for slot in slots {
            values[slot.name] = slot.constrain(placement.read(slot.range))
        }
        return values
    }

    /// One parameter's current value (constrained).
    public func parameter(_ name: String) -> [Double]? {
        guard let slot = slots.first(where: { $0.name == name }) else { return nil }
        return slot.constrain(placement.read(slot.range))
    }

    /// Sets a parameter from a constrained value.
    public func setParameter(_ name: String, to value: [Double]) throws {
        guard let slot = slots.first(where: { $0.name == name }), slot.count == value.count else {
            throw SVIError.invalidConfiguration("no parameter '\(name)' with \(value.count) values")
        }
        guard let node = compiled.model.node(named: name) ?? compiled.guide.node(named: name),
              case .parameter(_, _, let constraint) = node.kind,
              let unconstrained = constraint.unconstrain(value, lastAxis: node.eventShape.last ?? 1) else {
            throw SVIError.invalidConfiguration("parameter '\(name)' cannot take that value")
        }
        placement.write(unconstrained, at: slot.offset)
    }

    // MARK: State

    private var signature: String {
        let parameterText = slots.map { "\($0.name)[\($0.count)]" }.joined(separator: ",")
        let estimatorText = compiled.estimators.map { "\($0.site)=\($0.estimator)" }.joined(separator: ",")
        return "parameters \(parameterText); estimators \(estimatorText); particles \(configuration.particles)"
            + (chunks.count > 1 ? "; threads \(chunks.count)" : "")
    }

    /// The whole run state, for a checkpoint.
    public func runState() -> RunState {
        var values: [String: [Double]] = [:]
        for slot in slots { values[slot.name] = placement.read(slot.range) }
        var baselines: [String: [Double]] = [:]
        for (index, slot) in training.elbo.baselines.enumerated() {
            baselines[slot.site] = chunks.flatMap { $0.baselineState[index] }
        }
        return RunState(model: compiled.model.name, signature: signature, step: completedSteps, parameters: values,
                        optimizer: optimizer, baselines: baselines, baselineUpdates: baselineUpdates,
                        seed: String(rng.seed, radix: 16), random: rng.state.map { String($0, radix: 16) })
    }

    /// Continues from a saved state; the next step is exactly the one the
    /// saved run would have taken.
    public func restore(_ state: RunState, source: String = "run state") throws {
        guard state.signature == signature, state.model == compiled.model.name else {
            throw Checkpoint.Failure.mismatch(path: source,
                reason: state.model != compiled.model.name ? "it is for model '\(state.model)'"
                    : "it was saved by a run with \(state.signature), and this run has \(signature)")
        }
        guard let seed = UInt64(state.seed, radix: 16) else {
            throw Checkpoint.Failure.malformed(path: source, reason: "bad seed")
        }
        let words = state.random.compactMap { UInt64($0, radix: 16) }
        guard words.count == 4 else { throw Checkpoint.Failure.malformed(path: source, reason: "bad random state") }
        var restored = [Double](repeating: 0, count: placement.count)
        for slot in slots {
            guard let values = state.parameters[slot.name], values.count == slot.count, values.allSatisfy(\.isFinite) else {
                throw Checkpoint.Failure.malformed(path: source, reason: "parameter '\(slot.name)' missing or of the wrong size")
            }
            restored.replaceSubrange(slot.offset..<slot.offset + slot.count, with: values)
        }
        guard state.optimizer.count == placement.count else {
            throw Checkpoint.Failure.malformed(path: source, reason: "optimizer state of the wrong size")
        }
        var restoredBaselines = chunks.map(\.baselineState)
        for (index, slot) in training.elbo.baselines.enumerated() {
            let sizes = chunks.map { $0.baselineState[index].count }
            guard let values = state.baselines[slot.site], values.count == sizes.reduce(0, +) else {
                throw Checkpoint.Failure.malformed(path: source, reason: "baseline of '\(slot.site)' missing or of the wrong size")
            }
            var start = 0
            for (chunk, size) in sizes.enumerated() {
                restoredBaselines[chunk][index] = Array(values[start..<start + size])
                start += size
            }
        }
        rng = try Xoshiro256StarStar(seed: seed, state: words)
        placement.write(restored, at: 0)
        optimizer = state.optimizer
        for (chunk, state) in restoredBaselines.enumerated() { chunks[chunk].baselineState = state }
        baselineUpdates = state.baselineUpdates
        completedSteps = state.step
    }

    /// Writes the run state atomically as versioned JSON.
    public func save(to path: String) throws {
        try Checkpoint.write(runState(), to: path)
    }

    /// Reads a checkpoint and continues from it.
    public func restore(from path: String) throws {
        try restore(Checkpoint.read(RunState.self, from: path), source: path)
    }
}
