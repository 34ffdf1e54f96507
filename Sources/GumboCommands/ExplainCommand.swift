import Gumbo
import GumboWorkloads

/// `gumbo explain <workload>`: the compiled model's estimator for every
/// latent site and the reason it was chosen.
enum ExplainCommand: Command {
    static let name = "explain"
    static let summary = "show the estimator the compiler chose for each site of a workload, and why"
    static var help: String {
        """
        usage: gumbo explain <workload> [--estimator SITE=KIND[:OPTIONS]]... [--steps N]

        Compiles a workload's model and guide and prints, for every latent site, its
        distribution, plates, estimator and the reason for the choice: the plan
        'gumbo run' trains with the same options.

        workloads:
        \(WorkloadArguments.workloadList)

        options:
          --estimator SITE=KIND[:OPTIONS]  override one site (repeatable), as for 'gumbo run'
          --steps N             the run length, for defaults that depend on it (dvae's
                                temperature schedule)
        """
    }

    static func run(_ arguments: [String], console: Console) throws {
        let args = try Arguments(arguments, options: ["estimator", "steps"], flags: ["help"])
        if args.flag("help") { console.print(help); return }
        let workload = try WorkloadArguments.workload(args, console: console, quiet: true)
        let estimators = try WorkloadArguments.estimators(args, workload: workload)
        var settings = workload.defaultSettings
        settings.steps = try args.integer("steps", default: settings.steps, range: 0...100_000_000)
        let chosen = workload.defaultEstimators(settings: settings).merging(estimators) { _, given in given }
        let compiled: CompiledModel
        do {
            compiled = try workload.compile(estimators: chosen)
        } catch {
            throw WorkloadArguments.usageError(for: error)
        }
        console.print("\(workload.label) \(workload.name): \(workload.summary)")
        console.print("observed: \(workload.observedSites.joined(separator: ", "))")
        let workloadSet = workload.defaultEstimators(settings: settings).filter { estimators[$0.key] == nil }
        if !workloadSet.isEmpty {
            // What the compiler would choose without the workload's setting.
            let own = try? workload.compile(estimators: estimators)
            for (site, estimator) in workloadSet.sorted(by: { $0.key < $1.key }) {
                var line = "\(workload.label) sets \(site)=\(estimator), as BENCHMARKS.md specifies (marked as an override below)"
                if let choice = own?.estimator(for: site) {
                    line += "; the compiler alone would choose \(choice.estimator): \(choice.reason)"
                }
                console.print(line)
            }
        }
        console.print()
        console.print(compiled.explain())
    }
}
