/// What an input of a graph stands for. The role does not change how the
/// plan computes; it tells later passes (and readers of a dump) which inputs
/// are observed data, learned parameters, sampled noise, or category
/// indices.
public enum InputRole: String, Hashable, Sendable, CustomStringConvertible {
    /// Observed values, written once per data set or minibatch.
    case data
    /// Learned values, updated by an optimizer from their gradients.
    case parameter
    /// Fresh random draws (standard normals, Gumbels, uniforms) written
    /// before every forward pass.
    case noise
    /// Integer category indices; the only role with ``ElementType/index``
    /// elements.
    case index

    public var description: String { rawValue }
}
