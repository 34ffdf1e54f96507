/// The sparse-row loop of the matrix products: a weighted sum of selected
/// rows of a matrix, the work of `C = A B` and `∂B += Aᵀ ∂C` when `A` is
/// mostly zeros (``MatMulKernels``; `index` lists `A`'s nonzeros).
///
///     out (=|+=) Σ_k weights[index[k] · stride] · source[index[k], ·]
///
/// summed in the order of `index` from zero, then stored or added.
///
/// This file is compiled twice: into `Gumbo` for the baseline instruction
/// set, where `fused` is `false` (a multiply and an add per term), and into
/// `GumboAVX2` (the same file, linked into its folder) for Haswell, where
/// `fused` is `true` (one fused multiply-add, rounded once). `fused` is a
/// constant at every call, so each copy keeps one arithmetic.
enum SelectedRows {
    /// `out (=|+=) Σ_k …` over `Double` rows of `source` (`columns` wide),
    /// sixteen columns at a time in four accumulators, then four, then one.
    @inline(__always)
    static func accumulate(_ weights: UnsafeMutablePointer<Double>, _ index: UnsafeMutablePointer<Int>, count: Int,
                           stride: Int, _ source: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>,
                           columns: Int, overwrite: Bool, fused: Bool) {
        @inline(__always)
        func add(_ total: Vector4, _ x: Vector4, _ y: Vector4) -> Vector4 {
            fused ? total.addingProduct(x, y) : total + x * y
        }
        var j = 0
        while j + 16 <= columns {
            var s0 = Vector4(), s1 = Vector4(), s2 = Vector4(), s3 = Vector4()
            for k in 0..<count {
                let row = index[k]
                let x = Vector4(repeating: weights[row * stride])
                let from = source + row * columns + j
                s0 = add(s0, x, from.vector(at: 0))
                s1 = add(s1, x, from.vector(at: 4))
                s2 = add(s2, x, from.vector(at: 8))
                s3 = add(s3, x, from.vector(at: 12))
            }
            if !overwrite {
                s0 += out.vector(at: j)
                s1 += out.vector(at: j + 4)
                s2 += out.vector(at: j + 8)
                s3 += out.vector(at: j + 12)
            }
            out.setVector(s0, at: j)
            out.setVector(s1, at: j + 4)
            out.setVector(s2, at: j + 8)
            out.setVector(s3, at: j + 12)
            j += 16
        }
        while j + 4 <= columns {
            var s = Vector4()
            for k in 0..<count {
                let row = index[k]
                s = add(s, Vector4(repeating: weights[row * stride]), source.vector(at: row * columns + j))
            }
            out.setVector(overwrite ? s : out.vector(at: j) + s, at: j)
            j += 4
        }
        while j < columns {
            var total = 0.0
            for k in 0..<count {
                let row = index[k]
                total = fused ? total.addingProduct(weights[row * stride], source[row * columns + j])
                              : total + weights[row * stride] * source[row * columns + j]
            }
            out[j] = overwrite ? total : out[j] + total
            j += 1
        }
    }

    /// `out (=|+=) Σ_k …` over the `Float` rows at `source` (`columns` wide),
    /// each weight rounded to `Float` and the sums in `Float`, thirty-two
    /// columns at a time in four accumulators, then eight, then one; each
    /// result converted to `Double` as it is stored or added.
    @inline(__always)
    static func accumulateSingle(_ weights: UnsafeMutablePointer<Double>, _ index: UnsafeMutablePointer<Int>,
                                 count: Int, stride: Int, _ source: UnsafeRawPointer,
                                 into out: UnsafeMutablePointer<Double>, columns: Int, overwrite: Bool, fused: Bool) {
        typealias Lanes = SIMD8<Float>
        @inline(__always)
        func add(_ total: Lanes, _ x: Lanes, _ y: Lanes) -> Lanes {
            fused ? total.addingProduct(x, y) : total + x * y
        }
        @inline(__always)
        func lanes(_ row: Int, _ column: Int) -> Lanes {
            source.loadUnaligned(fromByteOffset: (row * columns + column) &* MemoryLayout<Float>.stride, as: Lanes.self)
        }
        var j = 0
        while j + 32 <= columns {
            var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes()
            for k in 0..<count {
                let row = index[k]
                let x = Lanes(repeating: Float(weights[row * stride]))
                s0 = add(s0, x, lanes(row, j))
                s1 = add(s1, x, lanes(row, j + 8))
                s2 = add(s2, x, lanes(row, j + 16))
                s3 = add(s3, x, lanes(row, j + 24))
            }
            (out + j).storeLanes(s0, adding: !overwrite)
            (out + j + 8).storeLanes(s1, adding: !overwrite)
            (out + j + 16).storeLanes(s2, adding: !overwrite)
            (out + j + 24).storeLanes(s3, adding: !overwrite)
            j += 32
        }
        while j + 8 <= columns {
            var s = Lanes()
            for k in 0..<count {
                let row = index[k]
                s = add(s, Lanes(repeating: Float(weights[row * stride])), lanes(row, j))
            }
            (out + j).storeLanes(s, adding: !overwrite)
            j += 8
        }
        while j < columns {
            var total: Float = 0
            for k in 0..<count {
                let row = index[k]
                let x = Float(weights[row * stride])
                let y = source.load(fromByteOffset: (row * columns + j) &* MemoryLayout<Float>.stride, as: Float.self)
                total = fused ? total.addingProduct(x, y) : total + x * y
            }
            out[j] = overwrite ? Double(total) : out[j] + Double(total)
            j += 1
        }
    }
}
