import Foundation
import Testing
@testable import Gumbo
import GumboAVX2
import GumboTestSupport

/// `RowProducts.swift` in both builds: `Gumbo`'s baseline copy and
/// `GumboAVX2`'s (``TableProducts``), called directly. Neither fuses an
/// operation, so on a processor with AVX2 they must agree bit for bit; and
/// each must equal the naive sums to rounding.
@Suite("Table products, baseline and AVX2")
struct RowProductsTests {
    static func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    /// Rows of a table against a vector (`dotRows`) and the transposed
    /// product (`accumulateRows`, stored and added), at sizes with tails in
    /// every loop and more than one block of rows.
    @Test("dotRows and accumulateRows agree bit for bit across builds, and with naive sums",
          arguments: [(200, 50), (45, 23), (300, 70), (7, 9), (1000, 17), (3, 33)] as [(Int, Int)])
    func acrossBuilds(rows: Int, columns: Int) {
        var rng = Xoshiro256StarStar(seed: UInt64(rows * 131 + columns))
        let table = (0..<rows * columns).map { _ in rng.nextStandardNormal() }
        let vector = (0..<columns).map { _ in rng.nextStandardNormal() }
        let g = (0..<rows).map { _ in rng.nextStandardNormal() }
        let earlier = (0..<columns).map { _ in rng.nextStandardNormal() }
        typealias Pointer = UnsafeMutablePointer<Double>
        func run(_ avx2: Bool) -> (y: [Double], stored: [Double], added: [Double]) {
            var (t, v, gs) = (table, vector, g)
            var y = [Double](repeating: .nan, count: rows)
            var stored = [Double](repeating: .nan, count: columns), added = earlier
            t.withUnsafeMutableBufferPointer { t in
                v.withUnsafeMutableBufferPointer { v in
                    gs.withUnsafeMutableBufferPointer { gs in
                        let (tp, vp, gp) = (t.baseAddress!, v.baseAddress!, gs.baseAddress!)
                        y.withUnsafeMutableBufferPointer { y in
                            if avx2 {
                                TableProducts.dotRows(tp, rowStep: columns, vp, count: columns, into: y.baseAddress!, rows: rows)
                            } else {
                                RowProducts.dotRows(tp, rowStep: columns, vp, count: columns, into: y.baseAddress!, rows: rows)
                            }
                        }
                        for overwrite in [true, false] {
                            let body: (Pointer) -> Void = { own in
                                if avx2 {
                                    TableProducts.accumulateRows(tp, rowStep: columns, gp, rows: rows, count: columns,
                                                                 into: own, overwrite: overwrite)
                                } else {
                                    RowProducts.accumulateRows(tp, rowStep: columns, gp, rows: rows, count: columns,
                                                               into: own, overwrite: overwrite)
                                }
                            }
                            if overwrite {
                                stored.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
                            } else {
                                added.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
                            }
                        }
                    }
                }
            }
            return (y, stored, added)
        }
        let baseline = run(false)
        var naiveY = [Double](repeating: 0, count: rows), naiveT = [Double](repeating: 0, count: columns)
        for j in 0..<rows {
            for c in 0..<columns {
                naiveY[j] += table[j * columns + c] * vector[c]
                naiveT[c] += g[j] * table[j * columns + c]
            }
        }
        #expect(isClose(baseline.y, naiveY, relative: 1e-12, absolute: 1e-12))
        #expect(isClose(baseline.stored, naiveT, relative: 1e-12, absolute: 1e-12))
        #expect(isClose(baseline.added, zip(earlier, naiveT).map { $0 + $1 }, relative: 1e-12, absolute: 1e-12))
        guard InstructionSet.processorHasHaswellFeatures() else { return }
        let wide = run(true)
        #expect(Self.same(wide.y, baseline.y))
        #expect(Self.same(wide.stored, baseline.stored))
        #expect(Self.same(wide.added, baseline.added))
    }
}
