import Foundation
import Gumbo

/// One of the trainable reference workloads of `BENCHMARKS.md` (W2–W5),
/// as the `gumbo run` command and the lab drive it: its names, its
/// defaults, a compiled model with chosen estimators, and the figures it
/// reports after training.
///
///     let workload = MixtureWorkload()
///     let run = try WorkloadRun(workload, estimators: ["z": .reinforce(baseline: .leaveOneOut)])
///     try run.train()
///     print(try run.report().json.text)
public protocol Workload: Sendable {
    /// The command-line name: `sprinkler`, `gmm`, `spikeslab`, `dvae`.
    var name: String { get }
    /// The label in `BENCHMARKS.md`: `W2`…`W5`.
    var label: String { get }
    /// One line on what the workload shows.
    var summary: String { get }
    /// The latent sites, by the names `BENCHMARKS.md` gives them.
    var latentSites: [String] { get }
    /// The latent sites that are discrete (Bernoulli or Categorical).
    var discreteSites: [String] { get }
    /// The observed sites.
    var observedSites: [String] { get }
    /// Steps, learning rate, particles and seed as `BENCHMARKS.md` sets them.
    var defaultSettings: WorkloadSettings { get }
    /// The estimators a run uses for sites the user does not name; a site
    /// missing here gets the compiler's choice.
    func defaultEstimators(settings: WorkloadSettings) -> [String: Estimator]
    /// The model and guide compiled with these options: estimators by site
    /// (the other sites get the compiler's choice) and the precision of
    /// matrix products.
    func compile(options: CompileOptions) throws -> CompiledModel
    /// The honest ELBO of the trained guide and the workload's own figures.
    func figures(of svi: SVI, seed: UInt64) throws -> WorkloadFigures
    /// The estimator assignments `gumbo compare` measures unless told
    /// otherwise: the ones `BENCHMARKS.md` names for the workload, by site.
    func comparedEstimators(settings: WorkloadSettings) -> [[String: Estimator]]
    /// Hard samples per ELBO evaluation on an estimator-lab curve: enough
    /// for a readable curve, few enough to evaluate at 20 points per run.
    var curveEvaluationParticles: Int { get }
}

extension Workload {
    public func defaultEstimators(settings: WorkloadSettings) -> [String: Estimator] { [:] }
    public var curveEvaluationParticles: Int { 100 }

    /// The model and guide compiled with these estimators (by site; the
    /// other sites get the compiler's choice).
    public func compile(estimators: [String: Estimator]) throws -> CompiledModel {
        try compile(options: CompileOptions(estimators: estimators))
    }

    /// Each estimator on every discrete site.
    func everyDiscreteSite(_ estimators: [Estimator]) -> [[String: Estimator]] {
        estimators.map { estimator in Dictionary(uniqueKeysWithValues: discreteSites.map { ($0, estimator) }) }
    }
}

/// The training settings of a run.
public struct WorkloadSettings: Sendable, Equatable {
    public var steps: Int
    /// Adam's learning rate.
    public var learningRate: Double
    /// Samples per step.
    public var particles: Int
    /// The seed of the run's random stream (and of its evaluation).
    public var seed: UInt64
    /// Threads a step runs on (``Gumbo/SVIConfiguration/threads``).
    public var threads: Int
    /// The arithmetic of the model's matrix products
    /// (``Gumbo/CompileOptions/matrixPrecision``).
    public var matrixPrecision: MatrixPrecision = .double

    public init(steps: Int, learningRate: Double, particles: Int = 1, seed: UInt64 = 1, threads: Int = 1) {
        self.steps = steps
        self.learningRate = learningRate
        self.particles = particles
        self.seed = seed
        self.threads = threads
    }
}

/// What a workload reports after training.
public struct WorkloadFigures: Sendable {
    /// The discrete model's ELBO from hard samples (exact where enumerable).
    public var evaluation: ELBOEvaluation
    /// The workload's own figures, in report order.
    public var figures: [Figure]
    /// Horizontal lines worth drawing on the training curve (an optimum,
    /// the log evidence), by name.
    public var references: [(name: String, value: Double)]

    public init(evaluation: ELBOEvaluation, figures: [Figure], references: [(name: String, value: Double)] = []) {
        self.evaluation = evaluation
        self.figures = figures
        self.references = references
    }

    /// The figure with a JSON key, if reported.
    public func figure(_ key: String) -> Figure? {
        figures.first { $0.key == key }
    }
}

/// One reported figure: its JSON key and value, and the same for a reader.
public struct Figure: Sendable {
    /// The key in the `--json` object, e.g. `means`, `f1`, `test_elbo`.
    public let key: String
    public let value: JSONValue
    /// A label for the text report, e.g. "recovered means (sorted)".
    public let label: String
    /// The value as the text report shows it.
    public let text: String

    public init(key: String, value: JSONValue, label: String, text: String) {
        self.key = key
        self.value = value
        self.label = label
        self.text = text
    }

    /// A number, shown with `digits` decimals.
    public static func number(_ key: String, _ value: Double, label: String, digits: Int = 4, unit: String = "") -> Figure {
        Figure(key: key, value: .number(value), label: label,
               text: formatted(value, digits: digits) + (unit.isEmpty ? "" : " " + unit))
    }

    /// A list of numbers, shown with `digits` decimals.
    public static func numbers(_ key: String, _ values: [Double], label: String, digits: Int = 3) -> Figure {
        Figure(key: key, value: .numbers(values), label: label,
               text: "[" + values.map { formatted($0, digits: digits) }.joined(separator: ", ") + "]")
    }
}

/// `value` with `digits` decimals (`-0.0000` shown as `0.0000`); a nonzero
/// value too small to show that way in scientific notation (`3.2e-07`).
func formatted(_ value: Double, digits: Int) -> String {
    if value != 0, value.isFinite, abs(value) < 0.5 * pow(10, -Double(digits)) {
        return String(format: "%.2e", value)
    }
    let text = String(format: "%.\(digits)f", value)
    return Double(text) == 0 ? String(format: "%.\(digits)f", 0.0) : text
}
