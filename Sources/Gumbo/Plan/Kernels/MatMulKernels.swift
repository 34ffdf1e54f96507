/// Forward and backward loops of ``Opcode/matmul``: `C = A B` for each of
/// `batch` pairs, `A` of `M × K` (``Instruction/outer`` × ``Instruction/length``),
/// `B` of `K × N` (× ``Instruction/inner``). An operand shared by the whole
/// batch has batch stride 0.
///
///     ∂A = ∂C Bᵀ      (row i of ∂A: dot products of ∂C's row i with B's rows)
///     ∂B = Aᵀ ∂C      (accumulated row by row: ∂B[p, :] += A[i, p] ∂C[i, :])
///
/// Every inner loop runs over a contiguous row (i-p-j order).
enum MatMulKernels {
    static func forward(_ i: Instruction, _ m: KernelMemory) {
        let (rows, depth, columns) = (i.outer, i.length, i.inner)
        for batch in 0..<i.batch {
            let a = m.values + i.input0 + batch * i.batchStride0
            let b = m.values + i.input1 + batch * i.batchStride1
            let c = m.values + i.output + batch * rows * columns
            for r in 0..<rows {
                let cRow = c + r * columns
                for j in 0..<columns { cRow[j] = 0 }
                for p in 0..<depth {
                    let v = a[r * depth + p]
                    let bRow = b + p * columns
                    for j in 0..<columns { cRow[j] += v * bRow[j] }
                }
            }
        }
    }

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        if i.overwrites(0) { backward(Overwrite.self, i, m) } else { backward(Accumulate.self, i, m) }
    }

    /// `Store` applies to `∂A` (dense unless `A` is shared by the batch);
    /// `∂B` is summed over rows, so it always accumulates.
    @inline(__always)
    static func backward<Store: GradientStore>(_: Store.Type, _ i: Instruction, _ m: KernelMemory) {
        let (rows, depth, columns) = (i.outer, i.length, i.inner)
        for batch in 0..<i.batch {
            let a = m.values + i.input0 + batch * i.batchStride0
            let b = m.values + i.input1 + batch * i.batchStride1
            let gc = m.gradients + i.outputGradient + batch * rows * columns
            if i.gradient0 >= 0 {
                let ga = m.gradients + i.gradient0 + batch * i.batchStride0
                for r in 0..<rows {
                    let gRow = gc + r * columns
                    for p in 0..<depth {
                        let bRow = b + p * columns
                        var total = 0.0
                        for j in 0..<columns { total += gRow[j] * bRow[j] }
                        Store.store(total, at: ga + r * depth + p)
                    }
                }
            }
            if i.gradient1 >= 0 {
                let gb = m.gradients + i.gradient1 + batch * i.batchStride1
                for r in 0..<rows {
                    let gRow = gc + r * columns
                    for p in 0..<depth {
                        let v = a[r * depth + p]
                        let gbRow = gb + p * columns
                        for j in 0..<columns { gbRow[j] += v * gRow[j] }
                    }
                }
            }
        }
    }
}
