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
    static func forwardOneHotArgmax(_ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let y = m.values + i.output
        let stride = i.inner
        for line in 0..<(i.outer * stride) {
            let start = SoftmaxKernels.lineStart(line, i)
            let best = argmax(x + start, i.length, stride: stride)
            for j in 0..<i.length { y[start + j * stride] = j == best ? 1 : 0 }
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
    /// uniform `u` (input 1), 1 at the first class `k` with `u < Σ_{j≤k} q_j`
    /// (``GraphBuilder/categoricalInverseCDF(probabilities:uniform:)``).
    ///
    /// Branch-free within a row: with the cumulative sums `C_k`
    /// nondecreasing, the chosen class is the count of `C_k ≤ u`. Entries
    /// below 0 count as 0, so a class with `q_k ≤ 0` never holds the first
    /// `C_k > u`; a `u` at or beyond the row's total (a total short of 1 by
    /// rounding) gives the count `K`, which falls back to the last class
    /// with `q_k > 0`. A NaN entry makes the total NaN; a NaN or negative
    /// `u`, or a row with no positive entry, writes a row of NaN.
    static func forwardCategoricalInverseCDF(_ i: Instruction, _ m: KernelMemory) {
        var rows = BroadcastRows(m, geometry: i.geometry)
        let classes = i.length
        let n = rows.length
        let (s0, s1) = (rows.step0, rows.step1)
        let q = m.values + i.input0, u = m.values + i.input1
        var y = m.values + i.output
        for _ in 0..<rows.count {
            for j in 0..<n {
                let row = q + rows.offset0 + j * s0
                let uniform = u[rows.offset1 + j * s1]
                var total = 0.0
                var below = 0
                var lastPositive = 0
                for k in 0..<classes {
                    let p = row[k] < 0 ? 0 : row[k]     // NaN stays NaN
                    total += p
                    below += total <= uniform ? 1 : 0
                    lastPositive = p > 0 ? k : lastPositive
                }
                if total > 0 && uniform >= 0 {          // false for NaN
                    let chosen = min(below, lastPositive)
                    for k in 0..<classes { y[k] = k == chosen ? 1 : 0 }
                } else {
                    y.update(repeating: .nan, count: classes)
                }
                y += classes
            }
            rows.advance()
        }
    }

    @inline(__always)
    static func argmax(_ x: UnsafeMutablePointer<Double>, _ n: Int, stride: Int) -> Int {
        var best = 0
        var top = x[0]
        for j in 1..<max(n, 1) where x[j * stride] > top {
            top = x[j * stride]
            best = j
        }
        return best
    }
}
