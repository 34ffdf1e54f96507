/// One step of a ``Plan``: an opcode and the fixed arena offsets and
/// extents it works on.
///
/// Instructions are plain values with no references, so reading one in the
/// hot loop costs a few loads and no reference counting. Offsets index the
/// plan's arenas: ``output`` and `input*` the value arena (or the index
/// arena for index tensors), `gradient*` the gradient arena, ``geometry``
/// the metadata arena. An offset of `-1` means "absent": an input a kernel
/// does not read, or a gradient nobody needs.
///
/// Offsets, extents and masks are stored as `Int32` (setting one beyond its
/// range stops the program at compile time) and read as `Int`: at 112 bytes
/// an instruction is copied by a few register moves when the passes hand it
/// to a kernel, where the 200 bytes of `Int` fields took a `memcpy` call
/// per instruction.
struct Instruction {
    var opcode: Opcode
    /// The graph node this instruction computes (for dumps and errors).
    var node: Int { get { Int(_node) } set { _node = Int32(newValue) } }
    private var _node: Int32 = 0
    /// Elements in the output.
    var count: Int { get { Int(_count) } set { _count = Int32(newValue) } }
    private var _count: Int32 = 0
    var output: Int { get { Int(_output) } set { _output = Int32(newValue) } }
    private var _output: Int32 = 0
    var input0: Int { get { Int(_input0) } set { _input0 = Int32(newValue) } }
    private var _input0: Int32 = -1
    var input1: Int { get { Int(_input1) } set { _input1 = Int32(newValue) } }
    private var _input1: Int32 = -1
    var input2: Int { get { Int(_input2) } set { _input2 = Int32(newValue) } }
    private var _input2: Int32 = -1
    var input3: Int { get { Int(_input3) } set { _input3 = Int32(newValue) } }
    private var _input3: Int32 = -1
    /// The output's gradient; `-1` when the instruction is forward-only.
    var outputGradient: Int { get { Int(_outputGradient) } set { _outputGradient = Int32(newValue) } }
    private var _outputGradient: Int32 = -1
    /// Where the gradient of each input accumulates; `-1` when that input
    /// needs none.
    var gradient0: Int { get { Int(_gradient0) } set { _gradient0 = Int32(newValue) } }
    private var _gradient0: Int32 = -1
    var gradient1: Int { get { Int(_gradient1) } set { _gradient1 = Int32(newValue) } }
    private var _gradient1: Int32 = -1
    var gradient2: Int { get { Int(_gradient2) } set { _gradient2 = Int32(newValue) } }
    private var _gradient2: Int32 = -1
    var gradient3: Int { get { Int(_gradient3) } set { _gradient3 = Int32(newValue) } }
    private var _gradient3: Int32 = -1
    /// Bit `k` set: the gradient of input `k` is overwritten (this is its
    /// first, dense write in the backward pass) rather than accumulated. See
    /// ``GradientStore``.
    var overwriteMask: Int { get { Int(_overwriteMask) } set { _overwriteMask = Int32(newValue) } }
    private var _overwriteMask: Int32 = 0
    /// Value-arena storage the forward pass fills for the backward pass
    /// (softmax weights of a `logSumExp`, a product's dense flags); `-1`
    /// when there is none.
    var auxiliary: Int { get { Int(_auxiliary) } set { _auxiliary = Int32(newValue) } }
    private var _auxiliary: Int32 = -1
    /// A `logSoftmax` whose weights a `softmax` of the same input reads:
    /// that softmax's output gradient, folded into this instruction's
    /// backward pass (``PlanLowering``); `-1` otherwise.
    var companionGradient: Int { get { Int(_companionGradient) } set { _companionGradient = Int32(newValue) } }
    private var _companionGradient: Int32 = -1
    /// Reduction geometry: `outer × length × inner` elements, reducing the
    /// middle extent. Matrix products use them for `M`, `K`, `N`.
    var outer: Int { get { Int(_outer) } set { _outer = Int32(newValue) } }
    private var _outer: Int32 = 1
    var length: Int { get { Int(_length) } set { _length = Int32(newValue) } }
    private var _length: Int32 = 1
    var inner: Int { get { Int(_inner) } set { _inner = Int32(newValue) } }
    private var _inner: Int32 = 1
    /// Matrix products: batch count and per-batch strides of each operand
    /// (0 for an operand shared by the whole batch). Contractions: each
    /// factor's stride along the contracted axis.
    var batch: Int { get { Int(_batch) } set { _batch = Int32(newValue) } }
    private var _batch: Int32 = 1
    var batchStride0: Int { get { Int(_batchStride0) } set { _batchStride0 = Int32(newValue) } }
    private var _batchStride0: Int32 = 0
    var batchStride1: Int { get { Int(_batchStride1) } set { _batchStride1 = Int32(newValue) } }
    private var _batchStride1: Int32 = 0
    /// Bit `k` set: input `k` is a single element (fused scalar kernels
    /// hoist work on such operands out of their loops).
    var singleElementMask: Int { get { Int(_singleElementMask) } set { _singleElementMask = Int32(newValue) } }
    private var _singleElementMask: Int32 = 0
    /// Offset of a broadcast geometry (or an operand list) in the metadata
    /// arena; `-1` when none.
    var geometry: Int { get { Int(_geometry) } set { _geometry = Int32(newValue) } }
    private var _geometry: Int32 = -1
    /// Matrix products (which have no broadcast geometry): where in
    /// ``KernelMemory/counters`` the forward pass keeps the nonzero
    /// positions of `A` for the backward pass
    /// (``MatMulKernels/keptPositions(_:_:batch:)``).
    var keptPositions: Int { get { geometry } set { geometry = newValue } }
    /// Constant parameters of the op (an exponent, clamp bounds).
    var constant0 = 0.0
    var constant1 = 0.0

    init(opcode: Opcode, node: Int, count: Int, output: Int) {
        self.opcode = opcode
        self.node = node
        self.count = count
        self.output = output
    }
}

/// What an instruction computes. Parallel to ``Op``, minus the leaves (which
/// are arena slots, not instructions) plus ``passGradient``, the backward
/// half of the ops whose forward pass is free (``Op/reshape`` and
/// ``Op/straightThrough`` share storage with their input).
enum Opcode: Hashable {
    case unary(UnaryFunction)
    case power
    case clamp
    case binary(BinaryOperator)
    case sum
    case mean
    /// `Σ_k a_k b_k` along one axis of a broadcast product (``GraphRewriting``).
    case contraction
    /// A contraction with a one-hot constant factor: a read of the other
    /// factor per output (``GraphRewriting``).
    case selection
    case logSumExp
    case softmax
    case logSoftmax
    /// An enumerated site's expected terms plus entropy
    /// (``Op/enumeratedExpectation(entropyWeight:)``).
    case enumeratedExpectation
    /// A matrix product; ``Instruction/auxiliary`` holds its dense flags,
    /// one per batch entry (``MatMulKernels/denseFlags(_:)``).
    case matmul
    /// A matrix product whose multiply-adds run in `Float`
    /// (``MatrixPrecision/single``); ``Instruction/auxiliary`` is its
    /// region of `Float` panel and copies in the value arena
    /// (``MatMulKernels/singlePrecisionRegionCount(rows:depth:columns:bCopies:)``),
    /// then its dense flags.
    case singlePrecisionMatmul
    case gather
    case concat
    /// `[log σ(−x), log σ(x)]` along a new last axis of two: a concat of
    /// two log-sigmoids rewritten to read `x` (``GraphRewriting``, rewrite 5).
    case logSigmoidPair
    /// `±KL(Bernoulli(σ(x)) ‖ p)` from `x` and `p`'s class log-probabilities:
    /// an exact discrete KL chain on a log-sigmoid pair, rewritten to read
    /// `x` (``GraphRewriting``, rewrite 11).
    case bernoulliDivergence
    /// `W₀ log σ(−x) + W₁ log σ(x)` from `x` and the class weights `W`: a
    /// contraction of a log-sigmoid pair, rewritten to read `x`
    /// (``GraphRewriting``, rewrite 12); ``Instruction/auxiliary`` holds the
    /// slope `∂y/∂x`.
    case bernoulliLogLikelihood
    /// `max(a + b, 0)` with `b` one row of ``Instruction/inner`` biases
    /// repeated over ``Instruction/outer`` rows (``GraphRewriting``,
    /// rewrite 13).
    case biasedRelu
    /// No forward work; backward adds the output gradient into input 0's.
    case passGradient
    case oneHotArgmax
    case argmax
    case step
    case oneHot
    /// A hard Categorical sample by inversion
    /// (``Op/categoricalInverseCDF``): ``Instruction/length`` classes per
    /// row, the geometry walking the rows.
    case categoricalInverseCDF
    /// A fused elementwise log-density, divergence or Hard Concrete function.
    case elementwiseDensity(ElementwiseDensity)
    /// A fused log-density or divergence along the last axis.
    case vectorDensity(VectorDensity)

    /// Whether the forward pass skips this instruction.
    var isForwardFree: Bool { self == .passGradient }

}

/// The fused scalar kernels (``Op/logProb(_:)``, ``Op/klDivergence(_:)``,
/// the Hard Concrete functions), without their constants (which travel in
/// ``Instruction/constant0`` and ``Instruction/constant1``).
enum ElementwiseDensity: Hashable {
    case normal
    case bernoulli
    case gumbel
    case relaxedBernoulli
    case hardConcrete
    case normalKL
    case bernoulliKL
    case hardConcreteGate
    case hardConcreteProbabilityNonzero
}

/// The fused kernels that read a vector of classes along the last axis.
enum VectorDensity: Hashable {
    case categorical
    case relaxedCategorical
    case expRelaxedCategorical
    case categoricalKL
}

/// The arenas a kernel reads and writes: base pointers only, passed by
/// value so kernels never touch the ``Plan`` object.
struct KernelMemory {
    let values: UnsafeMutablePointer<Double>
    let gradients: UnsafeMutablePointer<Double>
    let indices: UnsafeMutablePointer<Int32>
    let metadata: UnsafeMutablePointer<Int>
    /// Scratch integers: counters for broadcast loops of rank above 2, and
    /// the nonzero positions of a matrix product's sparse left operand
    /// (``MatMulKernels/compress(_:rows:depth:capacity:byColumns:into:)``). Kept in
    /// one arena: a seventh pointer in this struct slowed W4's small kernels
    /// by 15–20 % (measured), the struct no longer travelling in registers.
    let counters: UnsafeMutablePointer<Int>
    /// Scratch reals, valid within one kernel call: the vector kernels'
    /// per-row gradients, the softmax paths' blocks, the transposed copy of
    /// a product's `B` (``MatMulKernels/scratchCount(rows:depth:columns:)``).
    let scratch: UnsafeMutablePointer<Double>
}
