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
/// for bit; `h > 0` exactly where `a + b > 0`. Four elements at a time,
/// then one by one. (Backward, four rows at a time with `∂b` in registers
/// across them measured the same: the pass is bound by its three streams.)
enum BiasedReluKernels {
    static func forward(_ i: Instruction, _ m: KernelMemory) {
        let n = i.inner
        let vectorEnd = n & ~3
        let b = m.values + i.input1
        var a = m.values + i.input0, h = m.values + i.output
        for _ in 0..<i.outer {
            var j = 0
            while j < vectorEnd {
                h.setVector(ReluRule.value(a.vector(at: j) + b.vector(at: j)), at: j)
                j += 4
            }
            while j < n {
                h[j] = ReluRule.value(a[j] + b[j])
                j += 1
            }
            a += n
            h += n
        }
    }

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        if i.overwrites(0) { backward(Overwrite.self, i, m) } else { backward(Accumulate.self, i, m) }
    }

    @inline(__always)
    static func backward<Store: GradientStore>(_: Store.Type, _ i: Instruction, _ m: KernelMemory) {
        let n = i.inner
        let vectorEnd = n & ~3
        let writesA = i.gradient0 >= 0, writesB = i.gradient1 >= 0
        let gb = m.gradients + max(i.gradient1, 0)
        var h = m.values + i.output, g = m.gradients + i.outputGradient
        var ga = m.gradients + max(i.gradient0, 0)
        for _ in 0..<i.outer {
            var j = 0
            while j < vectorEnd {
                let d = g.vector(at: j) * ReluRule.derivative(h.vector(at: j), h.vector(at: j))
                if writesA { Store.store(d, at: ga + j) }
                if writesB { gb.setVector(gb.vector(at: j) + d, at: j) }
                j += 4
            }
            while j < n {
                let d = g[j] * ReluRule.derivative(h[j], h[j])
                if writesA { Store.store(d, at: ga + j) }
                if writesB { gb[j] += d }
                j += 1
            }
            h += n
            g += n
            ga += n
        }
    }
}
