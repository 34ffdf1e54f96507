/// ``Opcode/singlePrecisionMatmul``: the products of ``MatMulKernels`` with
/// their multiply-adds in `Float` (``MatrixPrecision/single``).
///
///     C = A B,   ∂A = ∂C Bᵀ,   ∂B += Aᵀ ∂C
///
/// The operands are rounded to `Float` copies and the sums run in `Float`,
/// in tiles of 6 or 4 rows by eight columns (one ``Lanes`` holds eight
/// floats where a ``Vector4`` holds four doubles, so an instruction does
/// twice the arithmetic). Each result is
/// converted back to `Double` as it is stored, or added for a gradient that
/// accumulates. `∂A` runs through the same tiles as `C`, over a transposed
/// copy of `B` (a dot-product loop would need eight loads per 32 products
/// and a horizontal sum per result). A sparse left operand is handled as in
/// `Double`: its zeros are skipped, its nonzeros rounded as they are read.
///
/// The copies live in the value arena at ``Instruction/auxiliary``: `A`'s
/// (`rows × depth`), `∂C`'s (`rows × columns`), then `B`'s — one per batch
/// entry, or one for a `B` shared by the batch — which the backward pass
/// overwrites with `Bᵀ`. Nothing is carried from the forward pass to the
/// backward one.
///
/// Error bound: see ``MatrixPrecision``.
extension MatMulKernels {
    typealias Lanes = SIMD8<Float>

    /// The doubles of value arena the copies take.
    static func singlePrecisionRegionCount(rows: Int, depth: Int, columns: Int, bCopies: Int) -> Int {
        let floats = rows * depth + rows * columns + bCopies * depth * columns
        return (floats + 1) / 2
    }

    static func forwardSingle(_ i: Instruction, _ m: KernelMemory) {
        let (rows, depth, columns) = (i.outer, i.length, i.inner)
        let aCopy = FloatStorage(m.values + i.auxiliary)
        let bCopies = aCopy + (rows * depth + rows * columns)
        for batch in 0..<i.batch {
            let a = m.values + i.input0 + batch * i.batchStride0, b = m.values + i.input1 + batch * i.batchStride1
            let c = m.values + i.output + batch * rows * columns
            let bCopy = bCopies + (i.batchStride1 == 0 ? 0 : batch * depth * columns)
            if batch == 0 || i.batchStride1 != 0 { bCopy.assign(b, count: depth * columns) }
            if columns >= sparseMinimumColumns,
               compress(a, rows: rows, depth: depth, byColumns: false, into: m.counters) {
                let entries = m.counters + rows + 1
                for r in 0..<rows {
                    let start = m.counters[r], end = m.counters[r + 1]
                    accumulateRowsSingle(a + r * depth, entries + start, count: end - start, stride: 1, bCopy,
                                         into: c + r * columns, columns: columns, overwrite: true)
                }
            } else {
                aCopy.assign(a, count: rows * depth)
                multiplySingle(aCopy, bCopy, into: c, rows: rows, depth: depth, columns: columns)
            }
        }
    }

    static func backwardSingle(_ i: Instruction, _ m: KernelMemory) {
        let (rows, depth, columns) = (i.outer, i.length, i.inner)
        let aCopy = FloatStorage(m.values + i.auxiliary)
        let gradientCopy = aCopy + rows * depth
        let bCopies = gradientCopy + rows * columns
        for batch in 0..<i.batch {
            let a = m.values + i.input0 + batch * i.batchStride0
            gradientCopy.assign(m.gradients + i.outputGradient + batch * rows * columns, count: rows * columns)
            if i.gradient0 >= 0 {
                let transposed = bCopies + (i.batchStride1 == 0 ? 0 : batch * depth * columns)
                if batch == 0 || i.batchStride1 != 0 {
                    transposed.assignTransposed(m.values + i.input1 + batch * i.batchStride1, rows: depth, columns: columns)
                }
                multiplySingle(gradientCopy, transposed, into: m.gradients + i.gradient0 + batch * i.batchStride0,
                               rows: rows, depth: columns, columns: depth,
                               adding: !(i.overwrites(0) && (batch == 0 || i.batchStride0 != 0)))
            }
            if i.gradient1 >= 0 {
                let gb = m.gradients + i.gradient1 + batch * i.batchStride1
                if columns >= sparseMinimumColumns,
                   compress(a, rows: rows, depth: depth, byColumns: true, into: m.counters) {
                    let entries = m.counters + depth + 1
                    for p in 0..<depth {
                        let start = m.counters[p], end = m.counters[p + 1]
                        guard start < end else { continue }
                        accumulateRowsSingle(a + p, entries + start, count: end - start, stride: depth, gradientCopy,
                                             into: gb + p * columns, columns: columns, overwrite: false)
                    }
                } else {
                    aCopy.assign(a, count: rows * depth)
                    accumulateTransposedProductSingle(aCopy, gradientCopy, into: gb, rows: rows, depth: depth, columns: columns)
                }
            }
        }
    }

    // MARK: Tiled products

    /// `c = a b` (or `c += a b` when `adding`): `a` is `rows × depth`, `b` is
    /// `depth × columns`; 6 × 8 tiles (twelve accumulators), then 4 × 8,
    /// then scalar edges.
    @inline(__always)
    static func multiplySingle(_ a: FloatStorage, _ b: FloatStorage, into c: Pointer, rows: Int, depth: Int, columns: Int,
                               adding: Bool = false) {
        let tiledColumns = columns & ~7
        var r = 0
        while r + 6 <= rows {
            let a0 = a + r * depth, a1 = a0 + depth, a2 = a1 + depth, a3 = a2 + depth, a4 = a3 + depth, a5 = a4 + depth
            var j = 0
            while j < tiledColumns {
                var c0 = Lanes(), c1 = Lanes(), c2 = Lanes(), c3 = Lanes(), c4 = Lanes(), c5 = Lanes()
                for p in 0..<depth {
                    let row = b.vector(at: p * columns + j)
                    c0 += Lanes(repeating: a0[p]) * row
                    c1 += Lanes(repeating: a1[p]) * row
                    c2 += Lanes(repeating: a2[p]) * row
                    c3 += Lanes(repeating: a3[p]) * row
                    c4 += Lanes(repeating: a4[p]) * row
                    c5 += Lanes(repeating: a5[p]) * row
                }
                let out = c + r * columns + j
                store(c0, out, adding: adding)
                store(c1, out + columns, adding: adding)
                store(c2, out + 2 * columns, adding: adding)
                store(c3, out + 3 * columns, adding: adding)
                store(c4, out + 4 * columns, adding: adding)
                store(c5, out + 5 * columns, adding: adding)
                j += 8
            }
            r += 6
        }
        while r + 4 <= rows {
            let a0 = a + r * depth, a1 = a0 + depth, a2 = a1 + depth, a3 = a2 + depth
            var j = 0
            while j < tiledColumns {
                var c0 = Lanes(), c1 = Lanes(), c2 = Lanes(), c3 = Lanes()
                for p in 0..<depth {
                    let row = b.vector(at: p * columns + j)
                    c0 += Lanes(repeating: a0[p]) * row
                    c1 += Lanes(repeating: a1[p]) * row
                    c2 += Lanes(repeating: a2[p]) * row
                    c3 += Lanes(repeating: a3[p]) * row
                }
                let out = c + r * columns + j
                store(c0, out, adding: adding)
                store(c1, out + columns, adding: adding)
                store(c2, out + 2 * columns, adding: adding)
                store(c3, out + 3 * columns, adding: adding)
                j += 8
            }
            r += 4
        }
        let tiledRows = r
        for r in 0..<rows {
            for j in (r < tiledRows ? tiledColumns : 0)..<columns {
                var total: Float = 0
                for p in 0..<depth { total += a[r * depth + p] * b[p * columns + j] }
                c[r * columns + j] = adding ? c[r * columns + j] + Double(total) : Double(total)
            }
        }
    }

    /// `c += aᵀ g`: `a` is `rows × depth`, `g` is `rows × columns`, `c` is
    /// `depth × columns`; 4 × 8 tiles summed over the rows.
    @inline(__always)
    static func accumulateTransposedProductSingle(_ a: FloatStorage, _ g: FloatStorage, into c: Pointer,
                                                  rows: Int, depth: Int, columns: Int) {
        let tiledDepth = depth & ~3, tiledColumns = columns & ~7
        var p = 0
        while p < tiledDepth {
            var j = 0
            while j < tiledColumns {
                var c0 = Lanes(), c1 = Lanes(), c2 = Lanes(), c3 = Lanes()
                for r in 0..<rows {
                    let row = g.vector(at: r * columns + j)
                    let aRow = a + (r * depth + p)
                    c0 += Lanes(repeating: aRow[0]) * row
                    c1 += Lanes(repeating: aRow[1]) * row
                    c2 += Lanes(repeating: aRow[2]) * row
                    c3 += Lanes(repeating: aRow[3]) * row
                }
                store(c0, c + p * columns + j, adding: true)
                store(c1, c + (p + 1) * columns + j, adding: true)
                store(c2, c + (p + 2) * columns + j, adding: true)
                store(c3, c + (p + 3) * columns + j, adding: true)
                j += 8
            }
            p += 4
        }
        for p in 0..<depth {
            for j in (p < tiledDepth ? tiledColumns : 0)..<columns {
                var total: Float = 0
                for r in 0..<rows { total += a[r * depth + p] * g[r * columns + j] }
                c[p * columns + j] += Double(total)
            }
        }
    }

    // MARK: Sparse left operand

    /// `out (=|+=) Σ_k weights[index[k] · stride] · source[index[k], ·]`, as
    /// ``accumulateRows(_:_:count:stride:_:into:columns:overwrite:)`` but
    /// summed in `Float` over `Float` rows, 32 columns at a time in registers.
    @inline(__always)
    static func accumulateRowsSingle(_ weights: Pointer, _ index: Positions, count: Int, stride: Int,
                                     _ source: FloatStorage, into out: Pointer, columns: Int, overwrite: Bool) {
        var j = 0
        while j + 32 <= columns {
            var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes()
            for k in 0..<count {
                let row = index[k]
                let x = Lanes(repeating: Float(weights[row * stride]))
                let from = source + (row * columns + j)
                s0 += x * from.vector(at: 0)
                s1 += x * from.vector(at: 8)
                s2 += x * from.vector(at: 16)
                s3 += x * from.vector(at: 24)
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
                s += Lanes(repeating: Float(weights[row * stride])) * source.vector(at: row * columns + j)
            }
            store(s, out + j, adding: !overwrite)
            j += 8
        }
        while j < columns {
            var total: Float = 0
            for k in 0..<count {
                let row = index[k]
                total += Float(weights[row * stride]) * source[row * columns + j]
            }
            out[j] = overwrite ? Double(total) : out[j] + Double(total)
            j += 1
        }
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

    @inline(__always)
    func vector(at index: Int) -> SIMD8<Float> {
        base.loadUnaligned(fromByteOffset: index &* MemoryLayout<Float>.stride, as: SIMD8<Float>.self)
    }

    /// Rounds `source`, `rows × columns`, into this storage transposed
    /// (`columns × rows`), four rows of `source` at a time.
    @inline(__always)
    func assignTransposed(_ source: UnsafeMutablePointer<Double>, rows: Int, columns: Int) {
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

    /// Rounds `count` doubles from `source` into this storage.
    @inline(__always)
    func assign(_ source: UnsafeMutablePointer<Double>, count: Int) {
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
