/// Forward and backward loops of ``Opcode/concat``.
///
/// The output is `outer` blocks; block `o` holds, in order, block `o` of
/// every input (`extentₖ · inner` contiguous elements each). The operand
/// list lives in the metadata arena at ``Instruction/geometry``:
/// `[count, (value offset, gradient offset, block size, overwrite) × count]`.
/// The backward pass copies each block of the output gradient back, over
/// the operand's gradient (`overwrite` = 1) or added to it.
///
/// Both loops take one operand at a time and walk its `outer` blocks (the
/// output's stride between them is the sum of the block sizes), so the
/// operand list is read once per operand, not once per block; blocks of
/// one or two elements (a class axis of two, as the Bernoulli's
/// `[log(1 − p), log p]`) are copied by a loop of their own rather than a
/// library copy per block, which costs a call each.
enum ConcatKernels {
    static func forward(_ i: Instruction, _ m: KernelMemory) {
        let list = m.metadata + i.geometry
        let operands = list[0]
        var stride = 0
        for k in 0..<operands { stride += list[3 + 4 * k] }
        var y = m.values + i.output
        for k in 0..<operands {
            let block = list[3 + 4 * k]
            let x = m.values + list[1 + 4 * k]
            switch block {
            case 1:
                for o in 0..<i.outer { y[o * stride] = x[o] }
            case 2:
                for o in 0..<i.outer {
                    y[o * stride] = x[2 * o]
                    y[o * stride + 1] = x[2 * o + 1]
                }
            default:
                for o in 0..<i.outer { (y + o * stride).update(from: x + o * block, count: block) }
            }
            y += block
        }
    }

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        let list = m.metadata + i.geometry
        let operands = list[0]
        var stride = 0
        for k in 0..<operands { stride += list[3 + 4 * k] }
        var g = m.gradients + i.outputGradient
        for k in 0..<operands {
            let block = list[3 + 4 * k]
            let target = list[2 + 4 * k]
            defer { g += block }
            guard target >= 0 else { continue }
            let gx = m.gradients + target
            if list[4 + 4 * k] == 0 {
                for o in 0..<i.outer {
                    for j in 0..<block { gx[o * block + j] += g[o * stride + j] }
                }
            } else if block <= 2 {
                for o in 0..<i.outer {
                    for j in 0..<block { gx[o * block + j] = g[o * stride + j] }
                }
            } else {
                for o in 0..<i.outer { (gx + o * block).update(from: g + o * stride, count: block) }
            }
        }
    }
}
