/// What an ``EstimatorLab`` measured: per assignment, gradient statistics
/// per parameter and per site, time per estimate, and optionally ELBO
/// curves and a particle sweep; and the reference the bias is measured
/// against.
///
/// Render it with ``markdownTable()`` (or ``markdown()`` for the whole
/// report), ``json``, and ``plots()`` / ``svg()``.
public struct LabReport: Sendable {
    /// The model's name.
    public let model: String
    public let configuration: LabConfiguration
    /// The groups each result reports, in order: one per guide site with
    /// parameters, then the model's parameters.
    public let groups: [ParameterGroup]
    /// The constrained parameter values the gradients were measured at.
    public let parameterValues: [String: [Double]]
    /// `nil` when ``LabConfiguration/reference`` is `.none`, or `.exactOnly`
    /// and no exact gradient exists.
    public let reference: GradientReference?
    /// One per assignment, in the order given.
    public let results: [EstimatorResult]

    /// The result of the assignment with this name.
    public func result(_ name: String) -> EstimatorResult? {
        results.first { $0.name == name }
    }
}
