import GumboAVX2

/// ``Opcode/singlePrecisionMatmul``: the products of ``MatMulKernels`` with
/// their multiply-adds in `Float` (``MatrixPrecision/single``).
///
///     C = A B,   ∂A = ∂C Bᵀ,   ∂B += Aᵀ ∂C
///
/// The operands are rounded to `Float` and the sums run in `Float`, in
/// register tiles of 6 rows by 8 columns (six ``Lanes`` accumulators of
/// eight floats, twelve 128-bit registers; a ``Vector4`` holds four doubles
/// in the same space, so an instruction does twice the arithmetic). Each result is
/// converted back to `Double` as it is stored, or added for a gradient that
/// accumulates.
///
/// **Panels.** All three products are `L R` for a left operand `L` read six
/// rows at a time (`A`, `∂C`, or `Aᵀ`) and a right operand `R` in row-major
/// `Float` (`B`, `Bᵀ`, or `∂C`). Six rows of `L` are first packed into a
/// panel whose entry `k · 6 + i` is `L[i, k]` in all four lanes, so the
/// innermost loop loads each factor ready-made: per depth step two loads of
/// `R`, six of the panel, twelve multiplies and twelve adds, and no shuffle
/// (broadcasting in the loop cost six shuffles per step on the same
/// arithmetic units, and the instruction count bounded the loop). The panel
/// takes `96 · depth` bytes, stays in the first-level cache and serves every
/// column tile of its rows. `∂A` reads a transposed copy of `B` (a
/// dot-product loop would need a horizontal sum per result).
///
/// A sparse left operand is handled as in `Double`: its zeros are skipped,
/// its nonzeros rounded as they are read.
///
/// On a processor with AVX2 and FMA (``InstructionSet/avx2``) nothing is
/// packed: a broadcasting load costs no shuffle there, so `GumboAVX2`'s
/// `SingleProducts` reads `L` from a row-major `Float` copy (`A`'s, or
/// `∂C`'s; `Aᵀ` is `A`'s copy read by columns) with its strides, in 6 × 16
/// tiles of 256-bit accumulators, one rounding per multiply-add. The
/// copies are whole-matrix conversions, four doubles an instruction, where
/// the panels took a scalar conversion and a 16-byte store per entry of
/// `L` (about 14 % of W5's step with single-precision products).
///
/// The region at ``Instruction/auxiliary`` in the value arena holds the
/// panel (sized for the longest of the three depths) or, on AVX2, `A`'s
/// copy, then `∂C`'s copy (`rows × columns`), then `B`'s copy — one per
/// batch entry, or one for a `B` shared by the batch — which the backward
/// pass overwrites with `Bᵀ`. Nothing is carried from the forward pass to
/// the backward one. The sums run in the same order whatever the layout,
/// so results are reproducible.
///
/// Error bound: see ``MatrixPrecision``.
extension MatMulKernels {
    typealias Lanes = SIMD8<Float>
    typealias Quad = SIMD4<Float>

    /// Rows of the left operand per panel and register tile.
    static let panelRows = 6

    /// The floats at the start of the region: the panel (the three
    /// products' depths are `depth`, `columns` (∂A) and `rows` (∂B)), or,
    /// on AVX2, `A`'s rounded copy in its place.
    static func panelFloatCount(rows: Int, depth: Int, columns: Int) -> Int {
        max(panelRows * 4 * max(rows, depth, columns), rows * depth)
    }

    /// The doubles of value arena the copies and the panel take.
    static func singlePrecisionRegionCount(rows: Int, depth: Int, columns: Int, bCopies: Int) -> Int {
        let floats = panelFloatCount(rows: rows, depth: depth, columns: columns) + rows * columns + bCopies * depth * columns
        return (floats + 1) / 2
    }

    static func forwardSingle(_ i: Instruction, _ m: KernelMemory) {
        let (rows, depth, columns) = (i.outer, i.length, i.inner)
        let fused = InstructionSet.current.hasAVX2
        let panel = FloatStorage(m.values + i.auxiliary)
        let bCopies = panel + (panelFloatCount(rows: rows, depth: depth, columns: columns) + rows * columns)
        for batch in 0..<i.batch {
            let a = m.values + i.input0 + batch * i.batchStride0, b = m.values + i.input1 + batch * i.batchStride1
            let c = m.values + i.output + batch * rows * columns
            let bCopy = bCopies + (i.batchStride1 == 0 ? 0 : batch * depth * columns)
            if batch == 0 || i.batchStride1 != 0 { bCopy.assign(b, count: depth * columns) }
            if let positions = compressForward(i, m, a, batch: batch) {
                let entries = positions + rows + 1
                for r in 0..<rows {
                    let start = positions[r], end = positions[r + 1]
                    accumulateRowsSingle(a + r * depth, entries + start, count: end - start, stride: 1, bCopy,
                                         into: c + r * columns, columns: columns, overwrite: true, fused: fused)
                }
            } else if fused {
                let aCopy = panel
                aCopy.assign(a, count: rows * depth)
                SingleProducts.multiply(aCopy.base, rowStride: depth, depthStride: 1, rows: rows, bCopy.base,
                                        depth: depth, columns: columns, into: c, adding: false)
            } else {
                multiplySingle(a, rowStride: depth, depthStride: 1, rows: rows, panel: panel, bCopy,
                               depth: depth, columns: columns, into: c, adding: false)
            }
        }
    }

    static func backwardSingle(_ i: Instruction, _ m: KernelMemory) {
        let (rows, depth, columns) = (i.outer, i.length, i.inner)
        let fused = InstructionSet.current.hasAVX2
        let panel = FloatStorage(m.values + i.auxiliary)
        let gradientCopy = panel + panelFloatCount(rows: rows, depth: depth, columns: columns)
        let bCopies = gradientCopy + rows * columns
        for batch in 0..<i.batch {
            let a = m.values + i.input0 + batch * i.batchStride0
            let gc = m.gradients + i.outputGradient + batch * rows * columns
            if i.gradient1 >= 0 || fused { gradientCopy.assign(gc, count: rows * columns) }
            if i.gradient0 >= 0 {
                let transposed = bCopies + (i.batchStride1 == 0 ? 0 : batch * depth * columns)
                if batch == 0 || i.batchStride1 != 0 {
                    transposed.assignTransposed(m.values + i.input1 + batch * i.batchStride1, rows: depth, columns: columns)
                }
                let ga = m.gradients + i.gradient0 + batch * i.batchStride0
                let adding = !(i.overwrites(0) && (batch == 0 || i.batchStride0 != 0))
                if fused {
                    SingleProducts.multiply(gradientCopy.base, rowStride: columns, depthStride: 1, rows: rows,
                                            transposed.base, depth: columns, columns: depth, into: ga, adding: adding)
                } else {
                    multiplySingle(gc, rowStride: columns, depthStride: 1, rows: rows, panel: panel, transposed,
                                   depth: columns, columns: depth, into: ga, adding: adding)
                }
            }
            if i.gradient1 >= 0 {
                let gb = m.gradients + i.gradient1 + batch * i.batchStride1
                if let positions = compressBackward(i, m, a, batch: batch) {
                    let entries = positions + depth + 1
                    for p in 0..<depth {
                        let start = positions[p], end = positions[p + 1]
                        guard start < end else { continue }
                        accumulateRowsSingle(a + p, entries + start, count: end - start, stride: depth, gradientCopy,
                                             into: gb + p * columns, columns: columns, overwrite: false, fused: fused)
                    }
                } else if fused {
                    // Aᵀ's rows are A's columns: six adjacent floats per depth step.
                    let aCopy = panel
                    aCopy.assign(a, count: rows * depth)
                    SingleProducts.multiply(aCopy.base, rowStride: 1, depthStride: depth, rows: depth,
                                            gradientCopy.base, depth: rows, columns: columns, into: gb, adding: true)
                } else {
                    // Aᵀ's rows are A's columns: six adjacent columns per panel.
                    multiplySingle(a, rowStride: 1, depthStride: depth, rows: depth, panel: panel, gradientCopy,
                                   depth: rows, columns: columns, into: gb, adding: true)
                }
            }
        }
    }

    // MARK: Panels and tiles

    /// `c (=|+=) L r` on the baseline: `L` is `rows × depth`, its entry
    /// `(i, k)` at `left[i · rowStride + k · depthStride]`; `r` is `depth ×
    /// columns` in `Float`, row-major; `c` is `rows × columns`, row-major.
    /// Six rows of `L` at a time are packed into `panel`, then multiplied.
    @inline(__always)
    static func multiplySingle(_ left: Pointer, rowStride: Int, depthStride: Int, rows: Int, panel: FloatStorage,
                               _ right: FloatStorage, depth: Int, columns: Int, into c: Pointer, adding: Bool) {
        var r = 0
        while r < rows {
            let count = min(panelRows, rows - r)
            packPanel(left + r * rowStride, rowStride: rowStride, depthStride: depthStride, rows: count, depth: depth,
                      into: panel)
            multiplyPanel(panel, right, depth: depth, columns: columns, into: c + r * columns, rows: count,
                          adding: adding)
            r += panelRows
        }
    }

    /// Writes `L[i, k]`, rounded, in all four lanes of entry `k · 6 + i` of
    /// `panel`, for `i < rows` (at most six); the entries of missing rows
    /// are zero.
    @inline(__always)
    static func packPanel(_ left: Pointer, rowStride: Int, depthStride: Int, rows: Int, depth: Int,
                          into panel: FloatStorage) {
        var out = panel.base, column = left
        if rows == panelRows {
            for _ in 0..<depth {
                for i in 0..<panelRows {
                    out.storeBytes(of: Quad(repeating: Float(column[i &* rowStride])), toByteOffset: i &* 16, as: Quad.self)
                }
                out += 16 &* panelRows
                column += depthStride
            }
        } else {
            for _ in 0..<depth {
                for i in 0..<panelRows {
                    let x: Float = i < rows ? Float(column[i &* rowStride]) : 0
                    out.storeBytes(of: Quad(repeating: x), toByteOffset: i &* 16, as: Quad.self)
                }
                out += 16 &* panelRows
                column += depthStride
            }
        }
    }

    /// `c (=|+=) P r` for a packed panel `P` (six rows × `depth`, of which
    /// the first `rows` are stored): eight columns at a time in twelve
    /// accumulators, then scalar column edges.
    @inline(__always)
    static func multiplyPanel(_ panel: FloatStorage, _ right: FloatStorage, depth: Int, columns: Int,
                              into c: Pointer, rows: Int, adding: Bool) {
        let tiledColumns = columns & ~7, rightRowBytes = columns &* MemoryLayout<Float>.stride
        var j = 0
        while j < tiledColumns {
            var c0 = Lanes(), c1 = Lanes(), c2 = Lanes(), c3 = Lanes(), c4 = Lanes(), c5 = Lanes()
            var x = UnsafeRawPointer(panel.base)
            var b = UnsafeRawPointer(right.base) + j &* MemoryLayout<Float>.stride
            for _ in 0..<depth {
                let row = b.loadUnaligned(as: Lanes.self)
                c0 += broadcast(x, 0) * row
                c1 += broadcast(x, 1) * row
                c2 += broadcast(x, 2) * row
                c3 += broadcast(x, 3) * row
                c4 += broadcast(x, 4) * row
                c5 += broadcast(x, 5) * row
                x += 16 &* panelRows
                b += rightRowBytes
            }
            let out = c + j
            out.storeLaneRows(c0, c1, c2, c3, c4, c5, rows: rows, stride: columns, adding: adding)
            j += 8
        }
        guard tiledColumns < columns else { return }
        for i in 0..<rows {
            for j in tiledColumns..<columns {
                var total: Float = 0
                for k in 0..<depth { total += panel[4 &* (k &* panelRows &+ i)] * right[k &* columns &+ j] }
                let target = c + (i &* columns &+ j)
                target.pointee = adding ? target.pointee + Double(total) : Double(total)
            }
        }
    }

    // MARK: Sparse left operand

    /// ``SelectedRows/accumulateSingle(_:_:count:stride:_:into:columns:overwrite:fused:)``,
    /// by `GumboAVX2`'s `SingleProducts` when `fused`.
    @inline(__always)
    static func accumulateRowsSingle(_ weights: Pointer, _ index: Positions, count: Int, stride: Int,
                                     _ source: FloatStorage, into out: Pointer, columns: Int, overwrite: Bool,
                                     fused: Bool) {
        if fused {
            SingleProducts.accumulateSelectedRows(weights, index, count: count, stride: stride, source.base,
                                                  into: out, columns: columns, overwrite: overwrite)
        } else {
            SelectedRows.accumulateSingle(weights, index, count: count, stride: stride, source.base, into: out,
                                          columns: columns, overwrite: overwrite, fused: false)
        }
    }

    /// Panel entry `i` of the depth step at `x`, in all eight lanes: both
    /// halves from the one stored quad (with 128-bit registers the same
    /// register twice; with 256-bit ones a single broadcasting load).
    @inline(__always)
    static func broadcast(_ x: UnsafeRawPointer, _ i: Int) -> Lanes {
        let quad = x.loadUnaligned(fromByteOffset: i &* 16, as: Quad.self)
        return Lanes(lowHalf: quad, highHalf: quad)
    }
}

/// `Float` storage inside the `Double` value arena, read and written
/// through raw pointers (loads and stores of a trivial type through a raw
/// pointer are valid whatever type the memory is bound to).
struct FloatStorage {
    let base: UnsafeMutableRawPointer

    init(_ doubles: UnsafeMutablePointer<Double>) { base = UnsafeMutableRawPointer(doubles) }
    private init(base: UnsafeMutableRawPointer) { self.base = base }

    @inline(__always)
    static func + (storage: FloatStorage, offset: Int) -> FloatStorage {
        FloatStorage(base: storage.base + offset &* MemoryLayout<Float>.stride)
    }

    @inline(__always)
    subscript(index: Int) -> Float {
        base.load(fromByteOffset: index &* MemoryLayout<Float>.stride, as: Float.self)
    }

    /// Rounds `source`, `rows × columns`, into this storage transposed
    /// (`columns × rows`), four rows of `source` at a time (by `GumboAVX2`
    /// on AVX2 machines: the same roundings).
    @inline(__always)
    func assignTransposed(_ source: UnsafeMutablePointer<Double>, rows: Int, columns: Int) {
        if InstructionSet.current.hasAVX2 {
            return SingleProducts.roundTransposed(source, rows: rows, columns: columns, into: base)
        }
        var r = 0
        while r + 4 <= rows {
            for j in 0..<columns {
                let lanes = SIMD4<Float>(Float(source[r * columns + j]), Float(source[(r + 1) * columns + j]),
                                         Float(source[(r + 2) * columns + j]), Float(source[(r + 3) * columns + j]))
                base.storeBytes(of: lanes, toByteOffset: (j * rows + r) &* MemoryLayout<Float>.stride, as: SIMD4<Float>.self)
            }
            r += 4
        }
        while r < rows {
            for j in 0..<columns {
                base.storeBytes(of: Float(source[r * columns + j]), toByteOffset: (j * rows + r) &* MemoryLayout<Float>.stride,
                                as: Float.self)
            }
            r += 1
        }
    }

    /// Rounds `count` doubles from `source` into this storage (by
    /// `GumboAVX2` on AVX2 machines: the same roundings).
    @inline(__always)
    func assign(_ source: UnsafeMutablePointer<Double>, count: Int) {
        if InstructionSet.current.hasAVX2 { return SingleProducts.round(source, count: count, into: base) }
        var k = 0
        while k + 8 <= count {
            let lanes = SIMD8<Float>(lowHalf: SIMD4<Float>(source.vector(at: k)),
                                     highHalf: SIMD4<Float>(source.vector(at: k + 4)))
            base.storeBytes(of: lanes, toByteOffset: k &* MemoryLayout<Float>.stride, as: SIMD8<Float>.self)
            k += 8
        }
        while k < count {
            base.storeBytes(of: Float(source[k]), toByteOffset: k &* MemoryLayout<Float>.stride, as: Float.self)
            k += 1
        }
    }
}
