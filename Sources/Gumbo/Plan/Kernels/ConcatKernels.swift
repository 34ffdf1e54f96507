/// Forward and backward loops of ``Opcode/concat``.
///
/// The output is `outer` blocks; block `o` holds, in order, block `o` of
/// every input (`extentₖ · inner` contiguous elements each). The operand
/// list lives in the metadata arena at ``Instruction/geometry``:
/// `[count, (value offset, gradient offset, block size, overwrite) × count]`.
/// The backward pass copies each block of the output gradient back, over
/// the operand's gradient (`overwrite` = 1) or added to it.
enum ConcatKernels {
    static func forward(_ i: Instruction, _ m: KernelMemory) {
        let list = m.metadata + i.geometry
        let operands = list[0]
        let y = m.values + i.output
        var position = 0
        for o in 0..<i.outer {
            for k in 0..<operands {
                let block = list[3 + 4 * k]
                let x = m.values + list[1 + 4 * k] + o * block
                (y + position).update(from: x, count: block)
                position += block
            }
        }
    }

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        let list = m.metadata + i.geometry
        let operands = list[0]
        let g = m.gradients + i.outputGradient
        var position = 0
        for o in 0..<i.outer {
            for k in 0..<operands {
                let block = list[3 + 4 * k]
                let target = list[2 + 4 * k]
                if target >= 0 {
                    let gx = m.gradients + target + o * block
                    if list[4 + 4 * k] != 0 {
                        gx.update(from: g + position, count: block)
                    } else {
                        for j in 0..<block { gx[j] += g[position + j] }
                    }
                }
                position += block
            }
        }
    }
}
