/// Forward and backward loops of ``Opcode/sum`` and ``Opcode/mean``.
///
/// The input is viewed as `outer × length × inner` (row-major), reduced over
/// the middle extent; a sum of every element is `1 × count × 1`. The result
/// is multiplied by `constant0` (1 for a sum, `1/length` for a mean), and the
/// backward pass spreads `constant0 · g` over the reduced axis.
enum ReduceKernels {
    static func forward(_ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let y = m.values + i.output
        let (outer, length, inner, scale) = (i.outer, i.length, i.inner, i.constant0)
        if inner == 1 {
            for o in 0..<outer {
                let row = x + o * length
                var total = 0.0
                for j in 0..<length { total += row[j] }
                y[o] = total * scale
            }
            return
        }
        for o in 0..<outer {
            let out = y + o * inner
            for k in 0..<inner { out[k] = 0 }
            for j in 0..<length {
                let row = x + (o * length + j) * inner
                for k in 0..<inner { out[k] += row[k] }
            }
            for k in 0..<inner { out[k] *= scale }
        }
    }

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        if i.overwrites(0) { backward(Overwrite.self, i, m) } else { backward(Accumulate.self, i, m) }
    }

    @inline(__always)
    static func backward<Store: GradientStore>(_: Store.Type, _ i: Instruction, _ m: KernelMemory) {
        let g = m.gradients + i.outputGradient
        let gx = m.gradients + i.gradient0
        let (outer, length, inner, scale) = (i.outer, i.length, i.inner, i.constant0)
        if inner == 1 {
            for o in 0..<outer {
                let row = gx + o * length
                let v = g[o] * scale
                for j in 0..<length { Store.store(v, at: row + j) }
            }
            return
        }
        for o in 0..<outer {
            let source = g + o * inner
            for j in 0..<length {
                let row = gx + (o * length + j) * inner
                for k in 0..<inner { Store.store(source[k] * scale, at: row + k) }
            }
        }
    }
}
