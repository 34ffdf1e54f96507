/// Forward and backward loops of ``Opcode/bernoulliDivergence``: the exact
/// KL divergence from `Bernoulli(σ(x))` to a distribution with class
/// log-probabilities `L = [L₀, L₁]`, times a sign `s` (``Instruction/constant0``,
/// −1 for the ELBO's `−KL`), fused from the chain
/// `Σ_k exp(P)_k (P − L)_k` on a log-sigmoid pair `P` (``GraphRewriting``,
/// rewrite 11):
///
///     l₀ = log σ(−x),  l₁ = log σ(x),  q₀ = σ(−x),  q₁ = σ(x)
///     y[o]  = s · (q₀(l₀ − L₀) + q₁(l₁ − L₁))
///     ∂x[o] (+)= (g[o] · s) · q₀q₁((l₁ − L₁) − (l₀ − L₀))
///     ∂L_k[o] (+)= −(g[o] · s) · q_k
///
/// With `e = e^{−|x|}` taken once, `l₀`, `l₁` are the log-sigmoid pair's
/// (``LogSigmoidPairKernels``, bit for bit), `q` its saved sigmoids
/// `1/(1 + e)` and `e/(1 + e)`, and the sum runs in the chain's order; the
/// chain took `q` as `exp(l)`, a few ulps away. When the backward pass
/// runs, the forward pass saves `∂KL/∂x` in the instruction's
/// ``Instruction/auxiliary`` slot, so `∂x` is one product per element;
/// `∂L` (a learned prior) recomputes `σ(±x)`.
///
/// The geometry walks the result: `x` is read in the same order (operand
/// 0), `L` at the start of its row of two (operand 1, stride 0 when one
/// prior serves every row, 2 when each result has its own). Four results
/// at a time, the last one to three through a padded vector; a vector
/// with a lane outside `|x| ≤ 708` (or NaN) takes the separate log-sigmoid
/// and sigmoid functions, as the pair's kernel does, and so gives the
/// chain's results there: 0 terms where `σ` underflows, NaN for an
/// infinite `x` (`0 · ∞`).
enum BernoulliDivergenceKernels {
    static func forward(_ i: Instruction, _ m: KernelMemory) {
        if i.auxiliary >= 0 { forward(i, m, saving: true) } else { forward(i, m, saving: false) }
    }

    @inline(__always)
    static func forward(_ i: Instruction, _ m: KernelMemory, saving: Bool) {
        var rows = BroadcastRows(m, geometry: i.geometry)
        let n = rows.length
        let (sx, sl) = (rows.step0, rows.step1)
        let sign = Vector4(repeating: i.constant0)
        let x = m.values + i.input0, logP = m.values + i.input1
        var y = m.values + i.output
        var slope = m.values + max(i.auxiliary, 0)
        for _ in 0..<rows.count {
            let px = x + rows.offset0, pl = logP + rows.offset1
            var j = 0
            while j + 4 <= n {
                let (l0, l1) = priors(pl, j, step: sl, count: 4)
                let (value, derivative) = divergence(lanes(px, j, step: sx), l0, l1)
                y.setVector(value * sign, at: j)
                if saving { slope.setVector(derivative, at: j) }
                j += 4
            }
            if j < n {
                let count = n - j
                let xs = sx == 0 ? Vector4(repeating: px[0]) : px.partialVector(at: j, count: count)
                let (l0, l1) = priors(pl, j, step: sl, count: count)
                let (value, derivative) = divergence(xs, l0, l1)
                y.setPartialVector(value * sign, at: j, count: count)
                if saving { slope.setPartialVector(derivative, at: j, count: count) }
            }
            y += n
            slope += n
            rows.advance()
        }
    }

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        if i.gradient0 >= 0 {
            if i.overwrites(0) { backwardLogits(Overwrite.self, i, m) } else { backwardLogits(Accumulate.self, i, m) }
        }
        if i.gradient1 >= 0 { backwardPrior(i, m) }
    }

    /// `∂x (=|+=) (g · s) · ∂KL/∂x`, in the result's order (x's own).
    @inline(__always)
    static func backwardLogits<Store: GradientStore>(_: Store.Type, _ i: Instruction, _ m: KernelMemory) {
        let g = m.gradients + i.outputGradient, gx = m.gradients + i.gradient0
        let slope = m.values + i.auxiliary
        let sign = Vector4(repeating: i.constant0)
        let n = i.count
        var j = 0
        while j + 4 <= n {
            Store.store((g.vector(at: j) * sign) * slope.vector(at: j), at: gx + j)
            j += 4
        }
        while j < n {
            Store.store((g[j] * i.constant0) * slope[j], at: gx + j)
            j += 1
        }
    }

    /// `∂L_k (=|+=) −(g · s) · q_k`, one result at a time (a learned prior;
    /// its rows may repeat, so writes accumulate unless the compiler found
    /// them dense).
    static func backwardPrior(_ i: Instruction, _ m: KernelMemory) {
        var rows = BroadcastRows(m, geometry: i.geometry)
        let n = rows.length
        let (sx, sl) = (rows.step0, rows.step1)
        let x = m.values + i.input0, gl = m.gradients + i.gradient1
        var g = m.gradients + i.outputGradient
        let overwrite = i.overwrites(1)
        for _ in 0..<rows.count {
            for j in 0..<n {
                let (positive, negative) = LogSigmoidPairKernels.sigmoids(Vector4(repeating: x[rows.offset0 + j * sx]))
                let scale = -(g[j] * i.constant0)
                let target = gl + rows.offset1 + j * sl
                if overwrite {
                    target[0] = scale * negative[0]
                    target[1] = scale * positive[0]
                } else {
                    target[0] += scale * negative[0]
                    target[1] += scale * positive[0]
                }
            }
            g += n
            rows.advance()
        }
    }

    /// `(L₀, L₁)` for `count` results from `j`: one pair repeated (step 0)
    /// or a row of two per result (step 2); padded lanes repeat the first.
    @inline(__always)
    static func priors(_ p: UnsafeMutablePointer<Double>, _ j: Int, step: Int, count: Int) -> (Vector4, Vector4) {
        if step == 0 { return (Vector4(repeating: p[0]), Vector4(repeating: p[1])) }
        let base = p + j * step
        var l0 = Vector4(repeating: base[0]), l1 = Vector4(repeating: base[1])
        for lane in 1..<count {
            l0[lane] = base[lane * step]
            l1[lane] = base[lane * step + 1]
        }
        return (l0, l1)
    }

    /// `(KL, ∂KL/∂x)` lane by lane, as the type's doc says.
    @inline(__always)
    static func divergence(_ x: Vector4, _ logP0: Vector4, _ logP1: Vector4) -> (Vector4, Vector4) {
        let negativeAbs = VectorKernels.negativeMagnitude(x)
        let (l0, l1): (Vector4, Vector4), (q1, q0): (Vector4, Vector4)
        if _fastPath(VectorKernels.allTrue(negativeAbs .>= -708.0)) {
            let e = VectorKernels.expCore(negativeAbs)
            let shared = VectorKernels.log1pSmall(e)
            let r = 1 / (1 + e)
            let minusX = -x
            (l0, l1) = (-(x.replacing(with: 0, where: x .< 0) + shared),
                        -(minusX.replacing(with: 0, where: minusX .< 0) + shared))
            (q1, q0) = (r.replacing(with: e * r, where: x .< 0), r.replacing(with: e * r, where: minusX .< 0))
        } else {
            (l0, l1) = LogSigmoidPairKernels.logSigmoids(x)
            (q1, q0) = LogSigmoidPairKernels.sigmoids(x)
        }
        let d0 = l0 - logP0, d1 = l1 - logP1
        return (q0 * d0 + q1 * d1, q0 * q1 * (d1 - d0))
    }
}
