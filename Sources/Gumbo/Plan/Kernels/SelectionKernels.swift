/// Forward and backward loops of ``Opcode/selection``: a contraction
/// `Σ_k c_k x_k` whose constant factor `c` is one-hot along the contracted
/// axis (``GraphRewriting``, rewrite 4), so each output is one element of
/// the other factor `x`:
///
///     y[o] = x[o, k*(o)],   ∂x[o, k*(o)] += g[o]
///
/// where `k*` is the position of the 1 in the constant's line. The layout is
/// a contraction's (geometry over the output, ``Instruction/length`` `K`,
/// each factor's stride along the contracted axis in
/// ``Instruction/batchStride0``/``Instruction/batchStride1``), with
/// ``Instruction/batch`` the constant's input position and
/// ``Instruction/input2`` the offset, in the index arena, of a table giving
/// `k*` at each of the constant's line starts. The result equals the
/// multiply-and-add for finite `x` (`x·1 + 0·x′ = x` exactly).
enum SelectionKernels {
    static func forward(_ i: Instruction, _ m: KernelMemory) {
        if i.batch == 1 { forward(FirstFactor.self, i, m) } else { forward(SecondFactor.self, i, m) }
    }

    /// `Side` names the factor that is read (the other one is the constant).
    @inline(__always)
    static func forward<Side: ContractionSide>(_: Side.Type, _ i: Instruction, _ m: KernelMemory) {
        var rows = BroadcastRows(m, geometry: i.geometry)
        let x = m.values + (Side.index == 0 ? i.input0 : i.input1)
        let kx = Side.ownStride(i)
        let table = m.indices + i.input2
        let (sx, sc) = (Side.ownStep(rows), Side.otherStep(rows))
        var y = m.values + i.output
        let n = rows.length
        for _ in 0..<rows.count {
            let px = x + Side.ownOffset(rows)
            let pc = table + Side.otherOffset(rows)
            if sc == 0 {
                // One selection for the whole row (an enumerated value
                // against a plate): a strided copy.
                let source = px + Int(pc[0]) * kx
                if sx == 1 {
                    y.update(from: source, count: n)
                } else {
                    for j in 0..<n { y[j] = source[j * sx] }
                }
            } else {
                for j in 0..<n { y[j] = px[j * sx + Int(pc[j * sc]) * kx] }
            }
            y += n
            rows.advance()
        }
    }

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        if i.batch == 1 {
            if i.gradient0 >= 0 { backward(FirstFactor.self, i, m) }
        } else {
            if i.gradient1 >= 0 { backward(SecondFactor.self, i, m) }
        }
    }

    /// Accumulates only: the elements not selected get nothing, so the
    /// slot is zeroed before the pass.
    @inline(__always)
    static func backward<Side: ContractionSide>(_: Side.Type, _ i: Instruction, _ m: KernelMemory) {
        var rows = BroadcastRows(m, geometry: i.geometry)
        let gx = m.gradients + Side.gradient(i)
        let kx = Side.ownStride(i)
        let table = m.indices + i.input2
        let (sx, sc) = (Side.ownStep(rows), Side.otherStep(rows))
        var g = m.gradients + i.outputGradient
        let n = rows.length
        for _ in 0..<rows.count {
            let px = gx + Side.ownOffset(rows)
            let pc = table + Side.otherOffset(rows)
            if sc == 0 {
                let target = px + Int(pc[0]) * kx
                for j in 0..<n { target[j * sx] += g[j] }
            } else {
                for j in 0..<n { px[j * sx + Int(pc[j * sc]) * kx] += g[j] }
            }
            g += n
            rows.advance()
        }
    }
}
