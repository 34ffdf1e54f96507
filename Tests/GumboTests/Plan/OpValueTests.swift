import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// Forward values of every operation against naive reference code.
@Suite("Plan forward values")
struct OpValueTests {
    static let shapePairs: [(Shape, Shape)] = [
        ([3, 4], [3, 4]), ([3, 4], [4]), ([3, 1], [4]), ([], [2, 3]), ([2, 3], []),
        ([2, 1, 3], [4, 1]), ([2, 3, 4], [3, 1]), ([1, 3], [2, 1]), ([5], [5]), ([2, 1, 3, 1], [1, 4, 1, 2]),
        ([6, 7], [7]), ([5, 1], [9]), ([7], [4, 7]), ([4, 2], [1]), ([1], [3, 2]),
    ]

    // MARK: Elementwise

    @Test("unary functions match their scalar definitions")
    func unary() throws {
        var rng = Xoshiro256StarStar(seed: 11)
        let shape: Shape = [3, 4]
        let references: [(UnaryFunction, (Double) -> Double)] = [
            (.negate, { -$0 }), (.square, { $0 * $0 }), (.sqrt, { $0.squareRoot() }), (.exp, { Foundation.exp($0) }),
            (.log, { Foundation.log($0) }), (.log1p, { Foundation.log1p($0) }), (.expm1, { Foundation.expm1($0) }),
            (.softplus, { Foundation.log1p(Foundation.exp($0)) }), (.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }),
            (.logSigmoid, { -Foundation.log1p(Foundation.exp(-$0)) }), (.tanh, { Foundation.tanh($0) }),
            (.relu, { max($0, 0) }),
        ]
        for (function, reference) in references {
            let positive: Set<UnaryFunction> = [.sqrt, .log, .log1p]
            let x = Fixtures.random(shape.count, &rng, low: positive.contains(function) ? 0.1 : -3, high: 3)
            let y = try Fixtures.evaluate([(shape, x)]) { b, t in try b.unary(function, t[0]) }
            #expect(isClose(y, x.map(reference), relative: 1e-13, absolute: 1e-15), "\(function)")
        }
        let x = Fixtures.random(12, &rng, low: 0.1, high: 3)
        #expect(isClose(try Fixtures.evaluate([(shape, x)]) { b, t in try b.power(t[0], 2.5) }, x.map { pow($0, 2.5) }, relative: 1e-14))
        #expect(try Fixtures.evaluate([([4], [-2, -0.5, 0.5, 2])]) { b, t in try b.clamp(t[0], lower: -1, upper: 1) } == [-1, -0.5, 0.5, 1])
        #expect(try Fixtures.evaluate([([4], [-2, 0, 1e-300, 2])]) { b, t in try b.step(t[0]) } == [0, 0, 1, 1])
    }

    @Test("logProbability: the log of p clamped to [1e-300, 1], within rounding of [0, 1]; NaN beyond")
    func logProbability() throws {
        let p: [Double] = [0.25, 0.5, 1, 1 + 1e-12, 0, -1e-12, 1e-310, 0.75, -1e-6, 1 + 1e-6, 2, .nan]
        let clamped = try Fixtures.evaluate([([12], p)]) { b, t in try b.log(b.clamp(t[0], lower: 1e-300, upper: 1)) }
        let y = try Fixtures.evaluate([([12], p)]) { b, t in try b.logProbability(t[0]) }
        // In range: the same bits as log(clamp(p)), whose values the
        // densities took before; −690.8 for a class of probability 0.
        #expect(Array(y.prefix(8)) == Array(clamped.prefix(8)))
        #expect(isClose(Array(y.prefix(3)), [Foundation.log(0.25), Foundation.log(0.5), 0], relative: 1e-15))
        #expect(y[3] == 0 && isClose(y[4], Foundation.log(1e-300), relative: 1e-15) && y[5] == y[4] && y[6] == y[4])
        #expect(y.suffix(4).allSatisfy { $0.isNaN }, "\(y)")

        // Gradients: 1/p inside (1e-300, 1], 0 where clamped, NaN beyond.
        var b = GraphBuilder()
        let x = try b.parameter("p", shape: [12])
        let loss = try b.sum(b.logProbability(x))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [x])
        try plan.setValues(p, of: x)
        plan.forward()
        plan.backward()
        let g = try plan.gradient(of: x)
        #expect(Array(g.prefix(8)) == [4, 2, 1, 0, 0, 0, 0, 1 / 0.75], "\(g)")
        #expect(g.suffix(4).allSatisfy { $0.isNaN }, "\(g)")
    }

    @Test("binary operators broadcast like numpy", arguments: 0..<shapePairs.count)
    func binary(pair: Int) throws {
        let (sa, sb) = Self.shapePairs[pair]
        var rng = Xoshiro256StarStar(seed: 100 + UInt64(pair))
        let a = Fixtures.random(sa.count, &rng, low: 0.5, high: 2)
        let b = Fixtures.random(sb.count, &rng, low: 0.5, high: 2)
        let references: [(BinaryOperator, (Double, Double) -> Double)] = [
            (.add, +), (.subtract, -), (.multiply, *), (.divide, /), (.maximum, { max($0, $1) }), (.minimum, { min($0, $1) }),
        ]
        for (op, reference) in references {
            let y = try Fixtures.evaluate([(sa, a), (sb, b)]) { builder, t in try builder.binary(op, t[0], t[1]) }
            #expect(y == Fixtures.broadcast((sa, a), (sb, b), reference), "\(op) \(sa) \(sb)")
        }
    }

    // MARK: Reductions

    @Test("sum, mean, logSumExp, softmax, logSoftmax, argmax along every axis")
    func reductions() throws {
        var rng = Xoshiro256StarStar(seed: 12)
        let shape: Shape = [2, 3, 4]
        let x = Fixtures.random(shape.count, &rng, low: -3, high: 3)
        for axis in 0..<3 {
            let lines = Fixtures.lines(x, shape, axis: axis)
            let sums = try Fixtures.evaluate([(shape, x)]) { b, t in try b.sum(t[0], axis: axis) }
            #expect(isClose(sums, lines.map { $0.reduce(0, +) }, relative: 1e-14))
            let means = try Fixtures.evaluate([(shape, x)]) { b, t in try b.mean(t[0], axis: axis, keepingDimension: true) }
            #expect(isClose(means, lines.map { $0.reduce(0, +) / Double($0.count) }, relative: 1e-14))
            let lse = try Fixtures.evaluate([(shape, x)]) { b, t in try b.logSumExp(t[0], axis: axis) }
            #expect(isClose(lse, lines.map { StableMath.logSumExp($0) }, relative: 1e-14))
            let softmax = try Fixtures.evaluate([(shape, x)]) { b, t in try b.softmax(t[0], axis: axis) }
            let expectedSoftmax = lines.map { line in line.map { Foundation.exp($0 - StableMath.logSumExp(line)) } }
            #expect(isClose(softmax, Fixtures.unlines(expectedSoftmax, shape, axis: axis), relative: 1e-13))
            let logSoftmax = try Fixtures.evaluate([(shape, x)]) { b, t in try b.logSoftmax(t[0], axis: axis) }
            let expectedLog = lines.map { line in line.map { $0 - StableMath.logSumExp(line) } }
            #expect(isClose(logSoftmax, Fixtures.unlines(expectedLog, shape, axis: axis), relative: 1e-13, absolute: 1e-14))
            let hard = try Fixtures.evaluate([(shape, x)]) { b, t in try b.oneHotArgmax(t[0], axis: axis) }
            let best = lines.map { line in line.indices.max { line[$0] < line[$1] }! }
            let expectedHard = best.enumerated().map { (k, j) in (0..<shape[axis]).map { $0 == j ? 1.0 : 0.0 } }
            #expect(hard == Fixtures.unlines(expectedHard, shape, axis: axis))
            let indexShape = shape.removing(axis: axis)
            let viaOneHot = try Fixtures.evaluate([(shape, x)]) { b, t in
                try b.oneHot(b.argmax(t[0], axis: axis), classes: shape[axis])
            }
            let expectedOneHot = best.flatMap { j in (0..<shape[axis]).map { $0 == j ? 1.0 : 0.0 } }
            #expect(viaOneHot == expectedOneHot, "argmax then oneHot, result shape \(indexShape) + [\(shape[axis])]")
        }
        let total = try Fixtures.evaluate([(shape, x)]) { b, t in try b.sum(t[0]) }
        #expect(isClose(total[0], x.reduce(0, +), relative: 1e-14))
    }

    @Test("oneHotArgmax on contiguous lines of 7 (a group of four and a tail): first of ties, NaN never wins after the first entry")
    func oneHotArgmaxLines() throws {
        var rng = Xoshiro256StarStar(seed: 31)
        var x = Fixtures.random(5 * 7, &rng, low: -3, high: 3)
        x[2] = 9; x[5] = 9                 // a tie across the group and the tail: the first wins
        x[7] = .nan                        // a NaN first entry stays the argmax
        x[15] = .nan; x[20] = 8            // a NaN later is skipped
        x[28..<35] = [1, 1, 1, 1, 1, 1, 1] // all equal: the first
        let hard = try Fixtures.evaluate([([5, 7], x)]) { b, t in try b.oneHotArgmax(t[0], axis: 1) }
        var expected = [Double]()
        for line in 0..<5 {
            var best = 0
            for j in 1..<7 where x[line * 7 + j] > x[line * 7 + best] { best = j }
            expected += (0..<7).map { $0 == best ? 1.0 : 0.0 }
        }
        #expect(hard == expected)
        #expect(Array(hard[0..<7]) == [0, 0, 1, 0, 0, 0, 0] && Array(hard[7..<14]) == [1, 0, 0, 0, 0, 0, 0])
    }

    @Test("oneHotArgmax on contiguous lines of 2, 3 and 4 (four lines at a time and a tail): first of ties, NaN never wins after the first entry",
          arguments: [2, 3, 4])
    func oneHotArgmaxShortLines(n: Int) throws {
        var rng = Xoshiro256StarStar(seed: 37)
        let lines = 23
        var x = Fixtures.random(lines * n, &rng, low: -3, high: 3)
        x[0] = 9; x[1] = 9                          // a tie: the first wins
        x[n] = .nan                                 // a NaN first entry stays the argmax
        x[2 * n + 1] = .nan                         // a NaN later is skipped
        for j in 0..<n { x[5 * n + j] = 1 }         // all equal: the first
        x[22 * n + n - 1] = 7                       // the tail line: its last entry
        let hard = try Fixtures.evaluate([([lines, n], x)]) { b, t in try b.oneHotArgmax(t[0], axis: 1) }
        var expected = [Double]()
        for line in 0..<lines {
            var best = 0
            for j in 1..<n where x[line * n + j] > x[line * n + best] { best = j }
            expected += (0..<n).map { $0 == best ? 1.0 : 0.0 }
        }
        #expect(hard == expected)
        #expect(hard[0] == 1 && hard[n] == 1 && hard[5 * n] == 1 && hard[22 * n + n - 1] == 1)
    }

    @Test("logSumExp is stable for large entries and −∞ lines")
    func logSumExpExtremes() throws {
        let y = try Fixtures.evaluate([([2, 2], [1000, 1000, -.infinity, -.infinity])]) { b, t in try b.logSumExp(t[0], axis: 1) }
        #expect(isClose(y[0], 1000 + log(2.0), relative: 1e-15))
        #expect(y[1] == -.infinity)
    }

    // MARK: Structure

    @Test("matmul with and without batch dimensions")
    func matmul() throws {
        var rng = Xoshiro256StarStar(seed: 13)
        let cases: [(Shape, Shape)] = [([2, 3], [3, 4]), ([2, 2, 3], [3, 4]), ([2, 3], [2, 3, 4]), ([2, 2, 3], [2, 3, 4]), ([1, 1], [1, 5]),
            // Register tiles (4 × 4) with edges on every side, shared and batched operands.
            ([8, 8], [8, 8]), ([9, 6], [6, 11]), ([2, 5, 7], [7, 6]), ([6, 9], [2, 9, 5])]
        for (sa, sb) in cases {
            let a = Fixtures.random(sa.count, &rng), b = Fixtures.random(sb.count, &rng)
            let y = try Fixtures.evaluate([(sa, a), (sb, b)]) { builder, t in try builder.matmul(t[0], t[1]) }
            let (m, k, n) = (sa[sa.rank - 2], sa[sa.rank - 1], sb[sb.rank - 1])
            let batch = max(sa.rank == 3 ? sa[0] : 1, sb.rank == 3 ? sb[0] : 1)
            var expected: [Double] = []
            for t in 0..<batch {
                let aBase = sa.rank == 3 ? t * m * k : 0, bBase = sb.rank == 3 ? t * k * n : 0
                for i in 0..<m {
                    for j in 0..<n {
                        expected.append((0..<k).reduce(0) { $0 + a[aBase + i * k + $1] * b[bBase + $1 * n + j] })
                    }
                }
            }
            #expect(isClose(y, expected, relative: 1e-13), "\(sa) × \(sb)")
        }
    }

    @Test("a table's rows against one shared vector, summed over the columns")
    func tableAgainstVector() throws {
        var rng = Xoshiro256StarStar(seed: 15)
        for (rows, columns) in [(9, 35), (4, 21), (3, 8), (13, 50)] {
            let a = Fixtures.random(rows * columns, &rng), v = Fixtures.random(columns, &rng)
            let y = try Fixtures.evaluate([([rows, columns], a), ([columns], v)]) { builder, t in
                try builder.sum(builder.multiply(t[0], t[1]), axis: 1)
            }
            let expected = (0..<rows).map { r in (0..<columns).reduce(0.0) { $0 + a[r * columns + $1] * v[$1] } }
            #expect(isClose(y, expected, relative: 1e-13), "\(rows) × \(columns)")
        }
    }

    @Test("gather reads the table at the indices along the axis, broadcasting the rest")
    func gather() throws {
        var rng = Xoshiro256StarStar(seed: 14)
        let cases: [(Shape, Shape, Int)] = [([5], [7], 0), ([4, 5], [4, 1], 1), ([5, 3], [6, 1], 0), ([2, 5], [2, 6], 1), ([1, 5], [3, 2], 1), ([3, 4, 2], [3, 2, 2], 1),
            // Whole rows, one index each (a copy per row), as W5 reads its minibatch.
            ([12, 37], [5, 1], 0), ([1, 12, 1, 37], [1, 5, 1, 1], 1)]
        for (tableShape, indexShape, axis) in cases {
            let table = Fixtures.random(tableShape.count, &rng)
            let indices = (0..<indexShape.count).map { _ in Int(rng.next() % UInt64(tableShape[axis])) }
            let y = try Fixtures.evaluate([(tableShape, table)]) { b, t in
                try b.gather(t[0], indices: b.indexConstant(indices, shape: indexShape), axis: axis)
            }
            var outShape = Shape.broadcast(tableShape.replacing(axis: axis, with: 1), indexShape.replacing(axis: axis, with: 1))!
            outShape = outShape.replacing(axis: axis, with: indexShape[axis])
            let expected = (0..<outShape.count).map { flat -> Double in
                let index = Fixtures.multiIndex(flat, outShape)
                let k = indices[Fixtures.broadcastSource(index, indexShape)]
                var tableIndex = (0..<tableShape.rank).map { tableShape[$0] == 1 ? 0 : index[$0] }
                tableIndex[axis] = k
                return table[Fixtures.flatIndex(tableIndex, tableShape)]
            }
            #expect(y == expected, "\(tableShape) \(indexShape) axis \(axis)")
        }
    }

    @Test("softSelect with one-hot weights equals gather")
    func softSelect() throws {
        let table: [Double] = [10, 20, 30]
        let y = try Fixtures.evaluate([([3], table)]) { b, t in
            let weights = try b.oneHot(b.indexConstant([2, 0, 1, 2], shape: [4]), classes: 3)
            return try b.softSelect(t[0], weights: weights, axis: 1)
        }
        #expect(y == [30, 10, 20, 30])
    }

    @Test("concat joins along any axis; reshape keeps the order")
    func concatAndReshape() throws {
        let a: [Double] = [1, 2, 3, 4, 5, 6]   // [2, 3]
        let b: [Double] = [7, 8, 9]             // [1, 3] or [2, ...]
        let rows = try Fixtures.evaluate([([2, 3], a), ([1, 3], b)]) { builder, t in try builder.concat([t[0], t[1]], axis: 0) }
        #expect(rows == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let columns = try Fixtures.evaluate([([2, 3], a), ([2, 1], [7, 8])]) { builder, t in
            try builder.concat([t[0], t[1], t[0]], axis: -1)
        }
        #expect(columns == [1, 2, 3, 7, 1, 2, 3, 4, 5, 6, 8, 4, 5, 6])
        let reshaped = try Fixtures.evaluate([([2, 3], a)]) { builder, t in
            try builder.add(builder.reshape(t[0], to: [3, 2]), builder.constant(0.5))
        }
        #expect(reshaped == a.map { $0 + 0.5 })
    }
}
