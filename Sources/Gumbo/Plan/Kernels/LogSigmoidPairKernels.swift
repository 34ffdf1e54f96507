/// Forward and backward loops of ``Opcode/logSigmoidPair``: a Bernoulli's
/// class log-probabilities from its logits `x` (``GraphRewriting``,
/// rewrite 5),
///
///     y[o, 0] = log σ(−x[o]) = −softplus(x[o]),   y[o, 1] = log σ(x[o]) = −softplus(−x[o])
///     ∂x[o] (+)= g[o, 1] · σ(−x[o]) − g[o, 0] · σ(x[o])
///
/// With `e = e^{−|x|}` (the same for `x` and `−x`), ``VectorMath`` computes
/// `softplus(±x) = max(±x, 0) + log1p(e)` and `σ(±x)` as `r = 1/(1 + e)`
/// or `e·r` by the sign of `±x`; the loops compute `e`, `log1p(e)` and `r`
/// once for both and otherwise follow those functions operation for
/// operation, so the results equal the unfused `negate`, two `logSigmoid`
/// and `concat` bit for bit (the backward sum is that of the unfused
/// accumulation, `g₁σ(−x) + (g₀σ(x))·(−1)`). Four elements at a time, the
/// last one to three through a padded vector as ``UnaryKernels`` does; a
/// vector with a lane outside the fast range (`|x| > 708`) calls the
/// separate functions. When the backward pass runs, the forward pass saves
/// `σ(±x)` in the instruction's ``Instruction/auxiliary`` slot (``PlanLowering``),
/// from the `e` it has anyway, and the backward pass reads them; that
/// forward pass runs in three passes through the slot
/// (``forwardInPasses(_:_:)``).
enum LogSigmoidPairKernels {
    static func forward(_ i: Instruction, _ m: KernelMemory) {
        if i.auxiliary >= 0 {
            forward(SavingSigmoids.self, i, m, from: forwardInPasses(i, m))
        } else {
            forward(DroppingSigmoids.self, i, m, from: 0)
        }
    }

    /// The pairs from element `start` on, four at a time. With `Save`, also
    /// `σ(x)` at `auxiliary[0..<n]` and `σ(−x)` at `auxiliary[n..<2n]` for
    /// the backward pass, from the `e^{−|x|}` the values use: what
    /// ``sigmoids(_:)`` would compute there, one exponential fewer.
    @inline(__always)
    static func forward<Save: SigmoidSaving>(_: Save.Type, _ i: Instruction, _ m: KernelMemory, from start: Int) {
        let x = m.values + i.input0
        let y = m.values + i.output
        let saved = m.values + max(i.auxiliary, 0)
        let n = i.count / 2
        var j = start
        while j + 4 <= n {
            let (negative, positive) = Save.pair(x.vector(at: j), saved + j, saved + n + j, count: 4)
            for lane in 0..<4 {
                y[2 * (j + lane)] = negative[lane]
                y[2 * (j + lane) + 1] = positive[lane]
            }
            j += 4
        }
        if j < n {
            let (negative, positive) = Save.pair(x.partialVector(at: j, count: n - j), saved + j, saved + n + j,
                                                 count: n - j)
            for lane in 0..<(n - j) {
                y[2 * (j + lane)] = negative[lane]
                y[2 * (j + lane) + 1] = positive[lane]
            }
        }
    }

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        if i.overwrites(0) { backward(Overwrite.self, i, m) } else { backward(Accumulate.self, i, m) }
    }

    @inline(__always)
    static func backward<Store: GradientStore>(_: Store.Type, _ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let g = m.gradients + i.outputGradient
        let gx = m.gradients + i.gradient0
        let n = i.count / 2
        let saved = m.values + i.auxiliary
        var j = 0
        while j + 4 <= n {
            let (positive, negative) = i.auxiliary >= 0
                ? (saved.vector(at: j), saved.vector(at: n + j)) : sigmoids(x.vector(at: j))
            let g0 = Vector4(g[2 * j], g[2 * j + 2], g[2 * j + 4], g[2 * j + 6])
            let g1 = Vector4(g[2 * j + 1], g[2 * j + 3], g[2 * j + 5], g[2 * j + 7])
            Store.store(g1 * negative + (g0 * positive) * Vector4(repeating: -1), at: gx + j)
            j += 4
        }
        if j < n {
            let (positive, negative) = i.auxiliary >= 0
                ? (saved.partialVector(at: j, count: n - j), saved.partialVector(at: n + j, count: n - j))
                : sigmoids(x.partialVector(at: j, count: n - j))
            for lane in 0..<(n - j) {
                let k = j + lane
                Store.store(g[2 * k + 1] * negative[lane] + (g[2 * k] * positive[lane]) * -1, at: gx + k)
            }
        }
    }

    /// `(log σ(−x), log σ(x))`, as `VectorMath.logSigmoid(−x)` and
    /// `VectorMath.logSigmoid(x)` compute them.
    @inline(__always)
    static func logSigmoids(_ x: Vector4) -> (Vector4, Vector4) {
        let negativeAbs = VectorKernels.negativeMagnitude(x)
        guard _fastPath(VectorKernels.allTrue(negativeAbs .>= -708.0)) else {
            return (VectorMath.logSigmoid(-x), VectorMath.logSigmoid(x))
        }
        let shared = VectorKernels.log1pSmall(VectorKernels.expCore(negativeAbs))
        let minusX = -x
        // log σ(−x) = −softplus(x), log σ(x) = −softplus(−x).
        return (-(x.replacing(with: 0, where: x .< 0) + shared),
                -(minusX.replacing(with: 0, where: minusX .< 0) + shared))
    }

    /// `(σ(x), σ(−x))`, as `VectorMath.sigmoid` computes them.
    @inline(__always)
    static func sigmoids(_ x: Vector4) -> (Vector4, Vector4) {
        let negativeAbs = VectorKernels.negativeMagnitude(x)
        guard _fastPath(VectorKernels.allTrue(negativeAbs .>= -708.0)) else {
            return (VectorMath.sigmoid(x), VectorMath.sigmoid(-x))
        }
        let e = VectorKernels.expCore(negativeAbs)
        let r = 1 / (1 + e)
        let minusX = -x
        return (r.replacing(with: e * r, where: x .< 0), r.replacing(with: e * r, where: minusX .< 0))
    }
}

/// Whether the pair's forward pass saves `σ(±x)` for its backward pass.
protocol SigmoidSaving {
    /// `(log σ(−x), log σ(x))`, saving `σ(x)` and `σ(−x)` in their first
    /// `count` lanes at `positive` and `negative` when this type saves.
    static func pair(_ x: Vector4, _ positive: UnsafeMutablePointer<Double>, _ negative: UnsafeMutablePointer<Double>,
                     count: Int) -> (Vector4, Vector4)
}

/// The forward pass of a pair whose backward pass does not run.
enum DroppingSigmoids: SigmoidSaving {
    @inline(__always)
    static func pair(_ x: Vector4, _ positive: UnsafeMutablePointer<Double>, _ negative: UnsafeMutablePointer<Double>,
                     count: Int) -> (Vector4, Vector4) {
        LogSigmoidPairKernels.logSigmoids(x)
    }
}

/// The forward pass of a pair whose backward pass runs: with `e = e^{−|x|}`
/// computed once, the values as ``LogSigmoidPairKernels/logSigmoids(_:)``
/// and the sigmoids as ``LogSigmoidPairKernels/sigmoids(_:)`` compute
/// them, bit for bit (both take the separate functions when a lane is
/// outside the fast range).
enum SavingSigmoids: SigmoidSaving {
    @inline(__always)
    static func pair(_ x: Vector4, _ positive: UnsafeMutablePointer<Double>, _ negative: UnsafeMutablePointer<Double>,
                     count: Int) -> (Vector4, Vector4) {
        let negativeAbs = VectorKernels.negativeMagnitude(x)
        let values: (Vector4, Vector4), sigmoids: (Vector4, Vector4)
        if _fastPath(VectorKernels.allTrue(negativeAbs .>= -708.0)) {
            let e = VectorKernels.expCore(negativeAbs)
            (values, sigmoids) = finish(x, e: e, log1pE: VectorKernels.log1pSmall(e))
        } else {
            values = LogSigmoidPairKernels.logSigmoids(x)
            sigmoids = LogSigmoidPairKernels.sigmoids(x)
        }
        if count == 4 {
            positive.setVector(sigmoids.0, at: 0)
            negative.setVector(sigmoids.1, at: 0)
        } else {
            positive.setPartialVector(sigmoids.0, at: 0, count: count)
            negative.setPartialVector(sigmoids.1, at: 0, count: count)
        }
        return values
    }

    /// The values `(log σ(−x), log σ(x))` and the sigmoids `(σ(x), σ(−x))`
    /// from `e = e^{−|x|}` and `log1p(e)` (``VectorKernels/logSigmoidPair(_:e:log1pE:)``).
    @inline(__always)
    static func finish(_ x: Vector4, e: Vector4, log1pE shared: Vector4)
        -> (values: (Vector4, Vector4), sigmoids: (Vector4, Vector4)) {
        VectorKernels.logSigmoidPair(x, e: e, log1pE: shared)
    }
}
