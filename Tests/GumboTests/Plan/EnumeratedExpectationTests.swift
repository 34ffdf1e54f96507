import Foundation
import Testing
@testable import Gumbo
import GumboTestSupport

/// `enumeratedExpectation`: `y_p = Σ_r Σ_k q_rk (t_prk + b_k − c log q_rk)`
/// with `q = softmax(x)`, against a direct evaluation one row at a time,
/// the same expression built from `softmax`, `logSoftmax` and sums, and
/// finite differences.
@Suite("Enumerated expectations")
struct EnumeratedExpectationTests {
    struct Case {
        /// Leading extents of x and t, the rows' axes, the classes.
        let px: Int, pt: Int, rows: [Int], classes: Int
        let classTerms: Bool
        let weight: Double
    }

    static let cases: [Case] = [
        Case(px: 1, pt: 1, rows: [5], classes: 3, classTerms: true, weight: 1),
        Case(px: 1, pt: 1, rows: [8], classes: 2, classTerms: false, weight: 0.5),
        Case(px: 2, pt: 2, rows: [7], classes: 4, classTerms: true, weight: 2),
        Case(px: 1, pt: 3, rows: [4], classes: 3, classTerms: true, weight: 1),
        Case(px: 3, pt: 1, rows: [13], classes: 5, classTerms: false, weight: 1),
        Case(px: 2, pt: 1, rows: [2, 3], classes: 3, classTerms: true, weight: 1.5),
        Case(px: 1, pt: 1, rows: [1], classes: 3, classTerms: true, weight: 1),
        Case(px: 1, pt: 2, rows: [6], classes: 7, classTerms: true, weight: 0.25),
        // The wide path (K = 4m > 4): three chunks of 32 rows, then rows of twelve.
        Case(px: 1, pt: 1, rows: [70], classes: 8, classTerms: true, weight: 1),
        Case(px: 2, pt: 1, rows: [3, 3], classes: 12, classTerms: true, weight: 0.5),
    ]

    struct Built {
        let plan: Plan
        let x: Tensor, t: Tensor, b: Tensor?
        let y: Tensor
    }

    /// `Σ_p a_p y_p` (random `a`, so each result gets its own gradient),
    /// with the fused node or (`fused: false`) with primitives.
    static func build(_ c: Case, fused: Bool, x xs: [Double], t ts: [Double], b bs: [Double]) throws -> Built {
        var g = GraphBuilder()
        let x = try g.parameter("x", shape: Shape([c.px] + c.rows + [c.classes]))
        let t = try g.parameter("t", shape: Shape([c.pt] + c.rows + [c.classes]))
        let b = c.classTerms
            ? try g.parameter("b", shape: Shape([Int](repeating: 1, count: c.rows.count + 1) + [c.classes])) : nil
        let y: Tensor
        if fused {
            y = try g.enumeratedExpectation(logits: x, terms: t, classTerms: b, entropyWeight: c.weight)
        } else {
            var inner = t
            if let b { inner = try g.add(inner, b) }
            inner = try g.subtract(inner, g.multiply(g.logSoftmax(x, axis: -1), c.weight))
            var total = try g.multiply(g.softmax(x, axis: -1), inner)
            for axis in 1..<total.rank { total = try g.sum(total, axis: axis, keepingDimension: true) }
            y = total
        }
        var rng = Xoshiro256StarStar(seed: 41)
        let a = try g.constant(Fixtures.random(y.shape.count, &rng), shape: y.shape)
        let loss = try g.sum(g.multiply(y, a))
        let plan = try Plan(graph: g.build(), outputs: [loss, y], gradients: [x, t] + (b.map { [$0] } ?? []))
        try plan.setValues(xs, of: x)
        try plan.setValues(ts, of: t)
        if let b { try plan.setValues(bs, of: b) }
        plan.forward()
        plan.backward()
        return Built(plan: plan, x: x, t: t, b: b, y: y)
    }

    static func inputs(_ c: Case, seed: UInt64) -> (x: [Double], t: [Double], b: [Double]) {
        var rng = Xoshiro256StarStar(seed: seed)
        let rows = c.rows.reduce(1, *)
        return (Fixtures.random(c.px * rows * c.classes, &rng, low: -3, high: 3),
                Fixtures.random(c.pt * rows * c.classes, &rng, low: -5, high: 1),
                Fixtures.random(c.classes, &rng, low: -2, high: 0))
    }

    /// `y_p` one row at a time, with Foundation's `exp` and `log`.
    static func direct(_ c: Case, x: [Double], t: [Double], b: [Double]) -> [Double] {
        let rows = c.rows.reduce(1, *), k = c.classes
        return (0..<max(c.px, c.pt)).map { p in
            let xs = c.px == 1 ? 0 : p * rows * k, ts = c.pt == 1 ? 0 : p * rows * k
            var total = 0.0
            for r in 0..<rows {
                let row = (0..<k).map { x[xs + r * k + $0] }
                let lse = StableMath.logSumExp(row)
                for j in 0..<k {
                    let logQ = row[j] - lse
                    let q = Foundation.exp(logQ)
                    total += q * (t[ts + r * k + j] + (c.classTerms ? b[j] : 0) - c.weight * logQ)
                }
            }
            return total
        }
    }

    @Test("values equal a direct evaluation", arguments: 0..<10)
    func values(index: Int) throws {
        let c = Self.cases[index]
        let (x, t, b) = Self.inputs(c, seed: UInt64(index))
        let built = try Self.build(c, fused: true, x: x, t: t, b: b)
        let expected = Self.direct(c, x: x, t: t, b: b)
        let scale = Double(c.rows.reduce(1, *) * c.classes) * 10
        #expect(isClose(try built.plan.values(of: built.y), expected, relative: 1e-13, absolute: 1e-14 * scale))
    }

    @Test("values and gradients equal softmax, logSoftmax and sums", arguments: 0..<10)
    func primitives(index: Int) throws {
        let c = Self.cases[index]
        let (x, t, b) = Self.inputs(c, seed: UInt64(100 + index))
        let fused = try Self.build(c, fused: true, x: x, t: t, b: b)
        let reference = try Self.build(c, fused: false, x: x, t: t, b: b)
        #expect(fused.plan.description.contains("enumeratedExpectation"))
        #expect(!fused.plan.description.contains("logSoftmax"))
        let scale = Double(c.rows.reduce(1, *) * c.classes) * 10
        #expect(isClose(try fused.plan.values(of: fused.y), try reference.plan.values(of: reference.y),
                        relative: 1e-13, absolute: 1e-14 * scale))
        for (a, r) in [(fused.x, reference.x), (fused.t, reference.t)] + (fused.b.map { [($0, reference.b!)] } ?? []) {
            #expect(isClose(try fused.plan.gradient(of: a), try reference.plan.gradient(of: r), relative: 1e-12, absolute: 1e-13 * scale))
        }
    }

    @Test("gradients against finite differences", arguments: 0..<10)
    func finiteDifferences(index: Int) throws {
        let c = Self.cases[index]
        let (x, t, b) = Self.inputs(c, seed: UInt64(200 + index))
        let built = try Self.build(c, fused: true, x: x, t: t, b: b)
        let mismatches = try gradientMismatches(of: built.plan)
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    /// 4001 rows of four equal logits: each row's sum is `s = 4`, and the
    /// product over a lane's 1000 rows (4¹⁰⁰⁰ = 2²⁰⁰⁰) would overflow
    /// unless renormalized; the entropy is `4001 · log 4`.
    @Test("many rows: the product of the row sums is renormalized, the value stays exact")
    func manyRows() throws {
        let c = Case(px: 1, pt: 1, rows: [4001], classes: 4, classTerms: false, weight: 1)
        let built = try Self.build(c, fused: true, x: [Double](repeating: 0.25, count: 16004),
                                   t: [Double](repeating: 0, count: 16004), b: [])
        let value = try built.plan.values(of: built.y)[0]
        #expect(isClose(value, 4001 * Foundation.log(4.0), relative: 1e-14, absolute: 0), "\(value)")
        let (x, t, b) = Self.inputs(Case(px: 1, pt: 1, rows: [1001], classes: 3, classTerms: true, weight: 1), seed: 3)
        let random = Case(px: 1, pt: 1, rows: [1001], classes: 3, classTerms: true, weight: 1)
        let fused = try Self.build(random, fused: true, x: x, t: t, b: b)
        #expect(isClose(try fused.plan.values(of: fused.y), Self.direct(random, x: x, t: t, b: b), relative: 1e-12, absolute: 1e-10))
    }

    /// Nine rows of three (two groups of four and one more): rows with a
    /// class of probability zero, in and out of the four-row groups.
    @Test("a class of probability zero adds nothing, even where its term is −∞")
    func zeroProbability() throws {
        let c = Case(px: 1, pt: 1, rows: [9], classes: 3, classTerms: false, weight: 1)
        var (x, t, b) = Self.inputs(c, seed: 7)
        for row in [1, 5, 8] {
            x[3 * row + 2] = -.infinity
            t[3 * row + 2] = -.infinity
        }
        // exp underflows to 0 (finite logits) in row 6.
        x[3 * 6 + 1] = x[3 * 6] - 800
        t[3 * 6 + 1] = -.infinity
        let built = try Self.build(c, fused: true, x: x, t: t, b: b)
        let value = try built.plan.values(of: built.y)[0]
        var finiteT = t
        for j in finiteT.indices where finiteT[j] == -.infinity { finiteT[j] = 0 }
        var finiteX = x
        for j in finiteX.indices where finiteX[j] == -.infinity { finiteX[j] = -1e6 }
        let expected = Self.direct(c, x: finiteX, t: finiteT, b: b)[0]
        #expect(isClose(value, expected, relative: 1e-13, absolute: 1e-12), "\(value) vs \(expected)")
        let gradients = [try built.plan.gradient(of: built.x), try built.plan.gradient(of: built.t)]
        for gradient in gradients {
            let finite = gradient.allSatisfy { $0.isFinite }
            #expect(finite, "\(gradient)")
        }
        #expect(gradients[0][3 * 5 + 2] == 0)
    }

    /// Rows of six classes go one at a time: the largest logit by selects
    /// when the row is finite, by the scalar rule when it holds a −∞.
    @Test("rows of six classes, one with a −∞ logit, against the direct sum")
    func wideRows() throws {
        let c = Case(px: 1, pt: 1, rows: [5], classes: 6, classTerms: true, weight: 1)
        var (x, t, b) = Self.inputs(c, seed: 13)
        x[6 * 2 + 4] = -.infinity
        let built = try Self.build(c, fused: true, x: x, t: t, b: b)
        let value = try built.plan.values(of: built.y)[0]
        var finiteX = x
        finiteX[6 * 2 + 4] = -1e6
        let expected = Self.direct(c, x: finiteX, t: t, b: b)[0]
        #expect(isClose(value, expected, relative: 1e-13, absolute: 1e-12), "\(value) vs \(expected)")
        x[6 * 3 + 1] = .nan
        let withNaN = try Self.build(c, fused: true, x: x, t: t, b: b)
        #expect(try withNaN.plan.values(of: withNaN.y)[0].isNaN)
    }

    /// 150 rows of three: 37 groups of four, in chunks of 16, 16 and 5,
    /// then two rows; or of eight: chunks of 32 rows on the wide path. A row
    /// the four-row or wide path cannot take (a class of probability zero:
    /// a −∞ logit, or a finite logit whose `exp` underflows, facing a −∞
    /// term) stops it in the middle of a later chunk; the chunks before
    /// keep their sums, and that row and every row after it take the row
    /// path. Value against the direct sum; gradients against the same
    /// inputs with the zeros' −∞ made finite (every row on the fast path),
    /// where they differ only by rounding.
    @Test("a row that stops the four-row or wide path in a later chunk",
          arguments: [(70, 3), (130, 3), (70, 8), (130, 8)])
    func chunkBoundaries(row: Int, classes k: Int) throws {
        let c = Case(px: 1, pt: 1, rows: [150], classes: k, classTerms: true, weight: 1)
        var (x, t, b) = Self.inputs(c, seed: 17)
        var (finiteX, finiteT) = (x, t)
        // The class of probability zero, and its term −∞.
        let zero = row == 70 ? 2 : 1
        if row == 70 {
            x[k * row + zero] = -.infinity
            finiteX[k * row + zero] = -1e6
        } else {
            x[k * row + zero] = x[k * row] - 800
            finiteX[k * row + zero] = x[k * row + zero]
        }
        t[k * row + zero] = -.infinity
        finiteT[k * row + zero] = 0
        let built = try Self.build(c, fused: true, x: x, t: t, b: b)
        let reference = try Self.build(c, fused: true, x: finiteX, t: finiteT, b: b)
        let expected = Self.direct(c, x: finiteX, t: finiteT, b: b)[0]
        let value = try built.plan.values(of: built.y)[0]
        #expect(isClose(value, expected, relative: 1e-13, absolute: 1e-11), "\(value) vs \(expected)")
        for (a, r) in [(built.x, reference.x), (built.t, reference.t), (built.b!, reference.b!)] {
            #expect(isClose(try built.plan.gradient(of: a), try reference.plan.gradient(of: r), relative: 1e-12, absolute: 1e-13))
        }
    }

    @Test("a NaN or +∞ logit, or a row with no finite logit, makes the result NaN")
    func undefinedRows() throws {
        let c = Case(px: 1, pt: 1, rows: [6], classes: 3, classTerms: false, weight: 1)
        for bad in [Double.nan, .infinity] {
            var (x, t, b) = Self.inputs(c, seed: 9)
            x[4] = bad
            let built = try Self.build(c, fused: true, x: x, t: t, b: b)
            #expect(try built.plan.values(of: built.y)[0].isNaN)
        }
        var (x, t, b) = Self.inputs(c, seed: 9)
        for j in 9..<12 { x[j] = -.infinity }
        let built = try Self.build(c, fused: true, x: x, t: t, b: b)
        #expect(try built.plan.values(of: built.y)[0].isNaN)
    }

    @Test("the builder rejects logits and terms whose rows differ, and misshapen class terms")
    func shapes() throws {
        var g = GraphBuilder()
        let x = try g.parameter("x", shape: [1, 4, 3])
        #expect(throws: GraphError.self) {
            try g.enumeratedExpectation(logits: x, terms: g.parameter("t", shape: [1, 5, 3]), entropyWeight: 1)
        }
        #expect(throws: GraphError.self) {
            try g.enumeratedExpectation(logits: x, terms: g.parameter("u", shape: [2, 4, 3]),
                                        classTerms: g.parameter("b", shape: [1, 4, 3]), entropyWeight: 1)
        }
        #expect(throws: GraphError.self) {
            try g.enumeratedExpectation(logits: x, terms: g.parameter("v", shape: [4, 3]), entropyWeight: 1)
        }
        let y = try g.enumeratedExpectation(logits: x, terms: g.parameter("w", shape: [5, 4, 3]), entropyWeight: 1)
        #expect(y.shape == [5, 1, 1])
    }
}
