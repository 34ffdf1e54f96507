/// The table-against-vector products of ``ContractionKernels``: rows of a
/// row-major table (a design matrix) dotted with one vector, and the
/// transposed product of the table with a vector of output gradients.
///
/// This file is compiled twice: into `Gumbo` for the baseline instruction
/// set (each `SIMD4<Double>` operation two 128-bit instructions), and into
/// `GumboAVX2` (the same file, linked into its folder), where each is one
/// 256-bit instruction; `ContractionKernels` calls the second copy
/// (`GumboAVX2`'s `TableProducts`) when the processor has AVX2. Nothing
/// here asks for a fused multiply-add and Swift does not contract one, so
/// both copies round every operation alike: the same results bit for bit.
enum RowProducts {
    /// `Σ a[c] b[c]` over contiguous factors, in eight lanes combined in a
    /// fixed order (as ``ReduceKernels/sum(_:count:)``).
    @inline(__always)
    static func dot(_ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, count: Int) -> Double {
        var s0 = Vector4(repeating: 0), s1 = Vector4(repeating: 0)
        var c = 0
        while c + 8 <= count {
            s0 += a.vector(at: c) * b.vector(at: c)
            s1 += a.vector(at: c + 4) * b.vector(at: c + 4)
            c += 8
        }
        let lanes = s0 + s1
        var total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
        while c < count {
            total += a[c] * b[c]
            c += 1
        }
        return total
    }

    /// `y[j] = Σ_c a[j·rowStep + c] · b[c]` for `j < rows`: four rows at a
    /// time, each row summing in four lanes (combined in a fixed order).
    /// Kept out of line: inlined into the generic forward loop, the compiler
    /// interleaved the four rows' lanes with shuffles and spills and the
    /// product ran at about half the speed.
    @inline(never)
    static func dotRows(_ a: UnsafeMutablePointer<Double>, rowStep: Int, _ b: UnsafeMutablePointer<Double>, count k: Int,
                        into y: UnsafeMutablePointer<Double>, rows n: Int) {
        var j = 0
        while j + 4 <= n {
            let r0 = a + j * rowStep, r1 = r0 + rowStep, r2 = r1 + rowStep, r3 = r2 + rowStep
            var s0 = Vector4(), s1 = Vector4(), s2 = Vector4(), s3 = Vector4()
            var c = 0
            while c + 4 <= k {
                let v = b.vector(at: c)
                s0 += r0.vector(at: c) * v
                s1 += r1.vector(at: c) * v
                s2 += r2.vector(at: c) * v
                s3 += r3.vector(at: c) * v
                c += 4
            }
            var totals = Vector4(s0.sum(), s1.sum(), s2.sum(), s3.sum())
            while c < k {
                totals += Vector4(r0[c], r1[c], r2[c], r3[c]) * b[c]
                c += 1
            }
            y.setVector(totals, at: j)
            j += 4
        }
        while j < n {
            y[j] = dot(a + j * rowStep, b, count: k)
            j += 1
        }
    }

    /// `own[c] (+)= Σ_j g[j] · other[j·rowStep + c]` for `c < count`: the
    /// transposed product of a row-major table (a design matrix) with a
    /// vector of output gradients.
    ///
    /// The rows are taken in blocks of about 16 KB, so that the column
    /// sweeps of a block (sixteen columns at a time in registers, then four,
    /// then single columns) read it from the L1 cache: each row of the table
    /// is fetched from further out once, not once per sweep. Within a block
    /// each column's sum runs down the rows (single columns in four
    /// interleaved partial sums); the first block stores (or, without
    /// `overwrite`, adds), the others add to what it stored. Kept out of line: inlined into the
    /// generic callers, the compiler's code for these loops was slower.
    @inline(never)
    static func accumulateRows(_ other: UnsafeMutablePointer<Double>, rowStep: Int, _ g: UnsafeMutablePointer<Double>,
                               rows n: Int, count k: Int, into own: UnsafeMutablePointer<Double>, overwrite: Bool) {
        let block = Swift.max(4, 2048 / Swift.max(rowStep, 1))
        let first = Swift.min(block, n)
        if overwrite {
            accumulateBlock(other, rowStep: rowStep, g, rows: first, count: k, into: own, overwrite: true)
        } else {
            accumulateBlock(other, rowStep: rowStep, g, rows: first, count: k, into: own, overwrite: false)
        }
        var j = first
        while j < n {
            let rows = Swift.min(block, n - j)
            accumulateBlock(other + j * rowStep, rowStep: rowStep, g + j, rows: rows, count: k, into: own, overwrite: false)
            j += rows
        }
    }

    /// One block of ``accumulateRows(_:rowStep:_:rows:count:into:overwrite:)``.
    @inline(__always)
    static func accumulateBlock(_ other: UnsafeMutablePointer<Double>, rowStep: Int, _ g: UnsafeMutablePointer<Double>,
                                rows n: Int, count k: Int, into own: UnsafeMutablePointer<Double>, overwrite: Bool) {
        /// `slot = value`, or `slot += value` (the accumulating store's order).
        @inline(__always) func store(_ value: Vector4, at p: UnsafeMutablePointer<Double>) {
            if overwrite { p.setVector(value, at: 0) } else { p.setVector(p.vector(at: 0) + value, at: 0) }
        }
        @inline(__always) func store(_ value: Double, at p: UnsafeMutablePointer<Double>) {
            if overwrite { p.pointee = value } else { p.pointee += value }
        }
        var c = 0
        while c + 16 <= k {
            var a0 = Vector4(), a1 = Vector4(), a2 = Vector4(), a3 = Vector4()
            for j in 0..<n {
                let v = Vector4(repeating: g[j])
                let row = other + j * rowStep + c
                a0 += v * row.vector(at: 0)
                a1 += v * row.vector(at: 4)
                a2 += v * row.vector(at: 8)
                a3 += v * row.vector(at: 12)
            }
            store(a0, at: own + c)
            store(a1, at: own + c + 4)
            store(a2, at: own + c + 8)
            store(a3, at: own + c + 12)
            c += 16
        }
        while c + 4 <= k {
            var a0 = Vector4(), a1 = Vector4()
            var j = 0
            while j + 2 <= n {
                a0 += Vector4(repeating: g[j]) * (other + j * rowStep).vector(at: c)
                a1 += Vector4(repeating: g[j + 1]) * (other + (j + 1) * rowStep).vector(at: c)
                j += 2
            }
            if j < n { a0 += Vector4(repeating: g[j]) * (other + j * rowStep).vector(at: c) }
            store(a0 + a1, at: own + c)
            c += 4
        }
        while c < k {
            var t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0
            var j = 0
            while j + 4 <= n {
                t0 += g[j] * other[j * rowStep + c]
                t1 += g[j + 1] * other[(j + 1) * rowStep + c]
                t2 += g[j + 2] * other[(j + 2) * rowStep + c]
                t3 += g[j + 3] * other[(j + 3) * rowStep + c]
                j += 4
            }
            while j < n {
                t0 += g[j] * other[j * rowStep + c]
                j += 1
            }
            store((t0 + t1) + (t2 + t3), at: own + c)
            c += 1
        }
    }
}
