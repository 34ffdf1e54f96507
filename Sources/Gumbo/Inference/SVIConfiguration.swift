/// How an ``SVI`` run trains: optimizer, particles and seed.
public struct SVIConfiguration: Sendable {
    public var optimizer: OptimizerSettings
    /// Samples per step, vectorized; the loss is their average. ARM and
    /// DisARM use them in antithetic pairs (an even count).
    public var particles: Int
    /// The seed of every random draw (noise, minibatches): the same seed
    /// gives the same losses, bit for bit.
    public var seed: UInt64
    /// Threads each step's forward and backward passes run on (opt-in; 1 by
    /// default). The largest plate that can be split (one no program uses
    /// whole and that holds no local-expectation site) is cut into fixed
    /// chunks, each with its own plan; a model without one runs on one
    /// thread. The chunks' gradients are
    /// added in a fixed order: the same seed and thread count give the same
    /// losses, bit for bit. Data and parameters indexed only by the split
    /// plate (as W3's `phi[i]`) are split with it: each chunk holds, and its
    /// thread updates, just its rows.
    public var threads: Int

    public init(optimizer: OptimizerSettings = Optimizer.adam(learningRate: 0.05), particles: Int = 1, seed: UInt64 = 0,
                threads: Int = 1) {
        self.optimizer = optimizer
        self.particles = particles
        self.seed = seed
        self.threads = threads
    }
}
