import Foundation
import Testing
@testable import Gumbo
import GumboTestSupport

/// Matrix products whose left operand is mostly zeros (W5's decoder reads
/// one-hot codes), which the kernel runs over `A`'s nonzeros only.
///
/// The sparse loops sum in the dense loops' order from the same zero, so the
/// forward product and `∂B` must equal a naive sequential sum exactly — with
/// a fused multiply-add per term when the process runs the AVX2 kernels
/// (``InstructionSet``), a multiply and an add otherwise; `∂A` (always
/// dense) is compared with a tolerance. A non-finite entry of `B`
/// facing only zeros of `A` tells the two paths apart: the dense loops turn
/// `0 · ∞` into NaN, the sparse ones never form it.
@Suite("Matrix products with a sparse left operand")
struct SparseMatMulTests {
    // MARK: Fixtures

    /// `rows × (groups · classes)`: each row one-hot in each of `groups`
    /// blocks of `classes` (W5's decoder input for 8 × 8).
    static func oneHot(rows: Int, groups: Int, classes: Int, _ rng: inout Xoshiro256StarStar) -> [Double] {
        var a = [Double](repeating: 0, count: rows * groups * classes)
        for r in 0..<rows {
            for g in 0..<groups { a[(r * groups + g) * classes + Int(rng.next() % UInt64(classes))] = 1 }
        }
        return a
    }

    /// `count` random nonzeros (normal values) placed at random among
    /// `total` entries, none in the rows listed in `emptyRows` of width `width`.
    static func sparse(total: Int, width: Int, nonzeros count: Int, emptyRows: Set<Int> = [],
                       _ rng: inout Xoshiro256StarStar) -> [Double] {
        var a = [Double](repeating: 0, count: total)
        var free = (0..<total).filter { !emptyRows.contains(($0 / width) % (total / width)) }
        precondition(free.count >= count)
        for _ in 0..<count {
            let k = Int(rng.next() % UInt64(free.count))
            a[free[k]] = rng.nextStandardNormal()
            free.remove(at: k)
        }
        return a
    }

    /// A plan for `sum(matmul(A, B) · W)` with gradients for `A` and `B`,
    /// `W` fixed random weights.
    static func plan(_ sa: Shape, _ sb: Shape, a: [Double], b: [Double], weights: [Double])
        throws -> (plan: Plan, a: Tensor, b: Tensor, product: Tensor) {
        var builder = GraphBuilder()
        let ta = try builder.parameter("a", shape: sa), tb = try builder.parameter("b", shape: sb)
        let product = try builder.matmul(ta, tb)
        let w = try builder.constant(weights, shape: product.shape)
        let loss = try builder.sum(builder.multiply(product, w))
        let plan = try Plan(graph: builder.build(), outputs: [loss, product], gradients: [ta, tb])
        try plan.setValues(a, of: ta)
        try plan.setValues(b, of: tb)
        return (plan, ta, tb, product)
    }

    /// The W5 decoder's first product (`100 × 64` one-hot codes times
    /// `64 × 128`), for the allocation tests.
    static func decoderPlan() throws -> Plan {
        var rng = Xoshiro256StarStar(seed: 71)
        let a = oneHot(rows: 100, groups: 8, classes: 8, &rng)
        let b = Fixtures.random(64 * 128, &rng), w = Fixtures.random(100 * 128, &rng)
        return try plan([100, 64], [64, 128], a: a, b: b, weights: w).plan
    }

    /// `total + x y`, rounded once when the process's kernels fuse their
    /// multiply-adds.
    static func accumulate(_ total: Double, _ x: Double, _ y: Double) -> Double {
        InstructionSet.current.hasAVX2 ? total.addingProduct(x, y) : total + x * y
    }

    /// Naive references in the dense loops' summation order and arithmetic:
    /// `C`, `∂A` and `∂B` for `sum(C · W)`, with a batch of `A` or `B` (or
    /// both) or none.
    static func reference(_ sa: Shape, _ sb: Shape, a: [Double], b: [Double], w: [Double])
        -> (c: [Double], ga: [Double], gb: [Double]) {
        let (m, k, n) = (sa[sa.rank - 2], sa[sa.rank - 1], sb[sb.rank - 1])
        let batch = max(sa.rank == 3 ? sa[0] : 1, sb.rank == 3 ? sb[0] : 1)
        var c = [Double](repeating: 0, count: batch * m * n)
        var ga = [Double](repeating: 0, count: a.count), gb = [Double](repeating: 0, count: b.count)
        for t in 0..<batch {
            let aBase = sa.rank == 3 ? t * m * k : 0, bBase = sb.rank == 3 ? t * k * n : 0
            for i in 0..<m {
                for j in 0..<n {
                    var total = 0.0
                    for p in 0..<k { total = accumulate(total, a[aBase + i * k + p], b[bBase + p * n + j]) }
                    c[(t * m + i) * n + j] = total
                }
                for p in 0..<k {
                    var total = 0.0
                    for j in 0..<n { total += w[(t * m + i) * n + j] * b[bBase + p * n + j] }
                    ga[aBase + i * k + p] += total
                }
            }
            for p in 0..<k {
                for j in 0..<n {
                    var total = 0.0
                    for i in 0..<m { total = accumulate(total, a[aBase + i * k + p], w[(t * m + i) * n + j]) }
                    gb[bBase + p * n + j] += total
                }
            }
        }
        return (c, ga, gb)
    }

    static func outputCount(_ sa: Shape, _ sb: Shape) -> Int {
        (sa.rank == 3 ? sa[0] : (sb.rank == 3 ? sb[0] : 1)) * sa[sa.rank - 2] * sb[sb.rank - 1]
    }

    /// Runs the plan and checks the product and `∂B` exactly, `∂A` closely.
    static func expectMatchesReference(_ sa: Shape, _ sb: Shape, a: [Double], b: [Double],
                                       _ rng: inout Xoshiro256StarStar, _ comment: String) throws {
        let w = Fixtures.random(outputCount(sa, sb), &rng)
        let (plan, ta, tb, product) = try plan(sa, sb, a: a, b: b, weights: w)
        // Twice: a second pass must not see the first's scratch or gradients.
        for _ in 0..<2 {
            plan.forward()
            plan.backward()
        }
        let expected = reference(sa, sb, a: a, b: b, w: w)
        let c = try plan.values(of: product), ga = try plan.gradient(of: ta), gb = try plan.gradient(of: tb)
        #expect(c == expected.c, "\(comment): product")
        #expect(gb == expected.gb, "\(comment): ∂B")
        #expect(isClose(ga, expected.ga, relative: 1e-12, absolute: 1e-12), "\(comment): ∂A")
    }

    // MARK: Values and gradients against references

    @Test("one-hot rows at W5's decoder size")
    func oneHotDecoder() throws {
        var rng = Xoshiro256StarStar(seed: 1)
        let a = Self.oneHot(rows: 100, groups: 8, classes: 8, &rng), b = Fixtures.random(64 * 128, &rng)
        try Self.expectMatchesReference([100, 64], [64, 128], a: a, b: b, &rng, "one-hot 100 × 64 · 64 × 128")
    }

    @Test("random sparse rows, empty rows, and every column tail (16, 4, scalar)")
    func randomSparse() throws {
        var rng = Xoshiro256StarStar(seed: 2)
        for (rows, depth, columns) in [(13, 24, 21), (9, 16, 8), (5, 12, 35), (4, 4, 16)] {
            let capacity = MatMulKernels.sparseCapacity(rows: rows, depth: depth)
            for nonzeros in [0, 1, capacity / 2, capacity, capacity + 1, rows * depth] {
                let a = Self.sparse(total: rows * depth, width: depth, nonzeros: nonzeros,
                                    emptyRows: nonzeros <= capacity ? [0, rows / 2] : [], &rng)
                let b = Fixtures.random(depth * columns, &rng)
                try Self.expectMatchesReference([rows, depth], [depth, columns], a: a, b: b, &rng,
                                                "\(rows) × \(depth) · \(depth) × \(columns), \(nonzeros) nonzeros")
            }
        }
    }

    @Test("batched and shared operands, sparse and dense batch elements mixed")
    func batches() throws {
        var rng = Xoshiro256StarStar(seed: 3)
        let (m, k, n) = (9, 16, 20)
        // Batch element 1 is dense, the others one-hot (2 groups of 8).
        func batchOfA() -> [Double] {
            Self.oneHot(rows: m, groups: 2, classes: 8, &rng) + Fixtures.random(m * k, &rng)
                + Self.oneHot(rows: m, groups: 2, classes: 8, &rng)
        }
        let sharedA = Self.oneHot(rows: m, groups: 2, classes: 8, &rng)
        let cases: [(Shape, [Double], Shape)] = [
            ([3, m, k], batchOfA(), [k, n]),
            ([m, k], sharedA, [3, k, n]),
            ([3, m, k], batchOfA(), [3, k, n]),
        ]
        for (sa, a, sb) in cases {
            let b = Fixtures.random(sb.count, &rng)
            try Self.expectMatchesReference(sa, sb, a: a, b: b, &rng, "\(sa) · \(sb)")
        }
    }

    @Test("gradients against finite differences, sparse and dense A")
    func finiteDifferences() throws {
        var rng = Xoshiro256StarStar(seed: 4)
        let cases: [(Shape, [Double], Shape)] = [
            ([6, 16], Self.oneHot(rows: 6, groups: 2, classes: 8, &rng), [16, 20]),
            ([7, 12], Self.sparse(total: 84, width: 12, nonzeros: 10, emptyRows: [3], &rng), [12, 9]),
            ([5, 8], Fixtures.random(40, &rng), [8, 17]),
            ([2, 5, 16], Self.oneHot(rows: 10, groups: 2, classes: 8, &rng), [16, 9]),
            ([5, 16], Self.oneHot(rows: 5, groups: 2, classes: 8, &rng), [2, 16, 9]),
        ]
        for (sa, a, sb) in cases {
            let (plan, _, _, _) = try Self.plan(sa, sb, a: a, b: Fixtures.random(sb.count, &rng),
                                                weights: Fixtures.random(Self.outputCount(sa, sb), &rng))
            let mismatches = try gradientMismatches(of: plan)
            #expect(mismatches.isEmpty, "\(sa) · \(sb): \(mismatches.prefix(3))")
        }
    }

    // MARK: Which path runs

    @Test("zeros of A are skipped up to the kernels' capacity (a half, or a third with AVX2), and only then")
    func sparsePathWitness() throws {
        // Column 0 of A is zero and row 0 of B is infinite: the dense loops
        // form 0 · ∞ = NaN in every product and ∂B is unaffected; the sparse
        // loops never read row 0 of B.
        var rng = Xoshiro256StarStar(seed: 5)
        let (rows, depth, columns) = (8, 8, 12)
        let capacity = MatMulKernels.sparseCapacity(rows: rows, depth: depth)
        for nonzeros in [capacity, capacity + 1] {
            var a = [Double](repeating: 0, count: rows * depth)
            var placed = 0
            outer: for p in 1..<depth {
                for r in 0..<rows {
                    if placed == nonzeros { break outer }
                    a[r * depth + p] = 1 + Double(placed)
                    placed += 1
                }
            }
            var b = Fixtures.random(depth * columns, &rng)
            for j in 0..<columns { b[j] = .infinity }
            let (plan, _, _, product) = try Self.plan([rows, depth], [depth, columns], a: a, b: b,
                                                      weights: Fixtures.random(rows * columns, &rng))
            plan.forward()
            let c = try plan.values(of: product)
            if nonzeros <= capacity {
                #expect(c.allSatisfy { $0.isFinite }, "\(nonzeros) nonzeros: sparse path expected")
            } else {
                #expect(c.allSatisfy { $0.isNaN }, "\(nonzeros) nonzeros: dense path expected")
            }
        }
    }

    @Test("the backward pass takes the forward pass's verdict on a dense A, and a stale verdict only costs time")
    func denseVerdictCarried() throws {
        // Row 0 of ∂C = W is infinite in its first four columns: the dense
        // ∂B loop forms 0 · ∞ = NaN there for every zero in row 0 of A, the
        // sparse one never reads row 0.
        var rng = Xoshiro256StarStar(seed: 9)
        let (rows, depth, columns) = (8, 8, 12)
        let dense = Fixtures.random(rows * depth, &rng)
        var sparse = [Double](repeating: 0, count: rows * depth)
        for r in 1..<rows { sparse[r * depth + r % depth] = 1 + Double(r) }
        var w = Fixtures.random(rows * columns, &rng)
        for j in 0..<4 { w[j] = .infinity }
        let (plan, ta, tb, _) = try Self.plan([rows, depth], [depth, columns], a: dense,
                                              b: Fixtures.random(depth * columns, &rng), weights: w)
        plan.forward()
        try plan.setValues(sparse, of: ta)
        plan.backward()
        // The forward pass found A dense, so the backward pass did not scan
        // the sparse A it now holds: the dense loop ran, and is right.
        // (∂B = Aᵀ W does not read B.)
        let gb = try plan.gradient(of: tb)
        let expected = Self.reference([rows, depth], [depth, columns], a: sparse,
                                      b: [Double](repeating: 0, count: depth * columns), w: w).gb
        #expect(gb.contains { $0.isNaN } && gb.contains { !$0.isNaN })
        #expect(zip(gb, expected).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
        // A forward pass over the sparse A records it, and the backward
        // pass then runs the sparse loop.
        plan.forward()
        plan.backward()
        #expect(try plan.gradient(of: tb).allSatisfy { !$0.isNaN })
    }
}
