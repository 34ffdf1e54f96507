import Foundation
import Gumbo

/// One training run of a ``Workload``: compiles it with the chosen
/// estimators, trains with Adam, times every step, keeps the objective
/// curve, saves and resumes checkpoints, and reports.
///
///     let run = try WorkloadRun(SprinklerWorkload(), estimators: ["rain": .arm, "sprinkler": .arm],
///                               settings: WorkloadSettings(steps: 1000, learningRate: 0.05, particles: 2))
///     try run.train(progress: .automatic(totalSteps: 1000, quiet: false))
///     let report = try run.report()
///     print(report.figures.figure("gap")!.text)
///
/// A class, like the ``Gumbo/SVI`` it owns: a run has identity and state.
public final class WorkloadRun {
    public let workload: any Workload
    public let settings: WorkloadSettings
    public let compiled: CompiledModel
    public let svi: SVI
    /// The objective after each step this run took (not steps restored
    /// from a checkpoint): an ELBO estimate, or the surrogate when a site
    /// is relaxed (``Gumbo/SVI/isSurrogate``).
    public private(set) var curve: [(step: Int, objective: Double)] = []
    /// Thread CPU seconds of each step this run took.
    public private(set) var stepSeconds: [Double] = []

    /// A run with `estimators` for the sites it names; every other site
    /// takes the workload's default (``Workload/defaultEstimators(settings:)``),
    /// or else the compiler's choice.
    ///
    /// - Throws: ``Gumbo/ModelError`` when an estimator cannot estimate its
    ///   site or names no latent site; ``Gumbo/SVIError`` or ``Gumbo/ModelError``
    ///   when the settings do not fit the estimators (ARM, DisARM and
    ///   leave-one-out need at least two particles).
    public init(_ workload: any Workload, estimators: [String: Estimator] = [:], settings: WorkloadSettings? = nil) throws {
        let settings = settings ?? workload.defaultSettings
        self.workload = workload
        self.settings = settings
        let chosen = workload.defaultEstimators(settings: settings).merging(estimators) { _, given in given }
        var options = CompileOptions(estimators: chosen)
        options.matrixPrecision = settings.matrixPrecision
        compiled = try workload.compile(options: options)
        svi = try SVI(compiled, configuration: SVIConfiguration(optimizer: Optimizer.adam(learningRate: settings.learningRate),
                                                                particles: settings.particles, seed: settings.seed,
                                                                threads: settings.threads))
    }

    /// Each site's estimator, spelled as on the command line, in program order.
    public var estimators: [(site: String, estimator: Estimator)] {
        compiled.estimators.map { ($0.site, $0.estimator) }
    }

    // MARK: Training

    /// Trains until ``settings``' step count is reached (fewer steps after
    /// ``resume(from:)``), reporting progress. With `checkpoint`, the run
    /// state is written there atomically before the first step, every
    /// `checkpointInterval` steps (by default a tenth of the run) and after
    /// the last step.
    public func train(progress: ProgressReporter? = nil, checkpoint: String? = nil, checkpointInterval: Int? = nil) throws {
        let remaining = max(0, settings.steps - svi.completedSteps)
        let interval = max(1, checkpointInterval ?? settings.steps / 10)
        var reporter = progress
        // Saving the starting state first finds an unwritable path before
        // any training is spent.
        if let checkpoint, remaining > 0 { try svi.save(to: checkpoint) }
        curve.reserveCapacity(curve.count + remaining)
        stepSeconds.reserveCapacity(stepSeconds.count + remaining)
        for _ in 0..<remaining {
            let start = Self.threadSeconds()
            try svi.step()
            stepSeconds.append(Self.threadSeconds() - start)
            curve.append((svi.completedSteps, svi.lastObjective))
            reporter?.report(step: svi.completedSteps, objective: svi.lastObjective, label: svi.isSurrogate ? "surrogate" : "ELBO")
            if let checkpoint, svi.completedSteps % interval == 0, svi.completedSteps < settings.steps {
                try svi.save(to: checkpoint)
            }
        }
        if let checkpoint { try svi.save(to: checkpoint) }
    }

    /// Continues from a checkpoint written by a run with the same workload,
    /// estimators, particles, learning rate and seed.
    ///
    /// - Throws: ``Gumbo/Checkpoint/Failure`` when the file is missing,
    ///   malformed, or from a different run.
    public func resume(from path: String) throws {
        let state = try Checkpoint.read(RunState.self, from: path)
        let configured = Optimizer(svi.configuration.optimizer, count: 0)
        if state.optimizer.rule != configured.rule || state.optimizer.gradientClipNorm != configured.gradientClipNorm {
            throw Checkpoint.Failure.mismatch(path: path, reason: "it was trained with \(Self.describe(state.optimizer.rule)), this run has \(Self.describe(configured.rule))")
        }
        if UInt64(state.seed, radix: 16) != settings.seed {
            throw Checkpoint.Failure.mismatch(path: path, reason: "it was trained with seed \(UInt64(state.seed, radix: 16).map(String.init) ?? state.seed), this run has seed \(settings.seed)")
        }
        try svi.restore(state, source: path)
    }

    private static func describe(_ rule: Optimizer.Rule) -> String {
        switch rule {
        case .adam(let learningRate, _, _, _): return "Adam at learning rate \(learningRate)"
        case .sgd(let learningRate, let momentum): return "SGD at learning rate \(learningRate), momentum \(momentum)"
        }
    }

    /// The median of the per-step times after a warm-up (the first tenth
    /// of the steps, at most 20), or `nil` before any step.
    public var secondsPerStep: Double? {
        let warmUp = min(20, stepSeconds.count / 10)
        let times = stepSeconds.dropFirst(warmUp).sorted()
        guard !times.isEmpty else { return nil }
        let middle = times.count / 2
        return times.count % 2 == 1 ? times[middle] : (times[middle - 1] + times[middle]) / 2
    }

    /// CPU seconds this thread has used: steps are single-threaded, and on
    /// a shared machine another tenant's work should not be charged to them.
    static func threadSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    // MARK: Report

    /// The trained guide's honest ELBO and the workload's figures.
    public func report() throws -> RunReport {
        let figures = try workload.figures(of: svi, seed: settings.seed)
        return RunReport(workload: workload.name, label: workload.label,
                         estimators: estimators.map { ($0.site, $0.estimator.description) },
                         settings: settings, steps: svi.completedSteps, secondsPerStep: secondsPerStep,
                         surrogate: svi.isSurrogate && svi.lastObjective.isFinite ? svi.lastObjective : nil,
                         figures: figures)
    }
}

/// What a run reports: its settings, speed, the honest ELBO and the
/// workload's figures, as JSON and as text.
public struct RunReport: Sendable {
    public let workload: String
    public let label: String
    /// Site → estimator, spelled as on the command line, in program order.
    public let estimators: [(site: String, estimator: String)]
    public let settings: WorkloadSettings
    /// Steps completed (including steps restored from a checkpoint).
    public let steps: Int
    public let secondsPerStep: Double?
    /// The last surrogate value of a relaxed run; `nil` otherwise.
    public let surrogate: Double?
    public let figures: WorkloadFigures

    public var evaluation: ELBOEvaluation { figures.evaluation }

    /// One JSON object: `workload`, `estimators` (site → kind), `steps`,
    /// `learning_rate`, `particles`, `seed`, `threads`, `matrix_precision`, `seconds_per_step`, `elbo`,
    /// `elbo_stderr`, `elbo_particles`, `surrogate`, `elbo_exact`,
    /// `log_evidence`, then the workload's figures.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("workload", .string(workload)),
            ("estimators", .object(estimators.map { ($0.site, .string($0.estimator)) })),
            ("steps", .number(Double(steps))),
            ("learning_rate", .number(settings.learningRate)),
            ("particles", .number(Double(settings.particles))),
            ("seed", .number(Double(settings.seed))),
            ("threads", .number(Double(settings.threads))),
            ("matrix_precision", .string("\(settings.matrixPrecision)")),
            ("seconds_per_step", .number(secondsPerStep)),
            ("elbo", .number(evaluation.elbo)),
            ("elbo_stderr", .number(evaluation.standardError)),
            ("elbo_particles", .number(Double(evaluation.particles))),
            ("surrogate", .number(surrogate)),
            ("elbo_exact", .number(evaluation.exactELBO)),
            ("log_evidence", .number(evaluation.logEvidence)),
        ]
        fields += figures.figures.map { ($0.key, $0.value) }
        return .object(fields)
    }

    /// The report for a reader, one figure a line.
    public var text: String {
        var lines = ["\(label) \(workload): \(steps) steps, Adam lr \(shortText(settings.learningRate)), \(settings.particles) particle\(settings.particles == 1 ? "" : "s"), seed \(settings.seed)"
                     + (settings.threads > 1 ? ", \(settings.threads) threads" : "")
                     + (settings.matrixPrecision == .single ? ", matrix products in single precision" : "")]
        let width = estimators.map(\.site.count).max() ?? 0
        for (site, estimator) in estimators {
            lines.append("  \(site.padding(toLength: width, withPad: " ", startingAt: 0))  \(estimator)")
        }
        var rows: [(String, String)] = []
        if let secondsPerStep {
            rows.append(("time per step (median, CPU)", String(format: "%.3g ms", secondsPerStep * 1000)))
        }
        let evaluation = self.evaluation
        if let exact = evaluation.exactELBO {
            let sites = evaluation.enumeratedSites.joined(separator: ", ")
            rows.append((sites.isEmpty ? "ELBO (exact)" : "ELBO (exact, enumerating \(sites))", formatted(exact, digits: 6) + " nats"))
        } else {
            let how = evaluation.enumeratedSites.isEmpty ? "hard samples" : "hard samples, \(evaluation.enumeratedSites.joined(separator: ", ")) summed exactly"
            rows.append(("ELBO (\(evaluation.particles) particles, \(how))",
                         "\(formatted(evaluation.elbo, digits: 3)) ± \(formatted(evaluation.standardError, digits: 3)) nats"))
        }
        if let logEvidence = evaluation.logEvidence { rows.append(("log p(x)", formatted(logEvidence, digits: 6) + " nats")) }
        if let surrogate { rows.append(("last surrogate (relaxed objective, not an ELBO)", formatted(surrogate, digits: 4))) }
        rows += figures.figures.map { ($0.label, $0.text) }
        let labelWidth = rows.map(\.0.count).max() ?? 0
        lines += rows.map { "\($0.0.padding(toLength: labelWidth, withPad: " ", startingAt: 0))  \($0.1)" }
        return lines.joined(separator: "\n")
    }

    private func shortText(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(format: "%g", x)
    }
}
