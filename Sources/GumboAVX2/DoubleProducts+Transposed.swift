extension DoubleProducts {
    /// `c = a bᵀ` (or `c += a bᵀ` unless `overwrite`): `a` is `rows × depth`,
    /// `b` is `columns × depth`; each result is a dot product of two rows.
    ///
    /// Tiles of 2 rows of `a` × 4 rows of `b`: eight accumulators of four
    /// partial sums each, six loads per eight fused multiply-adds, summed
    /// across lanes once per result. (Three rows, twelve accumulators, ran
    /// out of registers and took 1.6 times as long; a transposed copy of
    /// `b` through ``multiply(_:_:into:rows:depth:columns:)`` was about as
    /// fast and needs scratch memory.)
    public static func multiplyTransposed(_ a: Pointer, _ b: Pointer, into c: Pointer,
                                          rows: Int, depth: Int, columns: Int, overwrite: Bool) {
        var r = 0
        while r + 2 <= rows {
            dotRows(2, a + r * depth, b, into: c + r * columns, depth: depth, columns: columns, overwrite: overwrite)
            r += 2
        }
        if r < rows {
            dotRows(1, a + r * depth, b, into: c + r * columns, depth: depth, columns: columns, overwrite: overwrite)
        }
    }

    /// `count` rows (1 or 2) of `c (+)= a bᵀ`, four columns at a time, then
    /// single columns.
    @inline(__always)
    static func dotRows(_ count: Int, _ a: Pointer, _ b: Pointer, into c: Pointer,
                        depth: Int, columns: Int, overwrite: Bool) {
        let a0 = a, a1 = a + min(1, count - 1) * depth
        let tiledDepth = depth & ~3
        var j = 0
        while j + 4 <= columns {
            let b0 = b + j * depth, b1 = b0 + depth, b2 = b1 + depth, b3 = b2 + depth
            var s00 = Vector4(), s01 = Vector4(), s02 = Vector4(), s03 = Vector4()
            var s10 = Vector4(), s11 = Vector4(), s12 = Vector4(), s13 = Vector4()
            var p = 0
            while p < tiledDepth {
                let x0 = a0.vector(at: p), x1 = count > 1 ? a1.vector(at: p) : Vector4()
                var y = b0.vector(at: p)
                s00 = s00.addingProduct(x0, y)
                if count > 1 { s10 = s10.addingProduct(x1, y) }
                y = b1.vector(at: p)
                s01 = s01.addingProduct(x0, y)
                if count > 1 { s11 = s11.addingProduct(x1, y) }
                y = b2.vector(at: p)
                s02 = s02.addingProduct(x0, y)
                if count > 1 { s12 = s12.addingProduct(x1, y) }
                y = b3.vector(at: p)
                s03 = s03.addingProduct(x0, y)
                if count > 1 { s13 = s13.addingProduct(x1, y) }
                p += 4
            }
            storeDots(Vector4(s00.sum(), s01.sum(), s02.sum(), s03.sum()), a0, b0, from: tiledDepth,
                      depth: depth, into: c + j, overwrite: overwrite)
            if count > 1 {
                storeDots(Vector4(s10.sum(), s11.sum(), s12.sum(), s13.sum()), a1, b0, from: tiledDepth,
                          depth: depth, into: c + columns + j, overwrite: overwrite)
            }
            j += 4
        }
        while j < columns {
            let bRow = b + j * depth
            for k in 0..<count {
                let aRow = a + k * depth
                var total = 0.0
                for p in 0..<depth { total = total.addingProduct(aRow[p], bRow[p]) }
                let out = c + k * columns + j
                out.pointee = overwrite ? total : out.pointee + total
            }
            j += 1
        }
    }

    /// Adds the depth tail `p ∈ [from, depth)` of four dot products (`row`
    /// with the four rows of `b` from `b0`) to `totals`, then stores them
    /// at `out` or adds them to it.
    @inline(__always)
    static func storeDots(_ totals: Vector4, _ row: Pointer, _ b0: Pointer, from: Int, depth: Int,
                          into out: Pointer, overwrite: Bool) {
        var t = totals
        for p in from..<depth {
            let y = Vector4(b0[p], b0[depth + p], b0[2 * depth + p], b0[3 * depth + p])
            t = t.addingProduct(Vector4(repeating: row[p]), y)
        }
        out.setVector(overwrite ? t : out.vector(at: 0) + t, at: 0)
    }
}
