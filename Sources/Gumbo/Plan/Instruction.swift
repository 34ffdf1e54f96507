/// One step of a ``Plan``: an opcode and the fixed arena offsets and
/// extents it works on.
///
/// Instructions are plain values with no references, so reading one in the
/// hot loop costs a few loads and no reference counting. Offsets index the
/// plan's arenas: ``output`` and `input*` the value arena (or the index
/// arena for index tensors), `gradient*` the gradient arena, ``geometry``
/// the metadata arena. An offset of `-1` means "absent": an input a kernel
/// does not read, or a gradient nobody needs.
struct Instruction {
    var opcode: Opcode
    /// The graph node this instruction computes (for dumps and errors).
    var node: Int
    /// Elements in the output.
    var count: Int
    var output: Int
    var input0 = -1
    var input1 = -1
    var input2 = -1
    var input3 = -1
    /// The output's gradient; `-1` when the instruction is forward-only.
    var outputGradient = -1
    /// Where the gradient of each input accumulates; `-1` when that input
    /// needs none.
    var gradient0 = -1
    var gradient1 = -1
    var gradient2 = -1
    var gradient3 = -1
    /// Bit `k` set: the gradient of input `k` is overwritten (this is its
    /// first, dense write in the backward pass) rather than accumulated. See
    /// ``GradientStore``.
    var overwriteMask = 0
    /// Value-arena storage the forward pass fills for the backward pass
    /// (softmax weights of a `logSumExp`); `-1` when there is no backward.
    var auxiliary = -1
    /// Reduction geometry: `outer × length × inner` elements, reducing the
    /// middle extent. Matrix products use them for `M`, `K`, `N`.
    var outer = 1
    var length = 1
    var inner = 1
    /// Matrix products: batch count and per-batch strides of each operand
    /// (0 for an operand shared by the whole batch). Contractions: each
    /// factor's stride along the contracted axis.
    var batch = 1
    var batchStride0 = 0
    var batchStride1 = 0
    /// Bit `k` set: input `k` is a single element (fused scalar kernels
    /// hoist work on such operands out of their loops).
    var singleElementMask = 0
    /// Offset of a broadcast geometry (or an operand list) in the metadata
    /// arena; `-1` when none.
    var geometry = -1
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
    case matmul
    case gather
    case concat
    /// `[log σ(−x), log σ(x)]` along a new last axis of two: a concat of
    /// two log-sigmoids rewritten to read `x` (``GraphRewriting``, rewrite 5).
    case logSigmoidPair
    /// No forward work; backward adds the output gradient into input 0's.
    case passGradient
    case oneHotArgmax
    case argmax
    case step
    case oneHot
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
    /// Scratch counters for broadcast loops of rank above 2.
    let counters: UnsafeMutablePointer<Int>
    /// Scratch reals for the vector kernels' per-row gradients.
    let scratch: UnsafeMutablePointer<Double>
}
