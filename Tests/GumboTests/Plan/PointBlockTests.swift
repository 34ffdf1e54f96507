import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// Kernels over `[N, K]` (`K` = 2–4) that go four points at a time
/// (`PointBlock`): the Normal log-density with one std and the class-axis
/// contraction, for every operand layout (dense `[N, K]`, per class `[K]`,
/// per point `[N, 1]`, single), point counts below, at and off multiples of
/// four, and rank-3 shapes that the blocks must decline.
///
/// References are scalar loops in the kernels' own order, so values and
/// every gradient a point does not share (dense, per point) must match bit
/// for bit. A gradient summed over the points (per class, single) sums in
/// a different order; two orders of the same `n` terms differ by at most
/// `2(n − 1)ε Σ|term|` (each is within `(n − 1)ε Σ|term|` of the exact sum).
@Suite("Four-point blocks over [N, K]")
struct PointBlockTests {
    static let pointCounts = [1, 3, 4, 5, 7, 8, 13, 102]

    /// Which operand elements a reference adds each term to, in output
    /// order, and whether the result must be exact.
    struct Reference {
        var sums: [Double]
        var magnitudes: [Double]
        var terms: [Int]

        init(count: Int) {
            sums = [Double](repeating: 0, count: count)
            magnitudes = sums
            terms = [Int](repeating: 0, count: count)
        }

        mutating func add(_ t: Double, at k: Int, terms count: Int = 1, magnitude: Double? = nil) {
            sums[k] += t
            magnitudes[k] += magnitude ?? abs(t)
            terms[k] += count
        }

        /// One short row's terms: an operand element the whole row reads
        /// gets the row's sum as the density kernels' row loop forms it
        /// (four lanes combined pairwise at `K = 4`, in order from zero
        /// below), otherwise each term.
        mutating func addRow(_ row: [Double], at sources: [Int]) {
            guard sources.allSatisfy({ $0 == sources[0] }) else {
                for (t, k) in zip(row, sources) { add(t, at: k) }
                return
            }
            var total = 0.0
            if row.count == 4 {
                total = ((0 + row[0]) + (0 + row[1])) + ((0 + row[2]) + (0 + row[3]))
            } else {
                for t in row { total += t }
            }
            add(total, at: sources[0], terms: row.count, magnitude: row.reduce(0) { $0 + abs($1) })
        }

        /// Problems with `got`: exact when the operand has its own elements
        /// per point (`perPoint`) and each sums the terms of one point (at
        /// most `classes`), else within the reordering bound.
        func problems(_ got: [Double], perPoint: Bool, classes: Int, _ label: String) -> [String] {
            var problems: [String] = []
            for k in sums.indices {
                let exact = perPoint && terms[k] <= classes
                let bound = exact ? 0 : 2 * Double(max(terms[k] - 1, 0)) * Double.ulpOfOne * magnitudes[k]
                if !(abs(got[k] - sums[k]) <= bound) {
                    problems.append("\(label)[\(k)] = \(got[k]), reference \(sums[k]) (bound \(bound))")
                }
            }
            return problems
        }
    }

    static func values(_ shape: Shape, seed: UInt64, low: Double = -2, high: Double = 2) -> [Double] {
        var rng = Xoshiro256StarStar(seed: seed)
        return Fixtures.random(shape.count, &rng, low: low, high: high)
    }

    /// Whether an operand of `shape` gives each point its own elements (at
    /// one point, a per-point operand is a single element, whose sum the
    /// kernels may form in another order).
    static func perPoint(_ shape: Shape, points: Int) -> Bool {
        points > 1 && shape.rank >= 2 && shape[shape.rank - 2] == points
    }

    // MARK: Normal log-density

    static func normalCases(points n: Int, classes k: Int) -> [(Shape, Shape)] {
        [([n, 1], [k]), ([k], [n, 1]), ([n, k], [k]), ([n, k], [n, 1]), ([n, 1], [n, k]), ([n, k], [n, k]),
         ([2, n, 1], [k]), ([n, 1], [2, 1, k])]
    }

    @Test("Normal(x; mean, one std): values and every gradient against scalar loops", arguments: [2, 3, 4])
    func normal(classes k: Int) throws {
        for n in Self.pointCounts {
            for (sx, sm) in Self.normalCases(points: n, classes: k) {
                for secondUse in [false, true] {
                    let problems = try Self.checkNormal(x: sx, mean: sm, secondUse: secondUse)
                    #expect(problems.isEmpty, "x \(sx), mean \(sm), second use \(secondUse): \(problems.prefix(3))")
                }
            }
        }
    }

    /// `loss = Σ w · Normal.logProb(x, mean, std)` (plus `Σ u · x + Σ u' ·
    /// mean` with `secondUse`, so the kernel's stores accumulate).
    static func checkNormal(x sx: Shape, mean sm: Shape, secondUse: Bool) throws -> [String] {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: sx), mean = try b.parameter("mean", shape: sm), std = try b.parameter("std", shape: [])
        let y = try b.normalLogProb(x, mean: mean, std: std)
        let w = values(y.shape, seed: 3)
        let (ux, um) = (values(sx, seed: 4), values(sm, seed: 5))
        var loss = try b.sum(b.multiply(y, b.constant(w, shape: y.shape)))
        if secondUse {
            loss = try b.add(loss, b.add(b.sum(b.multiply(x, b.constant(ux, shape: sx))), b.sum(b.multiply(mean, b.constant(um, shape: sm)))))
        }
        let plan = try Plan(graph: b.build(), outputs: [loss, y], gradients: [x, mean, std])
        let (xs, ms, s) = (values(sx, seed: 1, low: -4, high: 4), values(sm, seed: 2), 0.7)
        try plan.setValues(xs, of: x)
        try plan.setValues(ms, of: mean)
        try plan.setValues([s], of: std)
        for _ in 0..<2 {   // the second pass shows a slot wrongly accumulated
            plan.forward()
            plan.backward()
        }
        // NormalSingleStdRule's scalar form, in its order of operations.
        let r = 1 / s, logStd = log(s), standard = Normal.logProb(0, mean: 0, std: 1)
        var expected = [Double](repeating: 0, count: y.shape.count)
        var dx = Reference(count: sx.count), dMean = Reference(count: sm.count), dStd = Reference(count: 1)
        let classes = y.shape[y.shape.rank - 1]
        for row in 0..<(y.shape.count / classes) {
            var terms: (x: [Double], mean: [Double], std: [Double]) = ([], [], [])
            var sources: (x: [Int], mean: [Int]) = ([], [])
            for flat in (row * classes)..<((row + 1) * classes) {
                let index = Fixtures.multiIndex(flat, y.shape)
                let (i, j) = (Fixtures.broadcastSource(index, sx), Fixtures.broadcastSource(index, sm))
                let z = (xs[i] - ms[j]) * r
                expected[flat] = -0.5 * z * z - logStd + standard
                let partialMean = z * r
                terms.x.append(w[flat] * -partialMean)
                terms.mean.append(w[flat] * partialMean)
                terms.std.append(w[flat] * ((z * z - 1) * r))
                sources.x.append(i)
                sources.mean.append(j)
            }
            dx.addRow(terms.x, at: sources.x)
            dMean.addRow(terms.mean, at: sources.mean)
            dStd.addRow(terms.std, at: [Int](repeating: 0, count: classes))
        }
        if secondUse {
            for i in 0..<sx.count { dx.sums[i] = dx.sums[i] + ux[i] }
            for j in 0..<sm.count { dMean.sums[j] = dMean.sums[j] + um[j]; dMean.magnitudes[j] += abs(um[j]) }
        }
        let points = y.shape[y.shape.rank - 2]
        var problems: [String] = []
        let got = try plan.values(of: y)
        problems += zip(got, expected).enumerated().filter { $0.element.0 != $0.element.1 }.map { "value[\($0.offset)] = \($0.element.0), reference \($0.element.1)" }
        problems += dx.problems(try plan.gradient(of: x), perPoint: perPoint(sx, points: points), classes: classes, "∂x")
        problems += dMean.problems(try plan.gradient(of: mean), perPoint: perPoint(sm, points: points), classes: classes, "∂mean")
        problems += dStd.problems(try plan.gradient(of: std), perPoint: false, classes: classes, "∂std")
        return problems
    }

    // MARK: Contraction over the class axis

    static func contractionCases(points n: Int, classes k: Int) -> [(Shape, Shape)] {
        [([n, k], [k]), ([k], [n, k]), ([n, k], [n, k]), ([n, k], [n, 1]), ([n, 1], [n, k]), ([n, k], [1]),
         ([2, n, k], [k]), ([2, n, k], [2, 1, k])]
    }

    @Test("Σ_k a·b over the class axis: values and both gradients against scalar loops", arguments: [2, 3, 4])
    func contraction(classes k: Int) throws {
        for n in Self.pointCounts {
            for (sa, sb) in Self.contractionCases(points: n, classes: k) {
                let problems = try Self.checkContraction(sa, sb)
                #expect(problems.isEmpty, "a \(sa), b \(sb): \(problems.prefix(3))")
            }
        }
    }

    /// `loss = Σ_i w_i Σ_k a_ik b_ik`, both factors parameters.
    static func checkContraction(_ sa: Shape, _ sb: Shape) throws -> [String] {
        var b = GraphBuilder()
        let ta = try b.parameter("a", shape: sa), tb = try b.parameter("b", shape: sb)
        let product = try b.multiply(ta, tb)
        let y = try b.sum(product, axis: product.shape.rank - 1)
        let w = values(y.shape, seed: 7)
        let loss = try b.sum(b.multiply(y, b.constant(w, shape: y.shape)))
        let plan = try Plan(graph: b.build(), outputs: [loss, y], gradients: [ta, tb])
        let k = product.shape[product.shape.rank - 1]
        guard plan.description.contains("contracting \(k)") else { return ["no contraction over \(k) in the plan"] }
        let (xa, xb) = (values(sa, seed: 8), values(sb, seed: 9))
        try plan.setValues(xa, of: ta)
        try plan.setValues(xb, of: tb)
        for _ in 0..<2 {
            plan.forward()
            plan.backward()
        }
        var expected = [Double](repeating: 0, count: y.shape.count)
        var da = Reference(count: sa.count), db = Reference(count: sb.count)
        let points = product.shape[product.shape.rank - 2]
        // A per-point factor's gradient is g · Σ_k other (the kernels' form;
        // at one point the factor is a single element, summed term by term).
        let (aPerPoint, bPerPoint) = (sa.dimensions.last == 1 && sa.rank >= 2 && points > 1,
                                      sb.dimensions.last == 1 && sb.rank >= 2 && points > 1)
        for o in 0..<y.shape.count {
            let sources = (0..<k).map { c -> (Int, Int) in
                let index = Fixtures.multiIndex(o * k + c, product.shape)
                return (Fixtures.broadcastSource(index, sa), Fixtures.broadcastSource(index, sb))
            }
            var total = xa[sources[0].0] * xb[sources[0].1]
            for (i, j) in sources.dropFirst() { total += xa[i] * xb[j] }
            expected[o] = total
            var (sumA, sumB) = (xa[sources[0].0], xb[sources[0].1])
            for (i, j) in sources.dropFirst() { sumA += xa[i]; sumB += xb[j] }
            if aPerPoint { da.add(w[o] * sumB, at: sources[0].0) } else { for (i, j) in sources { da.add(w[o] * xb[j], at: i) } }
            if bPerPoint { db.add(w[o] * sumA, at: sources[0].1) } else { for (i, j) in sources { db.add(w[o] * xa[i], at: j) } }
        }
        var problems: [String] = []
        let got = try plan.values(of: y)
        problems += zip(got, expected).enumerated().filter { $0.element.0 != $0.element.1 }.map { "value[\($0.offset)] = \($0.element.0), reference \($0.element.1)" }
        problems += da.problems(try plan.gradient(of: ta), perPoint: perPoint(sa, points: points), classes: k, "∂a")
        problems += db.problems(try plan.gradient(of: tb), perPoint: perPoint(sb, points: points), classes: k, "∂b")
        return problems
    }
}
