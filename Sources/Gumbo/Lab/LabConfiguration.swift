/// What an ``EstimatorLab`` measures and with which seeds.
///
/// Every assignment's gradient estimates use the same seed, so estimators
/// that draw the same noise (a soft and a straight-through relaxation, say)
/// see the same draws: their differences are not blurred by independent
/// noise (common random numbers). The reference uses a stream of its own.
public struct LabConfiguration: Sendable {
    /// How the lab finds the gradient that bias and mean squared error are
    /// measured against.
    public enum ReferenceMode: Sendable, Equatable {
        /// The exact gradient when every discrete site can be enumerated and
        /// nothing else is random; otherwise the mean of `samples` estimates
        /// of the lowest-variance unbiased assignment, with its standard error.
        case automatic(samples: Int = 4000)
        /// The exact gradient when there is one, else no reference.
        case exactOnly
        /// No reference: no bias or mean squared error.
        case none
    }

    /// T, the gradient estimates per assignment.
    public var trials: Int
    /// The seed of every assignment's gradient estimates and training run.
    public var seed: UInt64
    /// Particles per estimate, unless an assignment says otherwise.
    public var particles: Int
    /// Constrained values for some parameters; the others keep their
    /// initial values. Gradients are measured there, and training runs start there.
    public var parameters: [String: [Double]]
    public var reference: ReferenceMode
    /// ELBO curves, or `nil` for none.
    public var curves: CurveSettings?
    /// Particle counts K for a variance-against-particles sweep (for
    /// example `[1, 2, 4, 8, 16]`), empty for none.
    public var particleSweep: [Int]
    /// The clock for the time per estimate and the curves' training time.
    public var clock: LabClock

    public init(trials: Int = 200, seed: UInt64 = 0, particles: Int = 1, parameters: [String: [Double]] = [:],
                reference: ReferenceMode = .automatic(), curves: CurveSettings? = nil, particleSweep: [Int] = [],
                clock: LabClock = .wall) {
        self.trials = trials
        self.seed = seed
        self.particles = particles
        self.parameters = parameters
        self.reference = reference
        self.curves = curves
        self.particleSweep = particleSweep
        self.clock = clock
    }
}
