/// A graph compiled into a flat program over preallocated memory: the
/// forward pass computes the outputs, the backward pass the gradients of
/// the loss with respect to the requested tensors.
///
/// Compiling (``init(graph:outputs:gradients:)``) decides everything once:
/// which nodes are computed, the fixed offset of every value in one value
/// arena (index tensors in a second, `Int32` arena; gradients in a third),
/// and the instruction lists of both passes. ``forward()`` and
/// ``backward()`` then only run loops over those arenas: they allocate
/// nothing, take no locks, and never recurse.
///
///     let plan = try Plan(graph: graph, outputs: [loss], gradients: [mu])
///     try plan.setValues(data, of: x)
///     plan.forward()
///     plan.backward()
///     let value = try plan.scalar(loss)
///     let gradient = try plan.gradient(of: mu)
///
/// The first output is the loss. ``backward()`` seeds its gradient with
/// ones — for a scalar loss, `∂loss/∂loss = 1`; for a tensor, the gradient
/// of the sum of its elements — and uses the values of the last
/// ``forward()``. Inputs are written through ``setValues(_:of:)`` or, in a
/// hot loop, through the buffers of ``valueBuffer(of:)``, which stay valid
/// for the plan's lifetime.
///
/// A plan is not thread-safe: it owns its memory and its passes mutate it.
/// Use one plan per thread.
public final class Plan {
    /// The vector instructions this process's plans run on, chosen once
    /// from the processor and `GUMBO_INSTRUCTION_SET`: `baseline`, `avx2` or
    /// `avx512` (for reports that quote timings).
    public static var instructionSet: String { InstructionSet.current.rawValue }

    /// The graph this plan was compiled from.
    public let graph: Graph
    /// The tensors computed by ``forward()``; the first is the loss.
    public let outputs: [Tensor]
    /// The tensors whose gradients ``backward()`` computes.
    public let gradientTargets: [Tensor]

    /// Elements in the value, gradient and index arenas.
    public let valueCount: Int
    public let gradientCount: Int
    public let indexCount: Int

    let lowering: PlanLowering
    private let memory: KernelMemory
    private let forwardProgram: UnsafeMutablePointer<Instruction>
    private let forwardCount: Int
    private let backwardProgram: UnsafeMutablePointer<Instruction>
    private let backwardCount: Int
    private let metadataCount: Int
    private let counterCount: Int
    private let lossGradientOffset: Int
    private let lossCount: Int
    /// `(offset, count)` pairs of the gradient ranges zeroed before a backward pass.
    private let zeroRanges: UnsafeMutablePointer<Int>
    private let zeroRangeCount: Int

    /// Compiles `graph` to compute `outputs` (the first is the loss) and the
    /// gradients of the loss with respect to `gradients`.
    ///
    /// Only what the outputs need is computed, and the backward pass visits
    /// only instructions on a differentiable path from a requested tensor to
    /// the loss. A requested tensor the loss does not depend on gets a
    /// gradient of zeros.
    /// - Throws: ``PlanError`` for a handle from another graph, no outputs,
    ///   or a gradient requested of an index tensor.
    public convenience init(graph: Graph, outputs: [Tensor], gradients: [Tensor] = []) throws {
        try self.init(graph: graph, outputs: outputs, gradients: gradients, foldConstants: true)
    }

    /// - Parameter foldConstants: whether ``GraphRewriting`` folds constant
    ///   subgraphs (off for the plan that does the folding).
    init(graph: Graph, outputs: [Tensor], gradients: [Tensor], foldConstants: Bool) throws {
        let lowering = try PlanLowering(graph: graph, outputs: outputs, gradients: gradients, foldConstants: foldConstants)
        self.graph = graph
        self.outputs = outputs
        self.gradientTargets = gradients
        self.lowering = lowering
        valueCount = lowering.valueCount
        gradientCount = lowering.gradientCount
        indexCount = lowering.indexCount
        metadataCount = lowering.metadata.count
        counterCount = lowering.counterCount

        // Allocate at least one element per arena so every base pointer is
        // valid; the real arenas on cache lines (``alignedReals(_:)``).
        let values = Self.alignedReals(valueCount)
        let gradientArena = Self.alignedReals(gradientCount)
        let indices = UnsafeMutablePointer<Int32>.allocate(capacity: max(indexCount, 1))
        indices.initialize(repeating: 0, count: max(indexCount, 1))
        let metadata = UnsafeMutablePointer<Int>.allocate(capacity: max(metadataCount, 1))
        metadata.initialize(repeating: 0, count: max(metadataCount, 1))
        for (k, value) in lowering.metadata.enumerated() { metadata[k] = value }
        let counters = UnsafeMutablePointer<Int>.allocate(capacity: max(counterCount, 1))
        counters.initialize(repeating: 0, count: max(counterCount, 1))
        let scratch = Self.alignedReals(lowering.scratchCount)
        memory = KernelMemory(
            values: values, gradients: gradientArena, indices: indices, metadata: metadata,
            counters: counters, scratch: scratch)

        for (offset, constant) in lowering.constants {
            for (k, value) in constant.enumerated() { values[offset + k] = value }
        }
        for (offset, constant) in lowering.indexConstants {
            for (k, value) in constant.enumerated() { indices[offset + k] = value }
        }

        forwardCount = lowering.forwardOrder.count
        forwardProgram = UnsafeMutablePointer<Instruction>.allocate(capacity: max(forwardCount, 1))
        for (k, index) in lowering.forwardOrder.enumerated() {
            (forwardProgram + k).initialize(to: lowering.instructions[index])
        }
        backwardCount = lowering.backwardOrder.count
        backwardProgram = UnsafeMutablePointer<Instruction>.allocate(capacity: max(backwardCount, 1))
        for (k, index) in lowering.backwardOrder.enumerated() {
            (backwardProgram + k).initialize(to: lowering.instructions[index])
        }
        zeroRangeCount = lowering.zeroRanges.count
        zeroRanges = UnsafeMutablePointer<Int>.allocate(capacity: max(2 * zeroRangeCount, 1))
        for (k, range) in lowering.zeroRanges.enumerated() {
            zeroRanges[2 * k] = range.offset
            zeroRanges[2 * k + 1] = range.count
        }
        let loss = lowering.loss
        lossGradientOffset = lowering.gradientOffset[loss.id.rawValue]
        lossCount = loss.shape.count
    }

    /// `count` (at least one) zeros starting on a cache line. The kernels
    /// read 32 or 64 bytes at a time; from `malloc`'s 16-byte alignment
    /// some of those reads cross two lines and cost two (the sparse
    /// products' packed panels in scratch: binary `A` at 0.35 nonzero,
    /// `C` and `∂B`, 56 → 43 µs).
    static func alignedReals(_ count: Int) -> UnsafeMutablePointer<Double> {
        let count = max(count, 1)
        let reals = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Double>.stride, alignment: 64)
            .bindMemory(to: Double.self, capacity: count)
        reals.initialize(repeating: 0, count: count)
        return reals
    }

    deinit {
        memory.values.deallocate()
        memory.gradients.deallocate()
        memory.indices.deallocate()
        memory.metadata.deallocate()
        memory.counters.deallocate()
        memory.scratch.deallocate()
        forwardProgram.deinitialize(count: forwardCount)
        forwardProgram.deallocate()
        backwardProgram.deinitialize(count: backwardCount)
        backwardProgram.deallocate()
        zeroRanges.deallocate()
    }

    // MARK: Running

    /// Computes every output (and every value the backward pass needs) from
    /// the current inputs. Allocates nothing.
    public func forward() {
        let memory = self.memory
        for k in 0..<forwardCount {
            Plan.execute(forwardProgram[k], memory, forward: true)
        }
    }

    /// Computes the gradient of the loss with respect to every requested
    /// tensor, from the values of the last ``forward()``. Each call gives
    /// the gradient afresh (nothing carries over from an earlier call).
    /// Allocates nothing.
    public func backward() {
        let memory = self.memory
        // Slots whose first write overwrites them need no zeroing.
        for k in 0..<zeroRangeCount {
            (memory.gradients + zeroRanges[2 * k]).update(repeating: 0, count: zeroRanges[2 * k + 1])
        }
        if lossGradientOffset >= 0 {
            (memory.gradients + lossGradientOffset).update(repeating: 1, count: lossCount)
        }
        for k in 0..<backwardCount {
            Plan.execute(backwardProgram[k], memory, forward: false)
        }
    }

    /// The one dispatch of the plan: each op family's forward or backward
    /// kernel, chosen by opcode.
    @inline(__always)
    private static func execute(_ i: Instruction, _ m: KernelMemory, forward: Bool) {
        switch i.opcode {
        case .unary(let function):
            if forward { UnaryKernels.forward(function, i, m) } else { UnaryKernels.backward(function, i, m) }
        case .power:
            if forward { UnaryKernels.forwardPower(i, m) } else { UnaryKernels.backwardPower(i, m) }
        case .clamp:
            if forward { UnaryKernels.forwardClamp(i, m) } else { UnaryKernels.backwardClamp(i, m) }
        case .binary(let op):
            if forward { BinaryKernels.forward(op, i, m) } else { BinaryKernels.backward(op, i, m) }
        case .sum, .mean:
            if forward { ReduceKernels.forward(i, m) } else { ReduceKernels.backward(i, m) }
        case .contraction:
            if forward { ContractionKernels.forward(i, m) } else { ContractionKernels.backward(i, m) }
        case .selection:
            if forward { SelectionKernels.forward(i, m) } else { SelectionKernels.backward(i, m) }
        case .logSumExp:
            if forward { SoftmaxKernels.forwardLogSumExp(i, m) } else { SoftmaxKernels.backwardLogSumExp(i, m) }
        case .softmax:
            if forward { SoftmaxKernels.forwardSoftmax(i, m) } else { SoftmaxKernels.backwardSoftmax(i, m) }
        case .logSoftmax:
            if forward { SoftmaxKernels.forwardLogSoftmax(i, m) } else { SoftmaxKernels.backwardLogSoftmax(i, m) }
        case .enumeratedExpectation:
            if forward { EnumeratedExpectationKernels.forward(i, m) } else { EnumeratedExpectationKernels.backward(i, m) }
        case .matmul:
            if forward { MatMulKernels.forward(i, m) } else { MatMulKernels.backward(i, m) }
        case .singlePrecisionMatmul:
            if forward { MatMulKernels.forwardSingle(i, m) } else { MatMulKernels.backwardSingle(i, m) }
        case .gather:
            if forward { GatherKernels.forward(i, m) } else { GatherKernels.backward(i, m) }
        case .concat:
            if forward { ConcatKernels.forward(i, m) } else { ConcatKernels.backward(i, m) }
        case .logSigmoidPair:
            if forward { LogSigmoidPairKernels.forward(i, m) } else { LogSigmoidPairKernels.backward(i, m) }
        case .bernoulliDivergence:
            if forward { BernoulliDivergenceKernels.forward(i, m) } else { BernoulliDivergenceKernels.backward(i, m) }
        case .biasedRelu:
            if forward { BiasedReluKernels.forward(i, m) } else { BiasedReluKernels.backward(i, m) }
        case .bernoulliLogLikelihood:
            if forward { BernoulliLikelihoodKernels.forward(i, m) } else { BernoulliLikelihoodKernels.backward(i, m) }
        case .passGradient:
            if !forward { PassGradientKernels.backward(i, m) }
        // Not differentiable: never scheduled in the backward pass.
        case .step:
            if forward { UnaryKernels.forwardStep(i, m) }
        case .argmax:
            if forward { DiscreteKernels.forwardArgmax(i, m) }
        case .oneHotArgmax:
            if forward { DiscreteKernels.forwardOneHotArgmax(i, m) }
        case .oneHot:
            if forward { DiscreteKernels.forwardOneHot(i, m) }
        case .categoricalInverseCDF:
            if forward { DiscreteKernels.forwardCategoricalInverseCDF(i, m) }
        case .elementwiseDensity(let kind):
            if forward { DensityKernels.forward(kind, i, m) } else { DensityKernels.backward(kind, i, m) }
        case .vectorDensity(let kind):
            if forward { VectorDensityKernels.forward(kind, i, m) } else { VectorDensityKernels.backward(kind, i, m) }
        }
    }

    // MARK: Buffers

    /// The storage of a real tensor's values, valid as long as the plan.
    ///
    /// Write inputs through it before ``forward()``; read outputs after.
    /// Tensors that share storage (a reshape and its input) share buffers.
    /// - Throws: ``PlanError`` when the tensor is not computed by this plan
    ///   or is an index tensor.
    public func valueBuffer(of tensor: Tensor) throws -> UnsafeMutableBufferPointer<Double> {
        let offset = try slot(of: tensor, elementType: .real)
        return UnsafeMutableBufferPointer(start: memory.values + offset, count: tensor.shape.count)
    }

    /// The storage of an index tensor's values, valid as long as the plan.
    /// Indices must lie in the range the consuming op expects; a kernel
    /// stops the program on one that does not.
    public func indexBuffer(of tensor: Tensor) throws -> UnsafeMutableBufferPointer<Int32> {
        let offset = try slot(of: tensor, elementType: .index)
        return UnsafeMutableBufferPointer(start: memory.indices + offset, count: tensor.shape.count)
    }

    /// The storage of a requested gradient, valid as long as the plan and
    /// filled by ``backward()``.
    public func gradientBuffer(of tensor: Tensor) throws -> UnsafeMutableBufferPointer<Double> {
        guard graph.contains(tensor) else { throw PlanError.unknownTensor(tensor) }
        guard gradientTargets.contains(tensor) else { throw PlanError.noGradient(tensor) }
        let offset = lowering.gradientOffset[tensor.id.rawValue]
        return UnsafeMutableBufferPointer(start: memory.gradients + offset, count: tensor.shape.count)
    }

    /// The values and gradients of requested input tensors as one block
    /// each: the plan lays requested inputs out first in both arenas, in
    /// the order they were requested, so an optimizer can update the
    /// values in place from the gradients, with no copies. `nil` unless
    /// `tensors` are exactly those inputs, in that order.
    func contiguousBlock(of tensors: [Tensor]) -> (values: UnsafeMutableBufferPointer<Double>,
                                                   gradients: UnsafeMutableBufferPointer<Double>)? {
        var next = 0
        for tensor in tensors {
            guard graph.contains(tensor), lowering.valueOffset[tensor.id.rawValue] == next,
                  lowering.gradientOffset[tensor.id.rawValue] == next else { return nil }
            next += tensor.shape.count
        }
        return (UnsafeMutableBufferPointer(start: memory.values, count: next),
                UnsafeMutableBufferPointer(start: memory.gradients, count: next))
    }

    /// Copies every input's values from a plan of the same graph (for
    /// rerunning a pass in a plan compiled with other outputs).
    func copyInputs(from other: Plan) {
        for node in graph.nodes {
            guard case .input = node.op else { continue }
            let tensor = node.tensor
            if node.elementType == .index {
                if let source = try? other.indexBuffer(of: tensor), let target = try? indexBuffer(of: tensor) {
                    _ = target.update(from: source)
                }
            } else if let source = try? other.valueBuffer(of: tensor), let target = try? valueBuffer(of: tensor) {
                _ = target.update(from: source)
            }
        }
    }

    /// Calls `body` with the storage of a real tensor's values.
    public func withValues<R>(of tensor: Tensor, _ body: (UnsafeMutableBufferPointer<Double>) throws -> R) throws -> R {
        try body(valueBuffer(of: tensor))
    }

    /// Calls `body` with the storage of an index tensor's values.
    public func withIndices<R>(of tensor: Tensor, _ body: (UnsafeMutableBufferPointer<Int32>) throws -> R) throws -> R {
        try body(indexBuffer(of: tensor))
    }

    /// Calls `body` with the gradient of a requested tensor.
    public func withGradient<R>(of tensor: Tensor, _ body: (UnsafeMutableBufferPointer<Double>) throws -> R) throws -> R {
        try body(gradientBuffer(of: tensor))
    }

    // MARK: Copying accessors (they allocate; not for the hot loop)

    /// Copies `values` (row-major) into a real tensor's storage.
    public func setValues(_ values: [Double], of tensor: Tensor) throws {
        let buffer = try valueBuffer(of: tensor)
        guard values.count == buffer.count else {
            throw PlanError.wrongValueCount(tensor, expected: buffer.count, given: values.count)
        }
        _ = buffer.update(from: values)
    }

    /// Copies `indices` (row-major) into an index tensor's storage.
    public func setIndices(_ indices: [Int], of tensor: Tensor) throws {
        let buffer = try indexBuffer(of: tensor)
        guard indices.count == buffer.count else {
            throw PlanError.wrongValueCount(tensor, expected: buffer.count, given: indices.count)
        }
        for (k, index) in indices.enumerated() { buffer[k] = Int32(truncatingIfNeeded: index) }
    }

    /// A copy of a real tensor's values.
    public func values(of tensor: Tensor) throws -> [Double] {
        Array(try valueBuffer(of: tensor))
    }

    /// A copy of an index tensor's values.
    public func indices(of tensor: Tensor) throws -> [Int] {
        try indexBuffer(of: tensor).map { Int($0) }
    }

    /// The value of a one-element real tensor (the loss, usually).
    public func scalar(_ tensor: Tensor) throws -> Double {
        let buffer = try valueBuffer(of: tensor)
        guard buffer.count == 1 else { throw PlanError.wrongValueCount(tensor, expected: buffer.count, given: 1) }
        return buffer[0]
    }

    /// A copy of a requested gradient.
    public func gradient(of tensor: Tensor) throws -> [Double] {
        Array(try gradientBuffer(of: tensor))
    }

    private func slot(of tensor: Tensor, elementType: ElementType) throws -> Int {
        guard graph.contains(tensor) else { throw PlanError.unknownTensor(tensor) }
        guard tensor.elementType == elementType else { throw PlanError.wrongElementType(tensor, expected: elementType) }
        let offset = lowering.valueOffset[tensor.id.rawValue]
        guard offset >= 0 else { throw PlanError.notComputed(tensor) }
        guard lowering.kept[tensor.id.rawValue] else { throw PlanError.notKept(tensor) }
        return offset
    }

    /// The number of instructions each pass runs.
    public var forwardInstructionCount: Int { forwardCount }
    public var backwardInstructionCount: Int { backwardCount }
}

