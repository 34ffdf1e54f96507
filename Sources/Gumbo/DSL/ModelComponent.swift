/// Anything that can stand as a statement in a model or guide body: a
/// `~` statement, a ``Plate``, a ``Factor``.
public protocol ModelComponent {
    var statements: [ModelStatement] { get }
}

/// One statement of a model or guide, in program order.
public struct ModelStatement: Sendable, ModelComponent {
    enum Kind: Sendable {
        /// `target ~ distribution`; the target is a site handle, possibly
        /// indexed by plate indices.
        case sample(target: ExpressionNode, family: DistributionFamily, parameters: [ExpressionNode], estimator: Estimator?)
        case plate(PlateIndex, [ModelStatement])
        case factor(name: String, logWeight: ExpressionNode)
    }

    let kind: Kind

    public var statements: [ModelStatement] { [self] }

    static func plate(_ index: PlateIndex, _ body: [ModelStatement]) -> ModelStatement {
        ModelStatement(kind: .plate(index, body))
    }
}

/// An extra term added to the log joint: `Factor("penalty", -0.5 * sum(square(w)))`.
public struct Factor: ModelComponent {
    public let name: String
    let logWeight: Real

    public init(_ name: String, _ logWeight: Real) {
        self.name = name
        self.logWeight = logWeight
    }

    public var statements: [ModelStatement] {
        [ModelStatement(kind: .factor(name: name, logWeight: logWeight.node))]
    }
}

infix operator ~ : AssignmentPrecedence

/// `site ~ distribution`: samples (or, for observed data, scores) a
/// continuous site.
public func ~ (site: Real, distribution: ContinuousDistribution) -> ModelStatement {
    ModelStatement(kind: .sample(target: site.node, family: distribution.family,
                                 parameters: distribution.parameters.map(\.node), estimator: distribution.estimator))
}

/// `site ~ distribution`: samples (or, for observed data, scores) a
/// discrete site.
public func ~ (site: Discrete, distribution: DiscreteDistribution) -> ModelStatement {
    ModelStatement(kind: .sample(target: site.node, family: distribution.family,
                                 parameters: distribution.parameters.map(\.node), estimator: distribution.estimator))
}
