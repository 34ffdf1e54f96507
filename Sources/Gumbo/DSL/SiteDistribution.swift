/// The distribution on the right of a `~` for a continuous site:
/// `mu ~ .normal(mean: 0, std: 10)`.
public struct ContinuousDistribution: Sendable {
    let family: DistributionFamily
    let parameters: [Real]
    let estimator: Estimator?

    /// `Normal(mean, std)`; `std` must be positive.
    public static func normal(mean: Real, std: Real) -> ContinuousDistribution {
        ContinuousDistribution(family: .normal, parameters: [mean, std], estimator: nil)
    }

    /// The same distribution with a gradient estimator chosen for this site.
    public func estimator(_ estimator: Estimator) -> ContinuousDistribution {
        ContinuousDistribution(family: family, parameters: parameters, estimator: estimator)
    }
}

/// The distribution on the right of a `~` for a discrete site:
/// `z[i] ~ .categorical(probabilities: [0.2, 0.3, 0.5])`.
public struct DiscreteDistribution: Sendable {
    let family: DistributionFamily
    let parameters: [Real]
    let estimator: Estimator?

    /// `Bernoulli(p)` with `0 ≤ p ≤ 1`.
    public static func bernoulli(probability: Real) -> DiscreteDistribution {
        DiscreteDistribution(family: .bernoulliProbability, parameters: [probability], estimator: nil)
    }

    /// `Bernoulli(σ(logit))`.
    public static func bernoulli(logit: Real) -> DiscreteDistribution {
        DiscreteDistribution(family: .bernoulliLogit, parameters: [logit], estimator: nil)
    }

    /// `Categorical(p)` over `classes` classes (the last axis of `probabilities`).
    public static func categorical(probabilities: Real, classes: Int) -> DiscreteDistribution {
        DiscreteDistribution(family: .categoricalProbabilities(classes: classes), parameters: [probabilities], estimator: nil)
    }

    /// `Categorical(p)` for a literal probability vector.
    public static func categorical(probabilities: [Double]) -> DiscreteDistribution {
        categorical(probabilities: Real(probabilities), classes: probabilities.count)
    }

    /// `Categorical(softmax(logits))` over `classes` classes.
    public static func categorical(logits: Real, classes: Int) -> DiscreteDistribution {
        DiscreteDistribution(family: .categoricalLogits(classes: classes), parameters: [logits], estimator: nil)
    }

    /// The same distribution with a gradient estimator chosen for this site.
    public func estimator(_ estimator: Estimator) -> DiscreteDistribution {
        DiscreteDistribution(family: family, parameters: parameters, estimator: estimator)
    }
}
