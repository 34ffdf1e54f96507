/// How an ``SVI`` run trains: optimizer, particles and seed.
public struct SVIConfiguration: Sendable {
    public var optimizer: OptimizerSettings
    /// Samples per step, vectorized; the loss is their average. ARM and
    /// DisARM use them in antithetic pairs (an even count).
    public var particles: Int
    /// The seed of every random draw (noise, minibatches): the same seed
    /// gives the same losses, bit for bit.
    public var seed: UInt64

    public init(optimizer: OptimizerSettings = Optimizer.adam(learningRate: 0.05), particles: Int = 1, seed: UInt64 = 0) {
        self.optimizer = optimizer
        self.particles = particles
        self.seed = seed
    }
}
