/// One contender in an ``EstimatorLab``: a name and the estimators it
/// gives some latent sites. Sites it leaves out keep the compiler's choice
/// (or the compiled model's own overrides).
///
///     let contenders = [
///         EstimatorAssignment(["rain": .enumeration, "sprinkler": .enumeration]),        // "enumerate"
///         EstimatorAssignment("REINFORCE + MA", ["rain": .reinforce(baseline: .movingAverageDefault),
///                                                "sprinkler": .reinforce(baseline: .movingAverageDefault)]),
///         .everyDiscreteSite(.arm, of: compiled, particles: 2),                           // "arm"
///     ]
public struct EstimatorAssignment: Sendable, Hashable {
    /// How the report, its JSON and its plots name this assignment.
    public var name: String
    /// Estimators by site name.
    public var estimators: [String: Estimator]
    /// Particles per gradient estimate; `nil` uses ``LabConfiguration/particles``.
    /// ARM and DisARM need an even count, a leave-one-out baseline at least 2.
    public var particles: Int?

    public init(_ name: String, _ estimators: [String: Estimator], particles: Int? = nil) {
        self.name = name
        self.estimators = estimators
        self.particles = particles
    }

    /// An assignment named by its estimators' command-line spelling: the
    /// spelling alone when every site gets the same estimator
    /// (`reinforce:baseline=ma`), else `site=spelling` pairs in site order
    /// (`rain=enumerate sprinkler=arm`).
    public init(_ estimators: [String: Estimator], particles: Int? = nil) {
        self.init(Self.spelling(of: estimators), estimators, particles: particles)
    }

    /// The same estimator on every discrete latent site of `compiled`
    /// (Normal sites keep their estimator), named by its spelling.
    public static func everyDiscreteSite(_ estimator: Estimator, of compiled: CompiledModel,
                                         particles: Int? = nil) -> EstimatorAssignment {
        var estimators: [String: Estimator] = [:]
        for site in compiled.model.latentSites {
            guard case .latent(let name, let family, _) = site.kind, family.valueType.isDiscrete else { continue }
            estimators[name] = estimator
        }
        return EstimatorAssignment(estimator.description, estimators, particles: particles)
    }

    static func spelling(of estimators: [String: Estimator]) -> String {
        let distinct = Set(estimators.values)
        if distinct.count == 1, let only = distinct.first { return only.description }
        return estimators.keys.sorted().map { "\($0)=\(estimators[$0]!)" }.joined(separator: " ")
    }
}
