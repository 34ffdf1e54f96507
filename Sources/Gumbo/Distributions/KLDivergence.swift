import Foundation

// Closed-form Kullback–Leibler divergences KL(p ‖ q) = E_p[log p − log q]
// (Kullback & Leibler 1951), with kernels for the engine. Each result is
// clamped at 0, so rounding never makes a divergence negative.

// MARK: Normal

extension Normal {
    /// `KL(self ‖ other)` between two normals:
    ///
    ///     log(σq/σp) + (σp² + (μp − μq)²)/(2σq²) − 1/2
    ///
    ///     let p = try Normal(mean: 0, std: 1), q = try Normal(mean: 1, std: 2)
    ///     p.klDivergence(to: q)   // log 2 + 2/8 − 1/2
    public func klDivergence(to other: Normal) -> Double {
        Normal.klDivergence(mean: mean, std: std, toMean: other.mean, toStd: other.std)
    }

    /// `KL(N(mean, std²) ‖ N(toMean, toStd²))`, unvalidated.
    @inlinable
    public static func klDivergence(mean: Double, std: Double, toMean: Double, toStd: Double) -> Double {
        let ratio = std / toStd
        let gap = (mean - toMean) / toStd
        // log(σq/σp) + (ratio² − 1)/2 is −(log r² − r² + 1)/2 ≥ 0 with r = σp/σq.
        return max(0, -log(ratio) + 0.5 * (ratio * ratio - 1) + 0.5 * gap * gap)
    }

    /// The partial derivatives of
    /// ``klDivergence(mean:std:toMean:toStd:)`` with respect to all four
    /// parameters:
    ///
    ///     ∂/∂μp = (μp − μq)/σq²,        ∂/∂σp = −1/σp + σp/σq²,
    ///     ∂/∂μq = −(μp − μq)/σq²,       ∂/∂σq = 1/σq − (σp² + (μp − μq)²)/σq³
    @inlinable
    public static func klDivergencePartials(mean: Double, std: Double, toMean: Double, toStd: Double)
        -> (mean: Double, std: Double, toMean: Double, toStd: Double)
    {
        let toVariance = toStd * toStd
        let difference = mean - toMean
        let dMean = difference / toVariance
        return (
            mean: dMean,
            std: -1 / std + std / toVariance,
            toMean: -dMean,
            toStd: 1 / toStd - (std * std + difference * difference) / (toVariance * toStd)
        )
    }
}

// MARK: Bernoulli

extension Bernoulli {
    /// `KL(self ‖ other)` between two Bernoullis:
    ///
    ///     p log(p/q) + (1 − p) log((1 − p)/(1 − q))
    ///
    /// computed from the logits with log-sigmoids, so it is accurate for
    /// logits up to ±700. Infinite when `other` gives probability 0 to a
    /// value `self` can take.
    public func klDivergence(to other: Bernoulli) -> Double {
        Bernoulli.klDivergence(logit: logit, toLogit: other.logit)
    }

    /// `KL(Bernoulli(σ(a)) ‖ Bernoulli(σ(b)))` for logits `a` and `b`:
    ///
    ///     σ(a) (log σ(a) − log σ(b)) + σ(−a) (log σ(−a) − log σ(−b))
    ///
    /// A term whose weight `σ(±a)` is exactly 0 is dropped, so infinite
    /// logits (probabilities 0 or 1) give the limit, not NaN.
    @inlinable
    public static func klDivergence(logit a: Double, toLogit b: Double) -> Double {
        let p = StableMath.sigmoid(a)
        let complement = StableMath.sigmoid(-a)
        let one = p == 0 ? 0 : p * (StableMath.logSigmoid(a) - StableMath.logSigmoid(b))
        let zero = complement == 0 ? 0 : complement * (StableMath.logSigmoid(-a) - StableMath.logSigmoid(-b))
        return max(0, one + zero)
    }

    /// The partial derivatives of ``klDivergence(logit:toLogit:)``:
    ///
    ///     ∂/∂a = σ(a) σ(−a) (a − b),   ∂/∂b = σ(b) − σ(a)
    @inlinable
    public static func klDivergencePartials(logit a: Double, toLogit b: Double) -> (logit: Double, toLogit: Double) {
        let slope = StableMath.sigmoid(a) * StableMath.sigmoid(-a)
        return (logit: slope == 0 ? 0 : slope * (a - b), toLogit: StableMath.sigmoid(b) - StableMath.sigmoid(a))
    }
}

// MARK: Categorical

extension Categorical {
    /// `KL(self ‖ other) = Σ_k p_k (log p_k − log q_k)`, from the normalized
    /// log-probabilities. Classes with `p_k = 0` contribute 0; a class with
    /// `p_k > 0 = q_k` makes it infinite.
    /// - Throws: ``DistributionError/lengthMismatch(distribution:parameter:count:otherParameter:otherCount:)``
    ///   when the two have different numbers of classes.
    public func klDivergence(to other: Categorical) throws -> Double {
        try DistributionError.checkSameLength(count, "logits", other.count, "the other distribution's logits", in: "Categorical.klDivergence")
        var divergence = 0.0
        for (logP, logQ) in zip(logProbabilities, other.logProbabilities) where logP > -.infinity {
            divergence += exp(logP) * (logP - logQ)
        }
        return max(0, divergence)
    }

    /// `KL(softmax(a) ‖ softmax(b))` for raw logits of equal length,
    /// unvalidated. No allocation.
    @inlinable
    public static func klDivergence(logits a: UnsafeBufferPointer<Double>, toLogits b: UnsafeBufferPointer<Double>) -> Double {
        let normalizerA = StableMath.logSumExp(a)
        let normalizerB = StableMath.logSumExp(b)
        var divergence = 0.0
        for k in a.indices {
            let logP = a[k] - normalizerA
            if logP == -.infinity { continue }
            divergence += exp(logP) * (logP - (b[k] - normalizerB))
        }
        return max(0, divergence)
    }

    /// Writes the gradients of ``klDivergence(logits:toLogits:)`` with
    /// respect to both sides' logits (overwriting the buffers). With
    /// `p = softmax(a)`, `q = softmax(b)` and `KL` the divergence:
    ///
    ///     ∂KL/∂a_k = p_k (log p_k − log q_k − KL),   ∂KL/∂b_k = q_k − p_k
    ///
    /// No allocation.
    @inlinable
    public static func klDivergenceGradient(
        logits a: UnsafeBufferPointer<Double>,
        toLogits b: UnsafeBufferPointer<Double>,
        logitsGradient: UnsafeMutableBufferPointer<Double>,
        toLogitsGradient: UnsafeMutableBufferPointer<Double>
    ) {
        let normalizerA = StableMath.logSumExp(a)
        let normalizerB = StableMath.logSumExp(b)
        var divergence = 0.0
        for k in a.indices {
            let logP = a[k] - normalizerA
            let p = exp(logP)
            // Hold log p_k − log q_k (0 where p_k = 0) until KL is known.
            let logRatio = p == 0 ? 0 : logP - (b[k] - normalizerB)
            logitsGradient[k] = logRatio
            divergence += p * logRatio
            toLogitsGradient[k] = exp(b[k] - normalizerB) - p
        }
        for k in a.indices {
            let p = exp(a[k] - normalizerA)
            logitsGradient[k] = p == 0 ? 0 : p * (logitsGradient[k] - divergence)
        }
    }
}
