import GumboAVX2

/// Forward and backward loops of ``Opcode/bernoulliLogLikelihood``: a
/// Bernoulli log-likelihood from the logits `x` and the value's class
/// weights `W` (rows of two; one-hot for observed data), fused from the
/// contraction `Σ_k W_k P_k` of a log-sigmoid pair `P` (``GraphRewriting``,
/// rewrite 12). With ``Instruction/constant0`` 1 (rewrite 12b) input 1
/// holds one `v` per logit and `W = [1 − v, v]`, the weights' table's own
/// numbers (`∂v = g · (log σ(x) − log σ(−x))`).
///
///     y[o]    = W₀ log σ(−x) + W₁ log σ(x)
///     ∂x[o] (+)= g[o] · (W₁ σ(−x) − W₀ σ(x))
///     ∂W[o] (+)= g[o] · [log σ(−x), log σ(x)]
///
/// `log σ(±x)` and `σ(±x)` are the log-sigmoid pair's (``LogSigmoidPairKernels``,
/// bit for bit) and the sum runs in the contraction's order, so `y` is the
/// unfused chain's bit for bit; `∂x` is one product with the slope the
/// forward pass saves in ``Instruction/auxiliary`` (the chain's
/// `(gW₁)σ(−x) − (gW₀)σ(x)`, the same when `W` is one-hot, within rounding
/// otherwise); `∂W` recomputes `log σ(±x)`. Four results at a time, in the
/// three passes of ``VectorKernels/bernoulliLogLikelihoods(_:_:_:count:slope:complement:)``
/// (compiled for AVX2 where the processor has it), then the rest (the last
/// one to three, and every group from the first with `|x| > 708` or NaN)
/// through padded vectors and the pair's range-checked functions: 0 terms
/// where `σ` underflows, and the chain's NaN for `0 · log σ(±∞)`.
enum BernoulliLikelihoodKernels {
    static func forward(_ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0, w = m.values + i.input1
        let y = m.values + i.output, slope = m.values + i.auxiliary
        let n = i.count
        let complement = i.constant0 == 1
        var j = InstructionSet.current.hasAVX2
            ? VectorPasses.bernoulliLogLikelihoods(x, w, y, count: n, slope: slope, complement: complement)
            : VectorKernels.bernoulliLogLikelihoods(x, w, y, count: n, slope: slope, complement: complement)
        while j < n {
            let count = min(4, n - j)
            let xs = x.partialVector(at: j, count: count)
            let (minus, plus) = LogSigmoidPairKernels.logSigmoids(xs)
            let (positive, negative) = LogSigmoidPairKernels.sigmoids(xs)
            var w0 = Vector4.zero, w1 = Vector4.zero
            for lane in 0..<count {
                if complement {
                    w1[lane] = w[j + lane]
                    w0[lane] = 1 - w1[lane]
                } else {
                    w0[lane] = w[2 * (j + lane)]
                    w1[lane] = w[2 * (j + lane) + 1]
                }
            }
            y.setPartialVector(w0 * minus + w1 * plus, at: j, count: count)
            slope.setPartialVector(w1 * negative - w0 * positive, at: j, count: count)
            j += count
        }
    }

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        if i.gradient0 >= 0 {
            if i.overwrites(0) { backwardLogits(Overwrite.self, i, m) } else { backwardLogits(Accumulate.self, i, m) }
        }
        if i.gradient1 >= 0 {
            if i.overwrites(1) { backwardWeights(Overwrite.self, i, m) } else { backwardWeights(Accumulate.self, i, m) }
        }
    }

    /// `∂x (=|+=) g · slope`.
    @inline(__always)
    static func backwardLogits<Store: GradientStore>(_: Store.Type, _ i: Instruction, _ m: KernelMemory) {
        let g = m.gradients + i.outputGradient, gx = m.gradients + i.gradient0
        let slope = m.values + i.auxiliary
        let n = i.count
        var j = 0
        while j + 4 <= n {
            Store.store(g.vector(at: j) * slope.vector(at: j), at: gx + j)
            j += 4
        }
        while j < n {
            Store.store(g[j] * slope[j], at: gx + j)
            j += 1
        }
    }

    /// `∂W[o] (=|+=) g[o] · [log σ(−x), log σ(x)]`, recomputed from `x`
    /// (a learned or relaxed weight; observed data needs none).
    @inline(__always)
    static func backwardWeights<Store: GradientStore>(_: Store.Type, _ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let g = m.gradients + i.outputGradient, gw = m.gradients + i.gradient1
        let n = i.count
        var j = 0
        while j < n {
            let count = min(4, n - j)
            let (minus, plus) = LogSigmoidPairKernels.logSigmoids(x.partialVector(at: j, count: count))
            for lane in 0..<count {
                let k = j + lane
                if i.constant0 == 1 {
                    Store.store(g[k] * (plus[lane] - minus[lane]), at: gw + k)
                } else {
                    Store.store(g[k] * minus[lane], at: gw + 2 * k)
                    Store.store(g[k] * plus[lane], at: gw + 2 * k + 1)
                }
            }
            j += count
        }
    }
}
