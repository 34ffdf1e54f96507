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
/// separate functions.
enum LogSigmoidPairKernels {
    static func forward(_ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let y = m.values + i.output
        let n = i.count / 2
        var j = 0
        while j + 4 <= n {
            let (negative, positive) = logSigmoids(x.vector(at: j))
            for lane in 0..<4 {
                y[2 * (j + lane)] = negative[lane]
                y[2 * (j + lane) + 1] = positive[lane]
            }
            j += 4
        }
        if j < n {
            let (negative, positive) = logSigmoids(x.partialVector(at: j, count: n - j))
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
        var j = 0
        while j + 4 <= n {
            let (positive, negative) = sigmoids(x.vector(at: j))
            let g0 = Vector4(g[2 * j], g[2 * j + 2], g[2 * j + 4], g[2 * j + 6])
            let g1 = Vector4(g[2 * j + 1], g[2 * j + 3], g[2 * j + 5], g[2 * j + 7])
            Store.store(g1 * negative + (g0 * positive) * Vector4(repeating: -1), at: gx + j)
            j += 4
        }
        if j < n {
            let (positive, negative) = sigmoids(x.partialVector(at: j, count: n - j))
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
        let negativeAbs = VectorMath.negativeMagnitude(x)
        guard _fastPath(VectorMath.allTrue(negativeAbs .>= -708.0)) else {
            return (VectorMath.logSigmoid(-x), VectorMath.logSigmoid(x))
        }
        let shared = VectorMath.log1pSmall(VectorMath.expCore(negativeAbs))
        let minusX = -x
        // log σ(−x) = −softplus(x), log σ(x) = −softplus(−x).
        return (-(x.replacing(with: 0, where: x .< 0) + shared),
                -(minusX.replacing(with: 0, where: minusX .< 0) + shared))
    }

    /// `(σ(x), σ(−x))`, as `VectorMath.sigmoid` computes them.
    @inline(__always)
    static func sigmoids(_ x: Vector4) -> (Vector4, Vector4) {
        let negativeAbs = VectorMath.negativeMagnitude(x)
        guard _fastPath(VectorMath.allTrue(negativeAbs .>= -708.0)) else {
            return (VectorMath.sigmoid(x), VectorMath.sigmoid(-x))
        }
        let e = VectorMath.expCore(negativeAbs)
        let r = 1 / (1 + e)
        let minusX = -x
        return (r.replacing(with: e * r, where: x .< 0), r.replacing(with: e * r, where: minusX .< 0))
    }
}
