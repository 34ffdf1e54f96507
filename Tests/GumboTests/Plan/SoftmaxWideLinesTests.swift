import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// The softmax family's wide path (`SoftmaxKernels.forwardWideLines`):
/// contiguous lines of `4m > 4` classes (W5's eight), with each line's
/// maximum and shift from vector loads; and its short path
/// (`forwardShortLines`, 2–4 classes). Each must give the blocked path's
/// results bit for bit, so the same lines laid out along a leading axis
/// (strided, which always takes the blocked path) are the reference, as
/// well as the formulas.
@Suite("Softmax wide lines")
struct SoftmaxWideLinesTests {
    /// `lines × classes` logits in `[−4, 4]`, with non-finite elements in a
    /// few lines spread over several blocks (64 lines of eight per block):
    /// a −∞ entry, a whole line of −∞, a NaN, and +∞.
    static func logits(lines: Int, classes: Int, seed: UInt64) -> [Double] {
        var rng = Xoshiro256StarStar(seed: seed)
        var x = Fixtures.random(lines * classes, &rng, low: -4, high: 4)
        x[3 * classes + 2] = -.infinity
        for j in 0..<classes { x[70 * classes + j] = -.infinity }
        x[100 * classes + 5] = .nan
        x[130 * classes] = .infinity
        return x
    }

    /// The same values as `classes × lines` (line `l` is column `l`).
    static func transposed(_ x: [Double], lines: Int, classes: Int) -> [Double] {
        (0..<classes).flatMap { j in (0..<lines).map { l in x[l * classes + j] } }
    }

    /// Bitwise equality, NaN equal to NaN.
    static func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    /// Also the short lines (2–4 classes, four lines to a vector, blocks of
    /// them through one `exp` call): 603 lines are several blocks and a
    /// tail of three, with non-finite elements inside blocks.
    @Test("softmax, logSoftmax and logSumExp over short and wide lines equal the blocked path bit for bit",
          arguments: [2, 3, 4, 8, 12])
    func sameAsBlocked(classes: Int) throws {
        let lines = 603
        let x = Self.logits(lines: lines, classes: classes, seed: 31)
        let xt = Self.transposed(x, lines: lines, classes: classes)
        let wide: Shape = [lines, classes], strided: Shape = [classes, lines]

        let softmax = try Fixtures.evaluate([(wide, x)]) { b, t in try b.softmax(t[0], axis: 1) }
        let softmaxT = try Fixtures.evaluate([(strided, xt)]) { b, t in try b.softmax(t[0], axis: 0) }
        #expect(Self.same(softmax, Self.transposed(softmaxT, lines: classes, classes: lines)))

        let logSoftmax = try Fixtures.evaluate([(wide, x)]) { b, t in try b.logSoftmax(t[0], axis: 1) }
        let logSoftmaxT = try Fixtures.evaluate([(strided, xt)]) { b, t in try b.logSoftmax(t[0], axis: 0) }
        #expect(Self.same(logSoftmax, Self.transposed(logSoftmaxT, lines: classes, classes: lines)))

        let lse = try Fixtures.evaluate([(wide, x)]) { b, t in try b.logSumExp(t[0], axis: 1) }
        let lseT = try Fixtures.evaluate([(strided, xt)]) { b, t in try b.logSumExp(t[0], axis: 0) }
        #expect(Self.same(lse, lseT))

        // A softmax of x / t reads t and scales as it loads (scaled softmax).
        let scaled = try Fixtures.evaluate([(wide, x), ([], [0.7])]) { b, t in try b.softmax(b.divide(t[0], t[1]), axis: 1) }
        let scaledT = try Fixtures.evaluate([(strided, xt), ([], [0.7])]) { b, t in
            try b.softmax(b.divide(t[0], t[1]), axis: 0)
        }
        #expect(Self.same(scaled, Self.transposed(scaledT, lines: classes, classes: lines)))
    }

    @Test("wide lines match the formulas; a line of −∞ has logSumExp −∞, one with +∞ has +∞, one with NaN NaN")
    func formulas() throws {
        let (lines, classes) = (150, 8)
        let x = Self.logits(lines: lines, classes: classes, seed: 32)
        let softmax = try Fixtures.evaluate([([lines, classes], x)]) { b, t in try b.softmax(t[0], axis: 1) }
        let lse = try Fixtures.evaluate([([lines, classes], x)]) { b, t in try b.logSumExp(t[0], axis: 1) }
        for l in 0..<lines {
            let line = Array(x[(l * classes)..<((l + 1) * classes)])
            let got = Array(softmax[(l * classes)..<((l + 1) * classes)])
            switch l {
            case 70:
                // 0/0: NaN weights, as PyTorch's softmax of a line of −∞.
                #expect(got.allSatisfy { $0.isNaN })
                #expect(lse[l] == -.infinity)
            case 100:
                #expect(lse[l].isNaN)
                #expect(got.allSatisfy { $0.isNaN })
            case 130:
                #expect(lse[l] == .infinity)
            default:
                let reference = StableMath.logSumExp(line)
                #expect(isClose([lse[l]], [reference], relative: 1e-14), "line \(l)")
                #expect(isClose(got, line.map { Foundation.exp($0 - reference) }, relative: 1e-13, absolute: 1e-300),
                        "line \(l)")
            }
        }
    }

    @Test("softmax and logSoftmax gradients over lines of eight match finite differences")
    func gradients() throws {
        for useLog in [false, true] {
            let mismatches = try checkGradients(shapes: [[9, 8]], seed: 33, sample: { 2 * $0.nextStandardNormal() }) { b, x in
                let y = useLog ? try b.logSoftmax(x[0], axis: 1) : try b.softmax(x[0], axis: 1)
                // Weights so that the sum of the softmax is not constant.
                return try b.multiply(y, b.constant((0..<72).map { Double($0 % 7) - 3 }, shape: [9, 8]))
            }
            #expect(mismatches.isEmpty, "\(useLog ? "logSoftmax" : "softmax"): \(mismatches)")
        }
    }

    /// The gradient of `Σ c ⊙ f(x)` with respect to `x` (lines along
    /// `axis`), for `f` a scaled softmax, a logSoftmax, or both (a
    /// logSoftmax and a softmax of the same `x` share one backward pass).
    static func gradient(_ x: [Double], _ c: [Double], shape: Shape, axis: Int, kind: Int) throws -> [Double] {
        var builder = GraphBuilder()
        let input = try builder.parameter("x", shape: shape)
        let weights = try builder.constant(c, shape: shape)
        let softmax = try builder.softmax(builder.divide(input, builder.constant([0.7], shape: [])), axis: axis)
        let logSoftmax = try builder.logSoftmax(input, axis: axis)
        let loss = switch kind {
        case 0: try builder.sum(builder.multiply(softmax, weights))
        case 1: try builder.sum(builder.multiply(logSoftmax, weights))
        default: try builder.add(builder.sum(builder.multiply(logSoftmax, weights)),
                                 builder.sum(builder.multiply(builder.softmax(input, axis: axis), weights)))
        }
        let plan = try Plan(graph: builder.build(), outputs: [loss], gradients: [input])
        try plan.setValues(x, of: input)
        plan.forward()
        plan.backward()
        return try plan.gradient(of: input)
    }

    @Test("softmax and logSoftmax gradients over contiguous lines equal the strided path bit for bit",
          arguments: [5, 8, 12])
    func backwardSameAsStrided(classes: Int) throws {
        let lines = 37
        var rng = Xoshiro256StarStar(seed: 35)
        let x = Fixtures.random(lines * classes, &rng, low: -4, high: 4)
        let c = Fixtures.random(lines * classes, &rng, low: -3, high: 3)
        let (xt, ct) = (Self.transposed(x, lines: lines, classes: classes), Self.transposed(c, lines: lines, classes: classes))
        for kind in 0..<3 {
            let wide = try Self.gradient(x, c, shape: [lines, classes], axis: 1, kind: kind)
            let strided = try Self.gradient(xt, ct, shape: [classes, lines], axis: 0, kind: kind)
            #expect(Self.same(wide, Self.transposed(strided, lines: classes, classes: lines)), "kind \(kind)")
            #expect(wide.contains { $0 != 0 })
        }
    }
}
