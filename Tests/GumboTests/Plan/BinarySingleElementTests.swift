import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// The binary kernels' one-element path: the same values and gradients as
/// the general loop gives each element of a longer result (bit for bit but
/// for the sign of a zero gradient: a one-element operand has stride 0,
/// whose general loop stores `0 + g · ∂`).
@Suite("Binary kernels on one element")
struct BinarySingleElementTests {
    static func run(_ op: BinaryOperator, _ a: [Double], _ b: [Double], shape: Shape)
        throws -> (value: [Double], da: [Double], db: [Double]) {
        var builder = GraphBuilder()
        let x = try builder.parameter("a", shape: shape)
        let y = try builder.parameter("b", shape: shape)
        let weight = try builder.constant([Double](repeating: -1.5, count: shape.count), shape: shape)
        let result = try builder.binary(op, x, y)
        let loss = try builder.sum(builder.multiply(result, weight))
        let plan = try Plan(graph: builder.build(), outputs: [loss, result], gradients: [x, y])
        try plan.setValues(a, of: x)
        try plan.setValues(b, of: y)
        plan.forward()
        plan.backward()
        return (try plan.values(of: result), try plan.gradient(of: x), try plan.gradient(of: y))
    }

    /// Equal, or both NaN (`∂(a/b)/∂b` at `a = b = 0`).
    static func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }

    @Test("each operator, one element against two", arguments: [
        BinaryOperator.add, .subtract, .multiply, .divide, .maximum, .minimum,
    ])
    func matchesGeneralLoop(op: BinaryOperator) throws {
        for (a, b) in [(0.75, -2.5), (-0.0, 0.0), (3.0, 3.0), (1e-300, 7.0)] {
            let single = try Self.run(op, [a], [b], shape: [1])
            let pair = try Self.run(op, [a, a], [b, b], shape: [2])
            #expect(single.value[0].bitPattern == pair.value[0].bitPattern, "\(op) \(a) \(b)")
            #expect(Self.same(single.da[0], pair.da[0]), "\(op) \(a) \(b)")
            #expect(Self.same(single.db[0], pair.db[0]), "\(op) \(a) \(b)")
        }
    }
}
