extension DoubleProducts {
    /// `t = sᵀ`: `s` is `rows × columns`, `t` is `columns × rows`, in
    /// blocks of 4 × 4 (four loads of four, four stores of four), then the
    /// edges one by one.
    ///
    /// `Gumbo`'s `∂A = ∂C Bᵀ` on AVX2 and AVX-512 transposes `B` with this
    /// and runs the forward tiles of ``multiply(_:_:into:rows:depth:columns:overwrite:)``
    /// (or `GumboAVX512`'s): at W5's sizes the copy (about 8 % of the
    /// product's time) buys more than it costs, the dot-product tiles it
    /// replaced (2 rows of `a` × 4 rows of `b`, six loads per eight
    /// multiply-adds, each result summed across lanes at the end) taking
    /// 1.2–1.25 times as long, copy included (standalone, `100 × 128 · 128 ×
    /// 64` and `100 × 64 · 64 × 128`).
    public static func transpose(_ s: Pointer, rows: Int, columns: Int, into t: Pointer) {
        let tiledRows = rows & ~3, tiledColumns = columns & ~3
        var r = 0
        while r < tiledRows {
            let s0 = s + r * columns, s1 = s0 + columns, s2 = s1 + columns, s3 = s2 + columns
            var j = 0
            while j < tiledColumns {
                let x0 = s0.vector(at: j), x1 = s1.vector(at: j), x2 = s2.vector(at: j), x3 = s3.vector(at: j)
                let out = t + j * rows + r
                out.setVector(Vector4(x0[0], x1[0], x2[0], x3[0]), at: 0)
                out.setVector(Vector4(x0[1], x1[1], x2[1], x3[1]), at: rows)
                out.setVector(Vector4(x0[2], x1[2], x2[2], x3[2]), at: 2 * rows)
                out.setVector(Vector4(x0[3], x1[3], x2[3], x3[3]), at: 3 * rows)
                j += 4
            }
            r += 4
        }
        for r in 0..<rows {
            for j in (r < tiledRows ? tiledColumns : 0)..<columns { t[j * rows + r] = s[r * columns + j] }
        }
    }
}
