import Foundation
import Gumbo
import GumboWorkloads

/// `gumbo-bench svi`: seconds per SVI step on the reference workloads of
/// issue 7, for each (workload, estimator): the median over repeats after a
/// warm-up, the compile time (DSL → plan ready), heap allocations per step,
/// and, where one exists, a hand-written Swift loop's step and the ratio.
///
/// Times are the thread's CPU time (``Stopwatch``); the library's and the
/// hand-written loop's repeats alternate (the order flipping each repeat),
/// so both see the same machine. Before timing, the hand-written loop's
/// gradient is checked against the library's at the same parameters and
/// noise (same seed).
enum SVIBenchmark {
    static let subcommand = Subcommand(
        name: "svi",
        summary: "seconds per SVI step on W2–W5, compile time, allocations, hand-written loops, scaling",
        usage: """
            usage: gumbo-bench svi [--workload W] [--estimator E] [--matrix-precision P] [--json]
                                   [--repeats R] [--scaling] [--threads N] [--peers PYTHON [--rounds K]]

            For every (workload, estimator) of issue 7: median seconds per step
            after a warm-up, compile time (DSL to plan ready), heap allocations
            per step (counted by a preloaded allocator in a child process), and
            the hand-written loop's seconds per step and the ratio, where one
            exists (W3 enumeration and straight-through Gumbel-softmax, W4
            binary Concrete). W5 runs twice: with its matrix products in double
            precision, then in single (CompileOptions.matrixPrecision = .single,
            marked "f32mm"); single rows compare best with NumPyro's float32 runs.

            options:
              --workload W     only rows whose workload starts with W (W2 … W5)
              --estimator E    only rows whose estimator starts with E
              --matrix-precision P  only rows whose products run in P (double or single)
              --json           end with one JSON line {"rows": [...]}
              --repeats R      timed repeats per row (default 21)
              --scaling        instead: W3 (enumeration) at N = 10^3 … 10^6 points,
                               seconds per step and peak memory per data point
              --threads N      also time each row with N threads (SVIConfiguration.threads)
              --peers PYTHON   after Gumbo's rows, run Docs/peers/pyro_svi.py and
                               numpyro_svi.py with this Python (one that has torch,
                               pyro-ppl, jax, numpyro) on the same rows, and quote
                               Gumbo's times as ratios to theirs, measured in this run
              --rounds K       with --peers: K rounds of Gumbo's rows then the peers',
                               each round's table, then one of each system's fastest
                               round per row (the minimum of the rounds' medians), so a
                               busy minute on a shared host moves neither side alone
              --dump           print each row's compiled plan
              --profile-steps N  for a profiler: only compile and take N steps per row, untimed
              --profile-handwritten  with --profile-steps: step the rows' hand-written loops instead
              --help           this text
            """,
        run: run)

    struct Row {
        let workload: String
        let estimator: String
        let matrixPrecision: MatrixPrecision
        /// The workload as the tables print it (``SVICase/label``).
        let label: String
        let secondsPerStep: Double
        let compileSeconds: Double
        let allocationsPerStep: Double?
        let handwrittenSecondsPerStep: Double?
        let threadedSecondsPerStep: Double?
        let threads: Int

        var ratio: Double? { handwrittenSecondsPerStep.map { secondsPerStep / $0 } }
        /// Peers' rows join on this (they have no precision of products).
        var peerKey: String { "\(workload)|\(estimator)" }
    }

    static func run(_ options: inout Options) throws {
        let json = options.flag("--json")
        let workload = options.string("--workload")
        let estimator = options.string("--estimator")
        let precision = try options.string("--matrix-precision").map(matrixPrecision)
        let repeats = try options.integer("--repeats", default: 21)
        let scaling = options.flag("--scaling")
        let threads = try options.integer("--threads", default: 1)
        let dump = options.flag("--dump")
        let profileSteps = try options.integer("--profile-steps", default: 0)
        let profileHandwritten = options.flag("--profile-handwritten")
        let python = options.string("--peers")
        let rounds = try options.integer("--rounds", default: 1)
        try options.finish()
        guard rounds >= 1, python != nil || rounds == 1 else {
            throw UsageError(message: "--rounds: a count of at least 1, with --peers")
        }
        if scaling { return try ScalingBenchmark.run(json: json, threads: threads) }

        let cases = SVICase.all().filter { c in
            (workload.map(c.workload.hasPrefix) ?? true) && (estimator.map(c.estimator.hasPrefix) ?? true)
                && (precision.map { $0 == c.matrixPrecision } ?? true)
        }
        if profileSteps > 0 {
            // For a profiler: compile and step, no timing.
            for c in cases {
                if profileHandwritten {
                    guard var step = c.makeHandwritten?() else { continue }
                    for _ in 0..<profileSteps { step.step() }
                    continue
                }
                let svi = try c.makeRun()
                for _ in 0..<profileSteps { try svi.step() }
            }
            return
        }
        var filter: [String] = []
        if let workload { filter += ["--workload", workload] }
        if let estimator { filter += ["--estimator", estimator] }
        if let precision { filter += ["--matrix-precision", "\(precision)"] }
        let allocations = countAllocations(filter)
        if python != nil && threads == 1 {
            let core = CorePinning.pinToLowestCore()
            print(core.map { "Pinned to core \($0), as the peers pin themselves" } ?? "Not pinned to one core (no affinity call)")
        }

        var roundsRows: [[Row]] = [], roundsPeers: [PeerRun] = []
        for round in 0..<rounds {
            if rounds > 1 { print("Round \(round + 1) of \(rounds)") }
            let rows = try measure(cases, repeats: repeats, threads: threads, dump: dump && round == 0,
                                   allocations: allocations)
            roundsRows.append(rows)
            if let python {
                let peers = PeerRun.measure(python: python, workload: workload, estimator: estimator, repeats: repeats)
                printPeers(rows, measured: peers)
                roundsPeers.append(peers)
            } else {
                printIssuePeers(rows)
            }
            if rounds > 1 { print("") }
        }
        var rows = roundsRows[0], peers = roundsPeers.first
        if rounds > 1 {
            rows = fastest(roundsRows)
            peers = PeerRun.fastest(roundsPeers)
            print("Fastest of \(rounds) rounds, each system and row on its own (the minimum of the rounds' medians):")
            print(header)
            for row in rows { print(line(row)) }
            printPeers(rows, measured: peers!)
        }
        if json {
            print("{\"rows\": [\(rows.map { jsonRow($0, peers: peers) }.joined(separator: ", "))]"
                  + (rounds > 1 ? ", \"rounds\": \(rounds)" : "") + ", \"instruction_set\": \"\(Plan.instructionSet)\"}")
        }
    }

    /// One round of Gumbo's rows: each compiled three times (the median
    /// compile time), its hand-written loop checked, then timed.
    static func measure(_ cases: [SVICase], repeats: Int, threads: Int, dump: Bool,
                        allocations: [String: Double]) throws -> [Row] {
        print("Seconds per SVI step (median of \(repeats) repeats of the thread's CPU time, after a warm-up;"
              + " kernels for \(Plan.instructionSet))")
        print(header)
        var rows: [Row] = []
        for c in cases {
            var compileTimes: [Double] = []
            var svi: SVI!
            for _ in 0..<3 {
                let start = Stopwatch.now()
                svi = try c.makeRun()
                compileTimes.append(Stopwatch.now() - start)
            }
            if dump { print(svi.planDescription) }
            let handwritten = try c.makeHandwritten.map { make -> any HandwrittenStep in
                var step = make()
                try verify(c, &step)
                return make()
            }
            let (library, reference) = try time(svi, handwritten, repeats: repeats)
            var threaded: Double?
            if threads > 1 {
                let parallel = try c.makeRun(threads: threads)
                threaded = try wallTime(parallel, repeats: repeats)
            }
            let row = Row(workload: c.workload, estimator: c.estimator, matrixPrecision: c.matrixPrecision,
                          label: c.label, secondsPerStep: library, compileSeconds: Stopwatch.median(compileTimes),
                          allocationsPerStep: allocations[c.key],
                          handwrittenSecondsPerStep: reference, threadedSecondsPerStep: threaded, threads: threads)
            rows.append(row)
            print(line(row))
        }
        return rows
    }

    /// Row by row, each time the least over the rounds (the same cases, in
    /// the same order, in every round); the hand-written loop's on its own.
    static func fastest(_ rounds: [[Row]]) -> [Row] {
        rounds[0].indices.map { k in
            let all = rounds.map { $0[k] }
            func least(_ values: [Double?]) -> Double? { values.compactMap { $0 }.min() }
            let first = all[0]
            return Row(workload: first.workload, estimator: first.estimator, matrixPrecision: first.matrixPrecision,
                       label: first.label, secondsPerStep: all.map(\.secondsPerStep).min()!,
                       compileSeconds: all.map(\.compileSeconds).min()!, allocationsPerStep: first.allocationsPerStep,
                       handwrittenSecondsPerStep: least(all.map(\.handwrittenSecondsPerStep)),
                       threadedSecondsPerStep: least(all.map(\.threadedSecondsPerStep)), threads: first.threads)
        }
    }

    // MARK: Timing

    /// Median seconds per step of the library and (if given) the
    /// hand-written loop, repeats interleaved; each repeat times a batch of
    /// about 5 ms.
    static func time(_ svi: SVI, _ handwritten: (any HandwrittenStep)?, repeats: Int) throws -> (Double, Double?) {
        var reference = handwritten
        for _ in 0..<20 { try svi.step() }
        for _ in 0..<20 { reference?.step() }
        let perStep = Stopwatch.secondsPerCall(20) { _ = try? svi.step() }
        let calls = max(1, Int(5e-3 / max(perStep, 1e-9)))
        var referenceCalls = 0
        if reference != nil {
            referenceCalls = max(1, Int(5e-3 / max(Stopwatch.secondsPerCall(20) { reference!.step() }, 1e-9)))
        }
        var libraryTimes: [Double] = [], referenceTimes: [Double] = []
        for r in 0..<repeats {
            for side in (r % 2 == 0 ? [0, 1] : [1, 0]) {
                if side == 0 {
                    libraryTimes.append(Stopwatch.secondsPerCall(calls) { _ = try? svi.step() })
                } else if reference != nil {
                    referenceTimes.append(Stopwatch.secondsPerCall(referenceCalls) { reference!.step() })
                }
            }
        }
        return (Stopwatch.median(libraryTimes), reference == nil ? nil : Stopwatch.median(referenceTimes))
    }

    /// Median wall-clock seconds per step (a threaded run uses more than
    /// the calling thread's CPU).
    static func wallTime(_ svi: SVI, repeats: Int) throws -> Double {
        for _ in 0..<20 { try svi.step() }
        let perStep = Stopwatch.wallSecondsPerCall(20) { _ = try? svi.step() }
        let calls = max(1, Int(5e-3 / max(perStep, 1e-9)))
        return Stopwatch.median((0..<repeats).map { _ in Stopwatch.wallSecondsPerCall(calls) { _ = try? svi.step() } })
    }

    // MARK: Checking the hand-written loops

    /// The hand-written gradient against the library's, with the same seed
    /// (so the same noise, up to the last ulp of `log` and `cos`) at the
    /// same starting parameters.
    static func verify(_ c: SVICase, _ handwritten: inout any HandwrittenStep) throws {
        let svi = try c.makeRun()
        let library = try svi.estimateGradient()
        let reference = handwritten.objectiveGradient()
        for (name, values) in reference {
            guard let expected = library[name], expected.count == values.count else {
                throw BenchmarkFailure.disagreement("\(c.workload) \(c.estimator): no parameter '\(name)' of \(values.count) values")
            }
            for (k, (a, b)) in zip(values, expected).enumerated() where abs(a - b) > 1e-8 * max(1, abs(a), abs(b)) {
                throw BenchmarkFailure.disagreement(
                    "\(c.workload) \(c.estimator): ∂/∂\(name)[\(k)] hand-written \(a), library \(b)")
            }
        }
    }

    // MARK: Allocations

    /// Allocations per step by row, counted in a child process; empty when
    /// the counting allocator cannot be built.
    static func countAllocations(_ filter: [String]) -> [String: Double] {
        guard let output = AllocationCounter.runChild(["svi-allocations"] + filter) else { return [:] }
        var counts: [String: Double] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            if parts.count == 2, let count = Double(parts[1]) { counts[String(parts[0])] = count }
        }
        return counts
    }

    /// `gumbo-bench svi-allocations` (run by `svi` with the counting
    /// allocator preloaded): after 3 warm-up steps, the allocations made by
    /// the next 20 steps, per step, one row per line.
    static let allocationsSubcommand = Subcommand(
        name: "svi-allocations",
        summary: "(internal) allocations per SVI step, under the counting allocator",
        usage: "usage: gumbo-bench svi-allocations [--workload W] [--estimator E]  (run by 'gumbo-bench svi')",
        run: { options in
            let workload = options.string("--workload"), estimator = options.string("--estimator")
            let precision = try options.string("--matrix-precision").map(matrixPrecision)
            try options.finish()
            guard let probe = AllocationCounter.probe() else {
                throw UsageError(message: "svi-allocations: the counting allocator is not preloaded")
            }
            for c in SVICase.all() where (workload.map(c.workload.hasPrefix) ?? true) && (estimator.map(c.estimator.hasPrefix) ?? true)
                && (precision.map { $0 == c.matrixPrecision } ?? true) {
                let svi = try c.makeRun()
                for _ in 0..<3 { try svi.step() }
                let steps = 20
                probe.arm()
                for _ in 0..<steps { try svi.step() }
                let count = probe.disarm()
                print("\(c.key)\t\(Double(count) / Double(steps))")
            }
        })

    // MARK: Output

    static let header = "workload        estimator                     s/step     compile   allocs/step  hand-written  ratio"

    static func line(_ row: Row) -> String {
        var text = row.label.padding(toLength: 16, withPad: " ", startingAt: 0)
            + row.estimator.padding(toLength: 28, withPad: " ", startingAt: 0)
            + format(row.secondsPerStep).leftPadded(10)
            + format(row.compileSeconds).leftPadded(12)
            + (row.allocationsPerStep.map { String(format: "%.1f", $0) } ?? "n/a").leftPadded(13)
            + (row.handwrittenSecondsPerStep.map(format) ?? "—").leftPadded(14)
            + (row.ratio.map { String(format: "%.2f", $0) } ?? "—").leftPadded(7)
        if let threaded = row.threadedSecondsPerStep {
            text += "   \(row.threads) threads: \(format(threaded)) wall, ×\(String(format: "%.2f", row.secondsPerStep / threaded))"
        }
        return text
    }

    static func jsonRow(_ r: Row, peers: PeerRun?) -> String {
        func number(_ x: Double?) -> String { x.map { "\($0)" } ?? "null" }
        var fields = [
            "\"workload\": \"\(r.workload)\"", "\"estimator\": \"\(r.estimator)\"",
            "\"matrix_precision\": \"\(r.matrixPrecision)\"",
            "\"seconds_per_step\": \(r.secondsPerStep)", "\"compile_seconds\": \(r.compileSeconds)",
            "\"allocations_per_step\": \(number(r.allocationsPerStep))",
            "\"handwritten_seconds_per_step\": \(number(r.handwrittenSecondsPerStep))",
            "\"ratio_to_handwritten\": \(number(r.ratio))",
        ]
        if let threaded = r.threadedSecondsPerStep {
            fields.append("\"threads\": \(r.threads)")
            fields.append("\"threaded_wall_seconds_per_step\": \(threaded)")
        }
        if let peer = peers?.figures[r.peerKey] {
            fields.append("\"pyro_seconds_per_step\": \(number(peer.pyro))")
            fields.append("\"numpyro_call_seconds_per_step\": \(number(peer.numpyroCall))")
            fields.append("\"numpyro_loop_seconds_per_step\": \(number(peer.numpyroLoop))")
            fields.append("\"numpyro_compile_seconds\": \(number(peer.numpyroCompile))")
            fields.append("\"numpyro_estimator_matched\": \(peer.numpyroMatched)")
            fields.append("\"numpyro_float32_call_seconds_per_step\": \(number(peer.numpyroCallSingle))")
            fields.append("\"numpyro_float32_loop_seconds_per_step\": \(number(peer.numpyroLoopSingle))")
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// Issue 7's peer figures (Pyro 1.9.2 and NumPyro 0.22 on this machine
    /// class, milliseconds per step), which this harness does not measure.
    static let peers: [String: (pyro: Double, numpyroCall: Double?, numpyroLoop: Double?)] = [
        "W2 sprinkler|enumerate": (7.3, nil, nil),
        "W2 sprinkler|reinforce:baseline=ma": (10.6, nil, nil),
        "W3 gmm|enumerate": (5.9, 0.12, 0.032),
        "W3 gmm|reinforce:baseline=ma": (11, 0.20, 0.116),
        "W3 gmm|st-gumbel-softmax:tau=0.5": (4.6, 0.32, 0.24),
        "W4 spikeslab|concrete:tau=0.666667": (3.7, 0.24, 0.020),
        "W4 spikeslab|reinforce:baseline=ma": (10.6, 0.098, 0.016),
        "W5 dvae|st-gumbel-softmax:tau=1→0.5": (5.7, nil, nil),
    ]

    static func printIssuePeers(_ rows: [Row]) {
        let matched = rows.compactMap { row in peers[row.peerKey].map { (row, $0) } }
        guard !matched.isEmpty else { return }
        print("")
        print("Against issue 7's peer figures (measured there, not in this run — use --peers PYTHON to measure them here;")
        print("targets: ≤ 1/30 Pyro, ≤ 1/3 NumPyro per call, < NumPyro whole loop)")
        print("workload        estimator                   Gumbo/Pyro   Gumbo/NumPyro call   Gumbo/NumPyro loop")
        for (row, peer) in matched {
            let ms = row.secondsPerStep * 1e3
            func ratio(_ x: Double?) -> String { x.map { String(format: "%.3f", ms / $0) } ?? "—" }
            print(row.label.padding(toLength: 16, withPad: " ", startingAt: 0)
                  + row.estimator.padding(toLength: 28, withPad: " ", startingAt: 0)
                  + ratio(peer.pyro).leftPadded(10) + ratio(peer.numpyroCall).leftPadded(21) + ratio(peer.numpyroLoop).leftPadded(21))
        }
    }

    static func matrixPrecision(_ text: String) throws -> MatrixPrecision {
        switch text {
        case "double": return .double
        case "single": return .single
        default: throw UsageError(message: "--matrix-precision: expected double or single, got '\(text)'")
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds < 1e-3 ? String(format: "%.2f µs", seconds * 1e6) : String(format: "%.3f ms", seconds * 1e3)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

extension SVIBenchmark {
    /// Gumbo's seconds per step over the peers', measured in this run
    /// (targets: ≤ 1/30 of Pyro, ≤ 1/3 of NumPyro per call, < 1 of
    /// NumPyro's whole compiled loop).
    static func printPeers(_ rows: [Row], measured peers: PeerRun) {
        print("")
        let versions = peers.versions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("Against Pyro and NumPyro measured in this run (\(versions.isEmpty ? "versions unknown" : versions)); one thread each")
        print("NumPyro runs twice: in double precision, as Gumbo, and in single, its default.")
        if rows.contains(where: { $0.matrixPrecision == .single }) {
            print("f32mm: Gumbo's matrix products in single precision (the rest in double); compare them with the f32 columns.")
        }
        print("workload        estimator                       Pyro  Gumbo/Pyro   NumPyro call  Gumbo/call   NumPyro loop  Gumbo/loop"
              + "   f32 call  Gumbo/f32 call   f32 loop  Gumbo/f32 loop")
        for row in rows {
            guard let peer = peers.figures[row.peerKey] else { continue }
            let mark = peer.numpyroMatched ? "" : "*"
            func ratio(_ x: Double?, _ mark: String = "") -> String { x.map { String(format: "%.3f", row.secondsPerStep / $0) + mark } ?? "—" }
            print(row.label.padding(toLength: 16, withPad: " ", startingAt: 0)
                  + row.estimator.padding(toLength: 28, withPad: " ", startingAt: 0)
                  + (peer.pyro.map(format) ?? "—").leftPadded(10) + ratio(peer.pyro).leftPadded(12)
                  + (peer.numpyroCall.map(format) ?? "—").leftPadded(15) + ratio(peer.numpyroCall, mark).leftPadded(12)
                  + (peer.numpyroLoop.map(format) ?? "—").leftPadded(15) + ratio(peer.numpyroLoop, mark).leftPadded(12)
                  + (peer.numpyroCallSingle.map(format) ?? "—").leftPadded(11) + ratio(peer.numpyroCallSingle, mark).leftPadded(16)
                  + (peer.numpyroLoopSingle.map(format) ?? "—").leftPadded(11) + ratio(peer.numpyroLoopSingle, mark).leftPadded(16))
        }
        if peers.figures.values.contains(where: { !$0.numpyroMatched }) {
            print("* NumPyro has no REINFORCE baseline: its row runs the plain score-function estimator.")
        }
        for failure in peers.failures { print("peer script failed: \(failure)") }
    }
}
