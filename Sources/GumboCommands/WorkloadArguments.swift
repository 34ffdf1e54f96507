import Foundation
import Gumbo
import GumboWorkloads

/// The arguments every workload command shares: the workload's name, its
/// data (`--data`, `--test-data`, W5 only) and per-site estimators
/// (`--estimator SITE=KIND[:OPTIONS]`, repeatable).
enum WorkloadArguments {
    /// The help lines for the workload names.
    static var workloadList: String {
        Workloads.names.compactMap { Workloads.named($0) }
            .map { "  \($0.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \($0.label)  sites \($0.latentSites.joined(separator: ", "))" }
            .joined(separator: "\n")
    }

    /// The workload the one positional argument names, with the data of
    /// `--data` and `--test-data` for `dvae`.
    ///
    /// - Throws: ``Arguments/UsageError`` for a missing, unknown or extra
    ///   name, or data options on a workload without data files;
    ///   ``GumboWorkloads/DataSetError`` for a file that cannot be read.
    static func workload(_ args: Arguments, console: Console, quiet: Bool) throws -> any Workload {
        guard let name = args.positional.first else {
            throw Arguments.UsageError(description: "name a workload: \(Workloads.names.joined(separator: ", "))")
        }
        guard args.positional.count == 1 else {
            throw Arguments.UsageError(description: "unexpected argument '\(args.positional[1])'")
        }
        guard let workload = Workloads.named(name) else {
            throw Arguments.UsageError(description: "unknown workload '\(name)'; workloads are \(Workloads.names.joined(separator: ", ")) (W1 is 'gumbo variance')")
        }
        let dataPath = args.string("data"), testPath = args.string("test-data")
        guard workload is DiscreteVAEWorkload else {
            if dataPath != nil || testPath != nil {
                throw Arguments.UsageError(description: "--\(dataPath != nil ? "data" : "test-data") applies to dvae only; \(name) uses the data of BENCHMARKS.md")
            }
            return workload
        }
        guard let dataPath else {
            if testPath != nil { throw Arguments.UsageError(description: "--test-data needs --data (the training images)") }
            return workload
        }
        let loaded = try BinaryImages.load(path: dataPath)
        let training: BinaryImages, test: BinaryImages
        if let testPath {
            training = loaded
            test = try BinaryImages.load(path: testPath)
            guard test.width == training.width && test.height == training.height else {
                throw DataFileMismatch(description: "\(testPath): images are \(test.width)×\(test.height) but the training images of \(dataPath) are \(training.width)×\(training.height)")
            }
        } else {
            guard loaded.count >= 2 else {
                throw DataFileMismatch(description: "\(dataPath): \(loaded.count) image; with no --test-data the last fifth is held out, so at least 2 images are needed")
            }
            let held = max(1, loaded.count / 5)
            (training, test) = loaded.split(trainingCount: loaded.count - held)
            if !quiet {
                console.note("note: no --test-data; holding out the last \(held) of the \(loaded.count) images of \(dataPath)")
            }
        }
        return DiscreteVAEWorkload(training: training, test: test)
    }

    /// The estimators of the `--estimator` options, by site. `SITE=KIND`
    /// sets one site; a bare `KIND` sets every discrete site.
    static func estimators(_ args: Arguments, workload: any Workload) throws -> [String: Estimator] {
        var result: [String: Estimator] = [:]
        for text in args.values("estimator") {
            for (site, estimator) in try assignment(text, workload: workload) {
                result[site] = estimator
            }
        }
        return result
    }

    /// One `--estimator` value: `SITE=KIND[:OPTIONS]`, or `KIND[:OPTIONS]`
    /// for every discrete site of the workload.
    static func assignment(_ text: String, workload: any Workload, option: String = "--estimator") throws -> [(String, Estimator)] {
        var sites = workload.discreteSites
        var spelling = text
        // A site is named when an '=' comes before any ':' (so that
        // 'reinforce:baseline=loo' is a kind with an option, not a site).
        if let equals = text.firstIndex(of: "="), !text[..<equals].contains(":") {
            let site = String(text[..<equals])
            guard workload.latentSites.contains(site) else {
                throw Arguments.UsageError(description: "\(option) \(text): \(workload.name) has no latent site '\(site)'; its sites are \(workload.latentSites.joined(separator: ", "))")
            }
            sites = [site]
            spelling = String(text[text.index(after: equals)...])
        }
        do {
            let estimator = try Estimator(parsing: spelling)
            return sites.map { ($0, estimator) }
        } catch let error as EstimatorSpellingError {
            throw Arguments.UsageError(description: "\(option): \(error)")
        }
    }

    /// The smallest particle count the estimators work with: ARM, DisARM
    /// and leave-one-out baselines use pairs of particles.
    static func minimumParticles(_ estimators: [Estimator]) -> Int {
        estimators.contains { estimator in
            switch estimator {
            case .arm, .disarm, .reinforce(.leaveOneOut): return true
            default: return false
            }
        } ? 2 : 1
    }

    /// A model error while compiling or lowering a workload, as a usage
    /// error: the workloads' models are fixed and valid, so it comes from
    /// the estimators (or particles) the user chose. Any other error unchanged.
    static func usageError(for error: Error) -> Error {
        if let error = error as? ModelError {
            return Arguments.UsageError(description: "--estimator: \(error)")
        }
        return error
    }
}

/// Training and test files that do not fit together.
struct DataFileMismatch: Error, CustomStringConvertible {
    let description: String
}
