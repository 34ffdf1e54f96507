extension DoubleProducts {
    /// `out (=|+=) Σ_k weights[index[k] · stride] · source[index[k], ·]` over
    /// `count` selected rows of `source` (`columns` wide), summed in the
    /// order of `index` from zero by fused multiply-adds, then stored or
    /// added: the sparse-row loop `Gumbo`'s products take when their left
    /// operand is mostly zeros (`index` lists its nonzeros). Sixteen
    /// columns at a time in four accumulators, then four, then one.
    public static func accumulateSelectedRows(_ weights: Pointer, _ index: UnsafeMutablePointer<Int>, count: Int,
                                              stride: Int, _ source: Pointer, into out: Pointer,
                                              columns: Int, overwrite: Bool) {
        var j = 0
        while j + 16 <= columns {
            var s0 = Vector4(), s1 = Vector4(), s2 = Vector4(), s3 = Vector4()
            for k in 0..<count {
                let row = index[k]
                let x = Vector4(repeating: weights[row * stride])
                let from = source + row * columns + j
                s0 = s0.addingProduct(x, from.vector(at: 0))
                s1 = s1.addingProduct(x, from.vector(at: 4))
                s2 = s2.addingProduct(x, from.vector(at: 8))
                s3 = s3.addingProduct(x, from.vector(at: 12))
            }
            if overwrite {
                out.setVector(s0, at: j); out.setVector(s1, at: j + 4)
                out.setVector(s2, at: j + 8); out.setVector(s3, at: j + 12)
            } else {
                out.add(s0, at: j); out.add(s1, at: j + 4)
                out.add(s2, at: j + 8); out.add(s3, at: j + 12)
            }
            j += 16
        }
        while j + 4 <= columns {
            var s = Vector4()
            for k in 0..<count {
                let row = index[k]
                s = s.addingProduct(Vector4(repeating: weights[row * stride]), source.vector(at: row * columns + j))
            }
            if overwrite { out.setVector(s, at: j) } else { out.add(s, at: j) }
            j += 4
        }
        while j < columns {
            var total = 0.0
            for k in 0..<count {
                let row = index[k]
                total = total.addingProduct(weights[row * stride], source[row * columns + j])
            }
            out[j] = overwrite ? total : out[j] + total
            j += 1
        }
    }
}
