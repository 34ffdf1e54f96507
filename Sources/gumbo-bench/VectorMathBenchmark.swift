import Foundation
import Gumbo

/// `gumbo-bench math`: the vector kernels' accuracy (largest ulp distance
/// from Foundation or ``StableMath`` over many random arguments) and their
/// speed against a scalar Foundation loop over the same buffer.
enum VectorMathBenchmark {
    static let subcommand = Subcommand(
        name: "math",
        summary: "accuracy (ulps) and speed of the vector exp/log/log1p/softplus/sigmoid against Foundation",
        usage: """
            usage: gumbo-bench math [--count N] [--json]

            For each function, N random arguments (default 10000000) over its
            usual range: the largest distance in ulps between VectorMath and
            the scalar reference, and nanoseconds per element of each over a
            4096-element buffer. Then the plan's matrix product at W5's sizes
            (100×64 by 64×128, forward and backward) in floating-point
            operations per second.
            """,
        run: run)

    struct Case {
        let name: String
        let ranges: [ClosedRange<Double>]
        let vector: (UnsafePointer<Double>, UnsafeMutablePointer<Double>, Int) -> Void
        let scalar: (Double) -> Double
    }

    static var cases: [Case] { [
        Case(name: "exp", ranges: [-745...710, -10...10], vector: { VectorMath.exp($0, $1, count: $2) }, scalar: Foundation.exp),
        Case(name: "log", ranges: [0...1e-300, 0...2, 0...1e300, 0.5...1.5], vector: { VectorMath.log($0, $1, count: $2) }, scalar: Foundation.log),
        Case(name: "log1p", ranges: [-1...1, -1e-10...1e-10, 0...1e10], vector: { VectorMath.log1p($0, $1, count: $2) }, scalar: Foundation.log1p),
        Case(name: "softplus", ranges: [-750...750, -20...20], vector: { VectorMath.softplus($0, $1, count: $2) }, scalar: StableMath.softplus),
        Case(name: "sigmoid", ranges: [-750...750, -20...20], vector: { VectorMath.sigmoid($0, $1, count: $2) }, scalar: StableMath.sigmoid),
        Case(name: "logSigmoid", ranges: [-750...750, -20...20], vector: { VectorMath.logSigmoid($0, $1, count: $2) }, scalar: StableMath.logSigmoid),
    ] }

    static func run(_ options: inout Options) throws {
        let count = try options.integer("--count", default: 10_000_000)
        let json = options.flag("--json")
        try options.finish()
        let block = 4096
        let x = UnsafeMutablePointer<Double>.allocate(capacity: block)
        let y = UnsafeMutablePointer<Double>.allocate(capacity: block)
        defer { x.deallocate(); y.deallocate() }
        var rng = Xoshiro256StarStar(seed: 1)
        var rows: [String] = []
        print("function     worst ulps   at argument              vector ns/elt  Foundation ns/elt  speed-up")
        for c in cases {
            var worst = 0.0, worstAt = 0.0
            var done = 0
            var rangeIndex = 0
            while done < count {
                let range = c.ranges[rangeIndex % c.ranges.count]
                rangeIndex += 1
                for j in 0..<block { x[j] = range.lowerBound + (range.upperBound - range.lowerBound) * rng.nextOpenUniform() }
                c.vector(x, y, block)
                for j in 0..<block {
                    let distance = VectorMath.ulps(y[j], c.scalar(x[j]))
                    if distance > worst { (worst, worstAt) = (distance, x[j]) }
                }
                done += block
            }
            // Speed over the last range's block.
            for j in 0..<block { x[j] = c.ranges.last!.lowerBound + (c.ranges.last!.upperBound - c.ranges.last!.lowerBound) * rng.nextOpenUniform() }
            let calls = 400
            var vectorTimes: [Double] = [], scalarTimes: [Double] = []
            for _ in 0..<9 {
                vectorTimes.append(Stopwatch.secondsPerCall(calls) { c.vector(x, y, block) } / Double(block))
                scalarTimes.append(Stopwatch.secondsPerCall(calls) { for j in 0..<block { y[j] = c.scalar(x[j]) } } / Double(block))
            }
            let v = Stopwatch.median(vectorTimes) * 1e9, s = Stopwatch.median(scalarTimes) * 1e9
            print("\(c.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(format: "%10.0f", worst))   "
                  + "\(String(format: "%-24.17g", worstAt)) \(String(format: "%13.2f  %17.2f  %8.1f×", v, s, s / v))")
            rows.append("{\"function\": \"\(c.name)\", \"worst_ulps\": \(worst), \"vector_ns\": \(v), \"scalar_ns\": \(s)}")
        }
        var figures: [String] = [], products: [String] = []
        print("")
        for precision in [MatrixPrecision.double, .single] {
            let product = try MatMulRate.measure(precision: precision)
            print("matmul \(MatMulRate.rows)×\(MatMulRate.depth) · \(MatMulRate.depth)×\(MatMulRate.columns), forward + backward: "
                  + String(format: "%.1f µs per call, %.2f GFLOP/s (%@ precision, one thread)",
                           product.seconds * 1e6, product.flops / 1e9, "\(precision)"))
            let sparse = try MatMulRate.measure(oneHot: true, precision: precision)
            print("matmul, A one-hot codes (8 × 8 classes, 1/8 nonzero): "
                  + String(format: "%.1f µs per call, %.2f GFLOP/s counted as dense (%@)", sparse.seconds * 1e6, sparse.flops / 1e9,
                           "\(precision)"))
            for row in try MatMulRate.products(precision: precision) {
                print("  \(row.shape)  \(row.product.padding(toLength: 12, withPad: " ", startingAt: 0))"
                      + String(format: "%7.1f µs  %6.2f GFLOP/s", row.seconds * 1e6, row.flops / 1e9))
                products.append("{\"shape\": \"\(row.shape)\", \"product\": \"\(row.product)\", "
                                + "\"precision\": \"\(precision)\", \"seconds\": \(row.seconds), \"flops\": \(row.flops)}")
            }
            if precision == .double {
                for (m, k, n) in [(100, 64, 128), (100, 128, 64)] {
                    let figures = try [0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5].map {
                        String(format: "%.2f: %.1f µs", $0, try MatMulRate.binary(density: $0, m: m, k: k, n: n) * 1e6)
                    }
                    print("  binary A \(m)×\(k) · \(k)×\(n), C and ∂B by density: " + figures.joined(separator: ", "))
                }
            }
            let prefix = precision == .double ? "" : "single_"
            figures += ["\"\(prefix)matmul_seconds\": \(product.seconds)", "\"\(prefix)matmul_flops\": \(product.flops)",
                        "\"\(prefix)one_hot_matmul_seconds\": \(sparse.seconds)", "\"\(prefix)one_hot_matmul_flops\": \(sparse.flops)"]
        }
        if json {
            print("{\"rows\": [\(rows.joined(separator: ", "))], \"products\": [\(products.joined(separator: ", "))], "
                  + figures.joined(separator: ", ") + "}")
        }
    }
}
