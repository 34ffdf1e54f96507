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
/// A line whose maximum is not finite has `logSumExp` equal to it (`−∞`
/// when every entry is `−∞`, `+∞` when one is, NaN for a NaN) and saved
/// weights 0; its `softmax` is NaN (`exp(x − m)` is `exp(NaN)` somewhere
/// on the line), as in PyTorch.
///
/// The backward passes over contiguous lines sum each line in order, then
/// write its gradient four elements at a time (the same operations per
/// element as one at a time).
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
        if i.inner == 1 {
            switch i.length {
            case 2: return contiguousSoftmaxBackward(Store.self, Width2.self, i, m)
            case 3: return contiguousSoftmaxBackward(Store.self, Width3.self, i, m)
            case 4: return contiguousSoftmaxBackward(Store.self, Width4.self, i, m)
            case 8: return contiguousSoftmaxBackward(Store.self, Width8.self, i, m)
            default: return contiguousSoftmaxBackward(Store.self, AnyWidth.self, i, m)
            }
        }
        let (n, stride) = (i.length, i.inner)
        let scale = inverseScale(i, m)
        for line in 0..<(i.outer * stride) {
            let start = lineStart(line, i)
            let y = m.values + i.output + start
            let g = m.gradients + i.outputGradient + start
            let gx = m.gradients + i.gradient0 + start
            var dot = 0.0
            for j in 0..<n { dot += g[j * stride] * y[j * stride] }
            for j in 0..<n { Store.store(scale * y[j * stride] * (g[j * stride] - dot), at: gx + j * stride) }
        }
    }

    /// `1/t` for a softmax of `x / t` (``Instruction/input1``, a single
    /// element, from ``GraphRewriting``'s scaled softmaxes); 1 otherwise.
    @inline(__always)
    static func inverseScale(_ i: Instruction, _ m: KernelMemory) -> Double {
        i.input1 >= 0 ? 1 / m.values[i.input1] : 1
    }

    @inline(__always)
    static func contiguousSoftmaxBackward<Store: GradientStore, Width: RowWidth>(
        _: Store.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory
    ) {
        let n = Width.length(i.length)
        let scale = inverseScale(i, m)
        let scaleV = Vector4(repeating: scale)
        var y = m.values + i.output
        var g = m.gradients + i.outputGradient
        var gx = m.gradients + i.gradient0
        for _ in 0..<i.outer {
            var dot = 0.0
            for j in 0..<n { dot += g[j] * y[j] }
            let dotV = Vector4(repeating: dot)
            var j = 0
            while j &+ 4 <= n {
                Store.store(scaleV * y.vector(at: j) * (g.vector(at: j) - dotV), at: gx + j)
                j &+= 4
            }
            while j < n {
                Store.store(scale * y[j] * (g[j] - dot), at: gx + j)
                j &+= 1
            }
            y += n
            g += n
            gx += n
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
        if i.companionGradient >= 0 { return backwardLogSoftmaxAndSoftmax(Store.self, i, m) }
        if i.inner == 1 {
            switch i.length {
            case 2: return contiguousLogSoftmaxBackward(Store.self, Width2.self, i, m)
            case 3: return contiguousLogSoftmaxBackward(Store.self, Width3.self, i, m)
            case 4: return contiguousLogSoftmaxBackward(Store.self, Width4.self, i, m)
            case 8: return contiguousLogSoftmaxBackward(Store.self, Width8.self, i, m)
            default: return contiguousLogSoftmaxBackward(Store.self, AnyWidth.self, i, m)
            }
        }
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

    @inline(__always)
    static func contiguousLogSoftmaxBackward<Store: GradientStore, Width: RowWidth>(
        _: Store.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory
    ) {
        let n = Width.length(i.length)
        var p = m.values + i.auxiliary
        var g = m.gradients + i.outputGradient
        var gx = m.gradients + i.gradient0
        for _ in 0..<i.outer {
            var total = 0.0
            for j in 0..<n { total += g[j] }
            let totalV = Vector4(repeating: total)
            var j = 0
            while j &+ 4 <= n {
                Store.store(g.vector(at: j) - p.vector(at: j) * totalV, at: gx + j)
                j &+= 4
            }
            while j < n {
                Store.store(g[j] - p[j] * total, at: gx + j)
                j &+= 1
            }
            p += n
            g += n
            gx += n
        }
    }

    /// A logSoftmax and the softmax that shares its weights, in one pass
    /// (``Instruction/companionGradient``):
    /// `gx (+)= g_L + p ⊙ (g_S − Σ g_S ⊙ p − Σ g_L)`.
    @inline(__always)
    static func backwardLogSoftmaxAndSoftmax<Store: GradientStore>(_: Store.Type, _ i: Instruction, _ m: KernelMemory) {
        if i.inner == 1 {
            switch i.length {
            case 2: return contiguousLogSoftmaxAndSoftmaxBackward(Store.self, Width2.self, i, m)
            case 3: return contiguousLogSoftmaxAndSoftmaxBackward(Store.self, Width3.self, i, m)
            case 4: return contiguousLogSoftmaxAndSoftmaxBackward(Store.self, Width4.self, i, m)
            case 8: return contiguousLogSoftmaxAndSoftmaxBackward(Store.self, Width8.self, i, m)
            default: return contiguousLogSoftmaxAndSoftmaxBackward(Store.self, AnyWidth.self, i, m)
            }
        }
        let (n, stride) = (i.length, i.inner)
        for line in 0..<(i.outer * stride) {
            let start = lineStart(line, i)
            let p = m.values + i.auxiliary + start
            let gL = m.gradients + i.outputGradient + start
            let gS = m.gradients + i.companionGradient + start
            let gx = m.gradients + i.gradient0 + start
            var total = 0.0, dot = 0.0
            for j in 0..<n { total += gL[j * stride] }
            for j in 0..<n { dot += gS[j * stride] * p[j * stride] }
            let shift = dot + total
            for j in 0..<n { Store.store(gL[j * stride] + p[j * stride] * (gS[j * stride] - shift), at: gx + j * stride) }
        }
    }

    @inline(__always)
    static func contiguousLogSoftmaxAndSoftmaxBackward<Store: GradientStore, Width: RowWidth>(
        _: Store.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory
    ) {
        let n = Width.length(i.length)
        var p = m.values + i.auxiliary
        var gL = m.gradients + i.outputGradient
        var gS = m.gradients + i.companionGradient
        var gx = m.gradients + i.gradient0
        for _ in 0..<i.outer {
            var total = 0.0, dot = 0.0
            for j in 0..<n { total += gL[j] }
            for j in 0..<n { dot += gS[j] * p[j] }
            let shift = dot + total
            let shiftV = Vector4(repeating: shift)
            var j = 0
            while j &+ 4 <= n {
                Store.store(gL.vector(at: j) + p.vector(at: j) * (gS.vector(at: j) - shiftV), at: gx + j)
                j &+= 4
            }
            while j < n {
                Store.store(gL[j] + p[j] * (gS[j] - shift), at: gx + j)
                j &+= 1
            }
            p += n
            gL += n
            gS += n
            gx += n
        }
    }

    // MARK: The forward passes, in blocks of lines

    /// Elements per block: the shifted inputs of a block of lines, their
    /// exponentials, maxima and sums stay in the plan's scratch (and in L1).
    static let blockElements = 512

    /// The scratch of a block of lines of `n`: how many lines a block
    /// holds, then their shifted inputs `x − m` (`lines · n` reals), their
    /// maxima and their sums (or the sums' logarithms), one per line.
    @inline(__always)
    static func blockScratch(_ n: Int, _ m: KernelMemory)
        -> (lines: Int, shifted: UnsafeMutablePointer<Double>, tops: UnsafeMutablePointer<Double>,
            logs: UnsafeMutablePointer<Double>) {
        let lines = max(1, blockElements / n)
        let tops = m.scratch + lines * n
        return (lines, m.scratch, tops, tops + lines)
    }

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
    /// is not finite has `logSumExp` equal to it and saved weights 0.
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
            case 8: forwardLines(Result.self, Width8.self, i, m)
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
        if i.inner == 1 && n <= 4 {
            forwardShortLines(Result.self, Width.self, i, m)
        } else if i.inner == 1 && isWide(n) {
            forwardWideLines(Result.self, Width.self, i, m)
        } else {
            blockedLines(Result.self, Width.self, i, m, from: 0, to: i.outer * i.inner)
        }
    }

    /// Contiguous lines of 2–4 (a class axis), four lines at a time in
    /// registers: lane `l` of vector `v_k` holds element `k` of line `l`.
    /// A block of such groups at a time, through scratch: each group's
    /// maximum and `v_k − max` into the scratch, then one `exp` over the
    /// block and one `log` over its sums (buffer passes, so on AVX2 and
    /// AVX-512 machines their wide copies; one `exp` call per vector, in the
    /// baseline build, took a sixth of W3's straight-through step), then
    /// each group's results. The buffer passes compute each vector of four
    /// as ``VectorMath/exp(_:)-(SIMD4<Double>)`` does, so the results are
    /// those of one call per vector bit for bit. A group with a non-finite
    /// element, and the last one to three lines, take the blocked path.
    @inline(__always)
    static func forwardShortLines<Result: LineResult, Width: RowWidth>(
        _: Result.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory
    ) {
        let n = Width.length(i.length)
        let lineCount = i.outer
        let x = m.values + i.input0
        let y = m.values + i.output
        let keep = i.auxiliary >= 0
        let p = m.values + (keep ? i.auxiliary : 0)
        let minusInfinity = Vector4(repeating: -.infinity)
        let inputScale = inverseScale(i, m)
        let (blockLines, shifted, tops, logs) = blockScratch(n, m)
        let blockGroups = Swift.max(1, blockLines / 4)
        @inline(__always) func column(_ base: UnsafeMutablePointer<Double>, _ k: Int) -> Vector4 {
            k < n ? Vector4(base[k], base[n + k], base[2 * n + k], base[3 * n + k]) * inputScale : minusInfinity
        }
        @inline(__always) func scatter(_ v: Vector4, _ base: UnsafeMutablePointer<Double>, _ k: Int) {
            base[k] = v[0]; base[n + k] = v[1]; base[2 * n + k] = v[2]; base[3 * n + k] = v[3]
        }
        var line = 0
        while line + 4 <= lineCount {
            // 1. Up to a block of groups: `v_k − max` (n vectors a group) and the maxima.
            var groups = 0, stopped = false
            while groups < blockGroups && line + 4 * groups + 4 <= lineCount {
                let base = x + (line + 4 * groups) * n
                let v0 = column(base, 0), v1 = column(base, 1), v2 = column(base, 2), v3 = column(base, 3)
                // x − x is 0 for finite x and NaN otherwise: any non-finite
                // element sends the group to the scalar path's semantics.
                var check = (v0 - v0) + (v1 - v1)
                if n > 2 { check += v2 - v2 }
                if n > 3 { check += v3 - v3 }
                guard check == Vector4(repeating: 0) else {
                    stopped = true
                    break
                }
                var top = v0.replacing(with: v1, where: v1 .> v0)
                if n > 2 { top.replace(with: v2, where: v2 .> top) }
                if n > 3 { top.replace(with: v3, where: v3 .> top) }
                let d = shifted + 4 * n * groups
                d.setVector(v0 - top, at: 0)
                d.setVector(v1 - top, at: 4)
                if n > 2 { d.setVector(v2 - top, at: 8) }
                if n > 3 { d.setVector(v3 - top, at: 12) }
                tops.setVector(top, at: 4 * groups)
                groups += 1
            }
            // 2. One exp over the block; the sums, and one log over them.
            // (Step 3 adds each group's sums again: two or three additions
            // where a buffer of them would cost a store and a load.)
            VectorMath.exp(shifted, shifted, count: 4 * n * groups)
            @inline(__always) func exponentials(_ g: Int) -> (Vector4, Vector4, Vector4, Vector4, total: Vector4) {
                let e = shifted + 4 * n * g
                let e0 = e.vector(at: 0), e1 = e.vector(at: 4)
                let e2 = n > 2 ? e.vector(at: 8) : Vector4(), e3 = n > 3 ? e.vector(at: 12) : Vector4()
                var total = e0 + e1
                if n > 2 { total += e2 }
                if n > 3 { total += e3 }
                return (e0, e1, e2, e3, total)
            }
            if Result.needsLogSumExp {
                for g in 0..<groups { logs.setVector(exponentials(g).total, at: 4 * g) }
                VectorMath.log(logs, logs, count: 4 * groups)
            }
            // 3. Each group's results.
            for g in 0..<groups {
                let base = x + (line + 4 * g) * n
                let (e0, e1, e2, e3, total) = exponentials(g)
                let scale = 1 / total
                let top = tops.vector(at: 4 * g)
                // Plain softmax needs no logarithm (only 1/Σe).
                let logSumExp = Result.needsLogSumExp ? top + logs.vector(at: 4 * g) : top
                let v = (column(base, 0), column(base, 1), column(base, 2), column(base, 3))
                Result.finish(line: line + 4 * g, n: n, x: base, y: y, v: v, e: (e0, e1, e2, e3),
                              scale: scale, logSumExp: logSumExp, scatter: scatter)
                if keep {
                    let out = p + (line + 4 * g) * n
                    scatter(e0 * scale, out, 0)
                    scatter(e1 * scale, out, 1)
                    if n > 2 { scatter(e2 * scale, out, 2) }
                    if n > 3 { scatter(e3 * scale, out, 3) }
                }
            }
            line += 4 * groups
            if stopped {
                blockedLines(Result.self, Width.self, i, m, from: line, to: line + 4)
                line += 4
            }
        }
        if line < lineCount { blockedLines(Result.self, Width.self, i, m, from: line, to: lineCount) }
    }

    /// Lines of the wide path: contiguous, `4m > 4` long (W5's eight classes).
    @inline(__always)
    static func isWide(_ n: Int) -> Bool { n > 4 && n % 4 == 0 }

    /// Contiguous lines of `4m > 4` (``isWide(_:)``), by blocks through
    /// scratch like ``blockedLines(_:_:_:_:from:to:)`` and with the same
    /// arithmetic in the same order (so the same results bit for bit), but
    /// each line's maximum and `x − m` from vector loads rather than a
    /// scalar loop per element. A line with a non-finite element ends the
    /// block before it and takes the blocked path alone.
    @inline(__always)
    static func forwardWideLines<Result: LineResult, Width: RowWidth>(
        _: Result.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory
    ) {
        let n = Width.length(i.length)
        let lineCount = i.outer
        let x = m.values + i.input0
        let scale4 = Vector4(repeating: inverseScale(i, m))
        let (blockLines, shifted, tops, _) = blockScratch(n, m)
        var first = 0
        while first < lineCount {
            let lines = Swift.min(blockLines, lineCount - first)
            var ready = 0
            while ready < lines {
                let row = x + (first + ready) * n
                // x − x is 0 for finite x and NaN otherwise.
                var check = Vector4.zero
                var top = scale4 * row.vector(at: 0)
                var j = 0
                while j < n {
                    let v = scale4 * row.vector(at: j)
                    check += v - v
                    top.replace(with: v, where: v .> top)
                    j += 4
                }
                guard check == Vector4.zero else { break }
                let t = Swift.max(Swift.max(top[0], top[1]), Swift.max(top[2], top[3]))
                tops[ready] = t
                let d = shifted + ready * n
                j = 0
                while j < n {
                    d.setVector(scale4 * row.vector(at: j) - Vector4(repeating: t), at: j)
                    j += 4
                }
                ready += 1
            }
            if ready > 0 {
                finishBlock(Result.self, Width.self, i, m, first: first, lines: ready)
                first += ready
            }
            if ready < lines {
                blockedLines(Result.self, Width.self, i, m, from: first, to: first + 1)
                first += 1
            }
        }
    }

    /// Lines `first..<last` in blocks through scratch (any length and stride).
    @inline(__always)
    static func blockedLines<Result: LineResult, Width: RowWidth>(
        _: Result.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory, from start: Int, to lineCount: Int
    ) {
        let n = Width.length(i.length)
        let stride = i.inner
        let x = m.values + i.input0
        let inputScale = inverseScale(i, m)
        let (blockLines, shifted, tops, _) = blockScratch(n, m)
        var first = start
        while first < lineCount {
            let lines = Swift.min(blockLines, lineCount - first)
            for b in 0..<lines {
                let start = lineStart(first + b, i)
                let row = shifted + b * n
                var top = inputScale * x[start]
                for j in 1..<n { top = Swift.max(top, inputScale * x[start + j * stride]) }
                tops[b] = top
                for j in 0..<n { row[j] = inputScale * x[start + j * stride] - top }
            }
            finishBlock(Result.self, Width.self, i, m, first: first, lines: lines)
            first += lines
        }
    }

    /// The rest of a block of `lines` lines from `first`, whose maxima are
    /// in the scratch's `tops` and shifted inputs `x − m` in its first
    /// `lines · n` reals: one `exp` over the block, each line's sum, one
    /// `log` over the sums (when the result needs `logSumExp`), then each
    /// line's finish and saved weights (0 for a line whose maximum is not
    /// finite).
    @inline(__always)
    static func finishBlock<Result: LineResult, Width: RowWidth>(
        _: Result.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory, first: Int, lines: Int
    ) {
        let n = Width.length(i.length)
        let stride = i.inner
        let x = m.values + i.input0
        let y = m.values + i.output
        let keep = i.auxiliary >= 0
        let p = m.values + (keep ? i.auxiliary : 0)
        let (_, shifted, tops, logs) = blockScratch(n, m)
        VectorMath.exp(shifted, shifted, count: lines * n)
        for b in 0..<lines {
            let row = shifted + b * n
            var total = 0.0
            for j in 0..<n { total += row[j] }
            logs[b] = total
        }
        if Result.needsLogSumExp { VectorMath.log(logs, logs, count: lines) }
        for b in 0..<lines {
            let start = lineStart(first + b, i)
            let row = shifted + b * n
            let top = tops[b]
            let finite = top.isFinite
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
/// line's exponentials `e_j = exp(x_j − m)`, `1/Σe` and `logSumExp`; and
/// four contiguous short lines at once, with element `k` of line `l` in
/// lane `l` of `v.k` (the inputs) and `e.k` (their exponentials).
protocol LineResult {
    /// Whether ``finish`` reads `logSumExp` (plain softmax does not, and
    /// its kernels then skip the logarithm).
    static var needsLogSumExp: Bool { get }
    static func finish(line: Int, start: Int, stride: Int, n: Int, x: UnsafeMutablePointer<Double>,
                       y: UnsafeMutablePointer<Double>, weights: UnsafeMutablePointer<Double>,
                       scale: Double, logSumExp: Double, finite: Bool)
    static func finish(line: Int, n: Int, x: UnsafeMutablePointer<Double>, y: UnsafeMutablePointer<Double>,
                       v: (Vector4, Vector4, Vector4, Vector4), e: (Vector4, Vector4, Vector4, Vector4),
                       scale: Vector4, logSumExp: Vector4,
                       scatter: (Vector4, UnsafeMutablePointer<Double>, Int) -> Void)
}

/// `y = logSumExp(x)`, one value per line.
enum LogSumExpResult: LineResult {
    static var needsLogSumExp: Bool { true }
    @inline(__always)
    static func finish(line: Int, start: Int, stride: Int, n: Int, x: UnsafeMutablePointer<Double>,
                       y: UnsafeMutablePointer<Double>, weights: UnsafeMutablePointer<Double>,
                       scale: Double, logSumExp: Double, finite: Bool) {
        y[line] = logSumExp
    }

    @inline(__always)
    static func finish(line: Int, n: Int, x: UnsafeMutablePointer<Double>, y: UnsafeMutablePointer<Double>,
                       v: (Vector4, Vector4, Vector4, Vector4), e: (Vector4, Vector4, Vector4, Vector4),
                       scale: Vector4, logSumExp: Vector4,
                       scatter: (Vector4, UnsafeMutablePointer<Double>, Int) -> Void) {
        y.setVector(logSumExp, at: line)
    }
}

/// `y_j = e_j / Σe`.
enum SoftmaxResult: LineResult {
    static var needsLogSumExp: Bool { false }
    @inline(__always)
    static func finish(line: Int, start: Int, stride: Int, n: Int, x: UnsafeMutablePointer<Double>,
                       y: UnsafeMutablePointer<Double>, weights: UnsafeMutablePointer<Double>,
                       scale: Double, logSumExp: Double, finite: Bool) {
        for j in 0..<n { y[start + j * stride] = weights[j] * scale }
    }

    @inline(__always)
    static func finish(line: Int, n: Int, x: UnsafeMutablePointer<Double>, y: UnsafeMutablePointer<Double>,
                       v: (Vector4, Vector4, Vector4, Vector4), e: (Vector4, Vector4, Vector4, Vector4),
                       scale: Vector4, logSumExp: Vector4,
                       scatter: (Vector4, UnsafeMutablePointer<Double>, Int) -> Void) {
        let out = y + line * n
        scatter(e.0 * scale, out, 0)
        scatter(e.1 * scale, out, 1)
        if n > 2 { scatter(e.2 * scale, out, 2) }
        if n > 3 { scatter(e.3 * scale, out, 3) }
    }
}

/// `y_j = x_j − logSumExp(x)`.
enum LogSoftmaxResult: LineResult {
    static var needsLogSumExp: Bool { true }
    @inline(__always)
    static func finish(line: Int, start: Int, stride: Int, n: Int, x: UnsafeMutablePointer<Double>,
                       y: UnsafeMutablePointer<Double>, weights: UnsafeMutablePointer<Double>,
                       scale: Double, logSumExp: Double, finite: Bool) {
        for j in 0..<n { y[start + j * stride] = x[start + j * stride] - logSumExp }
    }

    @inline(__always)
    static func finish(line: Int, n: Int, x: UnsafeMutablePointer<Double>, y: UnsafeMutablePointer<Double>,
                       v: (Vector4, Vector4, Vector4, Vector4), e: (Vector4, Vector4, Vector4, Vector4),
                       scale: Vector4, logSumExp: Vector4,
                       scatter: (Vector4, UnsafeMutablePointer<Double>, Int) -> Void) {
        let out = y + line * n
        scatter(v.0 - logSumExp, out, 0)
        scatter(v.1 - logSumExp, out, 1)
        if n > 2 { scatter(v.2 - logSumExp, out, 2) }
        if n > 3 { scatter(v.3 - logSumExp, out, 3) }
    }
}
