/// Settings of the compiler's estimator choice. The defaults follow the
/// papers each estimator comes from; see `Docs/Estimators.md`.
public struct CompileOptions: Sendable {
    /// Per-site estimator overrides by site name; they take precedence over
    /// `.estimator(…)` modifiers in the model or guide.
    public var estimators: [String: Estimator] = [:]
    /// The most joint values of enumerated sites that any one term may be
    /// evaluated at (per plate element) for a site to be enumerated.
    public var enumerationBudget: Int = 64
    /// Whether the default policy may choose enumeration at all.
    public var allowsEnumeration: Bool = true
    /// Binary Concrete temperature: 2/3, as Maddison, Mnih & Teh (2017, §5) recommend for binary variables.
    public var bernoulliTemperature: Temperature = .constant(2.0 / 3.0)
    /// Gumbel-softmax temperature: 0.5, the final temperature of Jang, Gu & Poole (2017, §4).
    public var categoricalTemperature: Temperature = .constant(0.5)
    /// REINFORCE baseline: a moving average with decay 0.9 (Pyro's default).
    public var baseline: Baseline = .movingAverageDefault

    /// How a relaxed site's own prior and guide terms are scored when its
    /// prior depends on other latent sites (otherwise the exact discrete
    /// KL is used).
    public var relaxedSiteTerms: RelaxedSiteTerms = .discrete

    /// The arithmetic of the model's and guide's matrix products
    /// (``matmul(_:_:)``) in the ELBO plans of training and
    /// ``SVI/evaluate(particles:seed:)``: `.double` (the default) or
    /// `.single`, about twice as fast for dense layers
    /// (``MatrixPrecision``). Values, gradients, densities and the optimizer
    /// stay in `Double`.
    public var matrixPrecision: MatrixPrecision = .double

    /// Whether an enumerated site's expected terms and entropy are lowered
    /// to one fused node (``GraphBuilder/enumeratedExpectation(logits:terms:entropyWeight:)``)
    /// where they can be; off only to test the fused node against the
    /// term-by-term lowering.
    var fusesEnumeratedExpectations = true

    public init(estimators: [String: Estimator] = [:]) {
        self.estimators = estimators
    }
}

/// How a relaxed site's prior and guide terms enter the objective when the
/// analytic discrete KL does not apply.
public enum RelaxedSiteTerms: Sendable, Equatable {
    /// The discrete prior `Σ_k y_k log π_k` at the relaxed value `y` and
    /// the guide's exact entropy. As τ → 0 the objective tends to the
    /// discrete model's ELBO, so the gradient's bias vanishes.
    case discrete
    /// The Concrete densities of prior and guide at the relaxed value (the
    /// relaxed ELBO of Maddison et al. 2017 and Jang et al. 2017). It does
    /// not tend to the discrete ELBO as τ → 0.
    case concreteDensities
}
