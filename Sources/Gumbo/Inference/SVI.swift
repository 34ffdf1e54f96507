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
    /// Every unconstrained parameter, in the plan's own parameter block:
    /// the forward pass reads them where the optimizer writes them.
    private let parameters: UnsafeMutableBufferPointer<Double>
    /// The loss gradient of every parameter, in the plan's gradient block
    /// (same layout), where the backward pass leaves it.
    private let gradients: UnsafeMutableBufferPointer<Double>
    private let slots: [ParameterSlot]
    private var baselineState: [[Double]]
    private var baselineUpdates = 0
    private let baselineInputs: [UnsafeMutableBufferPointer<Double>]
    private let baselineCosts: [UnsafeMutableBufferPointer<Double>]
    private let lossValue: UnsafeMutableBufferPointer<Double>
    private let objectiveValue: UnsafeMutableBufferPointer<Double>
    private var evaluationPlans: [Int: ELBOPlan] = [:]

    /// One learnable vector in the flat parameter array.
    struct ParameterSlot {
        let name: String
        let offset: Int
        let count: Int
        /// Maps the unconstrained values to the parameter's value.
        let constrain: ([Double]) -> [Double]
    }

    public init(_ compiled: CompiledModel, configuration: SVIConfiguration = SVIConfiguration()) throws {
        guard configuration.particles >= 1 else {
            throw SVIError.invalidConfiguration("particles must be at least 1, got \(configuration.particles)")
        }
        self.compiled = compiled
        self.configuration = configuration
        var treatments: [String: SiteTreatment] = [:]
        for choice in compiled.estimators { treatments[choice.site] = SiteTreatment(choice.estimator) }
        let elbo = try ELBOLowering.lower(compiled, treatments: treatments, particles: configuration.particles)
        let training = try ELBOPlan(elbo, withGradients: true)
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
        guard let block = training.plan.contiguousBlock(of: training.parameterInputs), block.values.count == initial.count else {
            throw SVIError.invalidConfiguration("the plan did not lay the parameters out as one block")
        }
        parameters = block.values
        gradients = block.gradients
        _ = parameters.update(from: initial)
        optimizer = Optimizer(configuration.optimizer, count: initial.count)
        rng = Xoshiro256StarStar(seed: configuration.seed)
        baselineState = try elbo.baselines.map { Array(repeating: 0, count: try training.plan.valueBuffer(of: $0.input).count) }
        baselineInputs = try elbo.baselines.map { try training.plan.valueBuffer(of: $0.input) }
        baselineCosts = try elbo.baselines.map { try training.plan.valueBuffer(of: $0.cost) }
        lossValue = try training.plan.valueBuffer(of: elbo.loss)
        objectiveValue = try training.plan.valueBuffer(of: elbo.objective)
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
        optimizer.update(parameters: parameters.baseAddress!, gradients: gradients.baseAddress!)
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
            result[slot.name] = gradients[slot.offset..<slot.offset + slot.count].map { -$0 }
        }
        return result
    }

    /// Fills the inputs, runs forward and backward (which leaves the loss
    /// gradient in `gradients`), checks for non-finite values and updates
    /// the baselines. Returns the loss.
    private func computeGradient() throws -> Double {
        let plan = training.plan
        training.setTemperatures(step: completedSteps)
        // Index loops: in an unoptimized build, `for … in` over an array
        // allocates a coroutine frame per element (a step allocates nothing).
        for index in 0..<baselineInputs.count {
            let input = baselineInputs[index]
            let decay = training.elbo.baselines[index].decay
            let correction = baselineUpdates == 0 ? 0 : 1 / (1 - pow(decay, Double(baselineUpdates)))
            baselineState[index].withUnsafeBufferPointer { state in
                for i in 0..<input.count { input[i] = state[i] * correction }
            }
        }
        training.fillNoise(using: &rng)
        training.fillSubsamples(using: &rng)
        plan.forward()
        let loss = lossValue[0]
        guard loss.isFinite, objectiveValue[0].isFinite else {
            throw SVIError.nonFinite(step: completedSteps + 1, quantity: "loss", location: locateNonFiniteValue())
        }
        plan.backward()
        if !Self.allFinite(gradients) {
            let bad = slots.first { slot in (slot.offset..<slot.offset + slot.count).contains { !gradients[$0].isFinite } }
            throw SVIError.nonFinite(step: completedSteps + 1, quantity: "gradient", location: "parameter '\(bad?.name ?? "?")'")
        }
        for index in 0..<baselineCosts.count {
            let cost = baselineCosts[index]
            let decay = training.elbo.baselines[index].decay
            baselineState[index].withUnsafeMutableBufferPointer { state in
                for i in 0..<state.count { state[i] = decay * state[i] + (1 - decay) * cost[i] }
            }
        }
        if !baselineCosts.isEmpty { baselineUpdates += 1 }
        lastObjective = objectiveValue[0]
        return loss
    }

    /// Whether every element is finite: a sum of `0 · x` is 0 for finite
    /// `x` and NaN for an infinity or a NaN, in one vectorizable pass.
    private static func allFinite(_ values: UnsafeMutableBufferPointer<Double>) -> Bool {
        var a = SIMD4<Double>(repeating: 0)
        var i = 0
        let n = values.count
        let base = values.baseAddress!
        while i + 4 <= n {
            a += UnsafeRawPointer(base + i).loadUnaligned(as: SIMD4<Double>.self) * 0
            i += 4
        }
        var total = a.sum()
        while i < n {
            total += base[i] * 0
            i += 1
        }
        return total == 0
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
            values[slot.name] = slot.constrain(Array(parameters[slot.offset..<slot.offset + slot.count]))
        }
        return values
    }

    /// One parameter's current value (constrained).
    public func parameter(_ name: String) -> [Double]? {
        guard let slot = slots.first(where: { $0.name == name }) else { return nil }
        return slot.constrain(Array(parameters[slot.offset..<slot.offset + slot.count]))
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
        for (k, value) in unconstrained.enumerated() { parameters[slot.offset + k] = value }
    }

    // MARK: State

    private var signature: String {
        let parameterText = slots.map { "\($0.name)[\($0.count)]" }.joined(separator: ",")
        let estimatorText = compiled.estimators.map { "\($0.site)=\($0.estimator)" }.joined(separator: ",")
        return "parameters \(parameterText); estimators \(estimatorText); particles \(configuration.particles)"
    }

    /// The whole run state, for a checkpoint.
    public func runState() -> RunState {
        var values: [String: [Double]] = [:]
        for slot in slots { values[slot.name] = Array(parameters[slot.offset..<slot.offset + slot.count]) }
        var baselines: [String: [Double]] = [:]
        for (index, slot) in training.elbo.baselines.enumerated() { baselines[slot.site] = baselineState[index] }
        return RunState(model: compiled.model.name, signature: signature, step: completedSteps, parameters: values,
                        optimizer: optimizer, baselines: baselines, baselineUpdates: baselineUpdates,
                        seed: String(rng.seed, radix: 16), random: rng.state.map { String($0, radix: 16) })
    }

    /// Continues from a saved state; the next step is exactly the one the
    /// saved run would have taken.
    public func restore(_ state: RunState, source: String = "run state") throws {
        guard state.signature == signature, state.model == compiled.model.name else {
            throw Checkpoint.Failure.mismatch(path: source,
                reason: state.model != compiled.model.name ? "it is for model '\(state.model)'" : "it was saved by a run with \(state.signature)")
        }
        guard let seed = UInt64(state.seed, radix: 16) else {
            throw Checkpoint.Failure.malformed(path: source, reason: "bad seed")
        }
        let words = state.random.compactMap { UInt64($0, radix: 16) }
        guard words.count == 4 else { throw Checkpoint.Failure.malformed(path: source, reason: "bad random state") }
        var restored = Array(parameters)
        for slot in slots {
            guard let values = state.parameters[slot.name], values.count == slot.count, values.allSatisfy(\.isFinite) else {
                throw Checkpoint.Failure.malformed(path: source, reason: "parameter '\(slot.name)' missing or of the wrong size")
            }
            restored.replaceSubrange(slot.offset..<slot.offset + slot.count, with: values)
        }
        guard state.optimizer.count == parameters.count else {
            throw Checkpoint.Failure.malformed(path: source, reason: "optimizer state of the wrong size")
        }
        var restoredBaselines = baselineState
        for (index, slot) in training.elbo.baselines.enumerated() {
            guard let values = state.baselines[slot.site], values.count == baselineState[index].count else {
                throw Checkpoint.Failure.malformed(path: source, reason: "baseline of '\(slot.site)' missing or of the wrong size")
            }
            restoredBaselines[index] = values
        }
        rng = try Xoshiro256StarStar(seed: seed, state: words)
        _ = parameters.update(from: restored)
        optimizer = state.optimizer
        baselineState = restoredBaselines
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
