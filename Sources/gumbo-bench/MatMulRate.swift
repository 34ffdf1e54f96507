import Foundation
import Gumbo

/// The floating-point rate of the plan's matrix products at W5's sizes:
/// `C = A B` with `A` of 100 × 64 (a batch of inputs) and `B` of 64 × 128
/// (a layer's weights), forward and backward (`∂A = ∂C Bᵀ`, `∂B = Aᵀ ∂C`),
/// `6 · 100 · 64 · 128` floating-point operations per call. W5's step is
/// mostly four such products, so this rate bounds how fast it can run.
///
/// With `oneHot`, `A` holds W5's decoder input (eight one-hot codes of
/// eight classes per row, 1/8 nonzero), which the kernel runs over its
/// nonzeros for `C` and `∂B`; the rate is then counted as if dense (the
/// same `6 · 100 · 64 · 128`), so the two rates compare times. With
/// `precision: .single` the products run in `Float` (``MatrixPrecision``).
enum MatMulRate {
    static let (rows, depth, columns) = (100, 64, 128)

    /// Seconds per forward + backward call and operations per second.
    static func measure(oneHot: Bool = false, precision: MatrixPrecision = .double) throws -> (seconds: Double, flops: Double) {
        var b = GraphBuilder()
        let a = try b.parameter("a", shape: [rows, depth])
        let w = try b.parameter("w", shape: [depth, columns])
        let loss = try b.sum(b.matmul(a, w, precision: precision))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [a, w])
        var rng = Xoshiro256StarStar(seed: 5)
        var values = (0..<rows * depth).map { _ in oneHot ? 0 : rng.nextStandardNormal() }
        if oneHot {
            for code in 0..<rows * depth / 8 { values[8 * code + Int(rng.next() % 8)] = 1 }
        }
        try plan.setValues(values, of: a)
        try plan.setValues((0..<depth * columns).map { _ in rng.nextStandardNormal() }, of: w)
        _ = Stopwatch.secondsPerCall(50) { plan.forward(); plan.backward() }
        let seconds = Stopwatch.median((0..<9).map { _ in Stopwatch.secondsPerCall(200) { plan.forward(); plan.backward() } })
        return (seconds, Double(6 * rows * depth * columns) / seconds)
    }

    /// Each product alone at W5's two layer shapes (`A` dense, random):
    /// seconds per call of `C = A B` (a forward pass), and of `∂A = ∂C Bᵀ`
    /// and `∂B += Aᵀ ∂C` (a backward pass asked for that gradient alone,
    /// less the forward pass; the loss's own backward step, a fill of
    /// `∂C`, is included). Rates count `2 · rows · depth · columns`.
    static func products(precision: MatrixPrecision = .double)
        throws -> [(shape: String, product: String, seconds: Double, flops: Double)] {
        var rows: [(String, String, Double, Double)] = []
        for (m, k, n) in [(100, 64, 128), (100, 128, 64)] {
            let shape = "\(m)×\(k) · \(k)×\(n)"
            let flops = Double(2 * m * k * n)
            var seconds: [String: Double] = [:]
            for gradient in ["none", "a", "b"] {
                var b = GraphBuilder()
                let a = try b.parameter("a", shape: [m, k])
                let w = try b.parameter("w", shape: [k, n])
                let loss = try b.sum(b.matmul(a, w, precision: precision))
                let plan = try Plan(graph: b.build(), outputs: [loss],
                                    gradients: gradient == "none" ? [] : [gradient == "a" ? a : w])
                var rng = Xoshiro256StarStar(seed: 5)
                try plan.setValues((0..<m * k).map { _ in rng.nextStandardNormal() }, of: a)
                try plan.setValues((0..<k * n).map { _ in rng.nextStandardNormal() }, of: w)
                let body: () -> Void = gradient == "none" ? { plan.forward() } : { plan.forward(); plan.backward() }
                _ = Stopwatch.secondsPerCall(50, body)
                seconds[gradient] = Stopwatch.median((0..<9).map { _ in Stopwatch.secondsPerCall(300, body) })
            }
            let forward = seconds["none"]!, gradientA = seconds["a"]! - forward, gradientB = seconds["b"]! - forward
            rows.append((shape, "C = A B", forward, flops / forward))
            rows.append((shape, "∂A = ∂C Bᵀ", gradientA, flops / gradientA))
            rows.append((shape, "∂B += Aᵀ ∂C", gradientB, flops / gradientB))
        }
        return rows
    }

    /// `C = A B` and `∂B += Aᵀ ∂C` (the two products that skip `A`'s
    /// zeros) with a binary `A` of `m × k`, each entry 1 with probability
    /// `density` (W5's images are about a third ones): seconds per
    /// forward + backward call, `∂A` not asked for.
    static func binary(density: Double, m: Int = rows, k: Int = depth, n: Int = columns) throws -> Double {
        var b = GraphBuilder()
        let a = try b.parameter("a", shape: [m, k])
        let w = try b.parameter("w", shape: [k, n])
        let loss = try b.sum(b.matmul(a, w))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [w])
        var rng = Xoshiro256StarStar(seed: 7)
        try plan.setValues((0..<m * k).map { _ in rng.nextOpenUniform() < density ? 1 : 0 }, of: a)
        try plan.setValues((0..<k * n).map { _ in rng.nextStandardNormal() }, of: w)
        let body = { plan.forward(); plan.backward() }
        _ = Stopwatch.secondsPerCall(50, body)
        return Stopwatch.median((0..<9).map { _ in Stopwatch.secondsPerCall(300, body) })
    }
}
