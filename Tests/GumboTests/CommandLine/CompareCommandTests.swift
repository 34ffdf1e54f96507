import Foundation
import Testing
import GumboTestSupport

/// `gumbo compare`: the estimator lab on a workload, end to end.
@Suite("gumbo compare")
struct CompareCommandTests {
    @Test("W2: every BENCHMARKS estimator against the exact gradient; unbiased ones within 3 s.e., curves recorded")
    func sprinkler() throws {
        let run = gumbo("compare", "sprinkler", "--trials", "400", "--steps", "40", "--points", "3", "--json")
        #expect(run.status == 0, "\(run.error)")
        let json = try run.json()
        #expect(json["workload"] as? String == "sprinkler")
        #expect(number(json, "trials") == 400 && number(json, "seed") == 1)
        let reference = try #require(json["reference"] as? [String: Any])
        #expect(reference["kind"] as? String == "exact")
        let estimators = try #require(json["estimators"] as? [[String: Any]])
        #expect(estimators.compactMap { $0["name"] as? String } == [
            "enumerate", "reinforce", "reinforce:baseline=ma", "reinforce:baseline=loo", "arm", "disarm",
            "concrete:tau=0.666667", "st-concrete:tau=0.666667", "hard-concrete:tau=0.666667:lower=-0.1:upper=1.1"])
        for estimator in estimators {
            let name = estimator["name"] as? String ?? ""
            #expect(number(estimator, "particles") == (["reinforce:baseline=loo", "arm", "disarm"].contains(name) ? 2 : 1))
            let overall = try #require(estimator["overall"] as? [String: Any])
            let bias = try #require(number(overall, "bias_norm")), error = try #require(number(overall, "bias_norm_stderr"))
            if estimator["unbiased"] as? Bool == true && name != "enumerate" {
                #expect(bias < 3 * error + 1e-12, "\(name): ‖bias‖ \(bias) ± \(error)")
            }
            let curve = try #require(estimator["curve"] as? [String: Any])
            #expect((curve["steps"] as? [Double]) == [0, 20, 40])
        }
        // Soft Concrete is biased far beyond its standard error.
        let concrete = try #require(estimators.first { $0["name"] as? String == "concrete:tau=0.666667" }?["overall"] as? [String: Any])
        #expect(try #require(number(concrete, "bias_norm")) > 5 * (try #require(number(concrete, "bias_norm_stderr"))))
    }

    @Test("chosen assignments, '+' for several sites, a particle sweep and the plot")
    func chosen() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/lab.svg"
        let run = gumbo("compare", "sprinkler", "--estimators", "enumerate,rain=arm+sprinkler=st-concrete:tau=0.5",
                        "--estimators", "reinforce:baseline=ma", "--trials", "20", "--steps", "0", "--sweep", "1,2",
                        "--plot", path, "--json")
        #expect(run.status == 0, "\(run.error)")
        let json = try run.json()
        let estimators = try #require(json["estimators"] as? [[String: Any]])
        #expect(estimators.compactMap { $0["name"] as? String } == ["enumerate", "rain=arm sprinkler=st-concrete:tau=0.5", "reinforce:baseline=ma"])
        #expect(estimators[1]["sites"] as? [String: String] == ["rain": "arm", "sprinkler": "st-concrete:tau=0.5"])
        #expect(number(estimators[1], "particles") == 2)
        #expect(estimators.allSatisfy { $0["curve"] is NSNull })
        #expect((json["particle_sweep"] as? [Double]) == [1, 2])
        let root = try XMLTree.parse(try String(contentsOfFile: path, encoding: .utf8))
        #expect(root.name == "svg")
    }

    @Test("W3 with a sampled reference: the text report names it")
    func mixture() {
        let run = gumbo("compare", "gmm", "--estimators", "enumerate,z=reinforce:baseline=ma", "--trials", "10",
                        "--steps", "0", "--reference-samples", "20")
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("## Estimator lab: gmm"))
        #expect(run.output.contains("Reference: the mean of 20 estimates"))
    }

    static let usageErrors: [([String], String)] = [
        (["compare", "sprinkler", "--estimators", "enumerate,,arm"], "gumbo compare: --estimators 'enumerate,,arm' has an empty entry"),
        (["compare", "sprinkler", "--estimators", "snow=arm"], "gumbo compare: --estimators snow=arm: sprinkler has no latent site 'snow'; its sites are rain, sprinkler"),
        (["compare", "sprinkler", "--estimators", "enumerate,enumerate"], "gumbo compare: --estimators: two assignments are named 'enumerate'; give each a distinct name"),
        (["compare", "sprinkler", "--sweep", "1,x"], "gumbo compare: --sweep must be particle counts of at least 1 separated by commas, got '1,x'"),
        (["compare", "sprinkler", "--trials", "1"], "gumbo compare: --trials must be a whole number in 2…10000000, got '1'"),
        (["compare"], "gumbo compare: name a workload: sprinkler, gmm, spikeslab, dvae"),
    ]

    @Test("bad assignments and values: one line, exit code 2", arguments: usageErrors.map(\.1))
    func usageError(_ message: String) {
        let run = gumbo(Self.usageErrors.first { $0.1 == message }!.0)
        #expect(run.status == 2)
        #expect(run.error == message + "\n")
    }
}
