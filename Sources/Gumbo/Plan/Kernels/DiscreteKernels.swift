/// Forward loops of the non-differentiable helpers that turn relaxed
/// values into hard ones: ``Opcode/argmax``, ``Opcode/oneHotArgmax``,
/// ``Opcode/oneHot`` and the inverse-CDF sampler
/// ``Opcode/categoricalInverseCDF`` (``Opcode/step`` is elementwise and
/// lives with the unary kernels). They have no backward rule: no gradient flows through
/// them, and the compiler never schedules them in the backward pass.
enum DiscreteKernels {
    /// The position of the largest entry of each line along the axis (the
    /// first on ties), written to the index arena.
    static func forwardArgmax(_ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let y = m.indices + i.output
        for line in 0..<(i.outer * i.inner) {
            let start = SoftmaxKernels.lineStart(line, i)
            y[line] = Int32(argmax(x + start, i.length, stride: i.inner))
        }
    }

    /// 1 at the largest entry of each line along the axis, 0 elsewhere.
    /// Contiguous lines (``Instruction/inner`` 1) are written four entries
    /// at a time, each lane 1 where its position equals the argmax (W5's
    /// 800 lines of 8: 2.5 → 1 ns per entry in a standalone copy); lines
    /// of 2–4, four lines at a time (``shortLinesOneHotArgmax(_:_:lines:length:)``).
    static func forwardOneHotArgmax(_ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let y = m.values + i.output
        let stride = i.inner
        if stride == 1 && i.length >= 2 && i.length <= 4 {
            shortLinesOneHotArgmax(x, y, lines: i.outer, length: i.length)
            return
        }
        if stride == 1 {
            let n = i.length
            let positions = Vector4(0, 1, 2, 3)
            for line in 0..<i.outer {
                let start = line * n
                let best = argmax(x + start, n, stride: 1)
                var j = 0
                while j + 4 <= n {
                    let hot = (positions + Double(j)) .== Double(best)
                    y.setVector(Vector4(repeating: 0).replacing(with: 1, where: hot), at: start + j)
                    j += 4
                }
                while j < n {
                    y[start + j] = j == best ? 1 : 0
                    j += 1
                }
            }
            return
        }
        for line in 0..<(i.outer * stride) {
            let start = SoftmaxKernels.lineStart(line, i)
            let best = argmax(x + start, i.length, stride: stride)
            for j in 0..<i.length { y[start + j * stride] = j == best ? 1 : 0 }
        }
    }

    /// One-hot argmax over contiguous lines of `n` = 2–4 entries, four lines
    /// at a time: lane `l` of `v_k` holds entry `k` of line `l`, and each
    /// lane keeps the scalar ``argmax(_:_:stride:)``'s rule (a later entry
    /// wins only when strictly greater: the first of ties, a NaN never wins
    /// after the first entry, a NaN first entry stays). Selects by bit
    /// masks (``Vector4/select(_:_:_:)``; the scalar loop's stores branched
    /// on the argmax, about 21 cycles a line of W3's three classes). The
    /// last one to three lines one by one.
    static func shortLinesOneHotArgmax(_ x: UnsafeMutablePointer<Double>, _ y: UnsafeMutablePointer<Double>,
                                       lines: Int, length n: Int) {
        var line = 0
        while line + 4 <= lines {
            let base = x + line * n, out = y + line * n
            @inline(__always) func column(_ k: Int) -> Vector4 {
                Vector4(base[k], base[n + k], base[2 * n + k], base[3 * n + k])
            }
            var top = column(0), best = Vector4(repeating: 0)
            for k in 1..<n {
                let v = column(k)
                let greater = v .> top
                top = .select(greater, v, top)
                best = .select(greater, Vector4(repeating: Double(k)), best)
            }
            for k in 0..<n {
                let hot = Vector4.indicator(best .== Double(k))
                out[k] = hot[0]; out[n + k] = hot[1]; out[2 * n + k] = hot[2]; out[3 * n + k] = hot[3]
            }
            line += 4
        }
        while line < lines {
            let best = argmax(x + line * n, n, stride: 1)
            for j in 0..<n { y[line * n + j] = j == best ? 1 : 0 }
            line += 1
        }
    }

    /// Rows of `classes` (``Instruction/length``) reals, 1 at each index.
    static func forwardOneHot(_ i: Instruction, _ m: KernelMemory) {
        let indices = m.indices + i.input0
        let y = m.values + i.output
        let classes = i.length
        y.update(repeating: 0, count: i.count)
        for row in 0..<i.outer {
            let k = Int(indices[row])
            precondition(k >= 0 && k < classes, "oneHot: index out of range 0..<classes")
            y[row * classes + k] = 1
        }
    }

    /// One-hot rows of `K` classes (``Instruction/length``): for each row
    /// of probabilities `q` (input 0, broadcast by the geometry) and its
    /// uniform `u` (input 1), 1 at the first class `k` with `u < C_k`,
    /// `C_k = Σ_{j≤k} q_j`
    /// (``GraphBuilder/categoricalInverseCDF(probabilities:uniform:)``).
    ///
    /// Four rows at a time, one per SIMD lane, in one pass over the
    /// classes: class `k` is written 1 where `C_{k−1} ≤ u < C_k`, which
    /// holds for exactly one class when `0 ≤ u < C_{K−1}`, and never for
    /// a class with `q_k ≤ 0` (entries below 0 count as 0). A row outside
    /// that case (a `u` at or beyond a total short of 1 by rounding, a NaN,
    /// no positive entry) is rewritten by ``inverseCDF(_:classes:_:)``.
    /// The class count is a compile-time constant for 2–4 classes
    /// (``RowWidth``). (A first version, a scalar loop per row, then
    /// a second pass writing the one-hot, spent about 30 cycles a row on
    /// W3's three classes.)
    static func forwardCategoricalInverseCDF(_ i: Instruction, _ m: KernelMemory) {
        switch i.length {
        case 2: forwardCategoricalInverseCDF(Width2.self, i, m)
        case 3: forwardCategoricalInverseCDF(Width3.self, i, m)
        case 4: forwardCategoricalInverseCDF(Width4.self, i, m)
        default: forwardCategoricalInverseCDF(AnyWidth.self, i, m)
        }
    }

    @inline(__always)
    static func forwardCategoricalInverseCDF<Width: RowWidth>(_: Width.Type, _ i: Instruction, _ m: KernelMemory) {
        var rows = BroadcastRows(m, geometry: i.geometry)
        let classes = Width.length(i.length)
        let n = rows.length
        let (s0, s1) = (rows.step0, rows.step1)
        let (r1, r2, r3) = (s0, s0 &* 2, s0 &* 3)
        let (y1, y2, y3) = (classes, classes &* 2, classes &* 3)
        let zero = SIMD4<Double>(repeating: 0)
        var y = m.values + i.output
        for _ in 0..<rows.count {
            var q = m.values + i.input0 + rows.offset0, u = m.values + i.input1 + rows.offset1
            var j = 0
            while j &+ 4 <= n {
                let uniform = SIMD4(u[0], u[s1], u[s1 &* 2], u[s1 &* 3])
                var total = zero
                for k in 0..<classes {
                    var p = SIMD4(q[k], q[r1 &+ k], q[r2 &+ k], q[r3 &+ k])
                    p.replace(with: 0, where: p .< 0)          // NaN stays NaN
                    let before = total
                    total += p
                    let hot = Vector4.indicator((before .<= uniform) .& (uniform .< total))
                    (y[k], y[y1 &+ k], y[y2 &+ k], y[y3 &+ k]) = (hot[0], hot[1], hot[2], hot[3])
                }
                let regular = (uniform .>= 0) .& (uniform .< total)      // false for NaN
                if _slowPath(!VectorKernels.allTrue(regular)) {
                    for lane in 0..<4 where !regular[lane] {
                        writeOneHot(y + lane &* classes, inverseCDF(q + lane &* s0, classes: classes, uniform[lane]), classes)
                    }
                }
                q += 4 &* s0
                u += 4 &* s1
                y += 4 &* classes
                j &+= 4
            }
            while j < n {
                writeOneHot(y, inverseCDF(q, classes: classes, u[0]), classes)
                q += s0
                u += s1
                y += classes
                j &+= 1
            }
            rows.advance()
        }
    }

    /// The class one row's inverse CDF picks for `u`, by the rules of
    /// ``forwardCategoricalInverseCDF(_:_:)``, or NaN for an invalid row or
    /// uniform: the count of cumulative sums `C_k ≤ u` (they are
    /// nondecreasing), or, when `u` is at or beyond the total, the last
    /// class with `q_k > 0`.
    @inline(__always)
    static func inverseCDF(_ q: UnsafeMutablePointer<Double>, classes: Int, _ u: Double) -> Double {
        var total = 0.0, below = 0, lastPositive = 0
        for k in 0..<classes {
            let p = q[k] < 0 ? 0 : q[k]                     // NaN stays NaN
            total += p
            below &+= total <= u ? 1 : 0
            lastPositive = p > 0 ? k : lastPositive
        }
        guard total > 0 && u >= 0 else { return .nan }       // false for NaN
        return Double(min(below, lastPositive))
    }

    /// A one-hot row at `chosen`, or a row of NaN when `chosen` is NaN.
    @inline(__always)
    static func writeOneHot(_ y: UnsafeMutablePointer<Double>, _ chosen: Double, _ classes: Int) {
        if chosen.isNaN {
            y.update(repeating: .nan, count: classes)
            return
        }
        for k in 0..<classes { y[k] = Double(k) == chosen ? 1 : 0 }
    }

    @inline(__always)
    static func argmax(_ x: UnsafeMutablePointer<Double>, _ n: Int, stride: Int) -> Int {
        var best = 0
        var top = x[0]
        // Selects, not a branch: which entry wins is random under noise,
        // and a mispredicted branch costs more than the line's comparisons.
        for j in 1..<max(n, 1) {
            let value = x[j * stride]
            let greater = value > top
            top = greater ? value : top
            best = greater ? j : best
        }
        return best
    }
}
