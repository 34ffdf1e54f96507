import Foundation
import Gumbo

/// `gumbo-bench plan`: forward + backward of the W3 mixture log-likelihood
/// in a compiled plan, against a hand-written loop computing the same value
/// and gradient.
///
/// Both are checked to agree first. Then, after a warm-up, repeats alternate
/// between the two (the order flipping each repeat, so neither always runs
/// on a warmer cache); each repeat times a batch of calls, and the reported
/// figure is the median seconds per call.
enum PlanBenchmark {
    static let subcommand = Subcommand(
        name: "plan",
        summary: "time forward+backward of the W3 mixture likelihood in a plan vs a hand-written loop",
        usage: """
            usage: gumbo-bench plan [--json] [--points N] [--repeats R] [--calls C]

            Times forward+backward of the W3 mixture log-likelihood
            sum_i logSumExp_k(log w_k + log N(x_i; mu_k, 1)), with the gradient for
            mu and w, in a compiled plan and in a hand-written Swift loop.

            options:
              --json         end with one JSON line: plan_seconds, handwritten_seconds, ratio
              --points N     data points (default 1000)
              --repeats R    timed repeats of each side, interleaved (default 41)
              --calls C      calls per repeat (default: about 2 ms of work)
              --help         this text
            """,
        run: run)

    static func run(_ options: inout Options) throws {
        let json = options.flag("--json")
        let points = try options.integer("--points", default: 1000)
        let repeats = try options.integer("--repeats", default: 41)
        let requestedCalls = try options.integer("--calls", default: 0)
        try options.finish()

        let data = MixtureLikelihood.data(points: points)
        let mixture = try MixtureLikelihood(data: data)
        let handwritten = MixtureLikelihood.Handwritten(data: data)
        let plan = mixture.plan

        // Agreement first.
        plan.forward()
        plan.backward()
        handwritten.run()
        let planValue = try plan.scalar(mixture.loss)
        let planMu = try plan.gradient(of: mixture.muTensor)
        let planW = try plan.gradient(of: mixture.wTensor)
        let agree = close(planValue, handwritten.value)
            && zip(planMu, handwritten.gradientMu).allSatisfy { close($0, $1) }
            && zip(planW, handwritten.gradientW).allSatisfy { close($0, $1) }
        guard agree else {
            throw BenchmarkFailure.disagreement(
                "plan value \(planValue), gradients \(planMu) \(planW); hand-written \(handwritten.value), "
                + "\(Array(handwritten.gradientMu)) \(Array(handwritten.gradientW))")
        }

        // Warm-up, and a batch size of about 2 ms.
        let warmup = Stopwatch.secondsPerCall(50) { plan.forward(); plan.backward() }
        _ = Stopwatch.secondsPerCall(50) { handwritten.run() }
        let calls = requestedCalls > 0 ? requestedCalls : max(1, Int(2e-3 / max(warmup, 1e-9)))

        var planTimes: [Double] = []
        var handwrittenTimes: [Double] = []
        for repeatIndex in 0..<repeats {
            let timePlan = { planTimes.append(Stopwatch.secondsPerCall(calls) { plan.forward(); plan.backward() }) }
            let timeHandwritten = { handwrittenTimes.append(Stopwatch.secondsPerCall(calls) { handwritten.run() }) }
            if repeatIndex % 2 == 0 { timePlan(); timeHandwritten() } else { timeHandwritten(); timePlan() }
        }
        let planSeconds = Stopwatch.median(planTimes)
        let handwrittenSeconds = Stopwatch.median(handwrittenTimes)
        let ratio = planSeconds / handwrittenSeconds

        print("W3 mixture log-likelihood, N = \(points), K = \(MixtureLikelihood.classes): forward + backward")
        print("  value \(planValue) (plan and hand-written agree to 1e-10)")
        print("  plan:        \(format(planSeconds)) per call (\(plan.forwardInstructionCount) forward, "
              + "\(plan.backwardInstructionCount) backward instructions)")
        print("  hand-written: \(format(handwrittenSeconds)) per call")
        print("  ratio plan / hand-written: \(String(format: "%.3f", ratio))  "
              + "(medians of \(repeats) interleaved repeats of \(calls) calls)")
        if json {
            print("{\"benchmark\": \"plan\", \"workload\": \"W3 mixture log-likelihood\", \"points\": \(points), "
                  + "\"plan_seconds\": \(planSeconds), \"handwritten_seconds\": \(handwrittenSeconds), "
                  + "\"ratio\": \(ratio)}")
        }
    }

    static func close(_ a: Double, _ b: Double) -> Bool {
        abs(a - b) <= 1e-10 * max(1, abs(a), abs(b))
    }

    static func format(_ seconds: Double) -> String {
        seconds < 1e-3 ? String(format: "%.2f µs", seconds * 1e6) : String(format: "%.3f ms", seconds * 1e3)
    }
}

enum BenchmarkFailure: Error, CustomStringConvertible {
    case disagreement(String)

    var description: String {
        switch self {
        case .disagreement(let detail): return "plan and hand-written loop disagree: \(detail)"
        }
    }
}
