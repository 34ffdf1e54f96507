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
    static let panelRows = 6

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
            out.storeLaneRows(c00, c10, c20, c30, c40, c50, rows: rows, stride: columns, adding: adding)
            (out + 8).storeLaneRows(c01, c11, c21, c31, c41, c51, rows: rows, stride: columns, adding: adding)
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
            out.storeLaneRows(c0, c1, c2, c3, c4, c5, rows: rows, stride: columns, adding: adding)
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
    /// of `index` from zero by fused multiply-adds: the sparse-row loop of
    /// the single-precision products.
    public static func accumulateSelectedRows(_ weights: Pointer, _ index: UnsafeMutablePointer<Int>, count: Int,
                                              stride: Int, _ source: UnsafeRawPointer, into out: Pointer,
                                              columns: Int, overwrite: Bool) {
        SelectedRows.accumulateSingle(weights, index, count: count, stride: stride, source, into: out,
                                      columns: columns, overwrite: overwrite, fused: true)
    }

    /// Panel entry `i` of the depth step at `x`, in all eight lanes (one
    /// broadcasting load).
    @inline(__always)
    static func entry(_ x: UnsafeRawPointer, _ i: Int) -> Lanes {
        Lanes(repeating: x.load(fromByteOffset: i &* 16, as: Float.self))
    }
}
