import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// The contraction's matrix–vector paths at a design matrix's sizes: rows
/// of a row-major table against one shared vector (`dotRows`, forward) and
/// its transpose against the output gradient (`accumulateRows`, backward,
/// in blocks of rows of about 16 KB), checked against naive sums and
/// finite differences.
@Suite("Contraction kernels")
struct ContractionKernelTests {
    /// `y = Σ_c X[…, j, c] v[c]`, weighted by fixed constants: the plan's
    /// value and `∂/∂v = Σ_j w_j X_j·` against naive loops.
    @Test("table · vector and its transpose against naive sums",
          arguments: [([200, 50], [50]), ([45, 23], [23]), ([300, 70], [70]), ([50, 41], [41]), ([83, 9], [9]), ([2, 61, 20], [20]),
                      ([41, 16], [1, 16])] as [(Shape, Shape)])
    func againstNaive(table: Shape, vector: Shape) throws {
        var rng = Xoshiro256StarStar(seed: UInt64(table.count))
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: table)
        let v = try b.parameter("v", shape: vector)
        let y = try b.sum(b.multiply(x, v), axis: table.rank - 1)
        let weights = Fixtures.random(y.shape.count, &rng)
        let loss = try b.sum(b.multiply(y, b.constant(weights, shape: y.shape)))
        let plan = try Plan(graph: b.build(), outputs: [loss, y], gradients: [x, v])
        #expect(plan.description.contains("contracting \(table.dimensions.last!)"))
        let xs = Fixtures.random(table.count, &rng), vs = Fixtures.random(vector.count, &rng)
        try plan.setValues(xs, of: x)
        try plan.setValues(vs, of: v)
        for _ in 0..<2 {   // the second pass shows a slot wrongly accumulated
            plan.forward()
            plan.backward()
        }
        let k = vector.count
        let rows = table.count / k
        var expectedY = [Double](repeating: 0, count: rows)
        var expectedV = [Double](repeating: 0, count: k)
        for j in 0..<rows {
            for c in 0..<k {
                expectedY[j] += xs[j * k + c] * vs[c]
                expectedV[c] += weights[j] * xs[j * k + c]
            }
        }
        #expect(isClose(try plan.values(of: y), expectedY, relative: 1e-12, absolute: 1e-12))
        #expect(isClose(try plan.gradient(of: v), expectedV, relative: 1e-12, absolute: 1e-12))
        let expectedX = (0..<table.count).map { weights[$0 / k] * vs[$0 % k] }
        #expect(isClose(try plan.gradient(of: x), expectedX, relative: 1e-12, absolute: 1e-12))
        if table.count <= 2500 {   // finite differences perturb every element: the small tables
            #expect(try gradientMismatches(of: plan).isEmpty)
        }
    }

    @Test("the vector's gradient added to an earlier write (accumulating store), and a single-element vector")
    func accumulatingAndSingle() throws {
        var mismatches = try checkGradients(shapes: [[120, 37], [37]], seed: 91) { b, x in
            // v is also squared: its gradient slot is written twice.
            try b.add(b.sum(b.multiply(x[0], x[1]), axis: 1), b.sum(b.multiply(x[1], x[1])))
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
        mismatches = try checkGradients(shapes: [[9, 1], [1]], seed: 92) { b, x in
            try b.sum(b.multiply(x[0], x[1]), axis: 1)
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
    }
}
