import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// The rewrites a plan applies before lowering (`GraphRewriting`), checked
/// on the emitted program and on the numbers: common subexpressions are
/// computed once, `exp(logSoftmax(x))` reads the weights `logSoftmax`
/// already computed, a product summed over one axis becomes one
/// contraction, and reshapes pass gradients without a copy.
@Suite("Graph rewriting")
struct GraphRewritingTests {
    /// `Σ_i Σ_k q_ik (t_ik − log q_ik)` with `q = softmax(φ)` built the way
    /// the ELBO lowering builds it: `logSoftmax(φ)` twice (once to sample,
    /// once to score), `q = exp(logSoftmax(φ))`, and each expectation as a
    /// product summed over the class axis.
    static func entropyPlan() throws -> (plan: Plan, phi: Tensor, t: Tensor, loss: Tensor) {
        var b = GraphBuilder()
        let phi = try b.parameter("phi", shape: [4, 3])
        let t = try b.parameter("t", shape: [3])
        let logQ1 = try b.logSoftmax(phi, axis: 1)
        let logQ2 = try b.logSoftmax(phi, axis: 1)
        let q = try b.exp(logQ1)
        let expected = try b.sum(b.multiply(q, b.subtract(t, logQ2)), axis: 1)
        let loss = try b.sum(b.reshape(expected, to: [2, 2]))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [phi, t])
        try plan.setValues([0.1, -0.4, 0.7, 1.2, 0.0, -1.0, 0.3, 0.3, 0.3, -2.0, 0.5, 1.5], of: phi)
        try plan.setValues([0.5, -0.25, 1.0], of: t)
        return (plan, phi, t, loss)
    }

    @Test("a duplicated logSoftmax runs once; exp of it reads its weights; the expectation is one contraction")
    func program() throws {
        let (plan, _, _, _) = try Self.entropyPlan()
        let text = plan.description
        let forward = text.components(separatedBy: "forward:\n")[1].components(separatedBy: "backward")[0]
        #expect(forward.components(separatedBy: "logSoftmax").count - 1 == 1, "\(text)")
        #expect(!forward.contains("exp"), "\(text)")
        #expect(!forward.contains("softmax(axis: 1)") || forward.contains("logSoftmax"), "\(text)")
        #expect(forward.contains("contracting 3"), "\(text)")
        #expect(!forward.contains("multiply"), "\(text)")
        #expect(text.contains("(shares ∂%"), "a reshape shares its input's gradient slot: \(text)")
        // The softmax's backward rides on the logSoftmax's: one pass into ∂φ.
        let backward = text.components(separatedBy: "backward (seed")[1]
        #expect(backward.contains("logSoftmax(axis: 1) and ∂%"), "\(text)")
        #expect(!backward.contains(": softmax"), "\(text)")
    }

    @Test("softmax and logSoftmax of one input share one backward pass, along a strided axis too")
    func sharedSoftmaxBackward() throws {
        for (shape, axis) in [([4, 3], 1), ([3, 4], 0), ([2, 5], 1)] {
            var b = GraphBuilder()
            let phi = try b.parameter("phi", shape: Shape(shape))
            let t = try b.constant((0..<shape.reduce(1, *)).map { Foundation.cos(Double($0)) }, shape: Shape(shape))
            let logQ = try b.logSoftmax(phi, axis: axis)
            let q = try b.exp(logQ)
            // Both reach the loss: Σ q·t + Σ (log q)²/4.
            let loss = try b.add(b.sum(b.multiply(q, t)), b.sum(b.multiply(b.square(logQ), 0.25)))
            let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [phi])
            #expect(plan.description.contains("and ∂%"), "\(plan)")
            try plan.setValues((0..<shape.reduce(1, *)).map { 0.4 * Foundation.sin(3 * Double($0)) }, of: phi)
            #expect(try gradientMismatches(of: plan).isEmpty, "\(shape) along \(axis)")
        }
    }

    @Test("the rewritten plan's value and gradients match the formula and finite differences")
    func numbers() throws {
        let (plan, phi, t, loss) = try Self.entropyPlan()
        plan.forward()
        plan.backward()
        let phiValues = try plan.values(of: phi), tValues = try plan.values(of: t)
        var total = 0.0
        var gradientT = [Double](repeating: 0, count: 3)
        for i in 0..<4 {
            let row = Array(phiValues[(3 * i)..<(3 * i + 3)])
            let top = row.max()!
            let lse = top + Foundation.log(row.map { Foundation.exp($0 - top) }.reduce(0, +))
            for k in 0..<3 {
                let logQ = row[k] - lse, q = Foundation.exp(logQ)
                total += q * (tValues[k] - logQ)
                gradientT[k] += q
            }
        }
        #expect(isClose(try plan.scalar(loss), total, relative: 1e-14))
        #expect(isClose(try plan.gradient(of: t), gradientT, relative: 1e-14))
        #expect(try gradientMismatches(of: plan).isEmpty)
    }

    /// The forward program's lines, from a plan's dump.
    static func forwardLines(_ plan: Plan) -> [String] {
        let text = plan.description
        let forward = text.components(separatedBy: "forward:\n")[1].components(separatedBy: "backward")[0]
        return forward.split(separator: "\n").map(String.init)
    }

    @Test("a sum of a sum over a product of two same-shaped factors is one dot product, value and gradients exact")
    func dotProduct() throws {
        var b = GraphBuilder()
        let a = try b.parameter("a", shape: [4, 3])
        let c = try b.parameter("c", shape: [4, 3])
        let rows = try b.sum(b.multiply(a, c), axis: 1, keepingDimension: true)
        let loss = try b.sum(rows, axis: 0)
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [a, c])
        let lines = Self.forwardLines(plan)
        #expect(lines.count == 1 && lines[0].contains("contracting 12"), "\(plan)")
        #expect(plan.backwardInstructionCount == 1)
        let aValues = (0..<12).map { 0.3 * Double($0) - 1.1 }, cValues = (0..<12).map { Foundation.sin(Double($0)) }
        try plan.setValues(aValues, of: a)
        try plan.setValues(cValues, of: c)
        plan.forward()
        plan.backward()
        let expected = zip(aValues, cValues).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(isClose(try plan.scalar(loss), expected, relative: 1e-14))
        #expect(isClose(try plan.gradient(of: a), cValues, relative: 1e-15))
        #expect(isClose(try plan.gradient(of: c), aValues, relative: 1e-15))
        #expect(try gradientMismatches(of: plan).isEmpty)
    }

    @Test("a broadcast factor, or a row sum read elsewhere, keeps the contraction and the sum")
    func dotProductNeedsSameShapes() throws {
        var b = GraphBuilder()
        let a = try b.parameter("a", shape: [4, 3])
        let t = try b.parameter("t", shape: [3])
        let loss = try b.sum(b.sum(b.multiply(a, t), axis: 1))
        var b2 = GraphBuilder()
        let a2 = try b2.parameter("a", shape: [4, 3])
        let rows = try b2.sum(b2.multiply(a2, a2), axis: 1)
        let loss2 = try b2.add(b2.sum(rows), b2.sum(b2.exp(rows)))
        for (graph, loss, inputs) in [(b.build(), loss, [a, t]), (b2.build(), loss2, [a2])] {
            let plan = try Plan(graph: graph, outputs: [loss], gradients: inputs)
            #expect(Self.forwardLines(plan).contains { $0.contains("contracting 3") }, "\(plan)")
            for input in inputs {
                try plan.setValues((0..<input.shape.count).map { 0.2 * Double($0) - 0.5 }, of: input)
            }
            #expect(try gradientMismatches(of: plan).isEmpty)
        }
    }

    @Test("a selection that reads its other factor in order is a reshape; a transposing one stays a selection")
    func selectionInPlace() throws {
        var eye = [Double](repeating: 0, count: 9)
        for k in 0..<3 { eye[4 * k] = 1 }
        let qValues = [0.1, 0.2, 0.7, 0.5, 0.25, 0.25, 0.3, 0.3, 0.4, 0.6, 0.3, 0.1]
        // In order: q [4, 1, 3] against the identity on a class axis after the plate.
        var b = GraphBuilder()
        let q = try b.parameter("q", shape: [4, 1, 3])
        let inOrder = try b.softSelect(q, weights: b.constant(eye, shape: [1, 3, 3]), axis: -1)
        let weights = try b.constant((0..<12).map { Double($0) }, shape: [4, 3])
        let loss = try b.sum(b.multiply(inOrder, weights))
        // Transposed: the class axis before the plate.
        var b2 = GraphBuilder()
        let q2 = try b2.parameter("q", shape: [1, 4, 3])
        let transposed = try b2.softSelect(q2, weights: b2.constant(eye, shape: [3, 1, 3]), axis: -1)
        let weights2 = try b2.constant((0..<12).map { Double($0) }, shape: [3, 4])
        let loss2 = try b2.sum(b2.multiply(transposed, weights2))
        let plan = try Plan(graph: b.build(), outputs: [loss, inOrder], gradients: [q])
        let plan2 = try Plan(graph: b2.build(), outputs: [loss2, transposed], gradients: [q2])
        #expect(!plan.description.contains("selecting"), "\(plan)")
        #expect(plan2.description.contains("selecting 1 of 3"), "\(plan2)")
        try plan.setValues(qValues, of: q)
        try plan2.setValues(qValues, of: q2)
        plan.forward()
        plan2.forward()
        #expect(try plan.values(of: inOrder) == qValues)
        let transposedValues = try plan2.values(of: transposed)
        for k in 0..<3 { for n in 0..<4 { #expect(transposedValues[4 * k + n] == qValues[3 * n + k]) } }
        plan.backward()
        plan2.backward()
        #expect(try plan.gradient(of: q) == (0..<12).map { Double($0) })
        #expect(try plan2.gradient(of: q2) == (0..<12).map { Double(4 * ($0 % 3) + $0 / 3) })
        #expect(try gradientMismatches(of: plan).isEmpty)
    }

    @Test("softmax(x / t) with a one-element t reads x and t: no quotient, same values, gradients checked")
    func scaledSoftmax() throws {
        for (shape, axis) in [([4, 3], 1), ([3, 4], 0), ([2, 7], 1)] {
            let count = shape.reduce(1, *)
            let xValues = (0..<count).map { 1.3 * Foundation.sin(2.1 * Double($0)) }
            let weights = (0..<count).map { Foundation.cos(Double($0)) }
            var b = GraphBuilder()
            let x = try b.parameter("x", shape: Shape(shape))
            let t = try b.input("t", shape: .scalar, role: .data)
            let y = try b.softmax(b.divide(x, t), axis: axis)
            let loss = try b.sum(b.multiply(y, b.constant(weights, shape: Shape(shape))))
            let plan = try Plan(graph: b.build(), outputs: [loss, y], gradients: [x])
            #expect(!plan.description.contains("divide"), "\(plan)")
            try plan.setValues(xValues, of: x)
            try plan.setValues([0.7], of: t)
            plan.forward()
            // The softmax of x / t by hand, line by line.
            let values = try plan.values(of: y)
            let (outer, length) = axis == 1 ? (shape[0], shape[1]) : (shape[1], shape[0])
            for line in 0..<outer {
                let index = { (k: Int) in axis == 1 ? line * length + k : k * outer + line }
                let scaled = (0..<length).map { xValues[index($0)] / 0.7 }
                let top = scaled.max()!
                let total = scaled.reduce(0) { $0 + Foundation.exp($1 - top) }
                for k in 0..<length {
                    #expect(isClose(values[index(k)], Foundation.exp(scaled[k] - top) / total, relative: 1e-14))
                }
            }
            #expect(try gradientMismatches(of: plan).isEmpty, "\(shape) along \(axis)")
        }
    }

    @Test("a temperature whose gradient is requested, or a quotient read twice, keeps the division")
    func scaledSoftmaxNeedsAFixedScale() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [2, 3])
        let t = try b.parameter("t", shape: .scalar)
        let loss = try b.sum(b.multiply(b.softmax(b.divide(x, t), axis: 1), b.constant([1, 2, 3, 4, 5, 6], shape: [2, 3])))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [x, t])
        #expect(plan.description.contains("divide"), "\(plan)")
        try plan.setValues([0.1, -0.2, 0.3, 0.5, 0.0, -1.0], of: x)
        try plan.setValues([0.8], of: t)
        #expect(try gradientMismatches(of: plan).isEmpty)

        var b2 = GraphBuilder()
        let x2 = try b2.parameter("x", shape: [2, 3])
        let t2 = try b2.input("t", shape: .scalar, role: .data)
        let quotient = try b2.divide(x2, t2)
        let loss2 = try b2.add(b2.sum(b2.softmax(quotient, axis: 1)), b2.sum(b2.square(quotient)))
        let plan2 = try Plan(graph: b2.build(), outputs: [loss2], gradients: [x2])
        #expect(plan2.description.contains("divide"), "\(plan2)")
        try plan2.setValues([0.1, -0.2, 0.3, 0.5, 0.0, -1.0], of: x2)
        try plan2.setValues([0.8], of: t2)
        #expect(try gradientMismatches(of: plan2).isEmpty)
    }

    @Test("a tensor whose own gradient is requested keeps its own node and slot")
    func requestedTensorsAreKept() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [3])
        let y = try b.reshape(x, to: [3, 1])
        let loss = try b.sum(b.multiply(y, y))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [x, y])
        try plan.setValues([1, 2, 3], of: x)
        plan.forward()
        plan.backward()
        #expect(try plan.gradient(of: y) == [2, 4, 6])
        #expect(try plan.gradient(of: x) == [2, 4, 6])
        #expect(!plan.description.contains("(shares ∂%"))
    }
}
