/// The scan that lets a matrix product skip the zeros of its left operand
/// (``MatMulKernels``): it counts `A`'s nonzeros, gives up past a
/// capacity, and otherwise lists their positions by row (for `C = A B`) or
/// by column (for `∂B += Aᵀ ∂C`).
///
/// This file is compiled twice: into `Gumbo` for the baseline instruction
/// set, and into `GumboAVX2` (the same file, linked into its folder) for
/// Haswell, where each of its vector steps is one 256-bit instruction
/// instead of two 128-bit ones (or, for the shifts by a lane's own count,
/// one instead of several). Both copies give the same positions.
enum NonzeroPositions {
    /// Writes the nonzero positions of `a` (`rows × depth`) into `positions`
    /// and returns `true`, or returns `false` when there are more than
    /// `capacity`. By rows (`byColumns == false`): `positions[i] ..<
    /// positions[i + 1]` index the columns of row `i`'s nonzeros, stored
    /// from `positions + rows + 1` in increasing order. By columns: the
    /// same for each column's rows, from `positions + depth + 1`, with
    /// `masks` (``maskCount(rows:depth:)`` 64-bit words) as scratch. A NaN
    /// counts as nonzero.
    ///
    /// The count runs along contiguous rows and stops at the first row past
    /// capacity. The positions come from bit masks, 64 entries a word (a
    /// row's, or a column's rows built row by row, four columns at a time):
    /// one pass of vector arithmetic, then one step per nonzero (its bit's
    /// index) instead of one per entry. No branch depends on one entry's
    /// value (a dense `A` such as a ReLU's output has zeros at random
    /// places); the loop over a word's bits ends once per word.
    @inline(__always)
    static func compress(_ a: UnsafeMutablePointer<Double>, rows: Int, depth: Int, capacity: Int, byColumns: Bool,
                         into positions: UnsafeMutablePointer<Int>, masks: UnsafeMutableRawPointer) -> Bool {
        var count = 0
        for r in 0..<rows {
            count &+= nonzeroCount(a + r * depth, count: depth)
            if count > capacity { return false }
        }
        if byColumns {
            columnPositions(a, rows: rows, depth: depth, into: positions, masks: masks)
        } else {
            rowPositions(a, rows: rows, depth: depth, into: positions)
        }
        return true
    }

    /// The scratch words ``compress(_:rows:depth:capacity:byColumns:into:masks:)``
    /// needs by columns: a 64-row word per column per 64 rows.
    static func maskCount(rows: Int, depth: Int) -> Int {
        depth * ((rows + 63) / 64)
    }

    /// Each row's nonzero columns, increasing, 64 columns a mask.
    @inline(__always)
    static func rowPositions(_ a: UnsafeMutablePointer<Double>, rows: Int, depth: Int,
                             into positions: UnsafeMutablePointer<Int>) {
        let entries = positions + rows + 1
        var count = 0
        for r in 0..<rows {
            positions[r] = count
            let row = a + r * depth
            var p = 0
            while p < depth {
                var mask = nonzeroMask(row + p, count: min(64, depth - p))
                while mask != 0 {
                    entries[count] = p + mask.trailingZeroBitCount
                    count += 1
                    mask &= mask &- 1
                }
                p += 64
            }
        }
        positions[rows] = count
    }

    /// Each column's nonzero rows, increasing: first the masks (word `w` of
    /// column `p` at `masks[w · depth + p]`, bit `r mod 64` for row `r`),
    /// built along contiguous rows, then each column's words in turn.
    @inline(__always)
    static func columnPositions(_ a: UnsafeMutablePointer<Double>, rows: Int, depth: Int,
                                into positions: UnsafeMutablePointer<Int>, masks: UnsafeMutableRawPointer) {
        let words = (rows + 63) / 64
        for k in 0..<words * depth { masks.storeBytes(of: 0, toByteOffset: k * 8, as: UInt64.self) }
        for r in 0..<rows {
            let row = UnsafeRawPointer(a + r * depth)
            let word = masks + (r / 64) * depth * 8, bit = UInt64(r % 64)
            var p = 0
            while p + 4 <= depth {
                let flags = nonzeroFlags(row.loadUnaligned(fromByteOffset: p * 8, as: SIMD4<UInt64>.self))
                let old = word.loadUnaligned(fromByteOffset: p * 8, as: SIMD4<UInt64>.self)
                word.storeBytes(of: old | (flags &<< bit), toByteOffset: p * 8, as: SIMD4<UInt64>.self)
                p += 4
            }
            while p < depth {
                let old = word.load(fromByteOffset: p * 8, as: UInt64.self)
                word.storeBytes(of: old | (UInt64(isNonzero(a[r * depth + p])) &<< bit), toByteOffset: p * 8,
                                as: UInt64.self)
                p += 1
            }
        }
        let entries = positions + depth + 1
        var count = 0
        for p in 0..<depth {
            positions[p] = count
            for w in 0..<words {
                var mask = masks.load(fromByteOffset: (w * depth + p) * 8, as: UInt64.self)
                while mask != 0 {
                    entries[count] = w * 64 + mask.trailingZeroBitCount
                    count += 1
                    mask &= mask &- 1
                }
            }
        }
        positions[depth] = count
    }

    /// Bit `k` set where `x[k] ≠ 0`, for `n ≤ 64` contiguous doubles.
    @inline(__always)
    static func nonzeroMask(_ x: UnsafeMutablePointer<Double>, count n: Int) -> UInt64 {
        var lanes = SIMD4<UInt64>()
        var shifts = SIMD4<UInt64>(0, 1, 2, 3)
        var k = 0
        let raw = UnsafeRawPointer(x)
        while k + 4 <= n {
            lanes |= nonzeroFlags(raw.loadUnaligned(fromByteOffset: k * 8, as: SIMD4<UInt64>.self)) &<< shifts
            shifts &+= 4
            k += 4
        }
        var mask = (lanes[0] | lanes[1]) | (lanes[2] | lanes[3])
        while k < n {
            mask |= UInt64(isNonzero(x[k])) &<< UInt64(k)
            k += 1
        }
        return mask
    }

    /// 1 in each lane whose double (given as bits) is nonzero, else 0:
    /// ``isNonzero(_:)``'s arithmetic lane by lane (shifts, a negation, an
    /// or: plain vector instructions in either build, where a vector
    /// comparison compiled to a lane-by-lane sequence).
    @inline(__always)
    static func nonzeroFlags(_ bits: SIMD4<UInt64>) -> SIMD4<UInt64> {
        let magnitudes = bits &<< 1
        return (magnitudes | (SIMD4<UInt64>() &- magnitudes)) &>> 63
    }

    /// The number of nonzeros among `n` contiguous doubles: four at a time
    /// (``nonzeroFlags(_:)``), then one by one.
    @inline(__always)
    static func nonzeroCount(_ x: UnsafeMutablePointer<Double>, count n: Int) -> Int {
        var lanes = SIMD4<UInt64>()
        var k = 0
        let raw = UnsafeRawPointer(x)
        while k + 4 <= n {
            lanes &+= nonzeroFlags(raw.loadUnaligned(fromByteOffset: k * 8, as: SIMD4<UInt64>.self))
            k += 4
        }
        var total = Int(lanes.wrappedSum())
        while k < n {
            total &+= isNonzero(x[k])
            k += 1
        }
        return total
    }

    /// 1 when `x ≠ 0` (NaN included), else 0, by an integer comparison of
    /// the bits without the sign: a floating-point `!=` compiles to two
    /// branches (the unordered case).
    @inline(__always)
    static func isNonzero(_ x: Double) -> Int {
        let magnitude = x.bitPattern &<< 1
        return Int(truncatingIfNeeded: (magnitude | (0 &- magnitude)) &>> 63)
    }
}
