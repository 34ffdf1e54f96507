/// The wide-row phases of `Gumbo`'s enumerated expectation
/// (`EnumeratedExpectationKernels+WideRows.swift`) for processors with
/// AVX-512: rows of `K` classes, `K` a multiple of eight (W5's eight), one
/// 512-bit register per eight classes instead of two `SIMD4` halves of two
/// 128-bit registers each in the baseline build.
///
///     d_r = x_r − max_k x_rk,   q_r = e_r / Σ_k e_rk   (e_r = exp d_r),
///     ∂x_rk (+)= g q_rk (u_rk − Σ_j q_rj u_rj),   u = t + b − c x
///
/// Every sum is formed in the baseline's order: its four-lane accumulators
/// take the low half of each eight-lane product, then the high half, and
/// reduce with the same `SIMD4.sum()`; the maximum is taken four lanes at a
/// time as there. So the results are the baseline's bit for bit. Same
/// conditions as ``WideDoubleProducts``: call only after checking the
/// processor.
public enum WideExpectationRows {
    public typealias Pointer = UnsafeMutablePointer<Double>
    public typealias Lanes4 = SIMD4<Double>

    /// `d = x − max` for each row of `x` (`rows × K`) while its logits are
    /// finite; returns the rows done (the first row with a non-finite
    /// logit stops the pass).
    public static func differences(_ x: Pointer, into d: Pointer, rows: Int, classes k: Int) -> Int {
        for r in 0..<rows {
            let row = x + r * k
            // x − x is 0 for finite x and NaN otherwise.
            var check = Vector8(), top = row.wideVector(at: 0).lowHalf
            var j = 0
            while j < k {
                let v = row.wideVector(at: j)
                check += v - v
                top.replace(with: v.lowHalf, where: v.lowHalf .> top)
                top.replace(with: v.highHalf, where: v.highHalf .> top)
                j += 8
            }
            guard check == Vector8() else { return r }
            let m = Vector8(repeating: max(max(top[0], top[1]), max(top[2], top[3])))
            let out = d + r * k
            j = 0
            while j < k {
                out.setWideVector(row.wideVector(at: j) - m, at: j)
                j += 8
            }
        }
        return rows
    }

    /// Each row's weights `q = e / Σ e` (stored at `q`) and sums: adds
    /// `Σ_k q (x − max)` and `Σ_k q t` to `shifted` and `expected` (four
    /// lanes), `q` to `columns` (`K` sums, when given) and stores `Σ_k e`
    /// in `totals`. Classes with `q = 0` are left out. Stops at the first
    /// row whose `Σ_k q t` is not finite; returns the rows done.
    public static func weights(_ e: Pointer, _ d: Pointer, _ t: Pointer, _ q: Pointer, columns: Pointer?,
                               totals: Pointer, rows: Int, classes k: Int,
                               shifted: inout Lanes4, expected: inout Lanes4) -> Int {
        for r in 0..<rows {
            let offset = r * k
            var lanes = Lanes4()
            var j = 0
            while j < k {
                let v = e.wideVector(at: offset + j)
                lanes += v.lowHalf
                lanes += v.highHalf
                j += 8
            }
            let total = lanes.sum()
            let scale = Vector8(repeating: 1 / total)
            var h = Lanes4(), w = Lanes4()
            j = 0
            while j < k {
                let weight = e.wideVector(at: offset + j) * scale
                q.setWideVector(weight, at: offset + j)
                let zero = weight .== 0
                let hv = (weight * d.wideVector(at: offset + j)).replacing(with: 0, where: zero)
                let wv = (weight * t.wideVector(at: offset + j)).replacing(with: 0, where: zero)
                h += hv.lowHalf
                h += hv.highHalf
                w += wv.lowHalf
                w += wv.highHalf
                j += 8
            }
            // Not finite: a t of ±∞ or NaN where q > 0.
            guard w - w == Lanes4() else { return r }
            if let columns {
                j = 0
                while j < k {
                    columns.setWideVector(columns.wideVector(at: j) + q.wideVector(at: offset + j), at: j)
                    j += 8
                }
            }
            shifted += h
            expected += w
            totals[r] = total
        }
        return rows
    }

    /// `∂x_rk (+)= g q_rk (u_rk − Σ_j q_rj u_rj)`, `u = t + b − c x` (`b`
    /// one row of `K`, or none), classes with `q = 0` left out; added to
    /// `gx` when `accumulate`, else stored.
    public static func gradients(_ g: Double, _ x: Pointer, _ q: Pointer, _ t: Pointer, _ b: Pointer?,
                                 _ gx: Pointer, rows: Int, classes k: Int, weight c: Double, accumulate: Bool) {
        let scale = Vector8(repeating: g), weight = Vector8(repeating: c)
        for row in 0..<rows {
            let base = row * k
            @inline(__always) func u(_ j: Int) -> Vector8 {
                t.wideVector(at: base + j) + (b?.wideVector(at: j) ?? Vector8()) - weight * x.wideVector(at: base + j)
            }
            var lanes = Lanes4()
            var j = 0
            while j < k {
                let qj = q.wideVector(at: base + j)
                let products = (qj * u(j)).replacing(with: 0, where: qj .== 0)
                lanes += products.lowHalf
                lanes += products.highHalf
                j += 8
            }
            let mean = Vector8(repeating: lanes.sum())
            j = 0
            while j < k {
                let qj = q.wideVector(at: base + j)
                let value = (scale * qj * (u(j) - mean)).replacing(with: 0, where: qj .== 0)
                gx.setWideVector(accumulate ? gx.wideVector(at: base + j) + value : value, at: base + j)
                j += 8
            }
        }
    }
}
