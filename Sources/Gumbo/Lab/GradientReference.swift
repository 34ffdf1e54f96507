/// The gradient an ``EstimatorLab`` measures bias and mean squared error
/// against, and how good it is.
///
/// Exact when every discrete site of the model can be enumerated and no
/// other randomness remains (no Normal site, no minibatch): one
/// evaluation with every discrete site `.enumeration` is the gradient of
/// the ELBO. Otherwise it is sampled: the mean of many estimates of the
/// unbiased assignment with the smallest total variance, with the standard
/// error of that mean, drawn from a random stream of its own.
public struct GradientReference: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case exact
        case sampled
    }

    public let kind: Kind
    /// The assignment whose estimates it is (`enumerate` for the
    /// all-enumeration assignment the lab builds itself).
    public let source: String
    /// The estimator of every latent site in that assignment.
    public let estimators: [String: Estimator]
    /// Particles per estimate.
    public let particles: Int
    /// Estimates averaged (1 when exact).
    public let samples: Int
    /// The reference gradient by parameter name (unconstrained space).
    public let gradients: [String: [Double]]
    /// The standard error of each component (0 when exact).
    public let standardErrors: [String: [Double]]
    /// Why there is no exact reference, when there is none.
    public let exactUnavailableReason: String?

    /// The largest standard error of any component.
    public var largestStandardError: Double {
        standardErrors.values.flatMap { $0 }.max() ?? 0
    }
}
