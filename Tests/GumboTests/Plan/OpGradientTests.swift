import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// Every operation's backward rule against central finite differences, at
/// random points, across shapes and broadcasting patterns.
@Suite("Plan gradients by operation")
struct OpGradientTests {
    /// Uniform on (0.3, 2.3): inside the domain of log, sqrt and fractional
    /// powers, and away from 0 for division.
    static func positive(_ rng: inout Xoshiro256StarStar) -> Double { 0.3 + 2 * rng.nextOpenUniform() }

    static func expectNoMismatches(_ mismatches: [GradientMismatch], _ comment: String) {
        #expect(mismatches.isEmpty, "\(comment): \(mismatches.prefix(3))")
    }

    // MARK: Elementwise

    @Test("unary functions", arguments: UnaryFunction.allCases)
    func unary(function: UnaryFunction) throws {
        let needsPositive: Set<UnaryFunction> = [.sqrt, .log, .log1p]
        var sample: (inout Xoshiro256StarStar) -> Double = { 3 * $0.nextStandardNormal() }
        if needsPositive.contains(function) { sample = Self.positive(_:) }
        if function == .logProbability { sample = { 0.05 + 0.9 * $0.nextOpenUniform() } }
        for (k, shape) in [[3, 4], [], [2, 3, 2]].map(Shape.init).enumerated() {
            let mismatches = try checkGradients(shapes: [shape], seed: UInt64(k), sample: sample) { b, x in
                try b.unary(function, x[0])
            }
            Self.expectNoMismatches(mismatches, "\(function) \(shape)")
        }
    }

    @Test("power and clamp")
    func powerAndClamp() throws {
        for exponent in [2.0, 3.0, 2.5, -1.5, 0.5] {
            let mismatches = try checkGradients(shapes: [[4, 3]], seed: 5, sample: Self.positive(_:)) { b, x in
                try b.power(x[0], exponent)
            }
            Self.expectNoMismatches(mismatches, "power \(exponent)")
        }
        let mismatches = try checkGradients(shapes: [[20]], seed: 6, sample: { 2 * $0.nextStandardNormal() }) { b, x in
            try b.clamp(x[0], lower: -1, upper: 1.5)
        }
        Self.expectNoMismatches(mismatches, "clamp")
    }

    @Test("binary operators across broadcasting patterns", arguments: BinaryOperator.allCases)
    func binary(op: BinaryOperator) throws {
        for (k, (sa, sb)) in OpValueTests.shapePairs.enumerated() {
            let mismatches = try checkGradients(shapes: [sa, sb], seed: 20 + UInt64(k), sample: Self.positive(_:)) { b, x in
                try b.binary(op, x[0], x[1])
            }
            Self.expectNoMismatches(mismatches, "\(op) \(sa) \(sb)")
        }
    }

    @Test("an operand used twice accumulates both gradients")
    func sharedOperand() throws {
        let mismatches = try checkGradients(shapes: [[3, 2]], seed: 7) { b, x in
            try b.multiply(b.add(x[0], x[0]), b.exp(x[0]))
        }
        Self.expectNoMismatches(mismatches, "x·x")
    }

    // MARK: Reductions

    @Test("sum, mean, logSumExp, softmax and logSoftmax along every axis")
    func reductions() throws {
        let shape: Shape = [2, 3, 4]
        for axis in [0, 1, 2, -1] {
            for keep in [false, true] {
                let cases: [(String, (inout GraphBuilder, Tensor) throws -> Tensor)] = [
                    ("sum", { b, x in try b.sum(x, axis: axis, keepingDimension: keep) }),
                    ("mean", { b, x in try b.mean(x, axis: axis, keepingDimension: keep) }),
                    ("logSumExp", { b, x in try b.logSumExp(x, axis: axis, keepingDimension: keep) }),
                    ("softmax", { b, x in try b.softmax(x, axis: axis) }),
                    ("logSoftmax", { b, x in try b.logSoftmax(x, axis: axis) }),
                ]
                for (name, body) in cases {
                    let mismatches = try checkGradients(shapes: [shape], seed: UInt64(axis + 10)) { b, x in try body(&b, x[0]) }
                    Self.expectNoMismatches(mismatches, "\(name) axis \(axis)")
                }
            }
        }
        for name in ["sum", "mean"] {
            let mismatches = try checkGradients(shapes: [shape], seed: 3) { b, x in
                name == "sum" ? try b.sum(x[0]) : try b.mean(x[0], keepingDimension: true)
            }
            Self.expectNoMismatches(mismatches, "\(name) of all")
        }
    }

    // MARK: Structure

    @Test("matmul with and without batch dimensions")
    func matmul() throws {
        let cases: [(Shape, Shape)] = [([2, 3], [3, 4]), ([2, 2, 3], [3, 4]), ([2, 3], [2, 3, 4]), ([2, 2, 3], [2, 3, 4]), ([1, 1], [1, 5]),
            // Register tiles (4 × 4) with edges on every side, shared and batched operands.
            ([8, 8], [8, 8]), ([9, 6], [6, 11]), ([2, 5, 7], [7, 6]), ([6, 9], [2, 9, 5])]
        for (k, (sa, sb)) in cases.enumerated() {
            let mismatches = try checkGradients(shapes: [sa, sb], seed: 40 + UInt64(k)) { b, x in try b.matmul(x[0], x[1]) }
            Self.expectNoMismatches(mismatches, "matmul \(sa) \(sb)")
        }
    }

    @Test("a table's rows against one shared vector (the contraction's register-blocked paths)")
    func tableAgainstVector() throws {
        // Rows 4 at a time with a remainder; columns in blocks of 16 and 4 with a tail.
        let cases: [(Shape, Shape)] = [([9, 35], [35]), ([4, 21], [21]), ([2, 5, 16], [16]), ([7, 8], [1, 8])]
        for (k, (sa, sb)) in cases.enumerated() {
            let mismatches = try checkGradients(shapes: [sa, sb], seed: 60 + UInt64(k)) { b, x in
                try b.sum(b.multiply(x[0], x[1]), axis: sa.rank - 1)
            }
            Self.expectNoMismatches(mismatches, "table \(sa) · vector \(sb)")
        }
    }

    @Test("gather scatters its gradient into the table, repeated indices adding up")
    func gather() throws {
        let cases: [(Shape, Shape, Int)] = [([5], [7], 0), ([4, 5], [4, 1], 1), ([5, 3], [6, 1], 0), ([2, 5], [2, 6], 1), ([1, 5], [3, 2], 1), ([3, 4, 2], [3, 2, 2], 1)]
        for (k, (tableShape, indexShape, axis)) in cases.enumerated() {
            var rng = Xoshiro256StarStar(seed: 50 + UInt64(k))
            let indices = (0..<indexShape.count).map { _ in Int(rng.next() % UInt64(tableShape[axis])) }
            let mismatches = try checkGradients(shapes: [tableShape], seed: 60 + UInt64(k)) { b, x in
                try b.gather(x[0], indices: b.indexConstant(indices, shape: indexShape), axis: axis)
            }
            Self.expectNoMismatches(mismatches, "gather \(tableShape) \(indexShape) axis \(axis)")
        }
    }

    @Test("soft selection, concat and reshape")
    func structure() throws {
        var mismatches = try checkGradients(shapes: [[4, 3], [3]], seed: 70) { b, x in
            try b.softSelect(x[1], weights: b.softmax(x[0], axis: 1), axis: 1)
        }
        Self.expectNoMismatches(mismatches, "softSelect")
        mismatches = try checkGradients(shapes: [[2, 3], [2, 1], [2, 2]], seed: 71) { b, x in
            try b.concat([x[0], x[1], x[2], x[1]], axis: 1)
        }
        Self.expectNoMismatches(mismatches, "concat axis 1")
        mismatches = try checkGradients(shapes: [[2, 3], [1, 3]], seed: 72) { b, x in
            try b.concat([x[0], b.exp(x[1])], axis: 0)
        }
        Self.expectNoMismatches(mismatches, "concat axis 0")
        mismatches = try checkGradients(shapes: [[2, 3]], seed: 73) { b, x in
            let r = try b.reshape(x[0], to: [3, 2])
            return try b.multiply(b.reshape(r, to: [6]), b.reshape(b.tanh(x[0]), to: [6]))
        }
        Self.expectNoMismatches(mismatches, "reshape")
    }

    @Test("a plan that asks for no gradient of some inputs leaves them out of the backward pass")
    func partialGradients() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [3])
        let y = try b.parameter("y", shape: [3])
        let loss = try b.sum(b.multiply(b.exp(x), b.sin2(y)))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [x])
        try plan.setValues([0.1, 0.2, 0.3], of: x)
        try plan.setValues([1, 2, 3], of: y)
        #expect(try gradientMismatches(of: plan).isEmpty)
        // Backward: the sum of the product (one dot product), exp; square(y)
        // is forward-only.
        #expect(plan.backwardInstructionCount == 2)
        #expect(throws: PlanError.noGradient(y)) { try plan.gradient(of: y) }
    }
}

private extension GraphBuilder {
    /// `y²`, spelled as a helper to keep the partial-gradient test short.
    mutating func sin2(_ y: Tensor) throws -> Tensor { try square(y) }
}
