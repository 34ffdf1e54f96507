#if arch(x86_64) && canImport(_Builtin_intrinsics)
import _Builtin_intrinsics.intel
#endif

/// Matrix products with their multiply-adds in `Float`, for processors with
/// AVX2 and fused multiply-add: the inner loops of `Gumbo`'s
/// single-precision products (`MatrixPrecision.single`), which round the
/// operands into row-major `Float` copies and call these. Same
/// conditions as ``DoubleProducts``: call only after checking the processor.
///
/// Results are stored as, or added to, `Double`s. Each is a sum from zero
/// in the naive loop's order, one fused multiply-add in `Float` per term.
public enum SingleProducts {
    public typealias Pointer = UnsafeMutablePointer<Double>
    typealias Lanes = SIMD8<Float>

    /// Rows of a register tile.
    static let tileRows = 6

    /// `c (=|+=) L r`: `L` is `rows × depth` `Float`s whose entry `(i, k)` is
    /// at float offset `i · rowStride + k · depthStride` of `left` (so `A`,
    /// `∂C` and `Aᵀ` are read from one row-major copy each, without
    /// packing); `r` is `depth × columns` `Float`s, row-major; `c` is
    /// `rows × columns` doubles, row-major.
    ///
    /// Tiles of 6 rows × 16 columns: per depth step two loads of `r`, six
    /// broadcasting loads of `L` and twelve fused multiply-adds of eight
    /// lanes into twelve accumulators; then eight columns, then single
    /// columns. The last tile of fewer than six rows reads its first row in
    /// place of the missing ones and stores only its own.
    public static func multiply(_ left: UnsafeRawPointer, rowStride: Int, depthStride: Int, rows: Int,
                                _ right: UnsafeRawPointer, depth: Int, columns: Int, into c: Pointer,
                                adding: Bool) {
        let step = rowStride &* MemoryLayout<Float>.stride
        var r = 0
        while r < rows {
            let count = min(tileRows, rows - r)
            // Rows past the last read the first in their place.
            let first = left + r &* step
            let x: Rows = (first, first + (count > 1 ? step : 0), first + (count > 2 ? 2 &* step : 0),
                           first + (count > 3 ? 3 &* step : 0), first + (count > 4 ? 4 &* step : 0),
                           first + (count > 5 ? 5 &* step : 0))
            multiplyTile(x, depthStride: depthStride &* MemoryLayout<Float>.stride, right, depth: depth,
                         columns: columns, into: c + r &* columns, rows: count, adding: adding)
            r += tileRows
        }
    }

    typealias Rows = (UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer,
                      UnsafeRawPointer)

    /// The six-row tile of ``multiply(_:rowStride:depthStride:rows:_:depth:columns:into:adding:)``:
    /// row `i` of `L` starts at `x.i` and steps `depthStride` bytes per
    /// depth step; the first `rows` rows of the result are stored.
    @inline(__always)
    static func multiplyTile(_ x: Rows, depthStride: Int, _ right: UnsafeRawPointer, depth: Int, columns: Int,
                             into c: Pointer, rows: Int, adding: Bool) {
        let rowBytes = columns &* MemoryLayout<Float>.stride
        @inline(__always) func entry(_ p: UnsafeRawPointer, _ k: Int) -> Lanes {
            Lanes(repeating: p.load(fromByteOffset: k, as: Float.self))
        }
        var j = 0
        while j + 16 <= columns {
            var c00 = Lanes(), c01 = Lanes(), c10 = Lanes(), c11 = Lanes(), c20 = Lanes(), c21 = Lanes()
            var c30 = Lanes(), c31 = Lanes(), c40 = Lanes(), c41 = Lanes(), c50 = Lanes(), c51 = Lanes()
            var b = right + j &* MemoryLayout<Float>.stride, k = 0
            for _ in 0..<depth {
                let b0 = b.loadUnaligned(as: Lanes.self), b1 = b.loadUnaligned(fromByteOffset: 32, as: Lanes.self)
                var e = entry(x.0, k)
                c00 = c00.addingProduct(e, b0); c01 = c01.addingProduct(e, b1)
                e = entry(x.1, k); c10 = c10.addingProduct(e, b0); c11 = c11.addingProduct(e, b1)
                e = entry(x.2, k); c20 = c20.addingProduct(e, b0); c21 = c21.addingProduct(e, b1)
                e = entry(x.3, k); c30 = c30.addingProduct(e, b0); c31 = c31.addingProduct(e, b1)
                e = entry(x.4, k); c40 = c40.addingProduct(e, b0); c41 = c41.addingProduct(e, b1)
                e = entry(x.5, k); c50 = c50.addingProduct(e, b0); c51 = c51.addingProduct(e, b1)
                k &+= depthStride
                b += rowBytes
            }
            let out = c + j
            out.storeLaneRows(c00, c10, c20, c30, c40, c50, rows: rows, stride: columns, adding: adding)
            (out + 8).storeLaneRows(c01, c11, c21, c31, c41, c51, rows: rows, stride: columns, adding: adding)
            j += 16
        }
        if j + 8 <= columns {
            var c0 = Lanes(), c1 = Lanes(), c2 = Lanes(), c3 = Lanes(), c4 = Lanes(), c5 = Lanes()
            var b = right + j &* MemoryLayout<Float>.stride, k = 0
            for _ in 0..<depth {
                let b0 = b.loadUnaligned(as: Lanes.self)
                c0 = c0.addingProduct(entry(x.0, k), b0)
                c1 = c1.addingProduct(entry(x.1, k), b0)
                c2 = c2.addingProduct(entry(x.2, k), b0)
                c3 = c3.addingProduct(entry(x.3, k), b0)
                c4 = c4.addingProduct(entry(x.4, k), b0)
                c5 = c5.addingProduct(entry(x.5, k), b0)
                k &+= depthStride
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
                    let e = row(x, i).load(fromByteOffset: k &* depthStride, as: Float.self)
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

    /// Row `i` of a tile.
    @inline(__always)
    static func row(_ x: Rows, _ i: Int) -> UnsafeRawPointer {
        switch i {
        case 0: x.0
        case 1: x.1
        case 2: x.2
        case 3: x.3
        case 4: x.4
        default: x.5
        }
    }

    // MARK: Rounded copies

    /// Rounds `count` doubles from `source` to `Float`s at `target`, four
    /// at a time (one `vcvtpd2ps` each).
    public static func round(_ source: UnsafePointer<Double>, count: Int, into target: UnsafeMutableRawPointer) {
        var k = 0
        while k + 8 <= count {
            let low = SIMD4<Float>(UnsafeRawPointer(source + k).loadUnaligned(as: SIMD4<Double>.self))
            let high = SIMD4<Float>(UnsafeRawPointer(source + k + 4).loadUnaligned(as: SIMD4<Double>.self))
            target.storeBytes(of: Lanes(lowHalf: low, highHalf: high), toByteOffset: k &* 4, as: Lanes.self)
            k += 8
        }
        while k < count {
            target.storeBytes(of: Float(source[k]), toByteOffset: k &* 4, as: Float.self)
            k += 1
        }
    }

    /// Rounds `source`, `rows × columns` doubles, to `Float`s at `target`
    /// transposed (`columns × rows`): blocks of 4 × 4, each four converted
    /// rows transposed by unpacks in registers.
    public static func roundTransposed(_ source: UnsafePointer<Double>, rows: Int, columns: Int,
                                       into target: UnsafeMutableRawPointer) {
        typealias Quad = SIMD4<Float>
        @inline(__always) func row(_ r: Int, _ j: Int) -> Quad {
            Quad(UnsafeRawPointer(source + (r &* columns &+ j)).loadUnaligned(as: SIMD4<Double>.self))
        }
        @inline(__always) func store(_ x: Quad, column j: Int, row r: Int) {
            target.storeBytes(of: x, toByteOffset: (j &* rows &+ r) &* 4, as: Quad.self)
        }
        var r = 0
        while r + 4 <= rows {
            var j = 0
            #if arch(x86_64) && canImport(_Builtin_intrinsics)
            while j + 4 <= columns {
                let a = row(r, j), b = row(r + 1, j), c = row(r + 2, j), d = row(r + 3, j)
                let ab01 = _mm_unpacklo_ps(a, b), cd01 = _mm_unpacklo_ps(c, d)   // a0 b0 a1 b1, c0 d0 c1 d1
                let ab23 = _mm_unpackhi_ps(a, b), cd23 = _mm_unpackhi_ps(c, d)
                store(_mm_movelh_ps(ab01, cd01), column: j, row: r)
                store(_mm_movehl_ps(cd01, ab01), column: j + 1, row: r)
                store(_mm_movelh_ps(ab23, cd23), column: j + 2, row: r)
                store(_mm_movehl_ps(cd23, ab23), column: j + 3, row: r)
                j += 4
            }
            #endif
            while j < columns {
                let at = source + (r &* columns &+ j)
                let x0 = Float(at[0]), x1 = Float(at[columns])
                let x2 = Float(at[2 &* columns]), x3 = Float(at[3 &* columns])
                store(Quad(x0, x1, x2, x3), column: j, row: r)
                j += 1
            }
            r += 4
        }
        while r < rows {
            for j in 0..<columns {
                target.storeBytes(of: Float(source[r &* columns &+ j]), toByteOffset: (j &* rows &+ r) &* 4, as: Float.self)
            }
            r += 1
        }
    }
}
