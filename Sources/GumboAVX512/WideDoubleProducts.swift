/// The dense matrix products of `GumboAVX2`'s `DoubleProducts`,
///
///     C = A B,   ∂A = ∂C Bᵀ,   ∂B += Aᵀ ∂C
///
/// (`∂A` as ``multiply(_:_:into:rows:depth:columns:overwrite:)`` over the
/// transposed copy of `B` that `Gumbo` makes with `GumboAVX2`), for
/// processors with AVX-512 (x86-64 since Intel's Skylake-SP, 2017, and
/// AMD's Zen 4, 2022): register tiles of 8 rows × 16 columns, sixteen
/// 512-bit accumulators of the thirty-two registers. Per step along the
/// sum, two loads of a row of the right operand and eight broadcasts feed
/// sixteen fused multiply-adds, against two loads and six broadcasts per
/// twelve 256-bit multiply-adds in `DoubleProducts`' 6 × 8 tiles: half the
/// instructions and a third fewer loads per term, which is what a core
/// that runs a 512-bit multiply-add as two 256-bit halves (Zen 4) gains.
///
/// **Only call these after checking the processor.** This module is
/// compiled for Skylake-SP (the package manifest gives it `-target-cpu
/// skylake-avx512`); `Gumbo` checks once, in baseline code, that the
/// processor has every feature that lets the compiler use
/// (`InstructionSet`), and calls nothing here otherwise. Only non-generic
/// functions over pointers, as in `GumboAVX2`.
///
/// Each result is summed exactly as in `DoubleProducts`: from zero, in the
/// naive loop's order, one fused multiply-add per term, then stored or
/// added once. The tiles differ, the sums do not, so the two modules'
/// results are the same bit for bit.
public enum WideDoubleProducts {
    public typealias Pointer = UnsafeMutablePointer<Double>

    /// `c = a b` (or `c += a b` unless `overwrite`): `a` is `rows × depth`,
    /// `b` is `depth × columns`, all row-major. Tiles of 8 rows, then 4,
    /// then single rows.
    public static func multiply(_ a: Pointer, _ b: Pointer, into c: Pointer, rows: Int, depth: Int, columns: Int,
                                overwrite: Bool = true) {
        var r = 0
        while r + 8 <= rows {
            multiplyRows(8, a + r * depth, b, into: c + r * columns, depth: depth, columns: columns,
                         overwrite: overwrite)
            r += 8
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

    /// `count` rows (1 … 8, a constant once inlined, so the tests on it
    /// fold away with the accumulators they guard) of `c (+)= a b`: tiles
    /// of sixteen columns, then eight, then single columns.
    @inline(__always)
    static func multiplyRows(_ count: Int, _ a: Pointer, _ b: Pointer, into c: Pointer, depth: Int, columns: Int,
                             overwrite: Bool) {
        let a0 = a, a1 = a + min(1, count - 1) * depth, a2 = a + min(2, count - 1) * depth
        let a3 = a + min(3, count - 1) * depth, a4 = a + min(4, count - 1) * depth
        let a5 = a + min(5, count - 1) * depth, a6 = a + min(6, count - 1) * depth
        let a7 = a + min(7, count - 1) * depth
        var j = 0
        while j + 16 <= columns {
            var c00 = Vector8(), c01 = Vector8(), c10 = Vector8(), c11 = Vector8()
            var c20 = Vector8(), c21 = Vector8(), c30 = Vector8(), c31 = Vector8()
            var c40 = Vector8(), c41 = Vector8(), c50 = Vector8(), c51 = Vector8()
            var c60 = Vector8(), c61 = Vector8(), c70 = Vector8(), c71 = Vector8()
            var row = b + j
            for p in 0..<depth {
                let b0 = row.wideVector(at: 0), b1 = row.wideVector(at: 8)
                var x = Vector8(repeating: a0[p])
                c00 = c00.addingProduct(x, b0); c01 = c01.addingProduct(x, b1)
                if count > 1 { x = Vector8(repeating: a1[p]); c10 = c10.addingProduct(x, b0); c11 = c11.addingProduct(x, b1) }
                if count > 2 { x = Vector8(repeating: a2[p]); c20 = c20.addingProduct(x, b0); c21 = c21.addingProduct(x, b1) }
                if count > 3 { x = Vector8(repeating: a3[p]); c30 = c30.addingProduct(x, b0); c31 = c31.addingProduct(x, b1) }
                if count > 4 { x = Vector8(repeating: a4[p]); c40 = c40.addingProduct(x, b0); c41 = c41.addingProduct(x, b1) }
                if count > 5 { x = Vector8(repeating: a5[p]); c50 = c50.addingProduct(x, b0); c51 = c51.addingProduct(x, b1) }
                if count > 6 { x = Vector8(repeating: a6[p]); c60 = c60.addingProduct(x, b0); c61 = c61.addingProduct(x, b1) }
                if count > 7 { x = Vector8(repeating: a7[p]); c70 = c70.addingProduct(x, b0); c71 = c71.addingProduct(x, b1) }
                row += columns
            }
            let out = c + j
            out.storeWideRows(c00, c10, c20, c30, c40, c50, c60, c70, rows: count, stride: columns, adding: !overwrite)
            (out + 8).storeWideRows(c01, c11, c21, c31, c41, c51, c61, c71, rows: count, stride: columns,
                                    adding: !overwrite)
            j += 16
        }
        if j + 8 <= columns {
            var c0 = Vector8(), c1 = Vector8(), c2 = Vector8(), c3 = Vector8()
            var c4 = Vector8(), c5 = Vector8(), c6 = Vector8(), c7 = Vector8()
            var row = b + j
            for p in 0..<depth {
                let b0 = row.wideVector(at: 0)
                c0 = c0.addingProduct(Vector8(repeating: a0[p]), b0)
                if count > 1 { c1 = c1.addingProduct(Vector8(repeating: a1[p]), b0) }
                if count > 2 { c2 = c2.addingProduct(Vector8(repeating: a2[p]), b0) }
                if count > 3 { c3 = c3.addingProduct(Vector8(repeating: a3[p]), b0) }
                if count > 4 { c4 = c4.addingProduct(Vector8(repeating: a4[p]), b0) }
                if count > 5 { c5 = c5.addingProduct(Vector8(repeating: a5[p]), b0) }
                if count > 6 { c6 = c6.addingProduct(Vector8(repeating: a6[p]), b0) }
                if count > 7 { c7 = c7.addingProduct(Vector8(repeating: a7[p]), b0) }
                row += columns
            }
            (c + j).storeWideRows(c0, c1, c2, c3, c4, c5, c6, c7, rows: count, stride: columns, adding: !overwrite)
            j += 8
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
