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
        let x = m.values + i.input0
        let y = m.values + i.output
        let keep = i.auxiliary >= 0
        let p = m.values + (keep ? i.auxiliary : i.input0)
        if i.inner == 1 {
            // Contiguous lines (reducing the last axis), with the few class
            // counts that dominate discrete models compiled at a constant
            // width so their short loops unroll.
            switch i.length {
            case 2: contiguousLogSumExp(Width2.self, x, p, y, keep, outer: i.outer, length: 2)
            case 3: contiguousLogSumExp(Width3.self, x, p, y, keep, outer: i.outer, length: 3)
            case 4: contiguousLogSumExp(Width4.self, x, p, y, keep, outer: i.outer, length: 4)
            default: contiguousLogSumExp(AnyWidth.self, x, p, y, keep, outer: i.outer, length: i.length)
            }
            return
        }
        for line in 0..<(i.outer * i.inner) {
            let start = lineStart(line, i)
            y[line] = logSumExpLine(x + start, p + start, keep, i.length, stride: i.inner)
        }
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
    static func contiguousLogSumExp<Width: RowWidth>(
        _: Width.Type, _ x: UnsafeMutablePointer<Double>, _ p: UnsafeMutablePointer<Double>,
        _ y: UnsafeMutablePointer<Double>, _ keep: Bool, outer: Int, length: Int
    ) {
        let width = Width.length(length)
        if keep {
            for o in 0..<outer { y[o] = logSumExpLine(x + o * width, p + o * width, true, width, stride: 1) }
        } else {
            for o in 0..<outer { y[o] = logSumExpLine(x + o * width, p, false, width, stride: 1) }
        }
    }

    /// `log Σ exp` of one line; when `keep`, also writes the line's softmax
    /// weights into `p`.
    @inline(__always)
    static func logSumExpLine(
        _ x: UnsafeMutablePointer<Double>, _ p: UnsafeMutablePointer<Double>, _ keep: Bool, _ n: Int, stride: Int
    ) -> Double {
        var top = x[0]
        for j in 1..<n { top = Swift.max(top, x[j * stride]) }
        if top == -.infinity || top.isNaN {
            if keep { for j in 0..<n { p[j * stride] = 0 } }
            return top
        }
        var total = 0.0
        if keep {
            for j in 0..<n {
                let e = Foundation.exp(x[j * stride] - top)
                p[j * stride] = e
                total += e
            }
            let scale = 1 / total
            for j in 0..<n { p[j * stride] *= scale }
        } else {
            for j in 0..<n { total += Foundation.exp(x[j * stride] - top) }
        }
        return top + Foundation.log(total)
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
        let (n, stride) = (i.length, i.inner)
        for line in 0..<(i.outer * stride) {
            let start = lineStart(line, i)
            let x = m.values + i.input0 + start
            let y = m.values + i.output + start
            var top = -Double.infinity
            for j in 0..<n where x[j * stride] > top { top = x[j * stride] }
            var total = 0.0
            for j in 0..<n {
                let e = Foundation.exp(x[j * stride] - top)
                y[j * stride] = e
                total += e
            }
            let scale = 1 / total
            for j in 0..<n { y[j * stride] *= scale }
        }
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
        let (n, stride) = (i.length, i.inner)
        let keep = i.auxiliary >= 0
        for line in 0..<(i.outer * stride) {
            let start = lineStart(line, i)
            let x = m.values + i.input0 + start
            let y = m.values + i.output + start
            let p = m.values + (keep ? i.auxiliary : i.input0) + start
            let lse = logSumExpLine(x, p, keep, n, stride: stride)
            for j in 0..<n { y[j * stride] = x[j * stride] - lse }
        }
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

    /// Where line `line` (numbered `o · inner + k`) starts in the input.
    @inline(__always)
    static func lineStart(_ line: Int, _ i: Instruction) -> Int {
        if i.inner == 1 { return line * i.length }
        let (o, k) = line.quotientAndRemainder(dividingBy: i.inner)
        return o * i.length * i.inner + k
    }
}
