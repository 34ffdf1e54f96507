/// Matrix products in `Double` for processors with AVX2 and fused
/// multiply-add (x86-64 since Intel's Haswell, 2013, and AMD's Excavator,
/// 2015): the same three products as `Gumbo`'s `MatMulKernels`,
///
///     C = A B,   ∂A = ∂C Bᵀ,   ∂B += Aᵀ ∂C,
///
/// and the sparse-row accumulation it uses when `A` is mostly zeros.
///
/// **Only call these after checking the processor.** This module is
/// compiled for the Haswell instruction set (the package manifest gives it
/// `-target-cpu haswell`), so any of its code executed on a processor
/// without AVX2, FMA, BMI1/2, F16C, MOVBE and LZCNT stops the program with
/// an illegal instruction. `Gumbo` checks once, in code compiled for the
/// baseline (`InstructionSet`), and calls nothing here otherwise. The
/// module holds only non-generic functions over pointers, so no
/// specialization compiled here can be shared with, and picked by the
/// linker for, code compiled for the baseline.
///
/// Two files are `Gumbo`'s own, linked into this folder and compiled again
/// here: the vector accessors (`VectorAccess.swift`) and the sparse-row
/// loop (`SelectedRows.swift`, with its multiply-adds fused here).
///
/// Each result is a sum in a fixed order from zero, one fused multiply-add
/// (`x.addingProduct(a, b)`, rounded once) per term, in the order of the
/// naive loop (`Σ_p`, `Σ_j` and `Σ_i` ascending for `C`, `∂A` and `∂B`),
/// so the sparse loops, which skip terms `0 · b`, give the dense loops'
/// results bit for bit. Results are reproducible on any processor that runs
/// these kernels, and differ in rounding from the baseline kernels'
/// separate multiplies and adds.
public enum DoubleProducts {
    public typealias Pointer = UnsafeMutablePointer<Double>

    /// `c = a b` (or `c += a b` unless `overwrite`): `a` is `rows × depth`,
    /// `b` is `depth × columns`, all row-major. Register tiles of 6 rows × 8 columns: per depth step two
    /// loads of `b`, six broadcasts of `a`, twelve fused multiply-adds into
    /// twelve 256-bit accumulators (of sixteen registers), enough
    /// independent chains to cover the multiply-add latency. Then 4-row and
    /// single-row tiles for the remaining rows.
    public static func multiply(_ a: Pointer, _ b: Pointer, into c: Pointer, rows: Int, depth: Int, columns: Int,
                                overwrite: Bool = true) {
        var r = 0
        while r + 6 <= rows {
            multiplyRows(6, a + r * depth, b, into: c + r * columns, depth: depth, columns: columns,
                         overwrite: overwrite)
            r += 6
        }
        if r + 4 <= rows {
            multiplyRows(4, a + r * depth, b, into: c + r * columns, depth: depth, columns: columns,
                         overwrite: overwrite)
            r += 4
        }
        while r < rows {
            multiplyRows(1, a + r * depth, b, into: c + r * columns, depth: depth, columns: columns,
                         overwrite: overwrite)
            r += 1
        }
    }

    /// `count` rows (1 … 6, a constant once inlined, so the tests on it
    /// fold away with the accumulators they guard) of `c = a b`: tiles of
    /// eight columns, then four, then single columns.
    @inline(__always)
    static func multiplyRows(_ count: Int, _ a: Pointer, _ b: Pointer, into c: Pointer, depth: Int, columns: Int,
                             overwrite: Bool) {
        let a0 = a, a1 = a + min(1, count - 1) * depth, a2 = a + min(2, count - 1) * depth
        let a3 = a + min(3, count - 1) * depth, a4 = a + min(4, count - 1) * depth
        let a5 = a + min(5, count - 1) * depth
        var j = 0
        while j + 8 <= columns {
            var c00 = Vector4(), c01 = Vector4(), c10 = Vector4(), c11 = Vector4()
            var c20 = Vector4(), c21 = Vector4(), c30 = Vector4(), c31 = Vector4()
            var c40 = Vector4(), c41 = Vector4(), c50 = Vector4(), c51 = Vector4()
            var row = b + j
            for p in 0..<depth {
                let b0 = row.vector(at: 0), b1 = row.vector(at: 4)
                var x = Vector4(repeating: a0[p])
                c00 = c00.addingProduct(x, b0); c01 = c01.addingProduct(x, b1)
                if count > 1 { x = Vector4(repeating: a1[p]); c10 = c10.addingProduct(x, b0); c11 = c11.addingProduct(x, b1) }
                if count > 2 { x = Vector4(repeating: a2[p]); c20 = c20.addingProduct(x, b0); c21 = c21.addingProduct(x, b1) }
                if count > 3 { x = Vector4(repeating: a3[p]); c30 = c30.addingProduct(x, b0); c31 = c31.addingProduct(x, b1) }
                if count > 4 { x = Vector4(repeating: a4[p]); c40 = c40.addingProduct(x, b0); c41 = c41.addingProduct(x, b1) }
                if count > 5 { x = Vector4(repeating: a5[p]); c50 = c50.addingProduct(x, b0); c51 = c51.addingProduct(x, b1) }
                row += columns
            }
            let out = c + j
            out.storeRows(c00, c10, c20, c30, c40, c50, rows: count, stride: columns, adding: !overwrite)
            (out + 4).storeRows(c01, c11, c21, c31, c41, c51, rows: count, stride: columns, adding: !overwrite)
            j += 8
        }
        if j + 4 <= columns {
            var c0 = Vector4(), c1 = Vector4(), c2 = Vector4(), c3 = Vector4(), c4 = Vector4(), c5 = Vector4()
            var row = b + j
            for p in 0..<depth {
                let b0 = row.vector(at: 0)
                c0 = c0.addingProduct(Vector4(repeating: a0[p]), b0)
                if count > 1 { c1 = c1.addingProduct(Vector4(repeating: a1[p]), b0) }
                if count > 2 { c2 = c2.addingProduct(Vector4(repeating: a2[p]), b0) }
                if count > 3 { c3 = c3.addingProduct(Vector4(repeating: a3[p]), b0) }
                if count > 4 { c4 = c4.addingProduct(Vector4(repeating: a4[p]), b0) }
                if count > 5 { c5 = c5.addingProduct(Vector4(repeating: a5[p]), b0) }
                row += columns
            }
            let out = c + j
            out.storeRows(c0, c1, c2, c3, c4, c5, rows: count, stride: columns, adding: !overwrite)
            j += 4
        }
        while j < columns {
            for k in 0..<count {
                let aRow = a + k * depth
                var total = 0.0
                for p in 0..<depth { total = total.addingProduct(aRow[p], b[p * columns + j]) }
                c[k * columns + j] = overwrite ? total : c[k * columns + j] + total
            }
            j += 1
        }
    }
}
