/// How an ``EstimatorLab`` trains each assignment for its ELBO curve: a
/// fresh run per assignment, same seed and optimizer, recording at chosen
/// steps the discrete model's ELBO (``SVI/evaluate(particles:seed:)``, hard
/// samples), the training objective (the relaxed surrogate for relaxed
/// estimators) and the training time so far.
///
///     CurveSettings(steps: 1000, points: 21)   // steps 0, 50, 100, …, 1000
public struct CurveSettings: Sendable, Equatable {
    /// The steps at which a record is taken, increasing; step 0 is before training.
    public var recordSteps: [Int]
    public var optimizer: OptimizerSettings
    /// Hard samples per ELBO evaluation (sites the evaluation can enumerate
    /// are exact regardless). Small keeps the curve cheap.
    public var evaluationParticles: Int
    /// The evaluation's own seed, the same at every record and for every
    /// assignment.
    public var evaluationSeed: UInt64

    /// `points` records evenly spaced from step 0 to `steps` (both included).
    public init(steps: Int, points: Int = 11, optimizer: OptimizerSettings = Optimizer.adam(learningRate: 0.05),
                evaluationParticles: Int = 100, evaluationSeed: UInt64 = 0) {
        let spacing = points > 1 ? Double(steps) / Double(points - 1) : 0
        self.init(recordAt: (0..<max(points, 0)).map { points > 1 ? Int((Double($0) * spacing).rounded()) : steps },
                  optimizer: optimizer, evaluationParticles: evaluationParticles, evaluationSeed: evaluationSeed)
    }

    /// Records at the given steps.
    public init(recordAt steps: [Int], optimizer: OptimizerSettings = Optimizer.adam(learningRate: 0.05),
                evaluationParticles: Int = 100, evaluationSeed: UInt64 = 0) {
        self.recordSteps = steps
        self.optimizer = optimizer
        self.evaluationParticles = evaluationParticles
        self.evaluationSeed = evaluationSeed
    }

    /// The steps each run trains for.
    public var steps: Int { recordSteps.last ?? 0 }

    func validate() throws {
        guard !recordSteps.isEmpty else { throw LabError.invalidSetting("the ELBO curves have no record steps; give at least one") }
        guard recordSteps.allSatisfy({ $0 >= 0 }), zip(recordSteps, recordSteps.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw LabError.invalidSetting("the ELBO curves' record steps \(recordSteps) must be distinct, increasing and ≥ 0; ask for at most steps + 1 points")
        }
        guard evaluationParticles >= 1 else {
            throw LabError.invalidSetting("the ELBO curves' evaluation particles is \(evaluationParticles); give at least 1")
        }
    }
}
