import Foundation
import Testing
@testable import Gumbo
import GumboTestSupport

/// The enumerated expectation's wide rows (`K` a multiple of eight) in
/// `GumboAVX512`'s `WideExpectationRows` against the baseline loops of
/// `EnumeratedExpectationKernels.wideRows` and `wideGradients`: the same
/// weights, sums and gradients bit for bit, and the same row where a
/// non-finite logit or term stops the path. Runs where the processor has
/// AVX-512 (elsewhere the two calls are the same loops).
@Suite("Enumerated expectation, wide rows in 512-bit registers")
struct EnumeratedExpectationWideRowsTests {
    static var runs: Bool { InstructionSet.current == .avx512 }

    /// Bitwise equality, NaN equal to NaN.
    static func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    struct Rows {
        var x: [Double], t: [Double], b: [Double]?
        var rows: Int, classes: Int
    }

    /// Random rows with ties, zeros of both signs, a class of probability
    /// zero (a logit far below the others), and optionally a `+∞` term at
    /// `stopAt` (stops the forward path there) or a NaN logit.
    static func rows(_ rows: Int, classes k: Int, seed: UInt64, classTerms: Bool, stopAt: Int? = nil,
                     nanAt: Int? = nil) -> Rows {
        var rng = Xoshiro256StarStar(seed: seed)
        var x = Fixtures.random(rows * k, &rng, low: -6, high: 6)
        var t = Fixtures.random(rows * k, &rng, low: -3, high: 3)
        x[1] = x[0]                            // a tie for the maximum
        x[k] = 0; x[k + 1] = -0.0              // zeros of both signs
        x[2 * k + 3] = -800                    // q = 0 in that class
        t[2 * k + 3] = -.infinity              // and a term it must leave out
        if let stopAt { t[stopAt * k + 1] = .infinity }
        if let nanAt { x[nanAt * k + 2] = .nan }
        let b = classTerms ? Fixtures.random(k, &rng, low: -2, high: 0) : nil
        return Rows(x: x, t: t, b: b, rows: rows, classes: k)
    }

    /// `wideRows` with or without the 512-bit registers: its sums, and `q`.
    static func forward(_ r: Rows, wideRegisters: Bool)
        -> (sums: EnumeratedExpectationKernels.WideSums, q: [Double]) {
        var x = r.x, t = r.t, b = r.b ?? [], q = [Double](repeating: .nan, count: r.x.count)
        var scratch = [Double](repeating: .nan, count: EnumeratedExpectationKernels.scratchCount(classes: r.classes))
        let sums = x.withUnsafeMutableBufferPointer { x in
            t.withUnsafeMutableBufferPointer { t in
                b.withUnsafeMutableBufferPointer { b in
                    q.withUnsafeMutableBufferPointer { q in
                        scratch.withUnsafeMutableBufferPointer { scratch in
                            EnumeratedExpectationKernels.wideRows(
                                x.baseAddress!, q.baseAddress!, t.baseAddress!, r.b == nil ? nil : b.baseAddress!,
                                rows: r.rows, classes: r.classes, scratch: scratch.baseAddress!,
                                wideRegisters: wideRegisters)
                        }
                    }
                }
            }
        }
        return (sums, q)
    }

    /// `wideGradients` over `q` from the baseline forward pass.
    static func gradients(_ r: Rows, q: [Double], accumulate: Bool, wideRegisters: Bool) -> [Double] {
        var x = r.x, t = r.t, b = r.b ?? [], q = q
        var gx = [Double](repeating: accumulate ? 0.375 : .nan, count: r.x.count)
        x.withUnsafeMutableBufferPointer { x in
            t.withUnsafeMutableBufferPointer { t in
                b.withUnsafeMutableBufferPointer { b in
                    q.withUnsafeMutableBufferPointer { q in
                        gx.withUnsafeMutableBufferPointer { gx in
                            let args = (x.baseAddress!, q.baseAddress!, t.baseAddress!,
                                        r.b == nil ? nil : b.baseAddress!, gx.baseAddress!)
                            if accumulate {
                                EnumeratedExpectationKernels.wideGradients(
                                    Accumulate.self, -1.25, args.0, args.1, args.2, args.3, args.4, rows: r.rows,
                                    classes: r.classes, weight: 0.7, wideRegisters: wideRegisters)
                            } else {
                                EnumeratedExpectationKernels.wideGradients(
                                    Overwrite.self, -1.25, args.0, args.1, args.2, args.3, args.4, rows: r.rows,
                                    classes: r.classes, weight: 0.7, wideRegisters: wideRegisters)
                            }
                        }
                    }
                }
            }
        }
        return gx
    }

    static func expectSame(_ r: Rows, _ comment: String) {
        let base = forward(r, wideRegisters: false), wide = forward(r, wideRegisters: true)
        #expect(wide.sums.rows == base.sums.rows, "\(comment): rows done")
        #expect(same([wide.sums.shifted, wide.sums.logSums, wide.sums.expected, wide.sums.classExpected],
                     [base.sums.shifted, base.sums.logSums, base.sums.expected, base.sums.classExpected]),
                "\(comment): sums \(wide.sums) against \(base.sums)")
        let done = base.sums.rows * r.classes
        #expect(same(Array(wide.q[..<done]), Array(base.q[..<done])), "\(comment): q")
        // The gradient pass reads the q of every row (finite rows only).
        let q = base.q.indices.map { $0 < done ? base.q[$0] : 1 / Double(r.classes) }
        for accumulate in [false, true] {
            #expect(same(gradients(r, q: q, accumulate: accumulate, wideRegisters: true),
                         gradients(r, q: q, accumulate: accumulate, wideRegisters: false)),
                    "\(comment): gradients, accumulate \(accumulate)")
        }
    }

    @Test("eight and sixteen classes, several chunks, with and without class terms",
          .enabled(if: runs))
    func sameBits() {
        for (k, rows) in [(8, 100), (8, 800), (16, 37)] {
            for classTerms in [false, true] {
                Self.expectSame(Self.rows(rows, classes: k, seed: UInt64(k * rows), classTerms: classTerms),
                                "K = \(k), \(rows) rows, class terms \(classTerms)")
            }
        }
    }

    @Test("a +∞ term or a NaN logit stops both at the same row", .enabled(if: runs))
    func stops() {
        Self.expectSame(Self.rows(100, classes: 8, seed: 9, classTerms: true, stopAt: 45), "+∞ term in row 45")
        Self.expectSame(Self.rows(100, classes: 8, seed: 10, classTerms: false, nanAt: 70), "NaN logit in row 70")
        Self.expectSame(Self.rows(40, classes: 16, seed: 11, classTerms: true, stopAt: 0), "+∞ term in row 0")
    }
}
