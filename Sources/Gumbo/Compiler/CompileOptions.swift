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

    public init(estimators: [String: Estimator] = [:]) {
        self.estimators = estimators
    }
}
