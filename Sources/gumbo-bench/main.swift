import Foundation

// gumbo-bench: Gumbo's performance harness.
//
//     swift run -c release gumbo-bench plan [--json]
//
// Each subcommand times one thing against a reference measured in the same
// process, and with `--json` ends its output with one JSON object. Usage
// errors print one line to standard error and exit with status 2.

let subcommands: [Subcommand] = [
    PlanBenchmark.subcommand,
    SVIBenchmark.subcommand,
    SVIBenchmark.allocationsSubcommand,
    ScalingBenchmark.pointSubcommand,
    VectorMathBenchmark.subcommand,
]

exit(Subcommand.dispatch(Array(CommandLine.arguments.dropFirst()), among: subcommands))
