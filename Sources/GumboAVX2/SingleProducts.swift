/// Matrix products with their multiply-adds in `Float`, for processors with
/// AVX2 and fused multiply-add: the inner loops of `Gumbo`'s
/// single-precision products (`MatrixPrecision.single`), which prepare the
/// operands (rounded copies and packed panels) and call these. Same
/// conditions as ``DoubleProducts``: call only after checking the processor.
///
/// Results are stored as, or added to, `Double`s. Each is a sum from zero
/// in the naive loop's order, one fused multiply-add in `Float` per term.
public enum SingleProducts {
    public typealias Pointer = UnsafeMutablePointer<Double>
    typealias Lanes = SIMD8<Float>

    /// Rows of a panel.
    public static let panelRows = 6

    /// `c (=|+=) P r`: `P` is a panel of `rows ≤ 6` rows and `depth`
    /// columns whose entry `(i, k)` is the `Float` at byte offset
    /// `16 · (6 k + i)` of `panel` (the baseline kernels' layout, which
    /// fills all four lanes of each 16 bytes); `r` is `depth × columns`
    /// `Float`s, row-major; `c` is `rows × columns` doubles, row-major.
    ///
    /// Tiles of 6 rows × 16 columns: per depth step two loads of `r`, six
    /// broadcasting loads from the panel and twelve fused multiply-adds of
    /// eight lanes into twelve accumulators; then eight columns, then single
    /// columns.
    public static func multiplyPanel(_ panel: UnsafeRawPointer, _ right: UnsafeRawPointer, depth: Int, columns: Int,
                                     into c: Pointer, rows: Int, adding: Bool) {
        let rowBytes = columns &* MemoryLayout<Float>.stride, stepBytes = 16 &* panelRows
        var j = 0
        while j + 16 <= columns {
            var c00 = Lanes(), c01 = Lanes(), c10 = Lanes(), c11 = Lanes(), c20 = Lanes(), c21 = Lanes()
            var c30 = Lanes(), c31 = Lanes(), c40 = Lanes(), c41 = Lanes(), c50 = Lanes(), c51 = Lanes()
            var x = panel, b = right + j &* MemoryLayout<Float>.stride
            for _ in 0..<depth {
                let b0 = b.loadUnaligned(as: Lanes.self), b1 = b.loadUnaligned(fromByteOffset: 32, as: Lanes.self)
                var e = entry(x, 0)
                c00 = c00.addingProduct(e, b0); c01 = c01.addingProduct(e, b1)
                e = entry(x, 1); c10 = c10.addingProduct(e, b0); c11 = c11.addingProduct(e, b1)
                e = entry(x, 2); c20 = c20.addingProduct(e, b0); c21 = c21.addingProduct(e, b1)
                e = entry(x, 3); c30 = c30.addingProduct(e, b0); c31 = c31.addingProduct(e, b1)
                e = entry(x, 4); c40 = c40.addingProduct(e, b0); c41 = c41.addingProduct(e, b1)
                e = entry(x, 5); c50 = c50.addingProduct(e, b0); c51 = c51.addingProduct(e, b1)
                x += stepBytes
                b += rowBytes
            }
            let out = c + j
            store(c00, out, adding: adding); store(c01, out + 8, adding: adding)
            if rows > 1 { store(c10, out + columns, adding: adding); store(c11, out + columns + 8, adding: adding) }
            if rows > 2 { store(c20, out + 2 &* columns, adding: adding); store(c21, out + 2 &* columns + 8, adding: adding) }
            if rows > 3 { store(c30, out + 3 &* columns, adding: adding); store(c31, out + 3 &* columns + 8, adding: adding) }
            if rows > 4 { store(c40, out + 4 &* columns, adding: adding); store(c41, out + 4 &* columns + 8, adding: adding) }
            if rows > 5 { store(c50, out + 5 &* columns, adding: adding); store(c51, out + 5 &* columns + 8, adding: adding) }
            j += 16
        }
        if j + 8 <= columns {
            var c0 = Lanes(), c1 = Lanes(), c2 = Lanes(), c3 = Lanes(), c4 = Lanes(), c5 = Lanes()
            var x = panel, b = right + j &* MemoryLayout<Float>.stride
            for _ in 0..<depth {
                let b0 = b.loadUnaligned(as: Lanes.self)
                c0 = c0.addingProduct(entry(x, 0), b0)
                c1 = c1.addingProduct(entry(x, 1), b0)
                c2 = c2.addingProduct(entry(x, 2), b0)
                c3 = c3.addingProduct(entry(x, 3), b0)
                c4 = c4.addingProduct(entry(x, 4), b0)
                c5 = c5.addingProduct(entry(x, 5), b0)
                x += stepBytes
                b += rowBytes
            }
            let out = c + j
            store(c0, out, adding: adding)
            if rows > 1 { store(c1, out + columns, adding: adding) }
            if rows > 2 { store(c2, out + 2 &* columns, adding: adding) }
            if rows > 3 { store(c3, out + 3 &* columns, adding: adding) }
            if rows > 4 { store(c4, out + 4 &* columns, adding: adding) }
            if rows > 5 { store(c5, out + 5 &* columns, adding: adding) }
            j += 8
        }
        while j < columns {
            for i in 0..<rows {
                var total: Float = 0
                for k in 0..<depth {
                    let e = panel.load(fromByteOffset: 16 &* (k &* panelRows &+ i), as: Float.self)
                    total = total.addingProduct(e, right.load(fromByteOffset: (k &* columns &+ j) &* 4, as: Float.self))
                }
                let target = c + (i &* columns &+ j)
                target.pointee = adding ? target.pointee + Double(total) : Double(total)
            }
            j += 1
        }
    }

    /// `out (=|+=) Σ_k weights[index[k] · stride] · source[index[k], ·]` over
    /// `count` selected rows of the `Float` rows at `source` (`columns`
    /// wide), each weight rounded to `Float`, summed in `Float` in the order
    /// of `index` from zero: the sparse-row loop of the single-precision
    /// products. Thirty-two columns at a time in four accumulators, then
    /// eight, then one.
    public static func accumulateSelectedRows(_ weights: Pointer, _ index: UnsafeMutablePointer<Int>, count: Int,
                                              stride: Int, _ source: UnsafeRawPointer, into out: Pointer,
                                              columns: Int, overwrite: Bool) {
        let floatSize = MemoryLayout<Float>.stride
        var j = 0
        while j + 32 <= columns {
            var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes()
            for k in 0..<count {
                let row = index[k]
                let x = Lanes(repeating: Float(weights[row * stride]))
                let from = source + (row * columns + j) &* floatSize
                s0 = s0.addingProduct(x, from.loadUnaligned(as: Lanes.self))
                s1 = s1.addingProduct(x, from.loadUnaligned(fromByteOffset: 32, as: Lanes.self))
                s2 = s2.addingProduct(x, from.loadUnaligned(fromByteOffset: 64, as: Lanes.self))
                s3 = s3.addingProduct(x, from.loadUnaligned(fromByteOffset: 96, as: Lanes.self))
            }
            store(s0, out + j, adding: !overwrite)
            store(s1, out + j + 8, adding: !overwrite)
            store(s2, out + j + 16, adding: !overwrite)
            store(s3, out + j + 24, adding: !overwrite)
            j += 32
        }
        while j + 8 <= columns {
            var s = Lanes()
            for k in 0..<count {
                let row = index[k]
                s = s.addingProduct(Lanes(repeating: Float(weights[row * stride])),
                                    (source + (row * columns + j) &* floatSize).loadUnaligned(as: Lanes.self))
            }
            store(s, out + j, adding: !overwrite)
            j += 8
        }
        while j < columns {
            var total: Float = 0
            for k in 0..<count {
                let row = index[k]
                total = total.addingProduct(Float(weights[row * stride]),
                                            source.load(fromByteOffset: (row * columns + j) &* floatSize, as: Float.self))
            }
            out[j] = overwrite ? Double(total) : out[j] + Double(total)
            j += 1
        }
    }

    /// Panel entry `i` of the depth step at `x`, in all eight lanes (one
    /// broadcasting load).
    @inline(__always)
    static func entry(_ x: UnsafeRawPointer, _ i: Int) -> Lanes {
        Lanes(repeating: x.load(fromByteOffset: i &* 16, as: Float.self))
    }

    /// Stores (or adds) eight `Float` lanes as `Double`s at `target`.
    @inline(__always)
    static func store(_ lanes: Lanes, _ target: Pointer, adding: Bool) {
        var low = Vector4(lanes.lowHalf), high = Vector4(lanes.highHalf)
        if adding {
            low += target.vector(at: 0)
            high += target.vector(at: 4)
        }
        target.setVector(low, at: 0)
        target.setVector(high, at: 4)
    }
}
