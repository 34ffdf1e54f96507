/// Forward and backward loops of ``Opcode/matmul``: `C = A B` for each of
/// `batch` pairs, `A` of `M × K` (``Instruction/outer`` × ``Instruction/length``),
/// `B` of `K × N` (× ``Instruction/inner``). An operand shared by the whole
/// batch has batch stride 0.
///
///     ∂A = ∂C Bᵀ      (∂A[i, p] = Σⱼ ∂C[i, j] B[p, j])
///     ∂B = Aᵀ ∂C      (∂B[p, j] += Σᵢ A[i, p] ∂C[i, j])
///
/// Each product is computed in register tiles of 4 × 4 results (four
/// ``Vector4`` accumulators), so every value loaded from memory feeds four
/// multiply-adds; edges that do not fill a tile take scalar loops. The
/// summation order depends only on the shapes, so results are reproducible.
enum MatMulKernels {
    typealias Pointer = UnsafeMutablePointer<Double>

    static func forward(_ i: Instruction, _ m: KernelMemory) {
        for batch in 0..<i.batch {
            multiply(m.values + i.input0 + batch * i.batchStride0, m.values + i.input1 + batch * i.batchStride1,
                     into: m.values + i.output + batch * i.outer * i.inner,
                     rows: i.outer, depth: i.length, columns: i.inner)
        }
    }

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        let (rows, depth, columns) = (i.outer, i.length, i.inner)
        for batch in 0..<i.batch {
            let a = m.values + i.input0 + batch * i.batchStride0
            let b = m.values + i.input1 + batch * i.batchStride1
            let gc = m.gradients + i.outputGradient + batch * rows * columns
            if i.gradient0 >= 0 {
                // ∂A is dense unless A is shared by the batch (then it sums).
                multiplyTransposed(gc, b, into: m.gradients + i.gradient0 + batch * i.batchStride0,
                                   rows: rows, depth: columns, columns: depth,
                                   overwrite: i.overwrites(0) && (batch == 0 || i.batchStride0 != 0))
            }
            if i.gradient1 >= 0 {
                accumulateTransposedProduct(a, gc, into: m.gradients + i.gradient1 + batch * i.batchStride1,
                                            rows: rows, depth: depth, columns: columns)
            }
        }
    }

    // MARK: Tiled products

    /// `c = a b`: `a` is `rows × depth`, `b` is `depth × columns`.
    @inline(__always)
    static func multiply(_ a: Pointer, _ b: Pointer, into c: Pointer, rows: Int, depth: Int, columns: Int) {
        let tiledRows = rows & ~3, tiledColumns = columns & ~3
        var r = 0
        while r < tiledRows {
            let a0 = a + r * depth, a1 = a0 + depth, a2 = a1 + depth, a3 = a2 + depth
            var j = 0
            while j < tiledColumns {
                var c0 = Vector4(), c1 = Vector4(), c2 = Vector4(), c3 = Vector4()
                for p in 0..<depth {
                    let row = b.vector(at: p * columns + j)
                    c0 += Vector4(repeating: a0[p]) * row
                    c1 += Vector4(repeating: a1[p]) * row
                    c2 += Vector4(repeating: a2[p]) * row
                    c3 += Vector4(repeating: a3[p]) * row
                }
                c.setVector(c0, at: r * columns + j)
                c.setVector(c1, at: (r + 1) * columns + j)
                c.setVector(c2, at: (r + 2) * columns + j)
                c.setVector(c3, at: (r + 3) * columns + j)
                j += 4
            }
            r += 4
        }
        // Edges: the rows below the tiles (all columns), the columns right of them.
        for r in 0..<rows {
            for j in (r < tiledRows ? tiledColumns : 0)..<columns {
                var total = 0.0
                for p in 0..<depth { total += a[r * depth + p] * b[p * columns + j] }
                c[r * columns + j] = total
            }
        }
    }

    /// `c = a bᵀ` (or `c += a bᵀ` unless `overwrite`): `a` is `rows × depth`,
    /// `b` is `columns × depth`; each result is a dot product of two rows.
    @inline(__always)
    static func multiplyTransposed(_ a: Pointer, _ b: Pointer, into c: Pointer,
                                   rows: Int, depth: Int, columns: Int, overwrite: Bool) {
        let tiledDepth = depth & ~3
        for r in 0..<rows {
            let aRow = a + r * depth
            var j = 0
            while j + 4 <= columns {
                let b0 = b + j * depth, b1 = b0 + depth, b2 = b1 + depth, b3 = b2 + depth
                var s0 = Vector4(), s1 = Vector4(), s2 = Vector4(), s3 = Vector4()
                var p = 0
                while p < tiledDepth {
                    let x = aRow.vector(at: p)
                    s0 += x * b0.vector(at: p)
                    s1 += x * b1.vector(at: p)
                    s2 += x * b2.vector(at: p)
                    s3 += x * b3.vector(at: p)
                    p += 4
                }
                var totals = Vector4(s0.sum(), s1.sum(), s2.sum(), s3.sum())
                for p in tiledDepth..<depth {
                    totals += Vector4(repeating: aRow[p]) * Vector4(b0[p], b1[p], b2[p], b3[p])
                }
                if !overwrite { totals += c.vector(at: r * columns + j) }
                c.setVector(totals, at: r * columns + j)
                j += 4
            }
            while j < columns {
                let bRow = b + j * depth
                var total = 0.0
                for p in 0..<depth { total += aRow[p] * bRow[p] }
                c[r * columns + j] = overwrite ? total : c[r * columns + j] + total
                j += 1
            }
        }
    }

    /// `c += aᵀ g`: `a` is `rows × depth`, `g` is `rows × columns`, `c` is
    /// `depth × columns`.
    @inline(__always)
    static func accumulateTransposedProduct(_ a: Pointer, _ g: Pointer, into c: Pointer,
                                            rows: Int, depth: Int, columns: Int) {
        let tiledDepth = depth & ~3, tiledColumns = columns & ~3
        var p = 0
        while p < tiledDepth {
            var j = 0
            while j < tiledColumns {
                var c0 = Vector4(), c1 = Vector4(), c2 = Vector4(), c3 = Vector4()
                for r in 0..<rows {
                    let row = g.vector(at: r * columns + j)
                    let aRow = a + r * depth + p
                    c0 += Vector4(repeating: aRow[0]) * row
                    c1 += Vector4(repeating: aRow[1]) * row
                    c2 += Vector4(repeating: aRow[2]) * row
                    c3 += Vector4(repeating: aRow[3]) * row
                }
                c.setVector(c.vector(at: p * columns + j) + c0, at: p * columns + j)
                c.setVector(c.vector(at: (p + 1) * columns + j) + c1, at: (p + 1) * columns + j)
                c.setVector(c.vector(at: (p + 2) * columns + j) + c2, at: (p + 2) * columns + j)
                c.setVector(c.vector(at: (p + 3) * columns + j) + c3, at: (p + 3) * columns + j)
                j += 4
            }
            p += 4
        }
        for p in 0..<depth {
            for j in (p < tiledDepth ? tiledColumns : 0)..<columns {
                var total = 0.0
                for r in 0..<rows { total += a[r * depth + p] * g[r * columns + j] }
                c[p * columns + j] += total
            }
        }
    }
}
