import Foundation

/// Forward and backward loops of ``Opcode/logSumExp``, ``Opcode/softmax``
/// and ``Opcode/logSoftmax`` along one axis.
///
/// The input is `outer × length × inner`; each of the `outer · inner` lines
/// of `length` elements (stride `inner`) is normalized on its own, with its
/// maximum `m` subtracted before exponentiating:
///
///     logSumExp(x)   = m + log Σⱼ exp(xⱼ − m)
///     softmax(x)ᵢ    = exp(xᵢ − m) / Σⱼ exp(xⱼ − m)
///     logSoftmax(x)ᵢ = xᵢ − logSumExp(x)
///
/// Vector-Jacobian products, with `p = softmax(x)`:
///
///     logSumExp:  gx += g · p
///     softmax:    gx += y ⊙ (g − Σ g ⊙ y)
///     logSoftmax: gx += g − p · Σ g
///
/// `logSumExp` and `logSoftmax` need `p` in the backward pass. When the
/// instruction has one, the forward pass already holds `exp(x − m)` and the
/// sum, so it stores `p` in the instruction's auxiliary slot at the cost of
/// one multiply per element instead of a second `exp` per element later.
/// A line whose entries are all `−∞` has `logSumExp = −∞` and weights 0.
enum SoftmaxKernels {
    // MARK: logSumExp

    static func forwardLogSumExp(_ i: Instruction, _ m: KernelMemory) {
        forwardLines(LogSumExpResult.self, i, m)
    }

    static func backwardLogSumExp(_ i: Instruction, _ m: KernelMemory) {
        if i.overwrites(0) { backwardLogSumExp(Overwrite.self, i, m) } else { backwardLogSumExp(Accumulate.self, i, m) }
    }

    @inline(__always)
    static func backwardLogSumExp<Store: GradientStore>(_: Store.Type, _ i: Instruction, _ m: KernelMemory) {
        let p = m.values + i.auxiliary
        let g = m.gradients + i.outputGradient
        let gx = m.gradients + i.gradient0
        let (length, inner) = (i.length, i.inner)
        if inner == 1 {
            switch length {
            case 2: contiguousLogSumExpBackward(Store.self, Width2.self, p, g, gx, outer: i.outer, length: 2)
            case 3: contiguousLogSumExpBackward(Store.self, Width3.self, p, g, gx, outer: i.outer, length: 3)
            case 4: contiguousLogSumExpBackward(Store.self, Width4.self, p, g, gx, outer: i.outer, length: 4)
            default: contiguousLogSumExpBackward(Store.self, AnyWidth.self, p, g, gx, outer: i.outer, length: length)
            }
            return
        }
        for line in 0..<(i.outer * inner) {
            let start = lineStart(line, i)
            let v = g[line]
            for j in 0..<length { Store.store(v * p[start + j * inner], at: gx + start + j * inner) }
        }
    }

    @inline(__always)
    static func contiguousLogSumExpBackward<Store: GradientStore, Width: RowWidth>(
        _: Store.Type, _: Width.Type, _ p: UnsafeMutablePointer<Double>, _ g: UnsafeMutablePointer<Double>,
        _ gx: UnsafeMutablePointer<Double>, outer: Int, length: Int
    ) {
        let width = Width.length(length)
        for o in 0..<outer {
            let v = g[o]
            let row = o * width
            for j in 0..<width { Store.store(v * p[row + j], at: gx + row + j) }
        }
    }

    // MARK: softmax

    static func forwardSoftmax(_ i: Instruction, _ m: KernelMemory) {
        forwardLines(SoftmaxResult.self, i, m)
    }

    static func backwardSoftmax(_ i: Instruction, _ m: KernelMemory) {
        if i.overwrites(0) { backwardSoftmax(Overwrite.self, i, m) } else { backwardSoftmax(Accumulate.self, i, m) }
    }

    @inline(__always)
    static func backwardSoftmax<Store: GradientStore>(_: Store.Type, _ i: Instruction, _ m: KernelMemory) {
        let (n, stride) = (i.length, i.inner)
        for line in 0..<(i.outer * stride) {
            let start = lineStart(line, i)
            let y = m.values + i.output + start
            let g = m.gradients + i.outputGradient + start
            let gx = m.gradients + i.gradient0 + start
            var dot = 0.0
            for j in 0..<n { dot += g[j * stride] * y[j * stride] }
            for j in 0..<n { Store.store(y[j * stride] * (g[j * stride] - dot), at: gx + j * stride) }
        }
    }

    // MARK: logSoftmax

    static func forwardLogSoftmax(_ i: Instruction, _ m: KernelMemory) {
        forwardLines(LogSoftmaxResult.self, i, m)
    }

    static func backwardLogSoftmax(_ i: Instruction, _ m: KernelMemory) {
        if i.overwrites(0) { backwardLogSoftmax(Overwrite.self, i, m) } else { backwardLogSoftmax(Accumulate.self, i, m) }
    }

    @inline(__always)
    static func backwardLogSoftmax<Store: GradientStore>(_: Store.Type, _ i: Instruction, _ m: KernelMemory) {
        let (n, stride) = (i.length, i.inner)
        for line in 0..<(i.outer * stride) {
            let start = lineStart(line, i)
            let p = m.values + i.auxiliary + start
            let g = m.gradients + i.outputGradient + start
            let gx = m.gradients + i.gradient0 + start
            var total = 0.0
            for j in 0..<n { total += g[j * stride] }
            for j in 0..<n { Store.store(g[j * stride] - p[j * stride] * total, at: gx + j * stride) }
        }
    }

    // MARK: The forward passes, in blocks of lines

    /// Elements per block: the shifted inputs of a block of lines, their
    /// exponentials, maxima and sums stay in the plan's scratch (and in L1).
    static let blockElements = 512

    /// Scratch reals a forward pass over lines of `length` needs.
    static func scratchCount(length: Int) -> Int {
        let lines = max(1, blockElements / length)
        return lines * length + 2 * lines
    }

    /// The three forward passes share one structure, by blocks of lines:
    /// each line's maximum `m` and `x − m` into scratch (one pass), `exp` of
    /// the whole block (``VectorMath/exp(_:_:count:)``), each line's sum
    /// `s`, `log s` of the block's sums (``VectorMath/log(_:_:count:)``),
    /// and then each result's own finish (`Result`). A line whose maximum
    /// is `−∞` or NaN has `logSumExp` equal to it and weights 0.
    @inline(__always)
    static func forwardLines<Result: LineResult>(_: Result.Type, _ i: Instruction, _ m: KernelMemory) {
        if i.inner == 1 {
            // Contiguous lines (reducing the last axis), with the few class
            // counts that dominate discrete models compiled at a constant
            // width so their short loops unroll.
            switch i.length {
            case 2: forwardLines(Result.self, Width2.self, i, m)
            case 3: forwardLines(Result.self, Width3.self, i, m)
            case 4: forwardLines(Result.self, Width4.self, i, m)
            default: forwardLines(Result.self, AnyWidth.self, i, m)
            }
        } else {
            forwardLines(Result.self, AnyWidth.self, i, m)
        }
    }

    @inline(__always)
    static func forwardLines<Result: LineResult, Width: RowWidth>(
        _: Result.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory
    ) {
        let n = Width.length(i.length)
        let stride = i.inner
        let lineCount = i.outer * stride
        let x = m.values + i.input0
        let y = m.values + i.output
        let keep = i.auxiliary >= 0
        let p = m.values + (keep ? i.auxiliary : 0)
        let blockLines = max(1, blockElements / n)
        let shifted = m.scratch
        let tops = m.scratch + blockLines * n
        let logs = tops + blockLines
        var first = 0
        while first < lineCount {
            let lines = Swift.min(blockLines, lineCount - first)
            for b in 0..<lines {
                let start = lineStart(first + b, i)
                let row = shifted + b * n
                var top = x[start]
                for j in 1..<n { top = Swift.max(top, x[start + j * stride]) }
                tops[b] = top
                for j in 0..<n { row[j] = x[start + j * stride] - top }
            }
            VectorMath.exp(shifted, shifted, count: lines * n)
            for b in 0..<lines {
                let row = shifted + b * n
                var total = 0.0
                for j in 0..<n { total += row[j] }
                logs[b] = total
            }
            VectorMath.log(logs, logs, count: lines)
            for b in 0..<lines {
                let start = lineStart(first + b, i)
                let row = shifted + b * n
                let top = tops[b]
                let finite = top != -.infinity && !top.isNaN
                // The sum is e^{log s}; 1/s from the same exponentials.
                var total = 0.0
                for j in 0..<n { total += row[j] }
                let scale = 1 / total
                let lse = finite ? top + logs[b] : top
                Result.finish(line: first + b, start: start, stride: stride, n: n, x: x, y: y,
                              weights: row, scale: scale, logSumExp: lse, finite: finite)
                if keep {
                    for j in 0..<n { p[start + j * stride] = finite ? row[j] * scale : 0 }
                }
            }
            first += lines
        }
    }

    /// Where line `line` (numbered `o · inner + k`) starts in the input.
    @inline(__always)
    static func lineStart(_ line: Int, _ i: Instruction) -> Int {
        if i.inner == 1 { return line * i.length }
        let (o, k) = line.quotientAndRemainder(dividingBy: i.inner)
        return o * i.length * i.inner + k
    }
}

/// How a forward pass of the softmax family finishes one line, given the
/// line's exponentials `e_j = exp(x_j − m)`, `1/Σe` and `logSumExp`.
protocol LineResult {
    static func finish(line: Int, start: Int, stride: Int, n: Int, x: UnsafeMutablePointer<Double>,
                       y: UnsafeMutablePointer<Double>, weights: UnsafeMutablePointer<Double>,
                       scale: Double, logSumExp: Double, finite: Bool)
}

/// `y = logSumExp(x)`, one value per line.
enum LogSumExpResult: LineResult {
    @inline(__always)
    static func finish(line: Int, start: Int, stride: Int, n: Int, x: UnsafeMutablePointer<Double>,
                       y: UnsafeMutablePointer<Double>, weights: UnsafeMutablePointer<Double>,
                       scale: Double, logSumExp: Double, finite: Bool) {
        y[line] = logSumExp
    }
}

/// `y_j = e_j / Σe`.
enum SoftmaxResult: LineResult {
    @inline(__always)
    static func finish(line: Int, start: Int, stride: Int, n: Int, x: UnsafeMutablePointer<Double>,
                       y: UnsafeMutablePointer<Double>, weights: UnsafeMutablePointer<Double>,
                       scale: Double, logSumExp: Double, finite: Bool) {
        for j in 0..<n { y[start + j * stride] = weights[j] * scale }
    }
}

/// `y_j = x_j − logSumExp(x)`.
enum LogSoftmaxResult: LineResult {
    @inline(__always)
    static func finish(line: Int, start: Int, stride: Int, n: Int, x: UnsafeMutablePointer<Double>,
                       y: UnsafeMutablePointer<Double>, weights: UnsafeMutablePointer<Double>,
                       scale: Double, logSumExp: Double, finite: Bool) {
        for j in 0..<n { y[start + j * stride] = x[start + j * stride] - logSumExp }
    }
}
