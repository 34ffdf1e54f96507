import Foundation

/// The parameter layout both hand-written W3 steps share: one array of
/// vectors `[m, s, φ]`, `m` and `s` in lanes 0–2 of one vector each, then
/// per block of four points `φ_·0`, `φ_·1`, `φ_·2` (points in the lanes).
enum MixtureLayout {
    typealias Vector = SIMD4<Double>
    static let classes = 3
    /// The first `φ` vector in the parameter array.
    static let base = 2

    /// The points four per vector, the last padded with zeros.
    static func packed(_ data: [Double]) -> [Vector] {
        (0..<(data.count + 3) / 4).map { b in
            var v = Vector.zero
            for lane in 0..<4 where 4 * b + lane < data.count { v[lane] = data[4 * b + lane] }
            return v
        }
    }

    /// BENCHMARKS.md's start: `m = (−1, 0, 1)`, `softplus(s) = 1`, `φ = 0`.
    static func initialParameters(points: Int) -> [Vector] {
        [Vector(-1, 0, 1, 0), Vector(repeating: Foundation.log(Foundation.expm1(1.0)))]
            + Array(repeating: .zero, count: classes * ((points + 3) / 4))
    }

    /// The objective's gradient by parameter name, in the library's layout
    /// (`phi` row-major `[point, class]`), from the loss's gradient array.
    static func objectiveGradient(_ gradient: [Vector], points: Int) -> [String: [Double]] {
        let k = classes
        return ["m": (0..<k).map { -gradient[0][$0] }, "s": (0..<k).map { -gradient[1][$0] },
                "phi": (0..<points * k).map { j in -gradient[base + 3 * (j / k / 4) + j % k][j / k % 4] }]
    }
}
