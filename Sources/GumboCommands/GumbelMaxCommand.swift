import Foundation
import Gumbo

/// `gumbo gumbel-max`: draws argmax(logits + Gumbel noise) many times and
/// tests the frequencies against softmax(logits) with Pearson's chi-square:
/// the Gumbel-max trick that every Gumbel-softmax estimator relies on.
enum GumbelMaxCommand: Command {
    static let name = "gumbel-max"
    static let summary = "sample argmax(logits + Gumbel noise) and test it against softmax(logits)"

    static let help = """
    usage: gumbo gumbel-max [--logits L1,L2,...] [--draws N] [--seed S] [--json]

    Samples argmax(logits + Gumbel noise) N times (default 100000) and compares
    the class frequencies with softmax(logits) by a chi-square test. The default
    logits are W1's: 0.5,-0.3,1.2,0,-1,0.8,0.3,-0.5.
    """

    static func run(_ arguments: [String], console: Console) throws {
        let args = try Arguments(arguments, options: ["logits", "draws", "seed"], flags: ["json", "help"])
        if args.flag("help") { console.print(help); return }
        guard args.positional.isEmpty else { throw Arguments.UsageError(description: "unexpected argument '\(args.positional[0])'") }
        let logits: [Double]
        if let text = args.string("logits") {
            let parsed = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parsed.count >= 2, parsed.allSatisfy({ $0?.isFinite == true }) else {
                throw Arguments.UsageError(description: "--logits must be at least two finite numbers separated by commas, got '\(text)'")
            }
            logits = parsed.map { $0! }
        } else {
            logits = [0.5, -0.3, 1.2, 0.0, -1.0, 0.8, 0.3, -0.5]
        }
        let draws = try args.integer("draws", default: 100_000, range: 1...100_000_000)
        let seed = try args.seed(default: 1)

        let categorical = try Categorical(logits: logits)
        var rng = Xoshiro256StarStar(seed: seed)
        var counts = [Int](repeating: 0, count: logits.count)
        var gumbels = [Double](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { logitBuffer in
            for _ in 0..<draws {
                for k in gumbels.indices { gumbels[k] = rng.nextStandardGumbel() }
                let winner = gumbels.withUnsafeBufferPointer { GumbelSoftmax.gumbelMax(logits: logitBuffer, gumbels: $0) }
                counts[winner] += 1
            }
        }
        let probabilities = categorical.probabilities
        let statistic = ChiSquare.statistic(observed: counts, probabilities: probabilities)
        let dof = logits.count - 1
        let pValue = ChiSquare.survival(statistic, degreesOfFreedom: dof)

        if args.flag("json") {
            let json: JSONValue = .object([
                ("command", "gumbel-max"), ("draws", .number(Double(draws))), ("seed", .number(Double(seed))),
                ("logits", .numbers(logits)), ("softmax", .numbers(probabilities)),
                ("frequencies", .numbers(counts.map { Double($0) / Double(draws) })),
                ("chi_square", .number(statistic)), ("degrees_of_freedom", .number(Double(dof))),
                ("p_value", .number(pValue)),
            ])
            console.print(json.text)
        } else {
            console.print("Gumbel-max trick: argmax(logits + Gumbel noise) over \(draws) draws (seed \(seed))\n")
            console.print("class  logit    softmax   frequency  std. error")
            for k in logits.indices {
                let p = probabilities[k]
                let frequency = Double(counts[k]) / Double(draws)
                let standardError = (p * (1 - p) / Double(draws)).squareRoot()
                console.print(String(format: "%5d  %6.3f  %8.5f  %9.5f  %10.5f", k, logits[k], p, frequency, standardError))
            }
            console.print(String(format: "\nchi-square %.3f on %d degrees of freedom, p = %.4f", statistic, dof, pValue))
            console.print(pValue > 0.001 ? "The frequencies agree with softmax(logits): the trick samples the categorical exactly."
                                 : "The frequencies disagree with softmax(logits) (p ≤ 0.001).")
        }
    }
}
