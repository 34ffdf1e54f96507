import Foundation
import Testing
import Gumbo
import GumboTestSupport
import GumboWorkloads

/// `gumbo run` end to end, on small settings: the JSON fields and values,
/// the plot, checkpoints, data files and errors.
@Suite("gumbo run")
struct RunCommandTests {
    static let commonFields = ["workload", "estimators", "steps", "learning_rate", "particles", "seed", "seconds_per_step",
                               "elbo", "elbo_stderr", "elbo_particles", "surrogate", "elbo_exact", "log_evidence"]

    // MARK: W2

    @Test("W2 with enumeration ends within 0.01 nats of the best mean-field ELBO, below log p(x)")
    func sprinklerEnumeration() throws {
        let run = gumbo("run", "sprinkler", "--estimator", "enumerate", "--json", "--quiet")
        #expect(run.status == 0, "\(run.error)")
        let json = try run.json()
        for field in Self.commonFields { #expect(json.keys.contains(field), "\(field)") }
        #expect(json["workload"] as? String == "sprinkler")
        #expect(json["estimators"] as? [String: String] == ["rain": "enumerate", "sprinkler": "enumerate"])
        #expect(number(json, "steps") == 1000)
        #expect(json["surrogate"] is NSNull)
        let exact = try #require(number(json, "elbo_exact"))
        let logEvidence = try #require(number(json, "log_evidence"))
        #expect(number(json, "elbo") == exact && number(json, "elbo_stderr") == 0)
        #expect(isClose(logEvidence, SprinklerExact.logEvidence, relative: 1e-12))
        #expect(exact <= logEvidence)
        let best = try #require(number(json, "best_mean_field_elbo"))
        #expect(isClose(best, SprinklerExact.bestMeanFieldELBO, relative: 1e-12))
        let gap = try #require(number(json, "gap"))
        #expect(gap >= 0 && gap < 0.01, "gap \(gap)")
        #expect(isClose(gap, best - exact, relative: 1e-9))
        #expect(try #require(number(json, "seconds_per_step")) > 0)
    }

    @Test("a relaxed run reports its surrogate apart from the exact ELBO; estimators as spelled on the command line")
    func sprinklerRelaxed() throws {
        let run = gumbo("run", "sprinkler", "--estimator", "rain=concrete", "--estimator", "sprinkler=st-concrete:tau=0.5",
                        "--steps", "50", "--json", "--quiet")
        #expect(run.status == 0, "\(run.error)")
        let json = try run.json()
        #expect(json["estimators"] as? [String: String] == ["rain": "concrete:tau=0.666667", "sprinkler": "st-concrete:tau=0.5"])
        #expect(number(json, "surrogate") != nil)
        #expect(number(json, "elbo_exact") != nil)
        #expect(number(json, "steps") == 50)
    }

    @Test("pairs of particles by default for arm, disarm and leave-one-out; the given count otherwise")
    func particles() throws {
        let arm = try gumbo("run", "sprinkler", "--estimator", "disarm", "--steps", "5", "--json", "--quiet").json()
        #expect(number(arm, "particles") == 2)
        let given = try gumbo("run", "sprinkler", "--estimator", "arm", "--particles", "4", "--steps", "5", "--json", "--quiet").json()
        #expect(number(given, "particles") == 4)
        let odd = gumbo("run", "sprinkler", "--estimator", "arm", "--particles", "3", "--steps", "5", "--quiet")
        #expect(odd.status == 2 && odd.errorIsOneLine && odd.error.contains("even number of particles"), "\(odd.error)")
    }

    // MARK: W3, W4

    @Test("W3 reports the sorted means and a sampled ELBO with its standard error")
    func mixture() throws {
        let run = gumbo("run", "gmm", "--steps", "20", "--seed", "3", "--json", "--quiet")
        #expect(run.status == 0, "\(run.error)")
        let json = try run.json()
        #expect(json["estimators"] as? [String: String] == ["mu": "reparam", "z": "enumerate"])
        let means = try #require(json["means"] as? [Double])
        #expect(means.count == 3 && means == means.sorted())
        #expect(number(json, "elbo_particles") == 100)
        #expect(try #require(number(json, "elbo_stderr")) > 0)
        #expect(json["elbo_exact"] is NSNull && json["log_evidence"] is NSNull)
        #expect(number(json, "seed") == 3)
    }

    @Test("--threads: W3 on two threads repeats itself exactly and trains")
    func threads() throws {
        let options = ["run", "gmm", "--steps", "30", "--seed", "4", "--json", "--quiet"]
        let first = try gumbo(options + ["--threads", "2"]).json()
        let again = try gumbo(options + ["--threads", "2"]).json()
        let untrained = try gumbo(["run", "gmm", "--steps", "0", "--seed", "4", "--json", "--quiet"]).json()
        #expect(number(first, "threads") == 2 && number(untrained, "threads") == 1)
        let means = try #require(first["means"] as? [Double])
        #expect(means == again["means"] as? [Double] && number(first, "elbo") == number(again, "elbo"))
        // Thirty steps raise the ELBO by far more than its sampling error
        // (about 1500 nats from the starting guide on one thread).
        let gain = try #require(number(first, "elbo")) - (try #require(number(untrained, "elbo")))
        #expect(gain > 500, "ELBO gain \(gain)")
    }

    @Test("W4 reports F1, precision and recall; REINFORCE with a baseline is accepted by site")
    func spikeAndSlab() throws {
        let run = gumbo("run", "spikeslab", "--estimator", "g=reinforce:baseline=ma", "--steps", "10", "--lr", "0.02", "--json", "--quiet")
        #expect(run.status == 0, "\(run.error)")
        let json = try run.json()
        #expect(json["estimators"] as? [String: String] == ["g": "reinforce:baseline=ma", "w": "reparam"])
        let f1 = try #require(number(json, "f1"))
        #expect(f1 >= 0 && f1 <= 1)
        #expect(number(json, "learning_rate") == 0.02)
        #expect(json["surrogate"] is NSNull)
    }

    // MARK: W5 and data files

    @Test("W5 on CSV files the test writes: held-out ELBO per image, the entropy baseline, the annealing schedule")
    func dvaeFromCSV() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let training = try directory.write(csvImages(count: 24, seed: 1), to: "train.csv")
        let test = try directory.write(csvImages(count: 8, seed: 2), to: "test.csv")
        let run = gumbo("run", "dvae", "--data", training, "--test-data", test, "--steps", "5", "--json", "--quiet")
        #expect(run.status == 0, "\(run.error)")
        let json = try run.json()
        // τ from 1 to 0.5 by the last of 5 steps: rate ln 2 / 4 = 0.1733 rounded up.
        #expect(json["estimators"] as? [String: String] == ["z": "st-gumbel-softmax:anneal=1:0.5:0.174"])
        let testELBO = try #require(number(json, "test_elbo"))
        #expect(testELBO < 0 && testELBO > -200)
        let images = try BinaryImages.load(path: training)
        #expect(isClose(try #require(number(json, "pixel_entropy")), images.pixelEntropy, relative: 1e-12))
        #expect(number(json, "surrogate") != nil)
    }

    @Test("--matrix-precision single: W5 reports it and trains to the held-out ELBO of double precision")
    func dvaeSinglePrecision() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let training = try directory.write(csvImages(count: 24, seed: 3), to: "train.csv")
        let test = try directory.write(csvImages(count: 8, seed: 4), to: "test.csv")
        let options = ["run", "dvae", "--data", training, "--test-data", test, "--steps", "20", "--json", "--quiet"]
        let single = try gumbo(options + ["--matrix-precision", "single"]).json()
        let double = try gumbo(options).json()
        #expect(single["matrix_precision"] as? String == "single" && double["matrix_precision"] as? String == "double")
        // Same seed and noise: the runs differ only by the products' rounding
        // (relative 10⁻⁶ or so), far below the held-out ELBO's own noise.
        let (a, b) = (try #require(number(single, "test_elbo")), try #require(number(double, "test_elbo")))
        #expect(abs(a - b) < 1e-3, "single \(a), double \(b)")
        #expect(a != b, "the products ran in double precision")
    }

    @Test("W5 reads IDX files, holds out the last fifth without --test-data, and compares with REINFORCE")
    func dvaeFromIDX() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pixels = Array(csvImages(count: 10, seed: 3).utf8).filter { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") }
            .map { $0 == UInt8(ascii: "1") ? UInt8(255) : 0 }
        let path = try directory.write(IDXReaderTests.idx(count: 10, rows: 8, columns: 8, pixels: pixels), to: "train-images-idx3-ubyte")
        let run = gumbo("run", "dvae", "--data", path, "--estimator", "z=reinforce:baseline=ma", "--steps", "3", "--json")
        #expect(run.status == 0, "\(run.error)")
        #expect(run.error.contains("holding out the last 2 of the 10 images"))
        let json = try run.json()
        #expect(json["estimators"] as? [String: String] == ["z": "reinforce:baseline=ma"])
        #expect(number(json, "test_elbo") != nil && json["surrogate"] is NSNull)
    }

    @Test("a malformed data file is a clear one-line error naming the file and line, exit code 1")
    func malformedData() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ragged = try directory.write("0,1,0,1\n1,0,1\n", to: "ragged.csv")
        let run = gumbo("run", "dvae", "--data", ragged, "--steps", "1", "--quiet")
        #expect(run.status == 1)
        #expect(run.errorIsOneLine)
        #expect(run.error.hasPrefix("gumbo run: \(ragged): line 2: 3 values where line 1 has 4"), "\(run.error)")
        let missing = gumbo("run", "dvae", "--data", directory.path + "/absent.csv", "--quiet")
        #expect(missing.status == 1 && missing.error.contains("no such file"))
        let truncated = try directory.write(Array(IDXReaderTests.idx(count: 4, rows: 8, columns: 8, pixels: [UInt8](repeating: 0, count: 256)).dropLast(10)),
                                            to: "short.idx")
        let short = gumbo("run", "dvae", "--data", truncated, "--quiet")
        #expect(short.status == 1 && short.errorIsOneLine && short.error.contains("truncated"), "\(short.error)")
        let other = try directory.write(csvImages(count: 4, seed: 1), to: "a.csv")
        let small = try directory.write("0,1,1,0\n", to: "b.csv")
        let sizes = gumbo("run", "dvae", "--data", other, "--test-data", small, "--quiet")
        #expect(sizes.status == 1 && sizes.error.contains("images are 2×2 but the training images"), "\(sizes.error)")
    }

    // MARK: Plot and checkpoints

    @Test("--plot writes a well-formed SVG training curve labelled 'surrogate' for a relaxed run")
    func plot() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for (estimator, label) in [("concrete", "surrogate"), ("enumerate", "ELBO estimate")] {
            let path = directory.path + "/curve-\(estimator).svg"
            let run = gumbo("run", "sprinkler", "--estimator", estimator, "--steps", "120", "--plot", path, "--quiet")
            #expect(run.status == 0, "\(run.error)")
            let svg = try String(contentsOfFile: path, encoding: .utf8)
            let root = try XMLTree.parse(svg)
            #expect(root.name == "svg")
            #expect(svg.contains(label))
            #expect(svg.contains("best mean-field ELBO"))
            #expect(!root.elements(named: "path").isEmpty)
        }
    }

    @Test("a run resumed from its checkpoint reports exactly what the uninterrupted run does")
    func checkpointResume() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let checkpoint = directory.path + "/run.json"
        let options = ["--estimator", "rain=reinforce:baseline=ma", "--estimator", "sprinkler=st-concrete", "--seed", "5", "--json", "--quiet"]
        let whole = try gumbo(["run", "sprinkler", "--steps", "60"] + options).json()
        let first = gumbo(["run", "sprinkler", "--steps", "25", "--checkpoint", checkpoint] + options)
        #expect(first.status == 0 && FileManager.default.fileExists(atPath: checkpoint))
        let resumed = try gumbo(["run", "sprinkler", "--steps", "60", "--resume", checkpoint] + options).json()
        for key in ["steps", "elbo", "elbo_exact", "surrogate", "q_rain", "q_sprinkler", "gap"] {
            #expect(number(whole, key) == number(resumed, key), "\(key)")
        }
        // Other settings are refused with a message saying what differs.
        let otherRate = gumbo(["run", "sprinkler", "--steps", "60", "--resume", checkpoint, "--lr", "0.1"] + options)
        #expect(otherRate.status == 1 && otherRate.errorIsOneLine && otherRate.error.contains("learning rate 0.05"), "\(otherRate.error)")
        let otherEstimator = gumbo("run", "sprinkler", "--steps", "60", "--resume", checkpoint, "--seed", "5", "--quiet")
        #expect(otherEstimator.status == 1 && otherEstimator.error.contains("does not belong to this run"))
        #expect(otherEstimator.error.contains("saved by a run with parameters a[1],b[1]; estimators rain=reinforce:baseline=ma,sprinkler=st-concrete")
                && otherEstimator.error.contains("this run has parameters a[1],b[1]; estimators rain=enumerate"), "\(otherEstimator.error)")
        let absent = gumbo("run", "sprinkler", "--resume", directory.path + "/none.json", "--quiet")
        #expect(absent.status == 1 && absent.error.contains("no such file"))
        // An unwritable checkpoint fails before any training.
        let unwritable = gumbo("run", "sprinkler", "--checkpoint", directory.path + "/missing/run.json", "--quiet")
        #expect(unwritable.status == 1 && unwritable.errorIsOneLine && unwritable.error.contains("cannot be written"))
    }

    // MARK: Usage errors

    static let usageErrors: [([String], String)] = [
        (["run", "sprinkler", "--bogus"], "gumbo run: unknown option --bogus"),
        (["run", "sprinkler", "--steps", "ten"], "gumbo run: --steps must be a whole number in 0…100000000, got 'ten'"),
        (["run", "sprinkler", "--lr", "-1"], "gumbo run: --lr must be a positive number, got '-1'"),
        (["run", "sprinkler", "--seed", "-3"], "gumbo run: --seed must be a non-negative whole number, got '-3'"),
        (["run", "sprinkler", "--steps"], "gumbo run: --steps needs a value"),
        (["run", "gmm", "--threads", "0"], "gumbo run: --threads must be a whole number in 1…256, got '0'"),
        (["run", "dvae", "--matrix-precision", "half"], "gumbo run: --matrix-precision must be double or single, got 'half'"),
        (["run"], "gumbo run: name a workload: sprinkler, gmm, spikeslab, dvae"),
        (["run", "mnist"], "gumbo run: unknown workload 'mnist'; workloads are sprinkler, gmm, spikeslab, dvae (W1 is 'gumbo variance')"),
        (["run", "gmm", "extra"], "gumbo run: unexpected argument 'extra'"),
        (["run", "gmm", "--estimator", "q=enumerate"], "gumbo run: --estimator q=enumerate: gmm has no latent site 'q'; its sites are mu, z"),
        (["run", "gmm", "--estimator", "z=gumbel"], "gumbo run: --estimator: estimator 'gumbel': unknown kind; kinds are reparam, enumerate, reinforce, gumbel-softmax, st-gumbel-softmax, concrete, st-concrete, hard-concrete, local-expectation, arm, disarm"),
        (["run", "gmm", "--estimator", "z=concrete"], "gumbo run: --estimator: 'z': concrete:tau=0.666667 cannot estimate this Categorical site: binary Concrete relaxes Bernoulli sites only; use gumbel-softmax"),
        (["run", "gmm", "--data", "x.csv"], "gumbo run: --data applies to dvae only; gmm uses the data of BENCHMARKS.md"),
        (["run", "dvae", "--test-data", "x.csv"], "gumbo run: --test-data needs --data (the training images)"),
        (["frobnicate"], "gumbo: unknown command 'frobnicate'; commands are list, run, compare, explain, variance, gumbel-max (run 'gumbo --help')"),
        (["variance", "--trials", "1"], "gumbo variance: --trials must be a whole number in 2…10000000, got '1'"),
        (["explain", "gmm", "--json"], "gumbo explain: unknown option --json"),
        (["list", "--all"], "gumbo list: unknown option --all"),
    ]

    @Test("unknown options and bad values: a one-line message, exit code 2", arguments: usageErrors.map(\.1))
    func usageError(_ message: String) {
        let arguments = Self.usageErrors.first { $0.1 == message }!.0
        let run = gumbo(arguments)
        #expect(run.status == 2)
        #expect(run.error == message + "\n")
        #expect(run.output.isEmpty)
    }
}
