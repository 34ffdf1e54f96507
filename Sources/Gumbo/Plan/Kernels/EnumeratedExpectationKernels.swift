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
/// is kept per lane as a mantissa and a binary exponent (brought back to
/// `[1, 2)` every 64 groups of four rows), and one logarithm per lane
/// finishes it. (Rounding the product adds a relative
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
    static func forward<Width: ExpectationWidth>(_: Width.Type, _ i: Instruction, _ m: KernelMemory) {
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
    /// Rows of two to four classes go four at a time
    /// (``ExpectationWidth/forwardGroups(_:_:_:rows:scratch:)``), an `exp`
    /// call covering up to ``chunkGroups`` such groups. A group with a
    /// non-finite logit or term, and every row after it, the last one to
    /// three rows, and longer rows go one row at a time.
    @inline(__always)
    static func normalize<Width: ExpectationWidth>(
        _: Width.Type, _ x: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>,
        _ t: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>?, rows: Int, classes: Int,
        weight c: Double, scratch: UnsafeMutablePointer<Double>
    ) -> (entropy: Double, expected: Double, classExpected: Double) {
        let k = Width.length(classes)
        let groups = Width.forwardGroups(x, q, t, rows: rows, scratch: scratch)
        var shifted = groups.shifted.sum(), expected = groups.expected.sum(), logSums = groups.product.logarithm
        var classExpected = 0.0
        if let b, groups.rows > 0 {
            // Σ_k b_k Σ_r q_rk over the groups' rows (lane sums of the columns).
            for j in 0..<k where groups.columns[j].sum() != 0 { classExpected += groups.columns[j].sum() * b[j] }
        }
        var first = groups.rows
        if groups.rows == 0 && isWide(classes: k) {
            let wide = wideRows(x, q, t, b, rows: rows, classes: k, scratch: scratch)
            (shifted, logSums, expected, classExpected) = (wide.shifted, wide.logSums, wide.expected, wide.classExpected)
            first = wide.rows
        }
        for r in first..<rows {
            let part = self.row(x + r * k, q + r * k, t + r * k, b, classes: k, scratch: scratch)
            shifted += part.shifted
            logSums += part.logSum
            expected += part.expected
            classExpected += part.classExpected
        }
        return (c * (logSums - shifted), expected, classExpected)
    }

    /// What the groups of four rows add up: `Σ q (x − m)` and `Σ q t` per
    /// lane, the product of the sums `s`, the sums of `q` as columns (one
    /// vector per class, a row per lane), and the rows done.
    struct GroupSums {
        var shifted = Vector4.zero, expected = Vector4.zero
        var product = ProductOfSums()
        var columns = PointBlock()
        var rows = 0
    }

    /// Groups of four rows whose `x − max` go through one ``VectorMath/exp(_:_:count:)``
    /// call together (a chunk): a call per group would cost every group a
    /// spill of the vector registers the call clobbers.
    static let chunkGroups = 16

    /// The scratch the kernel needs: `x − max` and its `exp` for a chunk of
    /// groups, or one row of `K` for the row path.
    static func scratchCount(classes: Int) -> Int {
        if isWide(classes: classes) { return wideScratchCount(classes: classes) }
        return max(classes, (2...4).contains(classes) ? 2 * chunkGroups * 4 * classes : 0)
    }

    /// Four rows at a time while their logits and the products `q t` are
    /// finite (the rows from the first group that is not are left to the
    /// row path, which leaves out classes with `q = 0`). The groups go in
    /// chunks of up to ``chunkGroups``: first each group's columns, largest
    /// logit and differences `d = x − max` into `scratch`, then one `exp`
    /// call over the chunk's differences, then the weights and sums group
    /// by group. Each value is computed as a group at a time would compute
    /// it, so the results are the same bit for bit.
    @inline(__always)
    static func fourRowGroups<Width: ClassWidth>(
        _: Width.Type, _ x: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>,
        _ t: UnsafeMutablePointer<Double>, rows: Int, scratch: UnsafeMutablePointer<Double>
    ) -> GroupSums {
        let k = Width.classes
        let groupSize = 4 * k
        let differences = scratch, exponentials = scratch + chunkGroups * groupSize
        var sums = GroupSums()
        while sums.rows + 4 <= rows {
            let start = sums.rows
            let available = min(chunkGroups, (rows - start) / 4)
            // Differences, up to the first group with a non-finite logit
            // (which the next round finds again, and stops at).
            var ready = 0
            while ready < available {
                let xr = load(Width.self, x + (start + 4 * ready) * k)
                // x − x is 0 for finite x and NaN otherwise.
                var check = Vector4.zero
                for j in 0..<k { check += xr[j] - xr[j] }
                guard check == Vector4(repeating: 0) else { break }
                let v = Width.columns(xr)
                var top = v[0]
                for j in 1..<k { top.replace(with: v[j], where: v[j] .> top) }
                for j in 0..<k { differences.setVector(v[j] - top, at: ready * groupSize + 4 * j) }
                ready += 1
            }
            guard ready > 0 else { break }
            VectorMath.exp(differences, exponentials, count: ready * groupSize)
            for group in 0..<ready {
                let offset = (start + 4 * group) * k
                var d = PointBlock(), e = PointBlock()
                var total = Vector4.zero
                for j in 0..<k {
                    d[j] = differences.vector(at: group * groupSize + 4 * j)
                    e[j] = exponentials.vector(at: group * groupSize + 4 * j)
                    total += e[j]
                }
                let scale = 1 / total
                var weights = PointBlock(), h = Vector4.zero
                for j in 0..<k {
                    weights[j] = e[j] * scale
                    h += weights[j] * d[j]
                }
                let qr = Width.interleave(weights)
                let tr = load(Width.self, t + offset)
                var w = Vector4.zero
                for j in 0..<k {
                    q.setVector(qr[j], at: offset + 4 * j)
                    w += qr[j] * tr[j]
                }
                // Not finite: a t of ±∞ or NaN (perhaps where q = 0).
                guard w - w == Vector4(repeating: 0) else { return sums }
                sums.shifted += h
                sums.expected += w
                for j in 0..<k { sums.columns[j] += weights[j] }
                sums.product.multiply(by: total)
                sums.rows += 4
                // 64 sums of at most 4 per lane stay below 2¹²⁸.
                if sums.rows & 255 == 0 { sums.product.renormalize() }
            }
        }
        return sums
    }

    /// The `K` vectors of four rows' storage at `p`.
    @inline(__always)
    static func load<Width: ClassWidth>(_: Width.Type, _ p: UnsafeMutablePointer<Double>) -> PointBlock {
        var block = PointBlock()
        for j in 0..<Width.classes { block[j] = p.vector(at: 4 * j) }
        return block
    }

    /// One row: writes its `q` and returns `Σ_k q_k (x_k − m)`, `log s`,
    /// `Σ_k q_k t_k` and `Σ_k q_k b_k` (classes with `q = 0` left out).
    @inline(__always)
    static func row(_ x: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>,
                    _ t: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>?, classes k: Int,
                    scratch: UnsafeMutablePointer<Double>)
        -> (shifted: Double, logSum: Double, expected: Double, classExpected: Double) {
        // The largest logit by selects, not a branch (which logit is
        // largest is random), while summing x − x: 0 when all are finite.
        // Otherwise the first NaN, or the largest, as a scalar loop.
        var top = x[0], check = x[0] - x[0]
        for j in 1..<k {
            let value = x[j]
            top = value > top ? value : top
            check += value - value
        }
        if check != 0 {
            top = x[0]
            for j in 1..<k where x[j] > top || x[j].isNaN { top = x[j] }
        }
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
            let (weight, term) = (q.vector(at: j), t.vector(at: j))
            total += (weight * term).replacing(with: 0, where: weight .== 0)
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
    static func backward<Width: ExpectationWidth>(_: Width.Type, _ i: Instruction, _ m: KernelMemory) {
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
            if i.gradient1 >= 0 {
                let gt = m.gradients + i.gradient1 + p * i.batchStride1
                // ∂t (+)= g q.
                if i.overwrites(1) && (p == 0 || i.batchStride1 != 0) {
                    Overwrite.storeScaled(g, q, at: gt, count: count)
                } else {
                    Accumulate.storeScaled(g, q, at: gt, count: count)
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
        }
    }

    /// `∂x_rk (+)= g q_rk (u_rk − Σ_j q_rj u_rj)`, `u = t + b − c x`, with
    /// classes of `q = 0` left out: four rows at a time for two to four
    /// classes (``ExpectationWidth/gradientGroups(_:_:_:_:_:_:_:rows:weight:)``)
    /// while every `u` is finite, then one row at a time.
    @inline(__always)
    static func logitGradient<Width: ExpectationWidth, Store: GradientStore>(
        _: Width.Type, _: Store.Type, _ g: Double, _ x: UnsafeMutablePointer<Double>,
        _ q: UnsafeMutablePointer<Double>, _ t: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>?,
        _ gx: UnsafeMutablePointer<Double>, rows: Int, classes: Int, weight c: Double
    ) {
        let k = Width.length(classes)
        if isWide(classes: k) {
            return wideGradients(Store.self, g, x, q, t, b, gx, rows: rows, classes: k, weight: c)
        }
        var row = Width.gradientGroups(Store.self, g, x, q, t, b, gx, rows: rows, weight: c)
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

    /// The logits' gradient four rows at a time: elementwise on the rows
    /// as stored, transposed only for the rows' sums. Returns the rows done.
    @inline(__always)
    static func fourRowGradients<Width: ClassWidth, Store: GradientStore>(
        _: Width.Type, _: Store.Type, _ g: Double, _ x: UnsafeMutablePointer<Double>,
        _ q: UnsafeMutablePointer<Double>, _ t: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>?,
        _ gx: UnsafeMutablePointer<Double>, rows: Int, weight c: Double
    ) -> Int {
        let k = Width.classes
        let scale = Vector4(repeating: g), weight = Vector4(repeating: c)
        // b at each position of four rows' storage.
        let classTerms = b.map { Width.pattern($0, stride: 1) } ?? PointBlock()
        var row = 0
        while row + 4 <= rows {
            let offset = row * k
            let qr = load(Width.self, q + offset), xr = load(Width.self, x + offset), tr = load(Width.self, t + offset)
            var u = PointBlock(), w = PointBlock()
            for j in 0..<k {
                u[j] = tr[j] + classTerms[j] - weight * xr[j]
                w[j] = qr[j] * u[j]
            }
            let mean = Width.sumPerPoint(w)
            // Not finite: some u is (perhaps where q = 0, which the row
            // path leaves out).
            guard mean - mean == Vector4(repeating: 0) else { break }
            let means = Width.spread(mean)
            for j in 0..<k { Store.store(scale * qr[j] * (u[j] - means[j]), at: gx + offset + 4 * j) }
            row += 4
        }
        return row
    }
}

/// The row widths ``EnumeratedExpectationKernels`` runs: a ``ClassWidth``
/// takes four rows at a time while it can, ``AnyWidth`` none (every row
/// goes one at a time).
protocol ExpectationWidth: RowWidth {
    static func forwardGroups(_ x: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>,
                              _ t: UnsafeMutablePointer<Double>, rows: Int,
                              scratch: UnsafeMutablePointer<Double>) -> EnumeratedExpectationKernels.GroupSums
    static func gradientGroups<Store: GradientStore>(
        _: Store.Type, _ g: Double, _ x: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>,
        _ t: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>?, _ gx: UnsafeMutablePointer<Double>,
        rows: Int, weight c: Double) -> Int
}

extension ExpectationWidth where Self: ClassWidth {
    @inline(__always)
    static func forwardGroups(_ x: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>,
                              _ t: UnsafeMutablePointer<Double>, rows: Int,
                              scratch: UnsafeMutablePointer<Double>) -> EnumeratedExpectationKernels.GroupSums {
        EnumeratedExpectationKernels.fourRowGroups(Self.self, x, q, t, rows: rows, scratch: scratch)
    }

    @inline(__always)
    static func gradientGroups<Store: GradientStore>(
        _: Store.Type, _ g: Double, _ x: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>,
        _ t: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>?, _ gx: UnsafeMutablePointer<Double>,
        rows: Int, weight c: Double) -> Int {
        EnumeratedExpectationKernels.fourRowGradients(Self.self, Store.self, g, x, q, t, b, gx, rows: rows, weight: c)
    }
}

extension Width2: ExpectationWidth {}
extension Width3: ExpectationWidth {}
extension Width4: ExpectationWidth {}

extension AnyWidth: ExpectationWidth {
    static func forwardGroups(_ x: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>,
                              _ t: UnsafeMutablePointer<Double>, rows: Int,
                              scratch: UnsafeMutablePointer<Double>) -> EnumeratedExpectationKernels.GroupSums {
        EnumeratedExpectationKernels.GroupSums()
    }

    static func gradientGroups<Store: GradientStore>(
        _: Store.Type, _ g: Double, _ x: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>,
        _ t: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>?, _ gx: UnsafeMutablePointer<Double>,
        rows: Int, weight c: Double) -> Int {
        0
    }
}

/// `Π_r s_r` for `s_r ≥ 1`, per lane, as a mantissa and a binary exponent:
/// the caller renormalizes (``renormalize()``) before the mantissa could
/// overflow (every 64 products of sums of at most four classes).
struct ProductOfSums {
    private var mantissa = Vector4(repeating: 1)
    private var exponent = Vector4.zero

    @inline(__always)
    mutating func multiply(by s: Vector4) {
        mantissa *= s
    }

    /// The mantissa brought back to `[1, 2)`, its binary exponent moved to
    /// ``exponent`` (exact).
    @inline(__always)
    mutating func renormalize() {
        let bits = unsafeBitCast(mantissa, to: SIMD4<UInt64>.self)
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
