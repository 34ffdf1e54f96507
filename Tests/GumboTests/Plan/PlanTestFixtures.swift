import Foundation
import Gumbo
import GumboTestSupport

/// Small helpers for plan tests: evaluate a graph on given inputs, and
/// naive reference computations (index arithmetic, no broadcasting tricks).
enum Fixtures {
    /// Builds inputs of the given shapes and values, applies `body`, runs a
    /// forward pass, and returns the output's values.
    static func evaluate(
        _ inputs: [(Shape, [Double])], _ body: (inout GraphBuilder, [Tensor]) throws -> Tensor
    ) throws -> [Double] {
        var builder = GraphBuilder()
        var tensors: [Tensor] = []
        for (k, input) in inputs.enumerated() {
            tensors.append(try builder.input("x\(k)", shape: input.0))
        }
        let output = try body(&builder, tensors)
        let plan = try Plan(graph: builder.build(), outputs: [output])
        for (tensor, input) in zip(tensors, inputs) { try plan.setValues(input.1, of: tensor) }
        plan.forward()
        return try plan.values(of: output)
    }

    static func random(_ count: Int, _ rng: inout Xoshiro256StarStar, low: Double = -2, high: Double = 2) -> [Double] {
        (0..<count).map { _ in low + (high - low) * rng.nextOpenUniform() }
    }

    /// Row-major multi-index of `flat` in `shape`.
    static func multiIndex(_ flat: Int, _ shape: Shape) -> [Int] {
        var index = [Int](repeating: 0, count: shape.rank)
        var rest = flat
        for axis in (0..<shape.rank).reversed() {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }

    static func flatIndex(_ index: [Int], _ shape: Shape) -> Int {
        var flat = 0
        for axis in 0..<shape.rank { flat = flat * shape[axis] + index[axis] }
        return flat
    }

    /// The element of an operand of shape `shape` that output position
    /// `index` (in a broadcast shape of higher or equal rank) reads.
    static func broadcastSource(_ index: [Int], _ shape: Shape) -> Int {
        let offset = index.count - shape.rank
        let own = (0..<shape.rank).map { shape[$0] == 1 ? 0 : index[$0 + offset] }
        return flatIndex(own, shape)
    }

    /// Naive broadcasting of `f` over two operands.
    static func broadcast(
        _ a: (Shape, [Double]), _ b: (Shape, [Double]), _ f: (Double, Double) -> Double
    ) -> [Double] {
        let shape = Shape.broadcast(a.0, b.0)!
        return (0..<shape.count).map { flat in
            let index = multiIndex(flat, shape)
            return f(a.1[broadcastSource(index, a.0)], b.1[broadcastSource(index, b.0)])
        }
    }

    /// The lines of `values` along `axis`: for every position of the other
    /// axes (row-major), the elements along `axis`.
    static func lines(_ values: [Double], _ shape: Shape, axis: Int) -> [[Double]] {
        let reduced = shape.removing(axis: axis)
        return (0..<reduced.count).map { flat in
            var index = multiIndex(flat, reduced)
            index.insert(0, at: axis)
            return (0..<shape[axis]).map { j in
                index[axis] = j
                return values[flatIndex(index, shape)]
            }
        }
    }

    /// Inverse of ``lines(_:_:axis:)`` for per-line results of full length.
    static func unlines(_ lines: [[Double]], _ shape: Shape, axis: Int) -> [Double] {
        var values = [Double](repeating: 0, count: shape.count)
        let reduced = shape.removing(axis: axis)
        for (flat, line) in lines.enumerated() {
            var index = multiIndex(flat, reduced)
            index.insert(0, at: axis)
            for (j, v) in line.enumerated() {
                index[axis] = j
                values[flatIndex(index, shape)] = v
            }
        }
        return values
    }
}
