import GumboAVX2
import GumboAVX512

/// Forward and backward loops of ``Opcode/matmul``: `C = A B` for each of
/// `batch` pairs, `A` of `M × K` (``Instruction/outer`` × ``Instruction/length``),
/// `B` of `K × N` (× ``Instruction/inner``). An operand shared by the whole
/// batch has batch stride 0.
///
///     ∂A = ∂C Bᵀ      (∂A[i, p] = Σⱼ ∂C[i, j] B[p, j])
///     ∂B = Aᵀ ∂C      (∂B[p, j] += Σᵢ A[i, p] ∂C[i, j])
///
/// Each product is computed in register tiles of 4 × 4 results (four
/// ``Vector4`` accumulators), so every value loaded from memory feeds four
/// multiply-adds; edges that do not fill a tile take scalar loops. The
/// summation order depends only on the shapes, so results are reproducible.
///
/// **AVX2.** On a processor with AVX2 and fused multiply-add
/// (``InstructionSet/avx2``) the same products run in `GumboAVX2`'s
/// `DoubleProducts` instead: 6 × 8 tiles of 256-bit accumulators, one
/// rounding per multiply-add, about three times the rate at W5's sizes;
/// `∂A` through a transposed copy of `B` in ``KernelMemory/scratch`` and
/// the same tiles (``multiplyTransposedFused(_:_:into:rows:depth:columns:overwrite:scratch:wide:)``). With
/// AVX-512 (``InstructionSet/avx512``) the dense products run in
/// `GumboAVX512`'s `WideDoubleProducts`, 8 × 16 tiles of 512-bit
/// accumulators, summing each result in the same order (the same bits).
///
/// **Sparse left operand.** When at most half of `A`'s entries are nonzero
/// (a third on AVX2, two sevenths for single-precision products on
/// AVX-512; ``sparseCapacity(rows:depth:instructions:single:)``; W5's
/// decoder reads one-hot codes, 8 ones in 64; its encoder reads binary
/// images and both second layers read ReLU outputs), the forward product
/// and `∂B` skip the zeros:
///
///     C[i, ·] = Σ_{p : A[i, p] ≠ 0} A[i, p] B[p, ·]
///     ∂B[p, ·] += Σ_{i : A[i, p] ≠ 0} A[i, p] ∂C[i, ·]
///
/// `A` is scanned at run time by the forward pass (its nonzero positions
/// by row, kept in ``KernelMemory/counters`` for the backward pass), so no
/// analysis of the graph is needed and any `A` is handled; the backward
/// pass rearranges the kept positions by column for `∂B` instead of
/// scanning `A` again, and takes the dense loops when the forward pass
/// found `A` too dense (``compressBackward(_:_:_:batch:)``). The sums run in
/// the same order as the dense loops', from the same zero, and only add
/// terms the dense loops add as `0 · B[p, j]`; the results are the same bit
/// for bit, except that a non-finite `B[p, j]` (or `∂C[i, j]`) facing a zero
/// of `A` no longer turns a result into NaN. `∂A = ∂C Bᵀ` stays dense (a
/// straight-through gradient needs all of it). On AVX-512 the two sparse
/// loops are `GumboAVX512`'s `WideSparseProducts` (packed panels of `B`
/// or `∂C` in ``KernelMemory/scratch``), elsewhere ``SelectedRows``.
enum MatMulKernels {
    typealias Pointer = UnsafeMutablePointer<Double>
    typealias Positions = UnsafeMutablePointer<Int>

    /// Products with fewer output columns than this stay dense: scanning `A`
    /// costs as much as a product with a handful of columns.
    static let sparseMinimumColumns = 8

    /// The most nonzeros of an `A` of `rows × depth` the sparse loops take.
    ///
    /// Baseline kernels: half of its entries. A nonzero costs the sparse
    /// loops about 1.5 times what an entry costs the 4 × 4 tiles (one
    /// broadcast per 16 products against four per 16, but four times the
    /// loads of `B`), so they win up to about two thirds nonzero; measured
    /// at W5's sizes, half nonzero takes 0.7–0.85 of the dense time.
    ///
    /// AVX2 kernels: a third. Their dense tiles need two loads of `B` per
    /// twelve multiply-adds, the sparse loop one per multiply-add, so the
    /// sparse loop is limited by loads and the dense tiles by arithmetic;
    /// at W5's sizes the two took the same time at about a third nonzero.
    ///
    /// AVX-512 kernels, double precision: half, as the baseline's.
    /// `GumboAVX512`'s `WideSparseProducts` walk `B` (or `∂C`) in packed
    /// panels of 32 columns that stay in the first-level cache; measured at
    /// W5's sizes (`C` and `∂B`, binary `A`, Zen 4, `gumbo-bench math`),
    /// the dense tiles take 59–62 µs at any density, the sparse loops 45 /
    /// 48 µs at 0.35 nonzero (W5's images are 0.32–0.37), 58 / 61 µs at
    /// half (100 × 64 · 64 × 128 / 100 × 128 · 128 × 64). Before the panels
    /// (the AVX2 loop, sweeping all of `B`'s columns for each row, so the
    /// selected rows of `B` came from the second-level cache once per row
    /// of `A`) the two met at about 0.29 nonzero.
    ///
    /// AVX-512 kernels, single precision (`single`): two sevenths. Their
    /// sparse loop is still `GumboAVX2`'s, which met the AVX-512 dense
    /// tiles at about that density.
    static func sparseCapacity(rows: Int, depth: Int, instructions: InstructionSet = .current,
                               single: Bool = false) -> Int {
        switch instructions {
        case .avx512: single ? rows * depth * 2 / 7 : rows * depth / 2
        case .avx2: rows * depth / 3
        case .baseline: rows * depth / 2
        }
    }

    /// The ``KernelMemory/counters`` a product needs: a start per row
    /// (or column) and one more, then the nonzero positions (at most the
    /// larger capacity), then the scan's scratch masks.
    static func sparsePositionCount(rows: Int, depth: Int, columns: Int) -> Int {
        columns < sparseMinimumColumns ? 0
            : maskOffset(rows: rows, depth: depth) + NonzeroPositions.maskCount(rows: rows, depth: depth)
    }

    /// The ``KernelMemory/scratch`` doubles a product needs: the transposed
    /// copy of `B` (`depth × columns`) for `∂A` on AVX2 and AVX-512
    /// (``multiplyTransposedFused(_:_:into:rows:depth:columns:overwrite:scratch:wide:)``),
    /// or a packed panel for the AVX-512 sparse loops.
    static func scratchCount(rows: Int, depth: Int, columns: Int) -> Int {
        max(depth * columns, WideSparseProducts.scratchCount(rows: rows, depth: depth))
    }

    /// Where the scan's scratch masks start in the counters, after the
    /// starts and the positions.
    static func maskOffset(rows: Int, depth: Int) -> Int {
        max(rows, depth) + 1 + sparseCapacity(rows: rows, depth: depth, instructions: .baseline)
    }

    /// Where a product's dense flags start in the value arena: one per
    /// batch entry, after the single-precision region if there is one.
    static func denseFlags(_ i: Instruction) -> Int {
        guard i.opcode == .singlePrecisionMatmul else { return i.auxiliary }
        return i.auxiliary + singlePrecisionRegionCount(rows: i.outer, depth: i.length, columns: i.inner,
                                                        bCopies: i.batchStride1 == 0 ? 1 : i.batch)
    }

    /// ``sparseCapacity(rows:depth:instructions:single:)`` for product `i`.
    @inline(__always)
    static func capacity(_ i: Instruction) -> Int {
        sparseCapacity(rows: i.outer, depth: i.length, single: i.opcode == .singlePrecisionMatmul)
    }

    /// The counters a product keeps per batch entry from its forward pass
    /// to its backward pass: the nonzero positions of `A` by rows (a start
    /// per row and one more, then the positions), at
    /// ``Instruction/keptPositions`` in ``KernelMemory/counters``.
    static func keptPositionCount(rows: Int, depth: Int) -> Int {
        rows + 1 + sparseCapacity(rows: rows, depth: depth, instructions: .baseline)
    }

    /// Batch entry `batch`'s kept positions.
    @inline(__always)
    static func keptPositions(_ i: Instruction, _ m: KernelMemory, batch: Int) -> Positions {
        m.counters + i.keptPositions + batch * keptPositionCount(rows: i.outer, depth: i.length)
    }

    /// What a product's dense flag says: no forward pass yet (0, the
    /// arena's initial value), `A` too dense for the sparse loops (1), or
    /// sparse with its positions kept (2). (Literals, not stored globals,
    /// so reading one costs no lazy-initialization check.)
    static var denseOperand: Double { 1 }
    static var keptSparse: Double { 2 }

    /// The forward pass's scan of batch entry `batch`'s `A` by rows, into
    /// its kept positions: those positions, or `nil` when `A` is too
    /// dense for the sparse loops. The dense flag records which.
    @inline(__always)
    static func compressForward(_ i: Instruction, _ m: KernelMemory, _ a: Pointer, batch: Int) -> Positions? {
        guard i.inner >= sparseMinimumColumns else { return nil }
        let positions = keptPositions(i, m, batch: batch)
        let sparse = compress(a, rows: i.outer, depth: i.length, capacity: capacity(i), byColumns: false,
                              into: positions)
        m.values[denseFlags(i) + batch] = sparse ? keptSparse : denseOperand
        return sparse ? positions : nil
    }

    /// The positions of the same `A` by columns for `∂B`, in the shared
    /// counters, or `nil` when the forward pass found `A` too dense. After
    /// a sparse forward pass they are its kept row positions rearranged
    /// (``transposePositions(_:rows:depth:into:)``), without reading `A`
    /// again; before any forward pass `A` is scanned by columns. The kept
    /// positions describe `A` as the last forward pass found it, which is
    /// what ``Plan/backward()`` differentiates. (A stale dense flag costs
    /// time, never a wrong result: the dense loops are right whatever `A`
    /// holds.)
    @inline(__always)
    static func compressBackward(_ i: Instruction, _ m: KernelMemory, _ a: Pointer, batch: Int) -> Positions? {
        guard i.inner >= sparseMinimumColumns else { return nil }
        let flag = m.values[denseFlags(i) + batch]
        if flag == denseOperand { return nil }
        if flag == keptSparse {
            transposePositions(keptPositions(i, m, batch: batch), rows: i.outer, depth: i.length, into: m.counters)
            return m.counters
        }
        return compress(a, rows: i.outer, depth: i.length, capacity: capacity(i), byColumns: true,
                        into: m.counters) ? m.counters : nil
    }

    /// Positions by rows (`rows` starts and one more, then the positions)
    /// rearranged by columns (`depth` starts and one more, then each
    /// column's rows in increasing order), as a scan by columns lists them:
    /// a count per column, the starts, then the rows in order.
    @inline(__always)
    static func transposePositions(_ byRows: Positions, rows: Int, depth: Int, into byColumns: Positions) {
        let rowEntries = byRows + rows + 1, columnEntries = byColumns + depth + 1
        for p in 0...depth { byColumns[p] = 0 }
        for k in 0..<byRows[rows] { byColumns[rowEntries[k]] &+= 1 }
        var start = 0
        for p in 0..<depth {
            let count = byColumns[p]
            byColumns[p] = start
            start &+= count
        }
        byColumns[depth] = start
        // Each column's cursor ends at the next column's start.
        for r in 0..<rows {
            for k in byRows[r]..<byRows[r + 1] {
                let p = rowEntries[k]
                columnEntries[byColumns[p]] = r
                byColumns[p] &+= 1
            }
        }
        var p = depth
        while p > 0 {
            byColumns[p] = byColumns[p - 1]
            p -= 1
        }
        byColumns[0] = 0
    }

    static func forward(_ i: Instruction, _ m: KernelMemory) {
        let (rows, depth, columns) = (i.outer, i.length, i.inner)
        let fused = InstructionSet.current.hasAVX2, wide = InstructionSet.current == .avx512
        for batch in 0..<i.batch {
            let a = m.values + i.input0 + batch * i.batchStride0, b = m.values + i.input1 + batch * i.batchStride1
            let c = m.values + i.output + batch * rows * columns
            if let positions = compressForward(i, m, a, batch: batch) {
                multiplySparse(a, positions: positions, b, into: c, rows: rows, depth: depth, columns: columns,
                               fused: fused, wide: wide, scratch: m.scratch)
            } else if wide {
                WideDoubleProducts.multiply(a, b, into: c, rows: rows, depth: depth, columns: columns)
            } else if fused {
                DoubleProducts.multiply(a, b, into: c, rows: rows, depth: depth, columns: columns)
            } else {
                multiply(a, b, into: c, rows: rows, depth: depth, columns: columns)
            }
        }
    }

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        let (rows, depth, columns) = (i.outer, i.length, i.inner)
        let fused = InstructionSet.current.hasAVX2, wide = InstructionSet.current == .avx512
        for batch in 0..<i.batch {
            let a = m.values + i.input0 + batch * i.batchStride0
            let b = m.values + i.input1 + batch * i.batchStride1
            let gc = m.gradients + i.outputGradient + batch * rows * columns
            if i.gradient0 >= 0 {
                // ∂A is dense unless A is shared by the batch (then it sums).
                let ga = m.gradients + i.gradient0 + batch * i.batchStride0
                let overwrite = i.overwrites(0) && (batch == 0 || i.batchStride0 != 0)
                if fused {
                    multiplyTransposedFused(gc, b, into: ga, rows: rows, depth: columns, columns: depth,
                                            overwrite: overwrite, scratch: m.scratch, wide: wide)
                } else {
                    multiplyTransposed(gc, b, into: ga, rows: rows, depth: columns, columns: depth, overwrite: overwrite)
                }
            }
            if i.gradient1 >= 0 {
                let gb = m.gradients + i.gradient1 + batch * i.batchStride1
                if let positions = compressBackward(i, m, a, batch: batch) {
                    accumulateTransposedProductSparse(a, positions: positions, gc, into: gb, rows: rows,
                                                      depth: depth, columns: columns, fused: fused, wide: wide,
                                                      scratch: m.scratch)
                } else if wide {
                    WideDoubleProducts.accumulateTransposedProduct(a, gc, into: gb, rows: rows, depth: depth,
                                                                   columns: columns)
                } else if fused {
                    DoubleProducts.accumulateTransposedProduct(a, gc, into: gb, rows: rows, depth: depth, columns: columns)
                } else {
                    accumulateTransposedProduct(a, gc, into: gb, rows: rows, depth: depth, columns: columns)
                }
            }
        }
    }

    // MARK: Tiled products

    /// `c = a b`: `a` is `rows × depth`, `b` is `depth × columns`.
    @inline(__always)
    static func multiply(_ a: Pointer, _ b: Pointer, into c: Pointer, rows: Int, depth: Int, columns: Int) {
        let tiledRows = rows & ~3, tiledColumns = columns & ~3
        var r = 0
        while r < tiledRows {
            let a0 = a + r * depth, a1 = a0 + depth, a2 = a1 + depth, a3 = a2 + depth
            var j = 0
            while j < tiledColumns {
                var c0 = Vector4(), c1 = Vector4(), c2 = Vector4(), c3 = Vector4()
                for p in 0..<depth {
                    let row = b.vector(at: p * columns + j)
                    c0 += Vector4(repeating: a0[p]) * row
                    c1 += Vector4(repeating: a1[p]) * row
                    c2 += Vector4(repeating: a2[p]) * row
                    c3 += Vector4(repeating: a3[p]) * row
                }
                c.setVector(c0, at: r * columns + j)
                c.setVector(c1, at: (r + 1) * columns + j)
                c.setVector(c2, at: (r + 2) * columns + j)
                c.setVector(c3, at: (r + 3) * columns + j)
                j += 4
            }
            r += 4
        }
        // Edges: the rows below the tiles (all columns), the columns right of them.
        for r in 0..<rows {
            for j in (r < tiledRows ? tiledColumns : 0)..<columns {
                var total = 0.0
                for p in 0..<depth { total += a[r * depth + p] * b[p * columns + j] }
                c[r * columns + j] = total
            }
        }
    }

    /// `c = a bᵀ` (or `c += a bᵀ` unless `overwrite`): `a` is `rows × depth`,
    /// `b` is `columns × depth`; each result is a dot product of two rows.
    @inline(__always)
    static func multiplyTransposed(_ a: Pointer, _ b: Pointer, into c: Pointer,
                                   rows: Int, depth: Int, columns: Int, overwrite: Bool) {
        let tiledDepth = depth & ~3
        for r in 0..<rows {
            let aRow = a + r * depth
            var j = 0
            while j + 4 <= columns {
                let b0 = b + j * depth, b1 = b0 + depth, b2 = b1 + depth, b3 = b2 + depth
                var s0 = Vector4(), s1 = Vector4(), s2 = Vector4(), s3 = Vector4()
                var p = 0
                while p < tiledDepth {
                    let x = aRow.vector(at: p)
                    s0 += x * b0.vector(at: p)
                    s1 += x * b1.vector(at: p)
                    s2 += x * b2.vector(at: p)
                    s3 += x * b3.vector(at: p)
                    p += 4
                }
                var totals = Vector4(s0.sum(), s1.sum(), s2.sum(), s3.sum())
                for p in tiledDepth..<depth {
                    totals += Vector4(repeating: aRow[p]) * Vector4(b0[p], b1[p], b2[p], b3[p])
                }
                if !overwrite { totals += c.vector(at: r * columns + j) }
                c.setVector(totals, at: r * columns + j)
                j += 4
            }
            while j < columns {
                let bRow = b + j * depth
                var total = 0.0
                for p in 0..<depth { total += aRow[p] * bRow[p] }
                c[r * columns + j] = overwrite ? total : c[r * columns + j] + total
                j += 1
            }
        }
    }

    /// `c = a bᵀ` (or `c += a bᵀ` unless `overwrite`) on AVX2 or, when
    /// `wide`, AVX-512: `b` (`columns × depth`) transposed into `scratch`
    /// (``scratchCount(rows:depth:columns:)`` doubles, `GumboAVX2`'s
    /// `DoubleProducts.transpose`), then the set's forward tiles, so each
    /// result is summed from zero in the naive loop's order, one fused
    /// multiply-add per term, and stored or added once.
    @inline(__always)
    static func multiplyTransposedFused(_ a: Pointer, _ b: Pointer, into c: Pointer, rows: Int, depth: Int,
                                        columns: Int, overwrite: Bool, scratch: Pointer, wide: Bool) {
        DoubleProducts.transpose(b, rows: columns, columns: depth, into: scratch)
        if wide {
            WideDoubleProducts.multiply(a, scratch, into: c, rows: rows, depth: depth, columns: columns,
                                        overwrite: overwrite)
        } else {
            DoubleProducts.multiply(a, scratch, into: c, rows: rows, depth: depth, columns: columns,
                                    overwrite: overwrite)
        }
    }

    /// `c += aᵀ g`: `a` is `rows × depth`, `g` is `rows × columns`, `c` is
    /// `depth × columns`.
    @inline(__always)
    static func accumulateTransposedProduct(_ a: Pointer, _ g: Pointer, into c: Pointer,
                                            rows: Int, depth: Int, columns: Int) {
        let tiledDepth = depth & ~3, tiledColumns = columns & ~3
        var p = 0
        while p < tiledDepth {
            var j = 0
            while j < tiledColumns {
                var c0 = Vector4(), c1 = Vector4(), c2 = Vector4(), c3 = Vector4()
                for r in 0..<rows {
                    let row = g.vector(at: r * columns + j)
                    let aRow = a + r * depth + p
                    c0 += Vector4(repeating: aRow[0]) * row
                    c1 += Vector4(repeating: aRow[1]) * row
                    c2 += Vector4(repeating: aRow[2]) * row
                    c3 += Vector4(repeating: aRow[3]) * row
                }
                c.setVector(c.vector(at: p * columns + j) + c0, at: p * columns + j)
                c.setVector(c.vector(at: (p + 1) * columns + j) + c1, at: (p + 1) * columns + j)
                c.setVector(c.vector(at: (p + 2) * columns + j) + c2, at: (p + 2) * columns + j)
                c.setVector(c.vector(at: (p + 3) * columns + j) + c3, at: (p + 3) * columns + j)
                j += 4
            }
            p += 4
        }
        for p in 0..<depth {
            for j in (p < tiledDepth ? tiledColumns : 0)..<columns {
                var total = 0.0
                for r in 0..<rows { total += a[r * depth + p] * g[r * columns + j] }
                c[p * columns + j] += total
            }
        }
    }

    // MARK: Sparse left operand

    /// ``NonzeroPositions/compress(_:rows:depth:capacity:byColumns:into:masks:)``
    /// (on AVX2 `GumboAVX2`'s copy) over counters of
    /// ``sparsePositionCount(rows:depth:columns:)`` entries, their masks
    /// at ``maskOffset(rows:depth:)``.
    @inline(__always)
    static func compress(_ a: Pointer, rows: Int, depth: Int, capacity: Int, byColumns: Bool,
                         into positions: Positions) -> Bool {
        let masks = UnsafeMutableRawPointer(positions + maskOffset(rows: rows, depth: depth))
        if InstructionSet.current.hasAVX2 {
            return SparseScan.compress(a, rows: rows, depth: depth, capacity: capacity, byColumns: byColumns,
                                       into: positions, masks: masks)
        }
        return NonzeroPositions.compress(a, rows: rows, depth: depth, capacity: capacity, byColumns: byColumns,
                                         into: positions, masks: masks)
    }

    /// `c = a b` over the nonzeros of `a`'s rows (``compress(_:rows:depth:capacity:byColumns:into:)``
    /// by rows): each row of `c` is a sum of `b`'s selected rows, 16 columns
    /// at a time in registers (by fused multiply-adds when `fused`), or
    /// when `wide` by `GumboAVX512`'s `WideSparseProducts` over panels of
    /// `b` packed in `scratch`.
    @inline(__always)
    static func multiplySparse(_ a: Pointer, positions: Positions, _ b: Pointer, into c: Pointer,
                               rows: Int, depth: Int, columns: Int, fused: Bool, wide: Bool, scratch: Pointer) {
        if wide {
            WideSparseProducts.multiply(a, positions: positions, b, into: c, rows: rows, depth: depth,
                                        columns: columns, scratch: scratch)
            return
        }
        let entries = positions + rows + 1
        for r in 0..<rows {
            let start = positions[r], end = positions[r + 1]
            let aRow = a + r * depth, cRow = c + r * columns
            if fused {
                DoubleProducts.accumulateSelectedRows(aRow, entries + start, count: end - start, stride: 1, b,
                                                      into: cRow, columns: columns, overwrite: true)
            } else {
                SelectedRows.accumulate(aRow, entries + start, count: end - start, stride: 1, b, into: cRow,
                                        columns: columns, overwrite: true, fused: false)
            }
        }
    }

    /// `c += aᵀ g` over the nonzeros of `a`'s columns (``compress(_:rows:depth:capacity:byColumns:into:)``
    /// by columns): row `p` of `c` gains a sum of `g`'s rows selected by
    /// column `p` of `a`, formed in registers and added once (when `wide`,
    /// by `WideSparseProducts` over panels of `g` packed in `scratch`).
    @inline(__always)
    static func accumulateTransposedProductSparse(_ a: Pointer, positions: Positions, _ g: Pointer, into c: Pointer,
                                                  rows: Int, depth: Int, columns: Int, fused: Bool, wide: Bool,
                                                  scratch: Pointer) {
        if wide {
            WideSparseProducts.accumulateTransposedProduct(a, positions: positions, g, into: c, rows: rows,
                                                           depth: depth, columns: columns, scratch: scratch)
            return
        }
        let entries = positions + depth + 1
        for p in 0..<depth {
            let start = positions[p], end = positions[p + 1]
            // No nonzero: the dense loop adds a sum of zeros.
            guard start < end else { continue }
            if fused {
                DoubleProducts.accumulateSelectedRows(a + p, entries + start, count: end - start, stride: depth, g,
                                                      into: c + p * columns, columns: columns, overwrite: false)
            } else {
                SelectedRows.accumulate(a + p, entries + start, count: end - start, stride: depth, g,
                                        into: c + p * columns, columns: columns, overwrite: false, fused: false)
            }
        }
    }
}
