/// Everything a training run needs to continue exactly where it stopped:
/// written by ``SVI/save(to:)`` and read by ``SVI/restore(from:)``.
public struct RunState: Codable, Equatable, Sendable {
    public var version: Int = Checkpoint.version
    public var model: String
    /// Parameter names and sizes, estimators and particles: a checkpoint
    /// is only restored into a run with the same signature.
    public var signature: String
    public var step: Int
    /// Unconstrained parameter values by name (learned temperatures included).
    public var parameters: [String: [Double]]
    public var optimizer: Optimizer
    /// Moving-average baselines by site: the raw average and its update count.
    public var baselines: [String: [Double]]
    public var baselineUpdates: Int
    /// The random generator's seed and four state words (hexadecimal, so no
    /// JSON reader rounds them).
    public var seed: String
    public var random: [String]
}
