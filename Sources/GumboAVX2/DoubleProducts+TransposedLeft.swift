extension DoubleProducts {
    /// `c += aᵀ g`: `a` is `rows × depth`, `g` is `rows × columns`, `c` is
    /// `depth × columns`. Register tiles of 6 rows of `c` × 8 columns, as in
    /// ``multiply(_:_:into:rows:depth:columns:)`` with `aᵀ`'s rows read down
    /// `a`'s columns; each result is summed from zero over `a`'s rows in
    /// order and added to `c` once.
    public static func accumulateTransposedProduct(_ a: Pointer, _ g: Pointer, into c: Pointer,
                                                   rows: Int, depth: Int, columns: Int) {
        var p = 0
        while p + 6 <= depth {
            accumulateRows(6, a + p, g, into: c + p * columns, rows: rows, depth: depth, columns: columns)
            p += 6
        }
        if p + 4 <= depth {
            accumulateRows(4, a + p, g, into: c + p * columns, rows: rows, depth: depth, columns: columns)
            p += 4
        }
        if p + 2 <= depth {
            accumulateRows(2, a + p, g, into: c + p * columns, rows: rows, depth: depth, columns: columns)
            p += 2
        }
        if p < depth {
            accumulateRows(1, a + p, g, into: c + p * columns, rows: rows, depth: depth, columns: columns)
        }
    }

    /// `count` rows (1 … 6) of `c += aᵀ g`, for `a`'s columns from `a[0]`.
    @inline(__always)
    static func accumulateRows(_ count: Int, _ a: Pointer, _ g: Pointer, into c: Pointer,
                               rows: Int, depth: Int, columns: Int) {
        var j = 0
        while j + 8 <= columns {
            var c00 = Vector4(), c01 = Vector4(), c10 = Vector4(), c11 = Vector4()
            var c20 = Vector4(), c21 = Vector4(), c30 = Vector4(), c31 = Vector4()
            var c40 = Vector4(), c41 = Vector4(), c50 = Vector4(), c51 = Vector4()
            var aRow = a, gRow = g + j
            for _ in 0..<rows {
                let g0 = gRow.vector(at: 0), g1 = gRow.vector(at: 4)
                var x = Vector4(repeating: aRow[0])
                c00 = c00.addingProduct(x, g0); c01 = c01.addingProduct(x, g1)
                if count > 1 { x = Vector4(repeating: aRow[1]); c10 = c10.addingProduct(x, g0); c11 = c11.addingProduct(x, g1) }
                if count > 2 { x = Vector4(repeating: aRow[2]); c20 = c20.addingProduct(x, g0); c21 = c21.addingProduct(x, g1) }
                if count > 3 { x = Vector4(repeating: aRow[3]); c30 = c30.addingProduct(x, g0); c31 = c31.addingProduct(x, g1) }
                if count > 4 { x = Vector4(repeating: aRow[4]); c40 = c40.addingProduct(x, g0); c41 = c41.addingProduct(x, g1) }
                if count > 5 { x = Vector4(repeating: aRow[5]); c50 = c50.addingProduct(x, g0); c51 = c51.addingProduct(x, g1) }
                aRow += depth
                gRow += columns
            }
            let out = c + j
            out.storeRows(c00, c10, c20, c30, c40, c50, rows: count, stride: columns, adding: true)
            (out + 4).storeRows(c01, c11, c21, c31, c41, c51, rows: count, stride: columns, adding: true)
            j += 8
        }
        while j < columns {
            for k in 0..<count {
                var total = 0.0
                for r in 0..<rows { total = total.addingProduct(a[r * depth + k], g[r * columns + j]) }
                c[k * columns + j] += total
            }
            j += 1
        }
    }
}

extension DoubleProducts {
    /// `out (=|+=) Σ_k weights[index[k] · stride] · source[index[k], ·]` over
    /// `count` selected rows of `source` (`columns` wide), summed in the
    /// order of `index` from zero by fused multiply-adds, then stored or
    /// added: the sparse-row loop of `Gumbo`'s products when their left
    /// operand is mostly zeros (`index` lists its nonzeros).
    public static func accumulateSelectedRows(_ weights: Pointer, _ index: UnsafeMutablePointer<Int>, count: Int,
                                              stride: Int, _ source: Pointer, into out: Pointer,
                                              columns: Int, overwrite: Bool) {
        SelectedRows.accumulate(weights, index, count: count, stride: stride, source, into: out, columns: columns,
                                overwrite: overwrite, fused: true)
    }
}
