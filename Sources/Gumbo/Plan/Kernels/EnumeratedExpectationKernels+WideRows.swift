import GumboAVX512

extension EnumeratedExpectationKernels {
    /// Rows of the wide path: `K` a multiple of four above four (W5's eight
    /// classes), up to 256 values a chunk.
    static func isWide(classes k: Int) -> Bool { k > 4 && k % 4 == 0 }

    /// Whether the wide path's loops run in `GumboAVX512`'s
    /// `WideExpectationRows` (eight classes a register, the same bits):
    /// on AVX-512, for `K` a multiple of eight.
    /// (`allowed: false` keeps the baseline loops, for the tests that
    /// compare the two.)
    static func usesWideRegisters(classes k: Int, allowed: Bool = true) -> Bool {
        allowed && k % 8 == 0 && InstructionSet.current == .avx512
    }

    /// Rows per chunk of the wide path.
    static func wideChunkRows(classes k: Int) -> Int { max(1, 256 / k) }

    /// The scratch of the wide path: `x − max` and its `exp` for a chunk,
    /// the chunk's sums `s_r`, and one column sum per class.
    static func wideScratchCount(classes k: Int) -> Int {
        let chunk = wideChunkRows(classes: k)
        return 2 * chunk * k + chunk + k
    }

    /// What the wide path adds up, and the rows it did.
    struct WideSums {
        var rows = 0
        var shifted = 0.0, logSums = 0.0, expected = 0.0, classExpected = 0.0
    }

    /// The forward pass over rows of `K = 4m > 4` classes, four classes a
    /// vector, in chunks of ``wideChunkRows(classes:)`` rows: first each
    /// row's largest logit and `d = x − max`, then one `exp` call over the
    /// chunk (rather than one per row), then each row's weights and sums,
    /// then one `log` call over the chunk's `s_r` (rather than a scalar
    /// logarithm per row). Stops, like the four-row groups, at the first row
    /// with a non-finite logit or a non-finite `Σ_k q_k t_k`; the row path
    /// does the rest. Classes with `q = 0` are left out, as there.
    @inline(__always)
    static func wideRows(_ x: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>,
                         _ t: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>?, rows: Int,
                         classes k: Int, scratch: UnsafeMutablePointer<Double>,
                         wideRegisters: Bool = true) -> WideSums {
        let chunk = wideChunkRows(classes: k)
        let wide = usesWideRegisters(classes: k, allowed: wideRegisters)
        let differences = scratch, exponentials = scratch + chunk * k
        let totals = exponentials + chunk * k, columns = totals + chunk
        for j in 0..<k { columns[j] = 0 }
        var shifted = Vector4.zero, expected = Vector4.zero
        var sums = WideSums()
        chunks: while sums.rows < rows {
            let count = min(chunk, rows - sums.rows)
            var ready = 0
            if wide {
                ready = WideExpectationRows.differences(x + sums.rows * k, into: differences, rows: count, classes: k)
            }
            while !wide && ready < count {
                let row = x + (sums.rows + ready) * k
                // x − x is 0 for finite x and NaN otherwise.
                var check = Vector4.zero, top = row.vector(at: 0)
                var j = 0
                while j < k {
                    let v = row.vector(at: j)
                    check += v - v
                    top.replace(with: v, where: v .> top)
                    j += 4
                }
                guard check == Vector4.zero else { break }
                let m = Vector4(repeating: max(max(top[0], top[1]), max(top[2], top[3])))
                let d = differences + ready * k
                j = 0
                while j < k {
                    d.setVector(row.vector(at: j) - m, at: j)
                    j += 4
                }
                ready += 1
            }
            guard ready > 0 else { break }
            VectorMath.exp(differences, exponentials, count: ready * k)
            var finished = 0
            if wide {
                let offset = sums.rows * k
                finished = WideExpectationRows.weights(exponentials, differences, t + offset, q + offset,
                                                       columns: b == nil ? nil : columns, totals: totals,
                                                       rows: ready, classes: k, shifted: &shifted,
                                                       expected: &expected)
            }
            while !wide && finished < ready {
                let e = exponentials + finished * k, d = differences + finished * k
                let offset = (sums.rows + finished) * k
                var lanes = Vector4.zero
                var j = 0
                while j < k {
                    lanes += e.vector(at: j)
                    j += 4
                }
                let total = lanes.sum()
                let scale = Vector4(repeating: 1 / total)
                var h = Vector4.zero, w = Vector4.zero
                j = 0
                while j < k {
                    let weight = e.vector(at: j) * scale
                    q.setVector(weight, at: offset + j)
                    let zero = weight .== 0
                    h += (weight * d.vector(at: j)).replacing(with: 0, where: zero)
                    w += (weight * t.vector(at: offset + j)).replacing(with: 0, where: zero)
                    j += 4
                }
                // Not finite: a t of ±∞ or NaN where q > 0.
                guard w - w == Vector4.zero else { break }
                if b != nil {
                    j = 0
                    while j < k {
                        columns.addVector(q.vector(at: offset + j), at: j)
                        j += 4
                    }
                }
                shifted += h
                expected += w
                totals[finished] = total
                finished += 1
            }
            VectorMath.log(totals, totals, count: finished)
            for r in 0..<finished { sums.logSums += totals[r] }
            sums.rows += finished
            if finished < count { break chunks }
        }
        sums.shifted = shifted.sum()
        sums.expected = expected.sum()
        if let b {
            for j in 0..<k where columns[j] != 0 { sums.classExpected += columns[j] * b[j] }
        }
        return sums
    }

    /// The logits' gradient over rows of `K = 4m > 4` classes, four classes
    /// a vector: `∂x_rk (+)= g q_rk (u_rk − Σ_j q_rj u_rj)` with classes of
    /// `q = 0` left out, as the row path computes it (a non-finite `u` where
    /// `q > 0` makes the row NaN in both).
    @inline(__always)
    static func wideGradients<Store: GradientStore>(
        _: Store.Type, _ g: Double, _ x: UnsafeMutablePointer<Double>, _ q: UnsafeMutablePointer<Double>,
        _ t: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>?, _ gx: UnsafeMutablePointer<Double>,
        rows: Int, classes k: Int, weight c: Double, wideRegisters: Bool = true
    ) {
        if usesWideRegisters(classes: k, allowed: wideRegisters) {
            return WideExpectationRows.gradients(g, x, q, t, b, gx, rows: rows, classes: k, weight: c,
                                                 accumulate: Store.self == Accumulate.self)
        }
        let scale = Vector4(repeating: g), weight = Vector4(repeating: c)
        for row in 0..<rows {
            let base = row * k
            @inline(__always) func u(_ j: Int) -> Vector4 {
                t.vector(at: base + j) + (b?.vector(at: j) ?? Vector4.zero) - weight * x.vector(at: base + j)
            }
            var lanes = Vector4.zero
            var j = 0
            while j < k {
                let qj = q.vector(at: base + j)
                lanes += (qj * u(j)).replacing(with: 0, where: qj .== 0)
                j += 4
            }
            let mean = Vector4(repeating: lanes.sum())
            j = 0
            while j < k {
                let qj = q.vector(at: base + j)
                Store.store((scale * qj * (u(j) - mean)).replacing(with: 0, where: qj .== 0), at: gx + base + j)
                j += 4
            }
        }
    }
}
