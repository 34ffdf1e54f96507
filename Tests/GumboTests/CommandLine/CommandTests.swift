import Foundation
import Testing
import GumboTestSupport

/// `gumbo list`, `explain`, `variance`, `gumbel-max` and `--help`, end to end
/// (`run` and `compare` have suites of their own).
@Suite("gumbo commands")
struct CommandTests {
    @Test("--help on every command prints its usage and exits 0",
          arguments: ["list", "run", "compare", "explain", "variance", "gumbel-max"])
    func help(_ command: String) {
        let run = gumbo(command, "--help")
        #expect(run.status == 0)
        #expect(run.output.hasPrefix("usage: gumbo \(command)"))
        #expect(run.error.isEmpty)
    }

    @Test("gumbo with no command, or --help, lists the commands")
    func usage() {
        for run in [gumbo(), gumbo("--help")] {
            #expect(run.status == 0)
            #expect(run.output.hasPrefix("usage: gumbo <command>"))
            for command in ["list", "run", "compare", "explain", "variance", "gumbel-max"] { #expect(run.output.contains("  \(command) ")) }
        }
    }

    @Test("list: W1 to W5 with their sites, settings and default estimators")
    func list() throws {
        let text = gumbo("list")
        #expect(text.status == 0 && text.output.contains("W4  spikeslab"))
        let json = try gumbo("list", "--json").json()
        let workloads = try #require(json["workloads"] as? [[String: Any]])
        #expect(workloads.map { $0["name"] as? String } == ["variance8", "sprinkler", "gmm", "spikeslab", "dvae"])
        let dvae = workloads[4]
        #expect(dvae["estimators"] as? [String: String] == ["z": "st-gumbel-softmax:anneal=1:0.5:0.00155"])
        #expect(number(dvae, "steps") == 450 && number(dvae, "learning_rate") == 0.001)
        #expect(workloads[3]["estimators"] as? [String: String] == ["g": "concrete:tau=0.666667", "w": "reparam"])
    }

    @Test("explain: the compiled plan with each site's estimator and reason, overrides included")
    func explain() {
        let run = gumbo("explain", "gmm")
        #expect(run.status == 0)
        #expect(run.output.contains("W3 gmm:"))
        #expect(run.output.contains("z     Categorical   data        enumerate"))
        let overridden = gumbo("explain", "sprinkler", "--estimator", "rain=arm")
        #expect(overridden.output.contains("rain       Bernoulli     -       arm        override: chosen by the user"), "\(overridden.output)")
        let dvae = gumbo("explain", "dvae", "--steps", "100")
        #expect(dvae.output.contains("W5 sets z=st-gumbel-softmax:anneal=1:0.5:0.00701"))
        #expect(dvae.output.contains("the compiler alone would choose st-gumbel-softmax:tau=0.5"))
    }

    @Test("variance: REINFORCE over Gumbel-softmax τ = 0.5 above 10× at every n for c = 1, below 1 for c = 0; slopes near −1")
    func variance() throws {
        let run = gumbo("variance", "--trials", "60", "--seed", "11", "--json")
        #expect(run.status == 0)
        let json = try run.json()
        #expect(json["workload"] as? String == "variance8" && number(json, "trials") == 60)
        let ratios = try #require(json["ratios"] as? [[String: Any]])
        let offsetOne = ratios.filter { number($0, "offset") == 1 }.compactMap { number($0, "ratio") }
        let offsetZero = ratios.filter { number($0, "offset") == 0 }.compactMap { number($0, "ratio") }
        #expect(offsetOne.count == 9 && offsetOne.allSatisfy { $0 > 10 }, "\(offsetOne)")
        #expect(offsetZero.count == 9 && offsetZero.allSatisfy { $0 < 1 }, "\(offsetZero)")
        let slopes = try #require(json["slopes"] as? [[String: Any]])
        for slope in slopes where ["reinforce", "gumbel-softmax:tau=0.5", "gumbel-softmax:tau=1"].contains(slope["estimator"] as? String) {
            let value = try #require(number(slope, "slope"))
            #expect(value > -1.25 && value < -0.75, "\(slope)")
        }
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.count == 2 * (5 * 9 + 8))
        for key in ["offset", "estimator", "n", "mean", "variance", "bias", "mse"] { #expect(rows[0].keys.contains(key)) }
        #expect(Set(rows.compactMap { $0["estimator"] as? String }) == [
            "reinforce", "reinforce:baseline=loo", "gumbel-softmax:tau=0.1", "gumbel-softmax:tau=0.5",
            "gumbel-softmax:tau=1", "st-gumbel-softmax:tau=0.5"])
    }

    @Test("variance: the Markdown table and a well-formed log-log SVG, one panel per offset")
    func variancePlot() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/variance.svg"
        let run = gumbo("variance", "--trials", "10", "--plot", path)
        #expect(run.status == 0)
        #expect(run.output.contains("### Offset c = 1"))
        #expect(run.output.contains("| reinforce | 1 |"))
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        let root = try XMLTree.parse(svg)
        #expect(root.name == "svg")
        #expect(svg.contains("reward offset c = 0") && svg.contains("reward offset c = 1"))
    }

    @Test("gumbel-max still runs")
    func gumbelMax() throws {
        let json = try gumbo("gumbel-max", "--draws", "2000", "--json").json()
        #expect(number(json, "draws") == 2000)
        #expect(try #require(number(json, "p_value")) > 0)
    }
}
