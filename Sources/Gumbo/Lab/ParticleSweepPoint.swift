/// The gradient statistics of one assignment at one particle count K, for
/// a variance-against-particles plot.
public struct ParticleSweepPoint: Sendable, Equatable {
    /// K, the particles per estimate.
    public let particles: Int
    /// Per group, as ``LabReport/groups``; empty when the assignment cannot
    /// run with K particles (see ``skippedReason``).
    public let groups: [GradientStatistics]
    /// Every grouped parameter together, as ``EstimatorResult/overall``.
    public let overall: GradientStatistics?
    /// `Σ` variance over every grouped parameter.
    public var totalVariance: Double? { overall?.totalVariance }
    /// The median seconds per estimate, by ``LabConfiguration/clock``.
    public let secondsPerEstimate: Double?
    /// Why the assignment cannot run with K particles (ARM with an odd K, a
    /// leave-one-out baseline with K = 1), when it cannot.
    public let skippedReason: String?
}
