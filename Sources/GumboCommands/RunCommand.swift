import Foundation
import Gumbo
import GumboWorkloads

/// `gumbo run <workload>`: trains a reference workload with the estimators
/// given per site and reports the honest ELBO and the workload's figures.
enum RunCommand: Command {
    static let name = "run"
    static let summary = "train a workload (sprinkler, gmm, spikeslab, dvae) and report its figures"
    static var help: String {
        """
        usage: gumbo run <workload> [--estimator SITE=KIND[:OPTIONS]]... [--steps N] [--lr X]
                         [--particles K] [--seed S] [--threads N] [--matrix-precision P]
                         [--data PATH] [--test-data PATH]
                         [--plot FILE.svg] [--checkpoint FILE] [--resume FILE] [--json] [--quiet]

        Trains a workload of BENCHMARKS.md by stochastic variational inference (Adam)
        and reports the ELBO of the discrete model from hard samples (exact where
        the discrete sites can be enumerated), never the relaxed surrogate, then the
        workload's own figures.

        workloads:
        \(WorkloadArguments.workloadList)

        options:
          --estimator SITE=KIND[:OPTIONS]  the estimator of one site (repeatable); a bare
                                KIND sets every discrete site. Kinds: reparam, enumerate,
                                reinforce[:baseline=none|ma|loo][:decay=D],
                                gumbel-softmax[:tau=T], st-gumbel-softmax[:tau=T],
                                concrete[:tau=T], st-concrete[:tau=T], hard-concrete,
                                local-expectation, arm, disarm; a relaxation's tau may be
                                anneal=T0:TMIN:RATE or learned (tau=T:learned[:min=M]).
                                Other sites keep the workload's default ('gumbo explain
                                <workload>' shows it).
          --steps N             total steps (default: the workload's; see 'gumbo list')
          --lr X                Adam's learning rate
          --particles K         samples per step (default 1; 2 for arm, disarm and
                                reinforce:baseline=loo, which need pairs)
          --seed S              the seed of training and evaluation noise (default 1)
          --threads N           threads per step (default 1): the largest plate that can
                                be split is cut into N chunks; the same seed and N give
                                the same run, bit for bit
          --matrix-precision P  double (default) or single: the model's matrix products
                                (dvae's layers) in Float, 1.2–1.5× faster for dvae;
                                values, densities and Adam stay in double
          --data PATH           dvae: training images, IDX or CSV (one image per line)
          --test-data PATH      dvae: held-out images (default: the last fifth of --data)
          --plot FILE.svg       write the training curve (the objective at every step)
          --checkpoint FILE     save the run state to FILE every tenth of the run and at
                                the end (atomically)
          --resume FILE         continue from a checkpoint up to --steps in all; give the
                                same estimators and settings as the run that wrote it
          --json                print one JSON object (the last line of output)
          --quiet               no progress line on standard error

        example:
          gumbo run sprinkler --estimator reinforce:baseline=ma --json
          gumbo run gmm --estimator z=st-gumbel-softmax:tau=0.5 --plot gmm.svg
        """
    }

    static func run(_ arguments: [String], console: Console) throws {
        let args = try Arguments(arguments, options: ["estimator", "steps", "lr", "particles", "seed", "threads", "matrix-precision",
                                                      "data", "test-data", "plot", "checkpoint", "resume"],
                                 flags: ["json", "quiet", "help"])
        if args.flag("help") { console.print(help); return }
        let quiet = args.flag("quiet")
        let workload = try WorkloadArguments.workload(args, console: console, quiet: quiet)
        let estimators = try WorkloadArguments.estimators(args, workload: workload)
        let defaults = workload.defaultSettings
        var settings = defaults
        settings.steps = try args.integer("steps", default: defaults.steps, range: 0...100_000_000)
        settings.learningRate = try args.double("lr", default: defaults.learningRate, where: { $0 > 0 && $0.isFinite },
                                                rule: "a positive number")
        let chosen = workload.defaultEstimators(settings: settings).merging(estimators) { _, given in given }
        let needed = WorkloadArguments.minimumParticles(Array(chosen.values))
        settings.particles = try args.integer("particles", default: max(defaults.particles, needed), range: 1...1_000_000)
        settings.seed = try args.seed(default: defaults.seed)
        settings.threads = try args.integer("threads", default: 1, range: 1...256)
        switch args.string("matrix-precision") ?? "double" {
        case "double": settings.matrixPrecision = .double
        case "single": settings.matrixPrecision = .single
        case let other:
            throw Arguments.UsageError(description: "--matrix-precision must be double or single, got '\(other)'")
        }
        for option in ["plot", "checkpoint", "resume"] {
            if let path = args.string(option), path.isEmpty {
                throw Arguments.UsageError(description: "--\(option) needs a file name")
            }
        }

        let run: WorkloadRun
        do {
            run = try WorkloadRun(workload, estimators: estimators, settings: settings)
        } catch {
            throw WorkloadArguments.usageError(for: error)
        }
        if let resume = args.string("resume") {
            try run.resume(from: resume)
            if !quiet {
                console.note("resumed from \(resume) at step \(run.svi.completedSteps) of \(settings.steps)")
            }
        }
        let progress = ProgressReporter.automatic(totalSteps: settings.steps, quiet: quiet, startStep: run.svi.completedSteps)
        try run.train(progress: progress, checkpoint: args.string("checkpoint"))
        let report = try run.report()

        if let plot = args.string("plot") {
            try TrainingCurve(run: run, report: report).figure().write(to: plot)
        }
        if args.flag("json") {
            console.print(report.json.text)
        } else {
            console.print(report.text)
            if let plot = args.string("plot") { console.print("training curve: \(plot)") }
            if let checkpoint = args.string("checkpoint") { console.print("checkpoint: \(checkpoint)") }
        }
    }
}
