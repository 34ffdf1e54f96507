import Foundation
import Gumbo
import GumboWorkloads

/// `gumbo compare <workload>`: the estimator lab (``Gumbo/EstimatorLab``)
/// on a reference workload — gradient mean, variance, SNR, bias and MSE of
/// each estimator assignment at the starting parameters, time per estimate,
/// and ELBO curves of a training run per assignment.
enum CompareCommand: Command {
    static let name = "compare"
    static let summary = "compare estimators on a workload: gradient variance, bias, SNR, time, ELBO curves"
    static var help: String {
        """
        usage: gumbo compare <workload> [--estimators LIST]... [--trials N] [--steps N] [--points N]
                             [--lr X] [--particles K] [--sweep K1,K2,...] [--reference-samples N]
                             [--seed S] [--data PATH] [--test-data PATH] [--json] [--plot FILE.svg]

        Runs the estimator lab on a workload. For every assignment of estimators it
        takes T gradient estimates at the starting parameters (same seed for all:
        common random numbers where estimators draw the same noise) and reports the
        mean, variance and signal-to-noise ratio of each site's gradient, its bias and
        mean squared error against a reference (exact where every discrete site can be
        enumerated, else the mean of many estimates of the lowest-variance unbiased
        assignment), and the median time per estimate (thread CPU clock). Then each
        assignment trains from the same start, and the ELBO of the discrete model (hard
        samples) and the surrogate of relaxed runs are recorded along the way.

        workloads:
        \(WorkloadArguments.workloadList)

        options:
          --estimators LIST     assignments to compare, separated by commas (repeatable):
                                KIND[:OPTIONS] sets every discrete site, SITE=KIND[:OPTIONS]
                                one site; join several sites of one assignment with '+':
                                rain=arm+sprinkler=st-concrete. Default: the estimators
                                BENCHMARKS.md names for the workload.
          --trials N            gradient estimates per assignment (default 200)
          --steps N             training steps of each curve (default: the workload's;
                                0 for no curves)
          --points N            records along each curve (default 21)
          --lr X                Adam's learning rate for the curves (default: the workload's)
          --particles K         particles per estimate (default 1; assignments with arm,
                                disarm or reinforce:baseline=loo use at least 2, and ARM
                                and DisARM an even count)
          --sweep K1,K2,...     also measure the variance at these particle counts
          --reference-samples N estimates averaged for a sampled reference (default 4000)
          --seed S              the seed of every assignment (default: the workload's)
          --data PATH, --test-data PATH   dvae: images, as for 'gumbo run'
          --json                print one JSON object (the last line of output)
          --plot FILE.svg       write the ELBO curves, the gradient variances and the sweep

        example:
          gumbo compare sprinkler
          gumbo compare gmm --estimators enumerate,z=reinforce:baseline=ma --trials 500 --plot gmm.svg
        """
    }

    static func run(_ arguments: [String], console: Console) throws {
        let args = try Arguments(arguments, options: ["estimators", "trials", "steps", "points", "lr", "particles", "sweep",
                                                      "reference-samples", "seed", "data", "test-data", "plot"],
                                 flags: ["json", "help"])
        if args.flag("help") { console.print(help); return }
        let workload = try WorkloadArguments.workload(args, console: console, quiet: args.flag("json"))
        var settings = workload.defaultSettings
        settings.steps = try args.integer("steps", default: settings.steps, range: 0...100_000_000)
        settings.learningRate = try args.double("lr", default: settings.learningRate, where: { $0 > 0 && $0.isFinite },
                                                rule: "a positive number")
        settings.seed = try args.seed(default: settings.seed)
        let trials = try args.integer("trials", default: 200, range: 2...10_000_000)
        let points = try args.integer("points", default: 21, range: 1...100_000)
        let particles = try args.integer("particles", default: 1, range: 1...1_000_000)
        let referenceSamples = try args.integer("reference-samples", default: 4000, range: 2...100_000_000)
        let sweep = try particleCounts(args.string("sweep"))
        if let path = args.string("plot"), path.isEmpty { throw Arguments.UsageError(description: "--plot needs a file name") }

        var chosen: [[String: Estimator]] = []
        for list in args.values("estimators") {
            for text in list.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                guard !text.isEmpty else { throw Arguments.UsageError(description: "--estimators '\(list)' has an empty entry") }
                chosen.append(try assignment(text, workload: workload))
            }
        }
        if chosen.isEmpty { chosen = workload.comparedEstimators(settings: settings) }
        let assignments = chosen.map { estimators in
            EstimatorAssignment(estimators, particles: Self.particles(particles, for: Array(estimators.values)))
        }

        let compiled: CompiledModel
        do {
            compiled = try workload.compile(estimators: workload.defaultEstimators(settings: settings))
        } catch {
            throw WorkloadArguments.usageError(for: error)
        }
        let curves = settings.steps == 0 ? nil : CurveSettings(
            steps: settings.steps, points: min(points, settings.steps + 1),
            optimizer: Optimizer.adam(learningRate: settings.learningRate),
            evaluationParticles: workload.curveEvaluationParticles, evaluationSeed: settings.seed)
        let configuration = LabConfiguration(trials: trials, seed: settings.seed, particles: particles,
                                             reference: .automatic(samples: referenceSamples), curves: curves,
                                             particleSweep: sweep, clock: .threadCPU)
        let lab: EstimatorLab
        do {
            lab = try EstimatorLab(compiled, assignments: assignments, configuration: configuration)
        } catch let error as LabError {
            // Every setting was checked above, so what the lab refuses is an assignment.
            throw Arguments.UsageError(description: "--estimators: \(error)")
        }
        let report = try lab.run()
        if let path = args.string("plot") {
            try report.writeSVG(to: path)
        }
        if args.flag("json") {
            guard case .object(let members) = report.json else { return console.print(report.json.text) }
            console.print(JSONValue.object([("workload", .string(workload.name))] + members).text)
        } else {
            console.print("\(workload.label) \(workload.name): \(workload.summary)\n")
            console.print(report.markdown())
            if let path = args.string("plot") { console.print("plots: \(path)") }
        }
    }

    /// One assignment: entries joined by '+', each `SITE=KIND[:OPTIONS]` or
    /// a bare `KIND[:OPTIONS]` for every discrete site.
    static func assignment(_ text: String, workload: any Workload) throws -> [String: Estimator] {
        var estimators: [String: Estimator] = [:]
        for part in text.split(separator: "+", omittingEmptySubsequences: false).map(String.init) {
            guard !part.isEmpty else { throw Arguments.UsageError(description: "--estimators '\(text)' has an empty entry") }
            for (site, estimator) in try WorkloadArguments.assignment(part, workload: workload, option: "--estimators") {
                estimators[site] = estimator
            }
        }
        return estimators
    }

    /// `base` particles, raised to what the estimators need: 2 for ARM,
    /// DisARM and leave-one-out, and an even count for ARM and DisARM.
    static func particles(_ base: Int, for estimators: [Estimator]) -> Int {
        var count = max(base, WorkloadArguments.minimumParticles(estimators))
        let paired = estimators.contains { $0 == .arm || $0 == .disarm }
        if paired && count % 2 == 1 { count += 1 }
        return count
    }

    static func particleCounts(_ text: String?) throws -> [Int] {
        guard let text else { return [] }
        let counts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw Arguments.UsageError(description: "--sweep must be particle counts of at least 1 separated by commas, got '\(text)'")
        }
        return counts.map { $0! }
    }
}
