import Foundation
import Testing
import Gumbo
import GumboTestSupport
import GumboWorkloads

/// The lab end to end on W2, where the exact gradient is known by hand.
@Suite("Estimator lab on the sprinkler network")
struct SprinklerLabTests {
    static let tau = Temperature.constant(2.0 / 3)
    static let compiled = try! Sprinkler.model().compile(guide: Sprinkler.guide())
    static let assignments: [EstimatorAssignment] = [
        .everyDiscreteSite(.enumeration, of: compiled),
        .everyDiscreteSite(.reinforce(baseline: .none), of: compiled),
        .everyDiscreteSite(.reinforce(baseline: .movingAverageDefault), of: compiled),
        .everyDiscreteSite(.concrete(temperature: tau, straightThrough: false), of: compiled),
        .everyDiscreteSite(.concrete(temperature: tau, straightThrough: true), of: compiled),
        .everyDiscreteSite(.disarm, of: compiled, particles: 2),
    ]
    static let curvePoints = 7
    static let configuration = LabConfiguration(
        trials: 400, seed: 1,
        curves: CurveSettings(steps: 300, points: curvePoints, evaluationParticles: 20),
        particleSweep: [1, 2, 4, 8])

    /// Run once and shared: about 0.3 s in a debug build.
    static let report = Result { try EstimatorLab(compiled, assignments: assignments, configuration: configuration).run() }

    /// The exact gradient at a = b = 0 by central differences of the
    /// hand-written exact ELBO.
    static let exact = [
        centralDifference(at: 0) { SprinklerExact.elbo(a: $0, b: 0) },
        centralDifference(at: 0) { SprinklerExact.elbo(a: 0, b: $0) },
    ]

    func result(_ name: String) throws -> EstimatorResult {
        try #require(try Self.report.get().result(name))
    }

    // MARK: Reference and gradient statistics

    @Test("the reference is the exact gradient, by enumeration")
    func exactReference() throws {
        let reference = try #require(try Self.report.get().reference)
        #expect(reference.kind == .exact)
        #expect(reference.source == "enumerate" && reference.samples == 1)
        #expect(reference.estimators == ["rain": .enumeration, "sprinkler": .enumeration])
        #expect(reference.largestStandardError == 0 && reference.exactUnavailableReason == nil)
        let gradient = [try #require(reference.gradients["a"])[0], try #require(reference.gradients["b"])[0]]
        #expect(isClose(gradient, Self.exact, relative: 1e-7, absolute: 1e-9))
    }

    @Test("groups are the guide parameters of each site")
    func groups() throws {
        let report = try Self.report.get()
        #expect(report.groups.map(\.name) == ["rain", "sprinkler"])
        #expect(report.groups.map(\.site) == ["rain", "sprinkler"])
        #expect(report.groups.map(\.parameters) == [["a"], ["b"]])
        #expect(report.parameterValues == ["a": [0], "b": [0]])
        let reinforce = try result("reinforce")
        #expect(reinforce.groups.map(\.name) == ["rain", "sprinkler"])
        #expect(reinforce.parameters.map(\.name) == ["a", "b"])
        #expect(reinforce.groups[0].mean == reinforce.parameters[0].mean)
        #expect(reinforce.overall.mean == reinforce.parameters.flatMap(\.mean))
    }

    @Test("enumeration has zero variance and zero bias")
    func enumeration() throws {
        let enumeration = try result("enumerate")
        #expect(enumeration.isUnbiased && !enumeration.isSurrogate)
        #expect(enumeration.totalVariance == 0)
        #expect(try #require(enumeration.overall.biasNorm) < 1e-12)
    }

    @Test("REINFORCE is unbiased within 3 standard errors, with variance far above enumeration's",
          arguments: ["reinforce", "reinforce:baseline=ma", "disarm"])
    func unbiased(_ name: String) throws {
        let estimator = try result(name)
        #expect(estimator.isUnbiased)
        for group in estimator.groups {
            let bias = try #require(group.bias), standardError = try #require(group.biasStandardError)
            for j in bias.indices {
                #expect(abs(bias[j]) < 3 * standardError[j], "\(name) \(group.name): bias \(bias[j]) ± \(standardError[j])")
            }
        }
        // Enumeration's variance is 0; these are clearly positive (measured
        // 5.5, 2.4 and 0.027 at T = 400).
        #expect(estimator.totalVariance > 0.01)
        #expect(estimator.totalVariance > 1000 * (try result("enumerate")).totalVariance)
    }

    @Test("the moving-average baseline lowers REINFORCE's variance")
    func baseline() throws {
        #expect(try result("reinforce:baseline=ma").totalVariance < 0.7 * result("reinforce").totalVariance)
    }

    @Test("relaxed estimators are biased by clearly more than their standard error",
          arguments: ["concrete:tau=0.666667", "st-concrete:tau=0.666667"])
    func relaxedBias(_ name: String) throws {
        let relaxed = try result(name)
        #expect(!relaxed.isUnbiased && relaxed.isSurrogate)
        let bias = try #require(relaxed.overall.biasNorm), standardError = try #require(relaxed.overall.biasNormStandardError)
        // Measured: 0.21 ± 0.034 (soft) and 4.3 ± 0.71 (straight-through).
        #expect(bias > 4 * standardError, "\(name): bias \(bias) ± \(standardError)")
        // MSE = (T − 1)/T · variance + bias², summed.
        let overall = relaxed.overall
        let expected = Double(overall.trials - 1) / Double(overall.trials) * overall.totalVariance + bias * bias
        #expect(isClose(try #require(overall.totalMeanSquaredError), expected, relative: 1e-12))
    }

    @Test("every assignment is timed, by the wall clock or the thread's CPU clock")
    func timing() throws {
        for result in try Self.report.get().results {
            #expect(result.secondsPerEstimate > 0 && result.secondsPerEstimate < 1, "\(result.name)")
        }
        let cpu = try EstimatorLab(Self.compiled, assignments: [Self.assignments[1]],
                                   configuration: LabConfiguration(trials: 20, clock: .threadCPU)).run()
        #expect(cpu.results[0].secondsPerEstimate > 0 && cpu.results[0].secondsPerEstimate < 1)
        #expect(cpu.json.text.contains(#""clock":"thread_cpu""#))
        #expect(cpu.markdown().contains("times by the thread's CPU clock"))
    }

    @Test("the same seed gives the same estimates; a different seed different ones")
    func seeds() throws {
        let again = try EstimatorLab(Self.compiled, assignments: Array(Self.assignments[1...3]),
                                     configuration: LabConfiguration(trials: 400, seed: 1)).run()
        let other = try EstimatorLab(Self.compiled, assignments: Array(Self.assignments[1...3]),
                                     configuration: LabConfiguration(trials: 400, seed: 2)).run()
        for (index, result) in again.results.enumerated() {
            #expect(result.parameters == (try Self.report.get().results[index + 1]).parameters)
            #expect(result.parameters != other.results[index].parameters)
        }
    }

    @Test("gradients are measured at given parameter values")
    func givenParameters() throws {
        let (a, b) = (0.4, -0.7)
        let report = try EstimatorLab(Self.compiled, assignments: [Self.assignments[0]],
                                      configuration: LabConfiguration(trials: 2, parameters: ["a": [a], "b": [b]])).run()
        let exact = [centralDifference(at: a) { SprinklerExact.elbo(a: $0, b: b) },
                     centralDifference(at: b) { SprinklerExact.elbo(a: a, b: $0) }]
        let reference = try #require(report.reference)
        #expect(isClose([reference.gradients["a"]![0], reference.gradients["b"]![0]], exact, relative: 1e-7, absolute: 1e-9))
        #expect(isClose(report.results[0].overall.mean, exact, relative: 1e-7, absolute: 1e-9))
        #expect(report.parameterValues["a"] == [a])
    }

    // MARK: ELBO curves

    @Test("curves have the requested points, start at the exact ELBO of the initial guide, and enumeration's rises")
    func curves() throws {
        let recordSteps = Self.configuration.curves!.recordSteps
        #expect(recordSteps == [0, 50, 100, 150, 200, 250, 300])
        for result in try Self.report.get().results {
            let curve = try #require(result.curve)
            #expect(curve.failure == nil)
            #expect(curve.records.count == Self.curvePoints)
            #expect(curve.records.map(\.step) == recordSteps)
            #expect(zip(curve.records, curve.records.dropFirst()).allSatisfy { $0.seconds <= $1.seconds })
            // Every run starts from a = b = 0, and evaluation enumerates W2 exactly.
            #expect(isClose(curve.records[0].elbo, SprinklerExact.elbo(a: 0, b: 0), relative: 1e-12))
            #expect(curve.records.allSatisfy { $0.elboStandardError == 0 })
            #expect(curve.records[0].objective.isNaN && curve.records.dropFirst().allSatisfy { $0.objective.isFinite })
            #expect(curve.isSurrogate == result.isSurrogate)
        }
        let enumeration = try #require(try result("enumerate").curve).records
        // From −2.28 toward the best mean-field ELBO (−1.22 measured at step 300).
        #expect(enumeration.last!.elbo > enumeration.first!.elbo + 0.5)
        #expect(enumeration.last!.elbo <= SprinklerExact.bestMeanFieldELBO + 1e-6)
        // With an exact gradient the objective is the exact ELBO, which rises step by step.
        #expect(zip(enumeration, enumeration.dropFirst()).allSatisfy { $0.elbo < $1.elbo + 1e-9 })
    }

    // MARK: Particle sweep

    @Test("variance falls about as 1/K, and DisARM skips K = 1")
    func particleSweep() throws {
        for name in ["reinforce", "reinforce:baseline=ma", "concrete:tau=0.666667"] {
            let sweep = try result(name).sweep
            #expect(sweep.map(\.particles) == [1, 2, 4, 8])
            let variances = try sweep.map { try #require($0.totalVariance) }
            // Least-squares slope of log variance on log K.
            let x = sweep.map { log(Double($0.particles)) }, y = variances.map { log($0) }
            let mx = x.reduce(0, +) / 4, my = y.reduce(0, +) / 4
            let slope = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
            #expect(abs(slope + 1) < 0.25, "\(name): slope \(slope)")
        }
        let disarm = try result("disarm").sweep
        #expect(disarm[0].totalVariance == nil && disarm[0].groups.isEmpty)
        #expect(disarm[0].skippedReason?.contains("even number of particles") == true)
        #expect(disarm.dropFirst().allSatisfy { $0.totalVariance != nil })
    }

    // MARK: Renderings

    @Test("the Markdown table has one row per estimator and group")
    func markdown() throws {
        let report = try Self.report.get()
        let table = report.markdownTable()
        let rows = table.split(separator: "\n").dropFirst(2)
        #expect(rows.count == Self.assignments.count * report.groups.count)
        var expected: [(String, String)] = []
        for assignment in Self.assignments { for group in ["rain", "sprinkler"] { expected.append((assignment.name, group)) } }
        for (row, (name, group)) in zip(rows, expected) {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(cells.count == 11)
            #expect(cells[0] == name && cells[1] == group)
        }
        let whole = report.markdown()
        #expect(whole.contains("Reference: the exact gradient"))
        #expect(whole.contains("### ELBO curves") && whole.contains("### Gradient variance against particles"))
        #expect(try #require(report.markdownCurveTable()).split(separator: "\n").count == 2 + Self.assignments.count)
    }

    /// A JSON number as a Double (JSONSerialization gives NSNumber).
    func number(_ value: Any?) -> Double? {
        (value as? NSNumber)?.doubleValue
    }

    @Test("the JSON has the settings, the reference and every estimator's figures")
    func json() throws {
        let report = try Self.report.get()
        let text = report.json.text
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["model"] as? String == "sprinkler")
        #expect(number(object["trials"]) == 400 && number(object["seed"]) == 1 && number(object["particles"]) == 1)
        #expect(object["clock"] as? String == "wall")
        let reference = try #require(object["reference"] as? [String: Any])
        #expect(reference["kind"] as? String == "exact" && reference["source"] as? String == "enumerate")
        #expect(reference["gradients"] as? [String: Any] != nil && reference["standard_errors"] as? [String: Any] != nil)
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.compactMap { $0["name"] as? String } == ["rain", "sprinkler"])
        let estimators = try #require(object["estimators"] as? [[String: Any]])
        #expect(estimators.compactMap { $0["name"] as? String } == Self.assignments.map(\.name))
        for estimator in estimators {
            for key in ["name", "sites", "unbiased", "surrogate", "particles", "seconds_per_estimate", "total_variance",
                        "overall", "groups", "parameters", "curve", "sweep"] {
                #expect(estimator[key] != nil, "missing \(key)")
            }
            let groups = try #require(estimator["groups"] as? [[String: Any]])
            #expect(groups.count == 2)
            for group in groups {
                for key in ["name", "trials", "mean", "variance", "total_variance", "snr", "snr_summary",
                            "bias", "bias_stderr", "bias_norm", "bias_norm_stderr", "mse", "total_mse"] {
                    #expect(group[key] != nil, "missing \(key)")
                }
            }
            let curve = try #require(estimator["curve"] as? [String: Any])
            for key in ["steps", "seconds", "elbo", "elbo_stderr", "objective", "surrogate"] {
                #expect(curve[key] != nil, "missing curve \(key)")
            }
            #expect((curve["elbo"] as? [Any])?.count == Self.curvePoints)
            #expect((estimator["sweep"] as? [Any])?.count == 4)
        }
        let reinforce = try #require(estimators.first { $0["name"] as? String == "reinforce:baseline=ma" })
        #expect(reinforce["sites"] as? [String: String] == ["rain": "reinforce:baseline=ma", "sprinkler": "reinforce:baseline=ma"])
        let figures = try #require((reinforce["groups"] as? [[String: Any]])?.first)
        let bias = try #require(try result("reinforce:baseline=ma").groups[0].biasNorm)
        #expect(isClose(try #require(number(figures["bias_norm"])), bias, relative: 1e-15))
    }

    @Test("the SVG is well-formed, with the ELBO, variance and sweep panels")
    func svg() throws {
        let report = try Self.report.get()
        let plots = try report.plots()
        #expect(plots.panels.map(\.title) == ["True ELBO by step", "True ELBO by training time",
                                              "Gradient variance (T = 400)", "Gradient variance against particles"])
        // One ELBO series per assignment, and a surrogate for each relaxed one.
        #expect(plots.panels[0].series.count == Self.assignments.count + 2)
        #expect(plots.panels[3].x.scale == .logarithmic && plots.panels[3].y.scale == .logarithmic)
        let root = try XMLTree.parse(try report.svg())
        #expect(root.name == "svg")
        #expect(root.elements(named: "title").first?.text == "Estimator lab: sprinkler")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gumbo-lab-sprinkler.svg").path
        try report.writeSVG(to: path)
        _ = try XMLTree.parse(try String(contentsOfFile: path, encoding: .utf8))
    }
}
