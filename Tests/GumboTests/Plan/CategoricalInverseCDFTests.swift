import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// `categoricalInverseCDF(probabilities:uniform:)`: the hard Categorical
/// sample by inversion that REINFORCE, evaluation and local expectation draw.
@Suite("Categorical inverse-CDF sampler")
struct CategoricalInverseCDFTests {
    /// The sampler's rows for probabilities `q` (shape `rows + [K]`) and one
    /// uniform per row.
    static func sample(_ q: [Double], classes: Int, uniforms: [Double]) throws -> [[Double]] {
        let rows = uniforms.count
        let y = try Fixtures.evaluate([([rows, classes], q), ([rows], uniforms)]) { b, t in
            try b.categoricalInverseCDF(probabilities: t[0], uniform: t[1])
        }
        return (0..<rows).map { Array(y[($0 * classes)..<(($0 + 1) * classes)]) }
    }

    static func oneHot(_ k: Int, _ classes: Int) -> [Double] {
        (0..<classes).map { $0 == k ? 1 : 0 }
    }

    @Test("picks the first class whose cumulative probability exceeds u")
    func values() throws {
        let q = [0.2, 0.5, 0.3]
        // Cumulative sums 0.2, 0.7, 1.0; u equal to a sum goes to the next class.
        let uniforms = [1e-12, 0.1999, 0.2, 0.5, 0.6999, 0.7, 0.95, 1 - 1e-12]
        let expected = [0, 0, 1, 1, 1, 2, 2, 2]
        let rows = try Self.sample(Array(repeating: q, count: uniforms.count).flatMap { $0 }, classes: 3, uniforms: uniforms)
        #expect(rows == expected.map { Self.oneHot($0, 3) })
    }

    @Test("never picks a class of probability 0, even when the row sums short of 1")
    func zeroProbabilityClasses() throws {
        let cases: [[Double]] = [
            [0, 0.5, 0, 0.5, 0],
            [0, 0, 1, 0, 0],
            [0.3, 0.3 - 1e-9, 0, 0],      // sums to 0.6: u beyond it takes class 1
            [1 - 1e-15, 0],              // rounding short of 1
            [0.4, -0.1, 0.6],            // a negative entry counts as 0
        ]
        let uniforms = (0...200).map { Double($0) / 200 }.map { min(max($0, 1e-300), 1 - 1e-16) }
        for q in cases {
            let rows = try Self.sample(Array(repeating: q, count: uniforms.count).flatMap { $0 }, classes: q.count, uniforms: uniforms)
            for (row, u) in zip(rows, uniforms) {
                #expect(row.reduce(0, +) == 1 && row.allSatisfy { $0 == 0 || $0 == 1 }, "q \(q), u \(u): \(row)")
                let k = row.firstIndex(of: 1) ?? -1
                #expect(k >= 0 && q[k] > 0, "q \(q), u \(u) picked class \(k)")
            }
        }
        // Beyond the total, the last positive class.
        #expect(try Self.sample([0.3, 0.3 - 1e-9, 0, 0], classes: 4, uniforms: [0.9]) == [Self.oneHot(1, 4)])
    }

    @Test("a row with a NaN, no positive entry, or a NaN uniform is a row of NaN; other rows are unaffected")
    func invalidRows() throws {
        let q: [Double] = [0.5, .nan, 0.5, 0, 0, 0, 0.25, 0.75, 0, 0.5, 0.5, 0]
        let rows = try Self.sample(q, classes: 3, uniforms: [0.3, 0.3, 0.3, .nan])
        #expect(rows[0].allSatisfy { $0.isNaN })
        #expect(rows[1].allSatisfy { $0.isNaN })
        #expect(rows[2] == [0, 1, 0])
        #expect(rows[3].allSatisfy { $0.isNaN })
    }

    @Test("rows of probabilities broadcast against the uniforms")
    func broadcasting() throws {
        // One row of probabilities for four uniforms.
        let shared = try Fixtures.evaluate([([3], [0.2, 0.5, 0.3]), ([4], [0.1, 0.3, 0.8, 0.69])]) { b, t in
            try b.categoricalInverseCDF(probabilities: t[0], uniform: t[1])
        }
        #expect(shared == [0, 1, 2, 1].flatMap { Self.oneHot($0, 3) })
        // Probabilities [2, 1, 2] (per outer row) against uniforms [1, 3]: result [2, 3, 2].
        let q = [0.9, 0.1, 0.1, 0.9]
        let u = [0.05, 0.5, 0.95]
        let y = try Fixtures.evaluate([([2, 1, 2], q), ([1, 3], u)]) { b, t in
            try b.categoricalInverseCDF(probabilities: t[0], uniform: t[1])
        }
        #expect(y == [0, 0, 1, 0, 1, 1].flatMap { Self.oneHot($0, 2) })
    }

    @Test("class frequencies match q (chi-square at 1e-4, fixed seed)", arguments: [2, 3, 5])
    func frequencies(classes: Int) throws {
        var rng = Xoshiro256StarStar(seed: 40 + UInt64(classes))
        // Rows: a random softmax, and one with zero-probability classes.
        let logits = (0..<classes).map { _ in rng.nextStandardNormal() }
        let total = logits.map { exp($0) }.reduce(0, +)
        let withZeros = (0..<classes).map { k in k % 2 == 1 ? 0 : Double(k + 1) }
        let zerosTotal = withZeros.reduce(0, +)
        let table = [logits.map { exp($0) / total }, withZeros.map { $0 / zerosTotal }]
        let draws = 20_000
        for q in table {
            var builder = GraphBuilder()
            let probabilities = try builder.input("q", shape: [classes])
            let uniform = try builder.input("u", shape: [draws])
            let sample = try builder.categoricalInverseCDF(probabilities: probabilities, uniform: uniform)
            let plan = try Plan(graph: builder.build(), outputs: [sample])
            try plan.setValues(q, of: probabilities)
            try plan.setValues((0..<draws).map { _ in rng.nextOpenUniform() }, of: uniform)
            plan.forward()
            let y = try plan.values(of: sample)
            var counts = [Int](repeating: 0, count: classes)
            for row in 0..<draws {
                let hot = (0..<classes).filter { y[row * classes + $0] == 1 }
                #expect(hot.count == 1 && y[(row * classes)..<((row + 1) * classes)].reduce(0, +) == 1)
                counts[hot[0]] += 1
            }
            for k in 0..<classes where q[k] == 0 { #expect(counts[k] == 0, "class \(k) of q \(q)") }
            let positive = q.filter { $0 > 0 }.count
            guard positive > 1 else {
                #expect(counts.max() == draws, "q \(q): counts \(counts)")
                continue
            }
            let statistic = StatisticalTests.chiSquare(observed: counts, expected: q)
            #expect(statistic < StatisticalTests.chiSquareCritical(degreesOfFreedom: positive - 1),
                    "K = \(classes), q \(q): counts \(counts), χ² = \(statistic)")
        }
    }

    @Test("no gradient flows through the sample and no backward instruction runs for it")
    func notDifferentiable() throws {
        var b = GraphBuilder()
        let logits = try b.parameter("logits", shape: [4, 3])
        let uniform = try b.input("u", shape: [4])
        let hard = try b.categoricalInverseCDF(probabilities: b.softmax(logits, axis: -1), uniform: uniform)
        let loss = try b.sum(b.multiply(hard, b.constant([1, 2, 3], shape: [3])))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [logits])
        try plan.setValues((0..<12).map { Double($0) / 7 }, of: logits)
        try plan.setValues([0.1, 0.4, 0.6, 0.9], of: uniform)
        plan.forward()
        plan.backward()
        #expect(try plan.gradient(of: logits) == Array(repeating: 0, count: 12))
        #expect(plan.backwardInstructionCount == 0)
    }

    @Test("shape and type errors name the operation and the shapes")
    func errors() throws {
        var b = GraphBuilder()
        let scalar = try b.input("s", shape: [])
        let q = try b.input("q", shape: [4, 3])
        let u = try b.input("u", shape: [4])
        let wrong = try b.input("w", shape: [5])
        let index = try b.indexConstant([0, 1, 2, 0], shape: [4])
        #expect(throws: GraphError.self) { try b.categoricalInverseCDF(probabilities: scalar, uniform: u) }
        #expect(throws: GraphError.self) { try b.categoricalInverseCDF(probabilities: q, uniform: index) }
        do {
            _ = try b.categoricalInverseCDF(probabilities: q, uniform: wrong)
            Issue.record("mismatched rows were accepted")
        } catch let error as GraphError {
            let text = "\(error)"
            #expect(text.contains("categoricalInverseCDF") && text.contains("[4, 3]") && text.contains("[5]"), "\(text)")
        }
        #expect(try b.categoricalInverseCDF(probabilities: q, uniform: u).shape == [4, 3])
    }
}
