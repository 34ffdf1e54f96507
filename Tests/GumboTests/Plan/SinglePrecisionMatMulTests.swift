import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// Matrix products with their multiply-adds in `Float`
/// (``MatrixPrecision/single``), against exact `Double` references.
///
/// Each result is a sum of `n` products of operands rounded to `Float`, so
/// (Higham 2002, §3.1) it lies within `γ_{n+2} Σ_p |a_p b_p|` of the exact
/// sum, `γ_k = k u / (1 − k u)`, `u = 2⁻²⁴`; a gradient that adds batch
/// entries' sums in `Double` lies within the sum of their bounds. The tests
/// check every element of `C`, `∂A` and `∂B` against that bound (plus a
/// few `Double` ulps), and that the results do differ from `Double`'s
/// somewhere, so the `Float` path is the one that ran.
@Suite("Matrix products in single precision")
struct SinglePrecisionMatMulTests {
    static let unitRoundoff = 0x1p-24

    static func gamma(_ n: Int) -> Double { Double(n) * unitRoundoff / (1 - Double(n) * unitRoundoff) }

    /// `sum(matmul(A, B, .single) · W)` with gradients for `A` and `B`.
    static func plan(_ sa: Shape, _ sb: Shape, a: [Double], b: [Double], weights: [Double])
        throws -> (plan: Plan, a: Tensor, b: Tensor, product: Tensor) {
        var builder = GraphBuilder()
        let ta = try builder.parameter("a", shape: sa), tb = try builder.parameter("b", shape: sb)
        let product = try builder.matmul(ta, tb, precision: .single)
        let w = try builder.constant(weights, shape: product.shape)
        let loss = try builder.sum(builder.multiply(product, w))
        let plan = try Plan(graph: builder.build(), outputs: [loss, product], gradients: [ta, tb])
        try plan.setValues(a, of: ta)
        try plan.setValues(b, of: tb)
        return (plan, ta, tb, product)
    }

    /// The error bounds of `C`, `∂A` and `∂B`: the references of
    /// ``SparseMatMulTests/reference(_:_:a:b:w:)`` computed on `|A|`, `|B|`,
    /// `|W|`, each element scaled by `γ` of its sum's length.
    static func bounds(_ sa: Shape, _ sb: Shape, a: [Double], b: [Double], w: [Double])
        -> (c: [Double], ga: [Double], gb: [Double]) {
        let (rows, depth, columns) = (sa[sa.rank - 2], sa[sa.rank - 1], sb[sb.rank - 1])
        let magnitudes = SparseMatMulTests.reference(sa, sb, a: a.map(abs), b: b.map(abs), w: w.map(abs))
        let slack = 4 * Double.ulpOfOne
        return (magnitudes.c.map { (gamma(depth + 2) + slack) * $0 },
                magnitudes.ga.map { (gamma(columns + 2) + slack) * $0 },
                magnitudes.gb.map { (gamma(rows + 2) + slack) * $0 })
    }

    /// Runs the plan twice and checks every element against its bound.
    static func expectWithinBounds(_ sa: Shape, _ sb: Shape, a: [Double], b: [Double],
                                   _ rng: inout Xoshiro256StarStar, _ comment: String) throws {
        let w = Fixtures.random(SparseMatMulTests.outputCount(sa, sb), &rng)
        let (plan, ta, tb, product) = try plan(sa, sb, a: a, b: b, weights: w)
        for _ in 0..<2 {
            plan.forward()
            plan.backward()
        }
        let exact = SparseMatMulTests.reference(sa, sb, a: a, b: b, w: w)
        let bound = bounds(sa, sb, a: a, b: b, w: w)
        let results = [("product", try plan.values(of: product), exact.c, bound.c),
                       ("∂A", try plan.gradient(of: ta), exact.ga, bound.ga),
                       ("∂B", try plan.gradient(of: tb), exact.gb, bound.gb)]
        for (name, computed, reference, limit) in results {
            let outside = computed.indices.filter { !(abs(computed[$0] - reference[$0]) <= limit[$0]) }
            #expect(outside.isEmpty, "\(comment), \(name): \(outside.count) of \(computed.count) outside the bound, first \(outside.prefix(3).map { (computed[$0], reference[$0], limit[$0]) })")
        }
        let differs = results.contains { _, computed, reference, _ in computed != reference }
        #expect(differs, "\(comment): every result equals Double's; the Float path did not run")
    }

    @Test("dense operands: full tiles, row and column tails, odd depths")
    func dense() throws {
        var rng = Xoshiro256StarStar(seed: 11)
        for (rows, depth, columns) in [(100, 64, 128), (100, 128, 64), (7, 5, 13), (4, 8, 8), (9, 17, 3), (1, 1, 1), (6, 33, 41)] {
            let a = Fixtures.random(rows * depth, &rng), b = Fixtures.random(depth * columns, &rng)
            try Self.expectWithinBounds([rows, depth], [depth, columns], a: a, b: b, &rng,
                                        "\(rows) × \(depth) · \(depth) × \(columns)")
        }
    }

    @Test("sparse left operands: one-hot rows and random zeros, every column tail (32, 8, scalar)")
    func sparse() throws {
        var rng = Xoshiro256StarStar(seed: 12)
        let oneHot = SparseMatMulTests.oneHot(rows: 100, groups: 8, classes: 8, &rng)
        try Self.expectWithinBounds([100, 64], [64, 128], a: oneHot, b: Fixtures.random(64 * 128, &rng), &rng,
                                    "one-hot 100 × 64 · 64 × 128")
        for (rows, depth, columns) in [(13, 24, 45), (9, 16, 8), (5, 12, 35), (4, 4, 16)] {
            for nonzeros in [0, 1, rows * depth / 4, rows * depth / 2] {
                let a = SparseMatMulTests.sparse(total: rows * depth, width: depth, nonzeros: nonzeros,
                                                 emptyRows: nonzeros < rows * depth / 2 ? [0] : [], &rng)
                let b = Fixtures.random(depth * columns, &rng)
                try Self.expectWithinBounds([rows, depth], [depth, columns], a: a, b: b, &rng,
                                            "\(rows) × \(depth) · \(depth) × \(columns), \(nonzeros) nonzeros")
            }
        }
    }

    @Test("batched and shared operands")
    func batches() throws {
        var rng = Xoshiro256StarStar(seed: 13)
        let (m, k, n) = (9, 16, 20)
        let cases: [(Shape, [Double], Shape)] = [
            ([3, m, k], Fixtures.random(3 * m * k, &rng), [k, n]),
            ([m, k], SparseMatMulTests.oneHot(rows: m, groups: 2, classes: 8, &rng), [3, k, n]),
            ([m, k], Fixtures.random(m * k, &rng), [3, k, n]),
            ([3, m, k], SparseMatMulTests.oneHot(rows: m, groups: 2, classes: 8, &rng)
                + Fixtures.random(m * k, &rng) + Fixtures.random(m * k, &rng), [3, k, n]),
        ]
        for (sa, a, sb) in cases {
            try Self.expectWithinBounds(sa, sb, a: a, b: Fixtures.random(sb.count, &rng), &rng, "\(sa) · \(sb)")
        }
    }

    @Test("the plan and graph dumps name the precision")
    func dumps() throws {
        var rng = Xoshiro256StarStar(seed: 14)
        let (plan, _, _, _) = try Self.plan([4, 8], [8, 8], a: Fixtures.random(32, &rng), b: Fixtures.random(64, &rng),
                                            weights: Fixtures.random(32, &rng))
        #expect(plan.description.contains("in Float"), "\(plan.description)")
        #expect(plan.graph.description.contains("matmul(precision: single)"), "\(plan.graph.description)")
    }
}
