import Foundation

/// Forward and backward of ``Opcode/enumeratedExpectation``: an enumerated
/// site's expected terms plus its guide's entropy,
///
///     y_p = Σ_r Σ_k q_rk (t_prk + b_k − c log q_rk),   q_r = softmax(x_r),
///
/// for `P` results (``Instruction/outer``) over `R` rows
/// (``Instruction/inner``) of `K` classes (``Instruction/length``); `x` and
/// `t` advance by ``Instruction/batchStride0`` and
/// ``Instruction/batchStride1`` per result (0 when shared), the class terms
/// `b` (``Instruction/input2``, `-1` for none) are the same for every row
/// and result, and `c` is ``Instruction/constant0``.
///
/// No logarithm per row. With `m_r = max_k x_rk` and
/// `s_r = Σ_k exp(x_rk − m_r)`, `log q_rk = x_rk − m_r − log s_r`, and the
/// weights sum to one, so
///
///     Σ_k q_rk (t_prk − c log q_rk) = Σ_k q_rk (t_prk − c (x_rk − m_r)) + c log s_r,
///
/// and `Σ_r log s_r = log Π_r s_r`. Each `s_r` lies in `[1, K]`; the product
/// is kept per lane as a mantissa in `[1, 2)` and a binary exponent, and one
/// logarithm per lane finishes it. (Rounding the product adds a relative
/// error of at most `2⁻⁵³` per row, an absolute error of `R · 2⁻⁵³` in the
/// sum of logarithms: no more than summing `R` rounded logarithms.)
///
/// The forward pass keeps `q` (``Instruction/auxiliary``) for the backward
/// pass, which needs no logarithm either (the row's `m_r + log s_r` in
/// `log q` cancels in the centring):
///
///     ∂t_prk = g_p q_rk,   ∂b_k = Σ_p g_p Σ_r q_rk
///     ∂x_rk  = Σ_p g_p q_rk (u_prk − Σ_j q_rj u_prj),   u = t + b − c x.
///
/// A class with `q = 0` contributes nothing (`0 · log 0 = 0`, and
/// `0 · t = 0` even for `t = −∞`). A row whose logits are all `−∞` has no
/// distribution (`q = 0`), and a row with a NaN or `+∞` logit has `q` NaN:
/// either makes its result NaN.
enum EnumeratedExpectationKernels {
    static func forward(_ i: Instruction, _ m: KernelMemory) {
        switch i.length {
        case 2: forward(Width2.self, i, m)
        case 3: forward(Width3.self, i, m)
        case 4: forward(Width4.self, i, m)
        default: forward(AnyWidth.self, i, m)
        }
    }

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        switch i.length {
        case 2: backward(Width2.self, i, m)
        case 3: backward(Width3.self, i, m)
        case 4: backward(Width4.self, i, m)
        default: backward(AnyWidth.self, i, m)
        }
    }

    // MARK: Forward

    @inline(__always)
    static func forward<Width: RowGroups>(_: Width.Type, _ i: Instruction, _ m: KernelMemory) {
        let k = Width.length(i.length)
        let y = m.values + i.output
        let b = i.input2 >= 0 ? m.values + i.input2 : nil
        var shared = 0.0
        for p in 0..<i.outer {
            let x = m.values + i.input0 + p * i.batchStride0
            let q = m.values + i.auxiliary + p * i.batchStride0
            let t = m.values + i.input1 + p * i.batchStride1
            if p == 0 || i.batchStride0 != 0 {
                let (entropy, expected, classExpected) = normalize(Width.self, x, q, t, b, rows: i.inner, classes: k,
                                                                   weight: i.constant0, scratch: m.scratch)
                shared = entropy + classExpected
                y[p] = expected + shared
            } else {
                y[p] = expectedTerms(q, t, count: i.inner * k) + shared
            }
        }
    }

    /// One result's pass: writes `q`, and returns `c` times the entropy
    /// `−Σ_r Σ_k q_rk log q_rk`, the expected terms `Σ_r Σ_k q_rk t_rk`
    /// and the expected class terms `Σ_r Σ_k q_rk b_k` (0 without `b`).
    /// Rows of two to four classes go four at a time (``ShortRows``): an
    /// `exp` call covers four rows. A group with a non-finite logit, the
    /// last one to three rows, and longer rows go one row at a time.
    @inline(__always)
    static func normalize<Width: RowGroups>(
        _: Width.Type, _ x: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>,
        _ t: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>?, rows: Int, classes: Int,
        weight c: Double, scratch: UnsafeMutablePointer<Double>
    ) -> (entropy: Double, expected: Double, classExpected: Double) {
        let k = Width.length(classes)
        var fast = (shifted: Vector4.zero, expected: Vector4.zero, product: ProductOfSums(),
                    columns: (Vector4.zero, Vector4.zero, Vector4.zero, Vector4.zero), rows: 0)
        if Width.groupsRows { fast = fourRowGroups(Width.self, x, q, t, rows: rows) }
        var shifted = fast.shifted.sum(), expected = fast.expected.sum(), logSums = fast.product.logarithm
        var classExpected = 0.0
        if let b {
            // Σ_k b_k Σ_r q_rk over the groups' rows (lane sums of the columns).
            let sums = (fast.columns.0.sum(), fast.columns.1.sum(), fast.columns.2.sum(), fast.columns.3.sum())
            for j in 0..<min(k, 4) where Width.groupsRows {
                let sum = j == 0 ? sums.0 : j == 1 ? sums.1 : j == 2 ? sums.2 : sums.3
                if sum != 0 { classExpected += sum * b[j] }
            }
        }
        for r in fast.rows..<rows {
            let part = self.row(x + r * k, q + r * k, t + r * k, b, classes: k, scratch: scratch)
            shifted += part.shifted
            logSums += part.logSum
            expected += part.expected
            classExpected += part.classExpected
        }
        return (c * (logSums - shifted), expected, classExpected)
    }

    /// The groups of four rows with finite logits and terms: `Σ q (x − m)`
    /// and `Σ q t` per lane, the product of the sums `s`, the sums of `q`
    /// per class (one vector per class, a row per lane), and the rows done
    /// (a multiple of four: the rows from there on are left to the caller).
    /// A group with a non-finite logit or product `q t` ends the fast path
    /// there.
    @inline(__always)
    static func fourRowGroups<Short: RowGroups>(
        _: Short.Type, _ x: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>,
        _ t: UnsafeMutablePointer<Double>, rows: Int
    ) -> (shifted: Vector4, expected: Vector4, product: ProductOfSums, columns: RowGroups.Block, rows: Int) {
        let k = Short.length(0)
        var shifted = Vector4.zero, expected = Vector4.zero
        var columns = (Vector4.zero, Vector4.zero, Vector4.zero, Vector4.zero)
        var product = ProductOfSums()
        var row = 0
        while row + 4 <= rows {
            let offset = row * k
            let xr = Short.load(x + offset)
            // x − x is 0 for finite x and NaN otherwise.
            var check = (xr.0 - xr.0) + (xr.1 - xr.1)
            if k > 2 { check += xr.2 - xr.2 }
            if k > 3 { check += xr.3 - xr.3 }
            guard check == Vector4(repeating: 0) else { break }
            let v = Short.columns(xr)
            var top = v.0.replacing(with: v.1, where: v.1 .> v.0)
            if k > 2 { top.replace(with: v.2, where: v.2 .> top) }
            if k > 3 { top.replace(with: v.3, where: v.3 .> top) }
            let d0 = v.0 - top, d1 = v.1 - top
            let d2 = k > 2 ? v.2 - top : Vector4(), d3 = k > 3 ? v.3 - top : Vector4()
            let e0 = VectorMath.exp(d0), e1 = VectorMath.exp(d1)
            let e2 = k > 2 ? VectorMath.exp(d2) : Vector4(), e3 = k > 3 ? VectorMath.exp(d3) : Vector4()
            var total = e0 + e1
            if k > 2 { total += e2 }
            if k > 3 { total += e3 }
            let scale = 1 / total
            let weights = (e0 * scale, e1 * scale, e2 * scale, e3 * scale)
            var h = weights.0 * d0 + weights.1 * d1
            if k > 2 { h += weights.2 * d2 }
            if k > 3 { h += weights.3 * d3 }
            let qr = Short.rows(weights)
            Short.store(qr, q + offset)
            let tr = Short.load(t + offset)
            var w = qr.0 * tr.0 + qr.1 * tr.1
            if k > 2 { w += qr.2 * tr.2 }
            if k > 3 { w += qr.3 * tr.3 }
            // Not finite: a t of ±∞ or NaN (perhaps where q = 0, which the
            // row path leaves out).
            guard w - w == Vector4(repeating: 0) else { break }
            shifted += h
            expected += w
            columns = (columns.0 + weights.0, columns.1 + weights.1, columns.2 + weights.2, columns.3 + weights.3)
            product.multiply(by: total)
            row += 4
        }
        return (shifted, expected, product, columns, row)
    }

    /// `q · t`, or 0 where `q` is 0 (whatever `t` is).
    @inline(__always)
    static func weighted(_ q: Vector4, _ t: Vector4) -> Vector4 {
        (q * t).replacing(with: 0, where: q .== 0)
    }

    /// One row: writes its `q` and returns `Σ_k q_k (x_k − m)`, `log s`,
    /// `Σ_k q_k t_k` and `Σ_k q_k b_k` (classes with `q = 0` left out).
    @inline(__always)
    static func row(_ x: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>,
                    _ t: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>?, classes k: Int,
                    scratch: UnsafeMutablePointer<Double>)
        -> (shifted: Double, logSum: Double, expected: Double, classExpected: Double) {
        var top = x[0]
        for j in 1..<k where x[j] > top || x[j].isNaN { top = x[j] }
        guard top.isFinite else {
            // All −∞: no distribution. A NaN or +∞ logit: q undefined.
            let weight = top == -.infinity ? 0 : Double.nan
            for j in 0..<k { q[j] = weight }
            return (.nan, 0, .nan, .nan)
        }
        for j in 0..<k { scratch[j] = x[j] - top }
        VectorMath.exp(scratch, scratch, count: k)
        var total = 0.0
        for j in 0..<k { total += scratch[j] }
        let scale = 1 / total
        var shifted = 0.0, expected = 0.0, classExpected = 0.0
        for j in 0..<k {
            let weight = scratch[j] * scale
            q[j] = weight
            if weight != 0 {
                shifted += weight * (x[j] - top)
                expected += weight * t[j]
                if let b { classExpected += weight * b[j] }
            }
        }
        return (shifted, Foundation.log(total), expected, classExpected)
    }

    /// `Σ q t` over `count` elements (classes with `q = 0` left out), for a
    /// result that shares `q` with the first.
    @inline(__always)
    static func expectedTerms(_ q: UnsafeMutablePointer<Double>, _ t: UnsafeMutablePointer<Double>, count: Int) -> Double {
        var total = Vector4.zero
        var j = 0
        while j + 4 <= count {
            total += weighted(q.vector(at: j), t.vector(at: j))
            j += 4
        }
        var rest = total.sum()
        while j < count {
            if q[j] != 0 { rest += q[j] * t[j] }
            j += 1
        }
        return rest
    }

    /// `Σ_r q_rk` for each class `k`, into `sums`.
    @inline(__always)
    static func columnSums(_ q: UnsafeMutablePointer<Double>, rows: Int, classes k: Int, into sums: UnsafeMutablePointer<Double>) {
        for j in 0..<k { sums[j] = 0 }
        for r in 0..<rows {
            for j in 0..<k { sums[j] += q[r * k + j] }
        }
    }

    // MARK: Backward

    @inline(__always)
    static func backward<Width: RowGroups>(_: Width.Type, _ i: Instruction, _ m: KernelMemory) {
        let k = Width.length(i.length)
        let c = i.constant0
        let count = i.inner * k
        let b = i.input2 >= 0 ? m.values + i.input2 : nil
        for p in 0..<i.outer {
            let g = m.gradients[i.outputGradient + p]
            let x = m.values + i.input0 + p * i.batchStride0
            let q = m.values + i.auxiliary + p * i.batchStride0
            let t = m.values + i.input1 + p * i.batchStride1
            if i.gradient0 >= 0 {
                let gx = m.gradients + i.gradient0 + p * i.batchStride0
                if i.overwrites(0) && (p == 0 || i.batchStride0 != 0) {
                    logitGradient(Width.self, Overwrite.self, g, x, q, t, b, gx, rows: i.inner, classes: k, weight: c)
                } else {
                    logitGradient(Width.self, Accumulate.self, g, x, q, t, b, gx, rows: i.inner, classes: k, weight: c)
                }
            }
            if i.gradient2 >= 0 {
                // ∂b_k (+)= g Σ_r q_rk.
                let gb = m.gradients + i.gradient2
                columnSums(q, rows: i.inner, classes: k, into: m.scratch)
                let overwrite = i.overwrites(2) && p == 0
                for j in 0..<k {
                    if overwrite { gb[j] = g * m.scratch[j] } else { gb[j] += g * m.scratch[j] }
                }
            }
            if i.gradient1 >= 0 {
                let gt = m.gradients + i.gradient1 + p * i.batchStride1
                if i.overwrites(1) && (p == 0 || i.batchStride1 != 0) {
                    termGradient(Overwrite.self, g, q, gt, count: count)
                } else {
                    termGradient(Accumulate.self, g, q, gt, count: count)
                }
            }
        }
    }

    /// `∂x_rk (+)= g q_rk (u_rk − Σ_j q_rj u_rj)`, `u = t + b − c x`, with
    /// classes of `q = 0` left out: four rows at a time for two to four
    /// classes (elementwise on the rows as stored, transposed only for the
    /// rows' sums) while every `u` is finite, then one row at a time.
    @inline(__always)
    static func logitGradient<Width: RowGroups, Store: GradientStore>(
        _: Width.Type, _: Store.Type, _ g: Double, _ x: UnsafeMutablePointer<Double>,
        _ q: UnsafeMutablePointer<Double>, _ t: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>?,
        _ gx: UnsafeMutablePointer<Double>, rows: Int, classes: Int, weight c: Double
    ) {
        let k = Width.length(classes)
        var row = 0
        if Width.groupsRows {
            let scale = Vector4(repeating: g), weight = Vector4(repeating: c)
            // b at each position of four rows' storage.
            var classes = (Vector4.zero, Vector4.zero, Vector4.zero, Vector4.zero)
            if let b {
                classes = Width.rows((Vector4(repeating: b[0]), Vector4(repeating: b[1]),
                                      Vector4(repeating: k > 2 ? b[2] : 0), Vector4(repeating: k > 3 ? b[3] : 0)))
            }
            while row + 4 <= rows {
                let offset = row * k
                let qr = Width.load(q + offset), xr = Width.load(x + offset), tr = Width.load(t + offset)
                let u = (tr.0 + classes.0 - weight * xr.0, tr.1 + classes.1 - weight * xr.1,
                         tr.2 + classes.2 - weight * xr.2, tr.3 + classes.3 - weight * xr.3)
                let w = Width.columns((qr.0 * u.0, qr.1 * u.1, qr.2 * u.2, qr.3 * u.3))
                var mean = w.0 + w.1
                if k > 2 { mean += w.2 }
                if k > 3 { mean += w.3 }
                // Not finite: some u is (perhaps where q = 0, which the row
                // path leaves out); the rest go one row at a time.
                guard mean - mean == Vector4(repeating: 0) else { break }
                let means = Width.rowValues(mean)
                Store.store(scale * qr.0 * (u.0 - means.0), at: gx + offset)
                Store.store(scale * qr.1 * (u.1 - means.1), at: gx + offset + 4)
                if k > 2 { Store.store(scale * qr.2 * (u.2 - means.2), at: gx + offset + 8) }
                if k > 3 { Store.store(scale * qr.3 * (u.3 - means.3), at: gx + offset + 12) }
                row += 4
            }
        }
        while row < rows {
            let base = row * k
            @inline(__always) func u(_ j: Int) -> Double {
                t[base + j] + (b?[j] ?? 0) - c * x[base + j]
            }
            var mean = 0.0
            for j in 0..<k {
                let weight = q[base + j]
                mean += weight == 0 ? 0 : weight * u(j)
            }
            for j in 0..<k {
                let weight = q[base + j]
                Store.store(weight == 0 ? 0 : g * weight * (u(j) - mean), at: gx + base + j)
            }
            row += 1
        }
    }

    /// `∂t (+)= g q`.
    @inline(__always)
    static func termGradient<Store: GradientStore>(
        _: Store.Type, _ g: Double, _ q: UnsafeMutablePointer<Double>, _ gt: UnsafeMutablePointer<Double>, count: Int
    ) {
        let scale = Vector4(repeating: g)
        var j = 0
        while j + 4 <= count {
            Store.store(scale * q.vector(at: j), at: gt + j)
            j += 4
        }
        while j < count {
            Store.store(g * q[j], at: gt + j)
            j += 1
        }
    }
}

/// `Π_r s_r` for `s_r ≥ 1`, per lane, as a mantissa in `[1, 2)` and a
/// binary exponent, renormalized after each product so it never overflows.
struct ProductOfSums {
    private var mantissa = Vector4(repeating: 1)
    private var exponent = Vector4.zero

    @inline(__always)
    mutating func multiply(by s: Vector4) {
        let product = mantissa * s
        let bits = unsafeBitCast(product, to: SIMD4<UInt64>.self)
        // The biased exponent as a double (its bits under 2⁵²'s), and the
        // mantissa with the exponent of 1.0.
        let biased = unsafeBitCast((bits &>> 52) | 0x4330_0000_0000_0000, to: Vector4.self) - 0x1p52
        exponent += biased - 1023
        mantissa = unsafeBitCast((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000, to: Vector4.self)
    }

    /// `log Π_r s_r`.
    var logarithm: Double {
        var total = 0.0
        for lane in 0..<4 { total += Foundation.log(mantissa[lane]) }
        return total + exponent.sum() * 0.693147180559945309417232121458176568
    }
}

/// Four rows of `K` classes (`K` = 2, 3, 4) as `K` vectors of the row-major
/// storage, and as `K` columns with one row per lane, so that a kernel can
/// run elementwise work on the rows as stored and row-wise work (maxima,
/// `exp` of the shifted logits, sums) across columns. Unused vectors of a
/// block are zero. ``AnyWidth`` conforms with ``groupsRows`` false, and its
/// kernels go one row at a time.
protocol RowGroups: RowWidth {
    static var groupsRows: Bool { get }
    typealias Block = (Vector4, Vector4, Vector4, Vector4)
    /// The `K` vectors of four rows' storage.
    static func load(_ p: UnsafeMutablePointer<Double>) -> Block
    static func store(_ block: Block, _ p: UnsafeMutablePointer<Double>)
    /// Row-major vectors to columns.
    static func columns(_ rows: Block) -> Block
    /// Columns to row-major vectors.
    static func rows(_ columns: Block) -> Block
    /// A value per row (lane `r` for row `r`) at every class of its row, as
    /// row-major vectors.
    static func rowValues(_ v: Vector4) -> Block
}

extension RowGroups {
    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Double>) -> Block {
        let k = length(0)
        return (p.vector(at: 0), p.vector(at: 4), k > 2 ? p.vector(at: 8) : Vector4(), k > 3 ? p.vector(at: 12) : Vector4())
    }

    @inline(__always)
    static func store(_ block: Block, _ p: UnsafeMutablePointer<Double>) {
        let k = length(0)
        p.setVector(block.0, at: 0)
        p.setVector(block.1, at: 4)
        if k > 2 { p.setVector(block.2, at: 8) }
        if k > 3 { p.setVector(block.3, at: 12) }
    }
}

// The shuffles below build each half of a result from halves of at most
// two source vectors (`pair`), so that they compile to one `shufpd` or
// `unpcklpd` each; a lane-by-lane build from three or four vectors makes
// the optimizer scalarize the arithmetic around it (measured: four `divsd`
// where one `1 / total` was meant).

/// `(a[i], b[j])`.
@inline(__always)
private func pair(_ a: SIMD2<Double>, _ i: Int, _ b: SIMD2<Double>, _ j: Int) -> SIMD2<Double> {
    SIMD2(a[i], b[j])
}

@inline(__always)
private func join(_ low: SIMD2<Double>, _ high: SIMD2<Double>) -> Vector4 {
    Vector4(lowHalf: low, highHalf: high)
}

extension Width2: RowGroups {
    static var groupsRows: Bool { true }
    // Rows (a b), (c d), (e f), (g h): storage [a b c d] [e f g h].
    @inline(__always) static func columns(_ r: Block) -> Block {
        let (a, b) = ((r.0.lowHalf, r.0.highHalf), (r.1.lowHalf, r.1.highHalf))
        return (join(pair(a.0, 0, a.1, 0), pair(b.0, 0, b.1, 0)), join(pair(a.0, 1, a.1, 1), pair(b.0, 1, b.1, 1)),
                Vector4(), Vector4())
    }
    @inline(__always) static func rows(_ c: Block) -> Block {
        let (x0, x1, y0, y1) = (c.0.lowHalf, c.0.highHalf, c.1.lowHalf, c.1.highHalf)
        return (join(pair(x0, 0, y0, 0), pair(x0, 1, y0, 1)), join(pair(x1, 0, y1, 0), pair(x1, 1, y1, 1)),
                Vector4(), Vector4())
    }
    @inline(__always) static func rowValues(_ v: Vector4) -> Block {
        let (low, high) = (v.lowHalf, v.highHalf)
        return (join(pair(low, 0, low, 0), pair(low, 1, low, 1)), join(pair(high, 0, high, 0), pair(high, 1, high, 1)),
                Vector4(), Vector4())
    }
}

extension Width3: RowGroups {
    static var groupsRows: Bool { true }
    // Rows (a b c), (d e f), (g h i), (j k l): storage [a b c d] [e f g h] [i j k l].
    @inline(__always) static func columns(_ r: Block) -> Block {
        let (a0, a1) = (r.0.lowHalf, r.0.highHalf), (b0, b1) = (r.1.lowHalf, r.1.highHalf)
        let (c0, c1) = (r.2.lowHalf, r.2.highHalf)
        return (join(pair(a0, 0, a1, 1), pair(b1, 0, c0, 1)),     // a d | g j
                join(pair(a0, 1, b0, 0), pair(b1, 1, c1, 0)),     // b e | h k
                join(pair(a1, 0, b0, 1), pair(c0, 0, c1, 1)),     // c f | i l
                Vector4())
    }
    @inline(__always) static func rows(_ c: Block) -> Block {
        let (x0, x1) = (c.0.lowHalf, c.0.highHalf), (y0, y1) = (c.1.lowHalf, c.1.highHalf)
        let (z0, z1) = (c.2.lowHalf, c.2.highHalf)
        return (join(pair(x0, 0, y0, 0), pair(z0, 0, x0, 1)),     // a b | c d
                join(pair(y0, 1, z0, 1), pair(x1, 0, y1, 0)),     // e f | g h
                join(pair(z1, 0, x1, 1), pair(y1, 1, z1, 1)),     // i j | k l
                Vector4())
    }
    @inline(__always) static func rowValues(_ v: Vector4) -> Block {
        let (low, high) = (v.lowHalf, v.highHalf)
        return (join(pair(low, 0, low, 0), pair(low, 0, low, 1)),
                join(pair(low, 1, low, 1), pair(high, 0, high, 0)),
                join(pair(high, 0, high, 1), pair(high, 1, high, 1)),
                Vector4())
    }
}

extension Width4: RowGroups {
    static var groupsRows: Bool { true }
    // Each storage vector is a row: a 4 × 4 transpose either way.
    @inline(__always) static func columns(_ r: Block) -> Block {
        let (a0, a1, b0, b1) = (r.0.lowHalf, r.0.highHalf, r.1.lowHalf, r.1.highHalf)
        let (c0, c1, d0, d1) = (r.2.lowHalf, r.2.highHalf, r.3.lowHalf, r.3.highHalf)
        return (join(pair(a0, 0, b0, 0), pair(c0, 0, d0, 0)), join(pair(a0, 1, b0, 1), pair(c0, 1, d0, 1)),
                join(pair(a1, 0, b1, 0), pair(c1, 0, d1, 0)), join(pair(a1, 1, b1, 1), pair(c1, 1, d1, 1)))
    }
    @inline(__always) static func rows(_ c: Block) -> Block { columns(c) }
    @inline(__always) static func rowValues(_ v: Vector4) -> Block {
        (Vector4(repeating: v[0]), Vector4(repeating: v[1]), Vector4(repeating: v[2]), Vector4(repeating: v[3]))
    }
}

extension AnyWidth: RowGroups {
    static var groupsRows: Bool { false }
    static func columns(_ r: Block) -> Block { r }
    static func rows(_ c: Block) -> Block { c }
    static func rowValues(_ v: Vector4) -> Block { (v, v, v, v) }
}
