import GumboAVX2
import GumboAVX512

/// Forward and backward loops of ``Opcode/biasedRelu``: a layer's bias and
/// ReLU in one pass each (``GraphRewriting``, rewrite 13), over
/// ``Instruction/outer`` rows of ``Instruction/inner`` elements, `b` one
/// row:
///
///     h[r, j]   = max(a[r, j] + b[j], 0)
///     ∂a[r, j] (+)= g[r, j] · [h[r, j] > 0]
///     ∂b[j]     += Σ_r g[r, j] · [h[r, j] > 0]     (rows in order)
///
/// The same operations as the add and ReLU kernels they replace (the
/// ReLU's `0`/`1` derivative multiplied in, so an infinite `g` facing a
/// zero still gives NaN; `∂b` accumulated row by row from its slot, as the
/// add's backward pass does for a repeated row), so the same results bit
/// for bit; `h > 0` exactly where `a + b > 0`. The loops are
/// `VectorKernels`' passes (`VectorKernels+BiasedRelu.swift`), run by
/// `GumboAVX512` (eight lanes) or `GumboAVX2` (four lanes of 256 bits) when
/// the processor has them (``InstructionSet``), the same bits in every
/// build. (Backward, four rows at a time with `∂b` in registers across them
/// measured the same: the pass is bound by its three streams.)
enum BiasedReluKernels {
    static func forward(_ i: Instruction, _ m: KernelMemory) {
        let (a, b, h) = (m.values + i.input0, m.values + i.input1, m.values + i.output)
        switch InstructionSet.current {
        case .avx512: WideVectorPasses.biasedRelu(a, bias: b, h, rows: i.outer, columns: i.inner)
        case .avx2: VectorPasses.biasedRelu(a, bias: b, h, rows: i.outer, columns: i.inner)
        case .baseline: VectorKernels.biasedRelu(a, bias: b, h, rows: i.outer, columns: i.inner)
        }
    }

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        let (h, g) = (m.values + i.output, m.gradients + i.outputGradient)
        let ga = i.gradient0 >= 0 ? m.gradients + i.gradient0 : nil
        let gb = i.gradient1 >= 0 ? m.gradients + i.gradient1 : nil
        let accumulate = !i.overwrites(0)
        switch InstructionSet.current {
        case .avx512:
            WideVectorPasses.biasedReluBackward(h, g, rows: i.outer, columns: i.inner, inputGradient: ga,
                                                accumulate: accumulate, biasGradient: gb)
        case .avx2:
            VectorPasses.biasedReluBackward(h, g, rows: i.outer, columns: i.inner, inputGradient: ga,
                                            accumulate: accumulate, biasGradient: gb)
        case .baseline:
            VectorKernels.biasedReluBackward(h, g, rows: i.outer, columns: i.inner, inputGradient: ga,
                                             accumulate: accumulate, biasGradient: gb)
        }
    }
}
