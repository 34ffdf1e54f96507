import Foundation
import Gumbo
import GumboWorkloads

/// `gumbo-bench svi --scaling`: W3 (enumeration) at N = 10³, 10⁴, 10⁵ and
/// 10⁶ points, each in its own child process (`svi-scaling-point`), so that
/// each peak memory figure belongs to one N: seconds per step, time per
/// point, and the peak resident memory (`VmHWM` in `/proc/self/status`,
/// minus the child's own before the data existed) per point, with the
/// plan's arenas per point beside it.
enum ScalingBenchmark {
    static let sizes = [1_000, 10_000, 100_000, 1_000_000]

    struct Point {
        let points: Int
        let secondsPerStep: Double
        let compileSeconds: Double
        let peakBytes: Double
        let baselineBytes: Double
        let arenaBytes: Double
    }

    static func run(json: Bool, threads: Int) throws {
        print("W3 gmm, enumeration: cost against data size (each N in its own process; wall-clock seconds per step)")
        var header = "       N      s/step   ns/step/point    compile   peak RSS/point   plan arenas/point"
        if threads > 1 { header += "   \(threads) threads   speed-up" }
        print(header)
        var results: [(single: Point, threaded: Point?)] = []
        for n in sizes {
            let point = try measure(points: n, threads: 1)
            let threaded = threads > 1 ? try measure(points: n, threads: threads) : nil
            results.append((point, threaded))
            let perPoint = (point.peakBytes - point.baselineBytes) / Double(n)
            var line = String(format: "%8d", n) + SVIBenchmark.format(point.secondsPerStep).leftPadded(12)
                + String(format: "%16.1f", point.secondsPerStep / Double(n) * 1e9)
                + SVIBenchmark.format(point.compileSeconds).leftPadded(11)
                + String(format: "%14.0f B", perPoint) + String(format: "%18.0f B", point.arenaBytes / Double(n))
            if let threaded {
                line += SVIBenchmark.format(threaded.secondsPerStep).leftPadded(12)
                    + String(format: "%10.2f×", point.secondsPerStep / threaded.secondsPerStep)
            }
            print(line)
        }
        if json {
            let rows = results.map { p, t in
                "{\"points\": \(p.points), \"seconds_per_step\": \(p.secondsPerStep), \"compile_seconds\": \(p.compileSeconds), "
                + "\"peak_bytes\": \(p.peakBytes), \"baseline_bytes\": \(p.baselineBytes), "
                + "\"peak_bytes_per_point\": \((p.peakBytes - p.baselineBytes) / Double(p.points)), "
                + "\"arena_bytes_per_point\": \(p.arenaBytes / Double(p.points))"
                + (t.map { ", \"threads\": \(threads), \"threaded_seconds_per_step\": \($0.secondsPerStep)" } ?? "") + "}"
            }
            print("{\"scaling\": [\(rows.joined(separator: ", "))]}")
        }
    }

    static func measure(points n: Int, threads: Int) throws -> Point {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let child = try AllocationCounter.run(executable, ["svi-scaling-point", "--points", "\(n)", "--threads", "\(threads)"],
                                              environment: [:])
        let fields = child.output.split(separator: "\n").last?.split(separator: "\t").compactMap { Double($0) } ?? []
        guard child.status == 0, fields.count == 6 else {
            throw BenchmarkFailure.disagreement("scaling child for N = \(n) failed: \(child.output)")
        }
        return Point(points: Int(fields[0]), secondsPerStep: fields[1], compileSeconds: fields[2],
                     peakBytes: fields[3], baselineBytes: fields[4], arenaBytes: fields[5])
    }

    /// `VmHWM` (peak resident set) of this process, in bytes.
    static func peakResidentBytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? .nan
            return kilobytes * 1024
        }
        return .nan
    }

    /// One N, in a child process: `points seconds compile peak baseline arenas`, tab-separated.
    static let pointSubcommand = Subcommand(
        name: "svi-scaling-point",
        summary: "(internal) one N of 'svi --scaling'",
        usage: "usage: gumbo-bench svi-scaling-point --points N [--threads T]  (run by 'gumbo-bench svi --scaling')",
        run: { options in
            let n = try options.integer("--points", default: 1000)
            let threads = try options.integer("--threads", default: 1)
            try options.finish()
            let baseline = peakResidentBytes()
            let row = SVICase.mixture(points: n, estimators: ["enumerate"])[0]
            let start = Stopwatch.now()
            let svi = try row.makeRun(threads: threads)
            let compile = Stopwatch.now() - start
            for _ in 0..<3 { try svi.step() }
            let perStep = Stopwatch.wallSecondsPerCall(3) { _ = try? svi.step() }
            let calls = max(1, Int(0.1 / perStep))
            let times = (0..<7).map { _ in Stopwatch.wallSecondsPerCall(calls) { _ = try? svi.step() } }
            print("\(n)\t\(Stopwatch.median(times))\t\(compile)\t\(peakResidentBytes())\t\(baseline)\t\(Double(svi.planMemoryBytes))")
        })
}
