import Gumbo
import GumboWorkloads

/// `gumbo list`: the reference workloads, what each shows, its sites,
/// default settings and default estimators.
enum ListCommand: Command {
    static let name = "list"
    static let summary = "the reference workloads and what they show"
    static let help = """
    usage: gumbo list [--json]

    Lists the reference workloads of BENCHMARKS.md: W1 (gumbo variance) and W2-W5
    (gumbo run <workload>, gumbo compare <workload>), with their latent sites,
    default settings and the estimators a run uses unless told otherwise.
    """

    static func run(_ arguments: [String], console: Console) throws {
        let args = try Arguments(arguments, options: [], flags: ["json", "help"])
        if args.flag("help") { console.print(help); return }
        guard args.positional.isEmpty else { throw Arguments.UsageError(description: "unexpected argument '\(args.positional[0])'") }
        var entries: [JSONValue] = [.object([
            ("name", "variance8"), ("label", "W1"), ("command", "gumbo variance"),
            ("summary", .string(varianceSummary)),
        ])]
        var text = ["W1  variance8   gumbo variance", "    \(varianceSummary)", ""]
        for name in Workloads.names {
            guard let workload = Workloads.named(name) else { continue }
            let settings = workload.defaultSettings
            let compiled = try workload.compile(estimators: workload.defaultEstimators(settings: settings))
            let estimators = compiled.estimators.map { ($0.site, $0.estimator.description) }
            entries.append(.object([
                ("name", .string(name)), ("label", .string(workload.label)), ("command", .string("gumbo run \(name)")),
                ("summary", .string(workload.summary)),
                ("latent_sites", .array(workload.latentSites.map { .string($0) })),
                ("observed_sites", .array(workload.observedSites.map { .string($0) })),
                ("steps", .number(Double(settings.steps))), ("learning_rate", .number(settings.learningRate)),
                ("particles", .number(Double(settings.particles))), ("seed", .number(Double(settings.seed))),
                ("estimators", .object(estimators.map { ($0.0, .string($0.1)) })),
            ]))
            text.append("\(workload.label)  \(name.padding(toLength: 10, withPad: " ", startingAt: 0))  gumbo run \(name), gumbo compare \(name)")
            text.append("    \(workload.summary)")
            text.append("    sites: \(estimators.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")) (observed \(workload.observedSites.joined(separator: ", ")))")
            text.append("    \(settings.steps) steps, Adam lr \(settings.learningRate), \(settings.particles) particle, seed \(settings.seed)")
            text.append("")
        }
        if args.flag("json") {
            console.print(JSONValue.object([("workloads", .array(entries))]).text)
        } else {
            text.removeLast()
            console.print(text.joined(separator: "\n"))
        }
    }

    static let varianceSummary = "gradient variance, bias and MSE of REINFORCE and Gumbel-softmax for one 8-class variable, against n, at reward offsets 0 and 1"
}
