/// The sparse-left matrix products of `Gumbo`'s `MatMulKernels` for
/// processors with AVX-512: when most of `A`'s entries are zero,
///
///     C[i, ·]   = Σ_{p : A[i, p] ≠ 0} A[i, p] B[p, ·]
///     ∂B[p, ·] += Σ_{i : A[i, p] ≠ 0} A[i, p] ∂C[i, ·]
///
/// over the nonzero positions `Gumbo` lists (its `NonzeroPositions`: a
/// start per row, or per column, then the positions in increasing order).
///
/// **Panels.** Both loops walk the right operand in panels of 32 columns
/// (four 512-bit accumulators), each copied into a contiguous block of the
/// caller's scratch (``scratchCount(rows:depth:)``; read in place, rows
/// 1 KB apart fall in a quarter of the first-level cache's sets), and
/// finish a panel for every row (or column) before the next. A panel of
/// `B` (`depth × 32` doubles, 16 KB for W5's 64 × 128 weights) then stays
/// in the first-level cache while all rows read it; a loop that sweeps all
/// of `B`'s columns for one row
/// at a time reads the selected rows of `B` from the second-level cache
/// once per row of `A`, which at a third nonzero (W5's binary images) made
/// the sparse loop slower than the dense tiles (``WideDoubleProducts``).
///
/// Each result is summed as in the dense tiles and in `Gumbo`'s other
/// sparse loops: from zero, in increasing position, one fused multiply-add
/// per term, then stored or added once; only the terms `0 · B[p, j]` are
/// left out. Same conditions as ``WideDoubleProducts``: call only after
/// checking the processor.
public enum WideSparseProducts {
    public typealias Pointer = UnsafeMutablePointer<Double>
    public typealias Positions = UnsafeMutablePointer<Int>

    /// `c = a b` over the nonzeros of `a`'s rows: `positions[r] ..<
    /// positions[r + 1]` index row `r`'s nonzero columns, listed from
    /// `positions + rows + 1`. `a` is `rows × depth`, `b` is `depth ×
    /// columns`, `c` is `rows × columns`.
    public static func multiply(_ a: Pointer, positions: Positions, _ b: Pointer, into c: Pointer,
                                rows: Int, depth: Int, columns: Int, scratch: Pointer) {
        let entries = positions + rows + 1
        var j = 0
        while j + 32 <= columns {
            copyPanel(b + j, rows: depth, stride: columns, into: scratch)
            for r in 0..<rows {
                let aRow = a + r * depth, out = c + r * columns + j
                var s0 = Vector8(), s1 = Vector8(), s2 = Vector8(), s3 = Vector8()
                for k in positions[r]..<positions[r + 1] {
                    let p = entries[k]
                    let x = Vector8(repeating: aRow[p]), from = scratch + p * 32
                    s0 = s0.addingProduct(x, from.wideVector(at: 0))
                    s1 = s1.addingProduct(x, from.wideVector(at: 8))
                    s2 = s2.addingProduct(x, from.wideVector(at: 16))
                    s3 = s3.addingProduct(x, from.wideVector(at: 24))
                }
                out.setWideVector(s0, at: 0)
                out.setWideVector(s1, at: 8)
                out.setWideVector(s2, at: 16)
                out.setWideVector(s3, at: 24)
            }
            j += 32
        }
        while j + 8 <= columns {
            for r in 0..<rows {
                let aRow = a + r * depth
                var s = Vector8()
                for k in positions[r]..<positions[r + 1] {
                    let p = entries[k]
                    s = s.addingProduct(Vector8(repeating: aRow[p]), b.wideVector(at: p * columns + j))
                }
                c.setWideVector(s, at: r * columns + j)
            }
            j += 8
        }
        while j < columns {
            for r in 0..<rows {
                let aRow = a + r * depth
                var total = 0.0
                for k in positions[r]..<positions[r + 1] {
                    let p = entries[k]
                    total = total.addingProduct(aRow[p], b[p * columns + j])
                }
                c[r * columns + j] = total
            }
            j += 1
        }
    }

    /// `c += aᵀ g` over the nonzeros of `a`'s columns: `positions[p] ..<
    /// positions[p + 1]` index column `p`'s nonzero rows, listed from
    /// `positions + depth + 1`. `a` is `rows × depth`, `g` is `rows ×
    /// columns`, `c` is `depth × columns`; a column without nonzeros
    /// leaves its row of `c` as it is.
    public static func accumulateTransposedProduct(_ a: Pointer, positions: Positions, _ g: Pointer,
                                                   into c: Pointer, rows: Int, depth: Int, columns: Int,
                                                   scratch: Pointer) {
        let entries = positions + depth + 1
        var j = 0
        while j + 32 <= columns {
            copyPanel(g + j, rows: rows, stride: columns, into: scratch)
            for p in 0..<depth where positions[p] < positions[p + 1] {
                let out = c + p * columns + j
                var s0 = Vector8(), s1 = Vector8(), s2 = Vector8(), s3 = Vector8()
                for k in positions[p]..<positions[p + 1] {
                    let r = entries[k]
                    let x = Vector8(repeating: a[r * depth + p]), from = scratch + r * 32
                    s0 = s0.addingProduct(x, from.wideVector(at: 0))
                    s1 = s1.addingProduct(x, from.wideVector(at: 8))
                    s2 = s2.addingProduct(x, from.wideVector(at: 16))
                    s3 = s3.addingProduct(x, from.wideVector(at: 24))
                }
                out.setWideVector(out.wideVector(at: 0) + s0, at: 0)
                out.setWideVector(out.wideVector(at: 8) + s1, at: 8)
                out.setWideVector(out.wideVector(at: 16) + s2, at: 16)
                out.setWideVector(out.wideVector(at: 24) + s3, at: 24)
            }
            j += 32
        }
        while j + 8 <= columns {
            for p in 0..<depth where positions[p] < positions[p + 1] {
                var s = Vector8()
                for k in positions[p]..<positions[p + 1] {
                    let r = entries[k]
                    s = s.addingProduct(Vector8(repeating: a[r * depth + p]), g.wideVector(at: r * columns + j))
                }
                c.setWideVector(c.wideVector(at: p * columns + j) + s, at: p * columns + j)
            }
            j += 8
        }
        while j < columns {
            for p in 0..<depth where positions[p] < positions[p + 1] {
                var total = 0.0
                for k in positions[p]..<positions[p + 1] {
                    let r = entries[k]
                    total = total.addingProduct(a[r * depth + p], g[r * columns + j])
                }
                c[p * columns + j] += total
            }
            j += 1
        }
    }

    /// The scratch doubles the two loops need: one packed panel.
    public static func scratchCount(rows: Int, depth: Int) -> Int { max(rows, depth) * 32 }

    /// Copies 32 columns of `rows` rows, `stride` apart, into `panel`
    /// (`rows × 32`, contiguous).
    @inline(__always)
    static func copyPanel(_ source: Pointer, rows: Int, stride: Int, into panel: Pointer) {
        for r in 0..<rows {
            let from = source + r * stride, to = panel + r * 32
            to.setWideVector(from.wideVector(at: 0), at: 0)
            to.setWideVector(from.wideVector(at: 8), at: 8)
            to.setWideVector(from.wideVector(at: 16), at: 16)
            to.setWideVector(from.wideVector(at: 24), at: 24)
        }
    }
}
