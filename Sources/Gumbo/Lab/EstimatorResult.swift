/// What the lab measured for one ``EstimatorAssignment``.
public struct EstimatorResult: Sendable, Equatable {
    /// The assignment's name.
    public let name: String
    /// The estimator the compiled assignment uses at every latent site,
    /// including sites the assignment left to the compiler.
    public let estimators: [String: Estimator]
    /// Whether every site's estimator is unbiased for the discrete ELBO.
    public var isUnbiased: Bool { estimators.values.allSatisfy(\.isUnbiased) }
    /// Whether the training objective is a relaxed surrogate.
    public let isSurrogate: Bool
    /// Particles per estimate.
    public let particles: Int
    /// Per parameter, in program order.
    public let parameters: [GradientStatistics]
    /// Per group, as ``LabReport/groups``.
    public let groups: [GradientStatistics]
    /// Every parameter of the groups together (each once), named `all`:
    /// the summary over the whole gradient. Learned temperatures, which
    /// only some assignments have, are left out.
    public let overall: GradientStatistics
    /// The median seconds per gradient estimate over the T estimates, by ``LabConfiguration/clock``.
    public let secondsPerEstimate: Double
    /// The training run, when curves were asked for.
    public let curve: ELBOCurve?
    /// One point per K of ``LabConfiguration/particleSweep``.
    public let sweep: [ParticleSweepPoint]

    /// `Σ` variance over the whole gradient (``overall``).
    public var totalVariance: Double { overall.totalVariance }

    /// The statistics of one parameter or group by name.
    public func statistics(_ name: String) -> GradientStatistics? {
        groups.first { $0.name == name } ?? parameters.first { $0.name == name }
    }
}
