extension WideDoubleProducts {
    /// `c += aᵀ g`: `a` is `rows × depth`, `g` is `rows × columns`, `c` is
    /// `depth × columns`. Tiles of 8 rows of `c` × 16 columns, `aᵀ`'s rows
    /// read down `a`'s columns; each result is summed from zero over `a`'s
    /// rows in order and added to `c` once.
    public static func accumulateTransposedProduct(_ a: Pointer, _ g: Pointer, into c: Pointer,
                                                   rows: Int, depth: Int, columns: Int) {
        var p = 0
        while p + 8 <= depth {
            accumulateRows(8, a + p, g, into: c + p * columns, rows: rows, depth: depth, columns: columns)
            p += 8
        }
        if p + 4 <= depth {
            accumulateRows(4, a + p, g, into: c + p * columns, rows: rows, depth: depth, columns: columns)
            p += 4
        }
        while p < depth {
            accumulateRows(1, a + p, g, into: c + p * columns, rows: rows, depth: depth, columns: columns)
            p += 1
        }
    }

    /// `count` rows (1 … 8) of `c += aᵀ g`, for `a`'s columns from `a[0]`:
    /// tiles of sixteen columns, then eight, then single columns.
    @inline(__always)
    static func accumulateRows(_ count: Int, _ a: Pointer, _ g: Pointer, into c: Pointer,
                               rows: Int, depth: Int, columns: Int) {
        var j = 0
        while j + 16 <= columns {
            var c00 = Vector8(), c01 = Vector8(), c10 = Vector8(), c11 = Vector8()
            var c20 = Vector8(), c21 = Vector8(), c30 = Vector8(), c31 = Vector8()
            var c40 = Vector8(), c41 = Vector8(), c50 = Vector8(), c51 = Vector8()
            var c60 = Vector8(), c61 = Vector8(), c70 = Vector8(), c71 = Vector8()
            var aRow = a, gRow = g + j
            for _ in 0..<rows {
                let g0 = gRow.wideVector(at: 0), g1 = gRow.wideVector(at: 8)
                var x = Vector8(repeating: aRow[0])
                c00 = c00.addingProduct(x, g0); c01 = c01.addingProduct(x, g1)
                if count > 1 { x = Vector8(repeating: aRow[1]); c10 = c10.addingProduct(x, g0); c11 = c11.addingProduct(x, g1) }
                if count > 2 { x = Vector8(repeating: aRow[2]); c20 = c20.addingProduct(x, g0); c21 = c21.addingProduct(x, g1) }
                if count > 3 { x = Vector8(repeating: aRow[3]); c30 = c30.addingProduct(x, g0); c31 = c31.addingProduct(x, g1) }
                if count > 4 { x = Vector8(repeating: aRow[4]); c40 = c40.addingProduct(x, g0); c41 = c41.addingProduct(x, g1) }
                if count > 5 { x = Vector8(repeating: aRow[5]); c50 = c50.addingProduct(x, g0); c51 = c51.addingProduct(x, g1) }
                if count > 6 { x = Vector8(repeating: aRow[6]); c60 = c60.addingProduct(x, g0); c61 = c61.addingProduct(x, g1) }
                if count > 7 { x = Vector8(repeating: aRow[7]); c70 = c70.addingProduct(x, g0); c71 = c71.addingProduct(x, g1) }
                aRow += depth
                gRow += columns
            }
            let out = c + j
            out.storeWideRows(c00, c10, c20, c30, c40, c50, c60, c70, rows: count, stride: columns, adding: true)
            (out + 8).storeWideRows(c01, c11, c21, c31, c41, c51, c61, c71, rows: count, stride: columns,
                                    adding: true)
            j += 16
        }
        if j + 8 <= columns {
            var c0 = Vector8(), c1 = Vector8(), c2 = Vector8(), c3 = Vector8()
            var c4 = Vector8(), c5 = Vector8(), c6 = Vector8(), c7 = Vector8()
            var aRow = a, gRow = g + j
            for _ in 0..<rows {
                let g0 = gRow.wideVector(at: 0)
                c0 = c0.addingProduct(Vector8(repeating: aRow[0]), g0)
                if count > 1 { c1 = c1.addingProduct(Vector8(repeating: aRow[1]), g0) }
                if count > 2 { c2 = c2.addingProduct(Vector8(repeating: aRow[2]), g0) }
                if count > 3 { c3 = c3.addingProduct(Vector8(repeating: aRow[3]), g0) }
                if count > 4 { c4 = c4.addingProduct(Vector8(repeating: aRow[4]), g0) }
                if count > 5 { c5 = c5.addingProduct(Vector8(repeating: aRow[5]), g0) }
                if count > 6 { c6 = c6.addingProduct(Vector8(repeating: aRow[6]), g0) }
                if count > 7 { c7 = c7.addingProduct(Vector8(repeating: aRow[7]), g0) }
                aRow += depth
                gRow += columns
            }
            (c + j).storeWideRows(c0, c1, c2, c3, c4, c5, c6, c7, rows: count, stride: columns, adding: true)
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
