import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// Concat's loops by block size: one or two elements per block (copied by
/// their own loops), longer blocks (a library copy), gradients overwritten
/// or added.
@Suite("Concat kernels")
struct ConcatKernelTests {
    @Test("values against a naive concat, gradients against finite differences",
          arguments: [[[6, 1], [6, 1]], [[5, 2], [5, 1], [5, 3]], [[3, 1, 4], [3, 2, 4]], [[1], [1]], [[4, 5], [4, 9]]]
            as [[Shape]])
    func blocks(shapes: [Shape]) throws {
        let axis = shapes[0].rank == 3 ? 1 : shapes[0].rank - 1
        var rng = Xoshiro256StarStar(seed: UInt64(shapes.count * 7 + shapes[0].count))
        let inputs = shapes.map { ($0, Fixtures.random($0.count, &rng)) }
        let values = try Fixtures.evaluate(inputs) { b, x in try b.concat(x, axis: axis) }
        // Naive: for every block before `axis`, each input's slab in turn.
        let outer = shapes[0].dimensions[..<axis].reduce(1, *)
        var expected: [Double] = []
        for o in 0..<outer {
            for (shape, data) in inputs {
                let slab = shape.count / outer
                expected += data[(o * slab)..<((o + 1) * slab)]
            }
        }
        #expect(values == expected)
        let mismatches = try checkGradients(shapes: shapes, seed: 80) { b, x in try b.concat(x, axis: axis) }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
    }

    @Test("an operand repeated in the list gets both gradients added")
    func repeatedOperand() throws {
        for shape in [[7, 1], [7, 2], [7, 5]] as [Shape] {
            let mismatches = try checkGradients(shapes: [shape, [7, 1]], seed: 81) { b, x in
                try b.concat([x[0], x[1], x[0]], axis: 1)
            }
            #expect(mismatches.isEmpty, "\(shape): \(mismatches.prefix(3))")
        }
    }
}
