import Foundation

/// Pyro's and NumPyro's seconds per step on the same rows, measured in the
/// same run as Gumbo's by the scripts in `Docs/peers/` (`pyro_svi.py`,
/// `numpyro_svi.py`), each run as a child process with a Python that has
/// the peers installed (`gumbo-bench svi --peers PYTHON`).
///
/// A peer's row joins Gumbo's on `workload` and `estimator`. Where a peer
/// cannot run a row's estimator exactly (NumPyro has no REINFORCE baseline)
/// its row says `matched: false`, and the table marks the ratio with `*`.
struct PeerRun {
    struct Figures {
        var pyro: Double?
        var numpyroCall: Double?
        var numpyroLoop: Double?
        var numpyroCompile: Double?
        var numpyroMatched = true
        /// NumPyro in single precision, its default (Gumbo computes in double).
        var numpyroCallSingle: Double?
        var numpyroLoopSingle: Double?
    }

    /// Figures by `"workload|estimator"`.
    private(set) var figures: [String: Figures] = [:]
    private(set) var versions: [String: String] = [:]
    /// One line per script that failed, for the report.
    private(set) var failures: [String] = []

    /// The folder of the peer scripts: `Docs/peers` of this package.
    static var scriptsFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Docs/peers")
    }

    /// Runs both scripts with `python` on the rows `workload` / `estimator`
    /// select; a script that fails is reported, not fatal.
    static func measure(python: String, workload: String?, estimator: String?, repeats: Int) -> PeerRun {
        var run = PeerRun()
        for (system, single) in [("pyro", false), ("numpyro", false), ("numpyro", true)] {
            var arguments = [scriptsFolder.appendingPathComponent("\(system)_svi.py").path, "--json", "--repeats", "\(repeats)"]
            if single { arguments.append("--float32") }
            if let workload { arguments += ["--workload", workload] }
            if let estimator { arguments += ["--estimator", estimator] }
            FileHandle.standardError.write(Data("running \(system)_svi.py\(single ? " --float32" : "") …\n".utf8))
            do {
                let object = try runJSON(python, arguments)
                run.record(system: system, single: single, object)
            } catch {
                run.failures.append("\(system): \(error)")
            }
        }
        return run
    }

    /// Each figure the least over `runs` (each peer's fastest run, field
    /// by field); versions and failures of every run.
    static func fastest(_ runs: [PeerRun]) -> PeerRun {
        var result = PeerRun()
        func least(_ values: [Double?]) -> Double? { values.compactMap { $0 }.min() }
        for key in Set(runs.flatMap { $0.figures.keys }) {
            let all = runs.compactMap { $0.figures[key] }
            var entry = Figures()
            entry.pyro = least(all.map(\.pyro))
            entry.numpyroCall = least(all.map(\.numpyroCall))
            entry.numpyroLoop = least(all.map(\.numpyroLoop))
            entry.numpyroCompile = least(all.map(\.numpyroCompile))
            entry.numpyroMatched = all.allSatisfy(\.numpyroMatched)
            entry.numpyroCallSingle = least(all.map(\.numpyroCallSingle))
            entry.numpyroLoopSingle = least(all.map(\.numpyroLoopSingle))
            result.figures[key] = entry
        }
        for run in runs {
            result.versions.merge(run.versions) { first, _ in first }
            result.failures += run.failures
        }
        return result
    }

    private mutating func record(system: String, single: Bool, _ object: [String: Any]) {
        for (name, version) in object["versions"] as? [String: Any] ?? [:] where !single { versions[name] = "\(version)" }
        for row in object["rows"] as? [[String: Any]] ?? [] {
            guard let workload = row["workload"] as? String, let estimator = row["estimator"] as? String else { continue }
            let key = "\(workload)|\(estimator)"
            var entry = figures[key] ?? Figures()
            if system == "pyro" {
                entry.pyro = row["seconds_per_step"] as? Double
            } else if single {
                entry.numpyroCallSingle = row["seconds_per_step_call"] as? Double
                entry.numpyroLoopSingle = row["seconds_per_step_loop"] as? Double
            } else {
                entry.numpyroCall = row["seconds_per_step_call"] as? Double
                entry.numpyroLoop = row["seconds_per_step_loop"] as? Double
                entry.numpyroCompile = row["compile_seconds"] as? Double
                entry.numpyroMatched = row["matched"] as? Bool ?? true
            }
            figures[key] = entry
        }
    }

    struct ScriptError: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `executable arguments…` and parses the last line of its output
    /// as a JSON object.
    private static func runJSON(_ executable: String, _ arguments: [String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ScriptError(description: "exit status \(process.terminationStatus)")
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard let last = lines.last,
              let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] else {
            throw ScriptError(description: "the last line of its output is not a JSON object")
        }
        return object
    }
}
