extension WideDoubleProducts {
    /// `c = a bᵀ` (or `c += a bᵀ` unless `overwrite`): `a` is `rows × depth`,
    /// `b` is `columns × depth`; `b` transposed into `scratch` (`depth ×
    /// columns` doubles), then the tiles of
    /// ``multiply(_:_:into:rows:depth:columns:overwrite:)``.
    public static func multiplyTransposed(_ a: Pointer, _ b: Pointer, into c: Pointer, rows: Int, depth: Int,
                                          columns: Int, overwrite: Bool, scratch: Pointer) {
        transpose(b, rows: columns, columns: depth, into: scratch)
        multiply(a, scratch, into: c, rows: rows, depth: depth, columns: columns, overwrite: overwrite)
    }

    /// `t = sᵀ`: `s` is `rows × columns`, `t` is `columns × rows`, in
    /// blocks of 4 rows × 8 columns (four 512-bit loads, eight 256-bit
    /// stores), then the edges one by one.
    public static func transpose(_ s: Pointer, rows: Int, columns: Int, into t: Pointer) {
        let tiledRows = rows & ~3, tiledColumns = columns & ~7
        var r = 0
        while r < tiledRows {
            let s0 = s + r * columns, s1 = s0 + columns, s2 = s1 + columns, s3 = s2 + columns
            var j = 0
            while j < tiledColumns {
                let x0 = s0.wideVector(at: j), x1 = s1.wideVector(at: j)
                let x2 = s2.wideVector(at: j), x3 = s3.wideVector(at: j)
                var out = t + j * rows + r
                for lane in 0..<8 {
                    UnsafeMutableRawPointer(out).storeBytes(of: SIMD4(x0[lane], x1[lane], x2[lane], x3[lane]),
                                                            as: SIMD4<Double>.self)
                    out += rows
                }
                j += 8
            }
            r += 4
        }
        for r in 0..<rows {
            for j in (r < tiledRows ? tiledColumns : 0)..<columns { t[j * rows + r] = s[r * columns + j] }
        }
    }
}
