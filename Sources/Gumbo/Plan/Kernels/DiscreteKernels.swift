/// Forward loops of the non-differentiable helpers that turn relaxed
/// values into hard ones: ``Opcode/argmax``, ``Opcode/oneHotArgmax`` and
/// ``Opcode/oneHot`` (``Opcode/step`` is elementwise and lives with the
/// unary kernels). They have no backward rule: no gradient flows through
/// them, and the compiler never schedules them in the backward pass.
enum DiscreteKernels {
    /// The position of the largest entry of each line along the axis (the
    /// first on ties), written to the index arena.
    static func forwardArgmax(_ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let y = m.indices + i.output
        for line in 0..<(i.outer * i.inner) {
            let start = SoftmaxKernels.lineStart(line, i)
            y[line] = Int32(argmax(x + start, i.length, stride: i.inner))
        }
    }

    /// 1 at the largest entry of each line along the axis, 0 elsewhere.
    static func forwardOneHotArgmax(_ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let y = m.values + i.output
        let stride = i.inner
        for line in 0..<(i.outer * stride) {
            let start = SoftmaxKernels.lineStart(line, i)
            let best = argmax(x + start, i.length, stride: stride)
            for j in 0..<i.length { y[start + j * stride] = j == best ? 1 : 0 }
        }
    }

    /// Rows of `classes` (``Instruction/length``) reals, 1 at each index.
    static func forwardOneHot(_ i: Instruction, _ m: KernelMemory) {
        let indices = m.indices + i.input0
        let y = m.values + i.output
        let classes = i.length
        y.update(repeating: 0, count: i.count)
        for row in 0..<i.outer {
            let k = Int(indices[row])
            precondition(k >= 0 && k < classes, "oneHot: index out of range 0..<classes")
            y[row * classes + k] = 1
        }
    }

    @inline(__always)
    static func argmax(_ x: UnsafeMutablePointer<Double>, _ n: Int, stride: Int) -> Int {
        var best = 0
        var top = x[0]
        for j in 1..<max(n, 1) where x[j * stride] > top {
            top = x[j * stride]
            best = j
        }
        return best
    }
}
