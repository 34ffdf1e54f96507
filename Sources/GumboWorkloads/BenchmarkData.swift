import Gumbo

/// The synthetic data sets of `BENCHMARKS.md`, generated with SplitMix64 so
/// they are the same bit for bit in every language.
public enum BenchmarkData {
    /// W3: N points around centres [-4, 0, 4]; point i has centre i % 3 and
    /// `x_i = centre + normal()` from SplitMix64 with seed 1.
    public static func mixture(count: Int = 1000, seed: UInt64 = 1) -> [Double] {
        let centres = [-4.0, 0.0, 4.0]
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { centres[$0 % 3] + rng.nextBenchmarkNormal() }
    }

    /// W4: a design matrix X (N × D, drawn row by row), the true weights,
    /// and responses `y_i = Σ_d X[i][d] w[d] + 0.5·normal()`, from seed 2.
    public static func spikeAndSlab(count: Int = 200, features: Int = 50, seed: UInt64 = 2)
        -> (design: [[Double]], weights: [Double], responses: [Double]) {
        var rng = SplitMix64(seed: seed)
        var design: [[Double]] = []
        for _ in 0..<count {
            design.append((0..<features).map { _ in rng.nextBenchmarkNormal() })
        }
        var weights = [Double](repeating: 0, count: features)
        for (index, value) in [(0, 2.0), (10, -2.0), (20, 1.5), (30, -1.5), (40, 1.0)] where index < features {
            weights[index] = value
        }
        var responses: [Double] = []
        for row in design {
            let mean = zip(row, weights).reduce(0) { $0 + $1.0 * $1.1 }
            responses.append(mean + 0.5 * rng.nextBenchmarkNormal())
        }
        return (design, weights, responses)
    }
}
