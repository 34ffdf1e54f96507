import Foundation
import Testing
@testable import Gumbo
import GumboAVX2
import GumboAVX512
import GumboTestSupport

/// The matrix-product kernels of every instruction set this processor
/// runs, called directly: a process runs only one of them in its plans
/// (``InstructionSet``), so these tests are where the others are checked.
///
/// For `C = A B` and `∂B += Aᵀ G` each kernel sums every result from zero
/// in the naive loop's order, dense or sparse, so it must equal that loop
/// exactly in its own arithmetic: a multiply and an add per term (baseline)
/// or one fused multiply-add (AVX2, AVX-512). So must their `∂A = G Bᵀ` (the
/// forward tiles over a transposed copy of `B`); the baseline's sums in
/// partial sums, and must be within `2 γ_{n+2} Σ |g b|` of the naive sum
/// (`γ_k = k u / (1 − k u)`, `u = 2⁻⁵³`; Higham, *Accuracy and Stability of
/// Numerical Algorithms*, 2nd ed., §3.1), the bound of either sum doubled.
@Suite("Matrix-product kernels, baseline, AVX2 and AVX-512")
struct MatMulKernelTests {
    typealias Pointer = UnsafeMutablePointer<Double>

    /// Shapes that reach every tile and tail: rows past the 6-, 4- and
    /// 2-row tiles, columns past the 16-, 8- and 4-column loops, depths
    /// that do and do not divide by four; W5's two layer shapes.
    static let shapes: [(rows: Int, depth: Int, columns: Int)] = [
        (1, 1, 1), (3, 5, 7), (7, 9, 17), (13, 12, 8), (11, 7, 36), (9, 10, 45), (6, 4, 3), (100, 64, 128), (100, 128, 64),
    ]

    struct Operands {
        var a: [Double], b: [Double], g: [Double], shape: (rows: Int, depth: Int, columns: Int)
    }

    /// Random `A` (dense, or with only `nonzeros` entries left), `B` and `G`.
    static func operands(_ shape: (rows: Int, depth: Int, columns: Int), nonzeros: Int?,
                         _ rng: inout Xoshiro256StarStar) -> Operands {
        let (rows, depth, columns) = shape
        var a = Fixtures.random(rows * depth, &rng)
        if let nonzeros {
            var order = Array(0..<a.count)
            for k in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(k, Int(rng.next() % UInt64(k + 1))) }
            for k in order.dropFirst(nonzeros) { a[k] = 0 }
        }
        return Operands(a: a, b: Fixtures.random(depth * columns, &rng), g: Fixtures.random(rows * columns, &rng),
                        shape: shape)
    }

    /// Naive `C`, `∂A` (`start + G Bᵀ`) and `∂B` (`ones + Aᵀ G`), each
    /// product summed from zero in order then added, and the `Σ |g b|` of
    /// each `∂A` entry.
    static func reference(_ o: Operands, fused: Bool, gradientStart: Double? = nil)
        -> (c: [Double], ga: [Double], gb: [Double], magnitude: [Double]) {
        let (rows, depth, columns) = o.shape
        func add(_ total: Double, _ x: Double, _ y: Double) -> Double {
            fused ? total.addingProduct(x, y) : total + x * y
        }
        var c = [Double](repeating: 0, count: rows * columns), gb = [Double](repeating: 1, count: depth * columns)
        var ga = [Double](repeating: 0, count: rows * depth), magnitude = ga
        for r in 0..<rows {
            for j in 0..<columns {
                var total = 0.0
                for p in 0..<depth { total = add(total, o.a[r * depth + p], o.b[p * columns + j]) }
                c[r * columns + j] = total
            }
            for p in 0..<depth {
                var total = 0.0
                for j in 0..<columns {
                    total = add(total, o.g[r * columns + j], o.b[p * columns + j])
                    magnitude[r * depth + p] += abs(o.g[r * columns + j] * o.b[p * columns + j])
                }
                ga[r * depth + p] = gradientStart.map { $0 + total } ?? total
            }
        }
        for p in 0..<depth {
            for j in 0..<columns {
                var total = 0.0
                for r in 0..<rows { total = add(total, o.a[r * depth + p], o.g[r * columns + j]) }
                gb[p * columns + j] += total
            }
        }
        return (c, ga, gb, magnitude)
    }

    /// The three products by one instruction set's kernels, sparse where
    /// `A` has at most that set's capacity of nonzeros (as in a plan).
    /// `∂A` overwrites what is there, or with `gradientStart` is added to
    /// that many in each entry.
    static func run(_ o: Operands, _ instructions: InstructionSet, gradientStart: Double? = nil)
        -> (c: [Double], ga: [Double], gb: [Double]) {
        let (rows, depth, columns) = o.shape
        var a = o.a, b = o.b, g = o.g
        var c = [Double](repeating: .nan, count: rows * columns)
        var ga = [Double](repeating: gradientStart ?? .nan, count: rows * depth)
        var scratch = [Double](repeating: .nan, count: MatMulKernels.scratchCount(rows: rows, depth: depth, columns: columns))
        var gb = [Double](repeating: 1, count: depth * columns)
        var positions = [Int](repeating: 0, count: max(rows, depth) + 2 + rows * depth + NonzeroPositions.maskCount(rows: rows, depth: depth))
        let fused = instructions.hasAVX2
        let capacity = MatMulKernels.sparseCapacity(rows: rows, depth: depth, instructions: instructions)
        a.withUnsafeMutableBufferPointer { a in
            b.withUnsafeMutableBufferPointer { b in
                g.withUnsafeMutableBufferPointer { g in
                    c.withUnsafeMutableBufferPointer { c in
                        ga.withUnsafeMutableBufferPointer { ga in
                            gb.withUnsafeMutableBufferPointer { gb in
                                positions.withUnsafeMutableBufferPointer { positions in
                                  scratch.withUnsafeMutableBufferPointer { scratch in
                                    let (a, b, g, c, ga, gb, positions) = (a.baseAddress!, b.baseAddress!,
                                        g.baseAddress!, c.baseAddress!, ga.baseAddress!, gb.baseAddress!,
                                        positions.baseAddress!)
                                    let overwrite = gradientStart == nil
                                    if MatMulKernels.compress(a, rows: rows, depth: depth, capacity: capacity,
                                                              byColumns: false, into: positions) {
                                        MatMulKernels.multiplySparse(a, positions: positions, b, into: c, rows: rows,
                                                                     depth: depth, columns: columns, fused: fused,
                                                                     wide: instructions == .avx512,
                                                                     scratch: scratch.baseAddress!)
                                    } else if instructions == .avx512 {
                                        WideDoubleProducts.multiply(a, b, into: c, rows: rows, depth: depth,
                                                                    columns: columns)
                                    } else if fused {
                                        DoubleProducts.multiply(a, b, into: c, rows: rows, depth: depth, columns: columns)
                                    } else {
                                        MatMulKernels.multiply(a, b, into: c, rows: rows, depth: depth, columns: columns)
                                    }
                                    if fused {
                                        MatMulKernels.multiplyTransposedFused(
                                            g, b, into: ga, rows: rows, depth: columns, columns: depth,
                                            overwrite: overwrite, scratch: scratch.baseAddress!,
                                            wide: instructions == .avx512)
                                    } else {
                                        MatMulKernels.multiplyTransposed(g, b, into: ga, rows: rows, depth: columns,
                                                                         columns: depth, overwrite: overwrite)
                                    }
                                    if MatMulKernels.compress(a, rows: rows, depth: depth, capacity: capacity,
                                                              byColumns: true, into: positions) {
                                        MatMulKernels.accumulateTransposedProductSparse(
                                            a, positions: positions, g, into: gb, rows: rows, depth: depth,
                                            columns: columns, fused: fused, wide: instructions == .avx512,
                                            scratch: scratch.baseAddress!)
                                    } else if instructions == .avx512 {
                                        WideDoubleProducts.accumulateTransposedProduct(a, g, into: gb, rows: rows,
                                                                                       depth: depth, columns: columns)
                                    } else if fused {
                                        DoubleProducts.accumulateTransposedProduct(a, g, into: gb, rows: rows,
                                                                                   depth: depth, columns: columns)
                                    } else {
                                        MatMulKernels.accumulateTransposedProduct(a, g, into: gb, rows: rows,
                                                                                  depth: depth, columns: columns)
                                    }
                                  }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (c, ga, gb)
    }

    /// The instruction sets this processor can run.
    static var runnable: [InstructionSet] {
        [InstructionSet.baseline, .avx2, .avx512].filter { $0 <= InstructionSet.processorBest() }
    }

    static func expectMatches(_ o: Operands, _ instructions: InstructionSet, _ comment: String,
                              gradientStart: Double? = nil) {
        let result = run(o, instructions, gradientStart: gradientStart)
        let expected = reference(o, fused: instructions.hasAVX2, gradientStart: gradientStart)
        #expect(result.c == expected.c, "\(instructions) \(comment): C")
        #expect(result.gb == expected.gb, "\(instructions) \(comment): ∂B")
        if instructions.hasAVX2 {
            #expect(result.ga == expected.ga, "\(instructions) \(comment): ∂A")
            return
        }
        let n = o.shape.columns + 2
        let gamma = Double(n) * 0x1p-53 / (1 - Double(n) * 0x1p-53)
        let outside = result.ga.indices.filter {
            let start = abs(gradientStart ?? 0)
            return !(abs(result.ga[$0] - expected.ga[$0]) <= 2 * gamma * expected.magnitude[$0] + 0x1p-52 * start)
        }
        #expect(outside.isEmpty, "\(instructions) \(comment): ∂A off at \(outside.prefix(3))")
    }

    @Test("dense operands equal the naive loops in each kernel's arithmetic", arguments: runnable)
    func dense(_ instructions: InstructionSet) {
        var rng = Xoshiro256StarStar(seed: 11)
        for shape in Self.shapes {
            Self.expectMatches(Self.operands(shape, nonzeros: nil, &rng), instructions, "\(shape) dense")
        }
    }

    @Test("∂A added to the gradient already there (a shared gradient slot)", arguments: runnable)
    func accumulatedInputGradient(_ instructions: InstructionSet) {
        var rng = Xoshiro256StarStar(seed: 14)
        for shape in Self.shapes {
            Self.expectMatches(Self.operands(shape, nonzeros: nil, &rng), instructions, "\(shape) adding",
                               gradientStart: 0.75)
        }
    }

    @Test("sparse left operands at, below and above each kernel's capacity", arguments: runnable)
    func sparse(_ instructions: InstructionSet) {
        var rng = Xoshiro256StarStar(seed: 12)
        for shape in Self.shapes where shape.columns >= MatMulKernels.sparseMinimumColumns {
            let capacity = MatMulKernels.sparseCapacity(rows: shape.rows, depth: shape.depth, instructions: instructions)
            for nonzeros in [0, 1, capacity / 3, capacity, capacity + 1] {
                Self.expectMatches(Self.operands(shape, nonzeros: nonzeros, &rng), instructions,
                                   "\(shape) with \(nonzeros) nonzeros")
            }
        }
    }

    @Test("the AVX2 kernels differ from the baseline's only by rounding")
    func instructionSetsAgree() {
        guard InstructionSet.processorHasHaswellFeatures() else { return }
        var rng = Xoshiro256StarStar(seed: 13)
        let o = Self.operands((100, 64, 128), nonzeros: nil, &rng)
        let base = Self.run(o, .baseline), avx2 = Self.run(o, .avx2)
        #expect(isClose(base.c, avx2.c, relative: 1e-12, absolute: 1e-12))
        #expect(isClose(base.ga, avx2.ga, relative: 1e-12, absolute: 1e-12))
        #expect(isClose(base.gb, avx2.gb, relative: 1e-12, absolute: 1e-12))
        // A fused multiply-add rounds once: some results differ in the last bits.
        #expect(base.c != avx2.c)
    }

    @Test("the AVX-512 kernels give the AVX2 kernels' results bit for bit")
    func wideAgreesWithAVX2() {
        guard InstructionSet.processorHasSkylakeAVX512Features() else { return }
        var rng = Xoshiro256StarStar(seed: 15)
        for shape in [(100, 64, 128), (100, 128, 64), (13, 12, 8), (11, 7, 36)] {
            let o = Self.operands(shape, nonzeros: nil, &rng)
            let avx2 = Self.run(o, .avx2, gradientStart: 0.5), wide = Self.run(o, .avx512, gradientStart: 0.5)
            #expect(avx2.c == wide.c && avx2.ga == wide.ga && avx2.gb == wide.gb, "\(shape)")
        }
    }

    @Test("rounded Float copies, straight and transposed, equal Float(x) entry by entry, in both builds",
          arguments: [(1, 1), (3, 5), (4, 4), (7, 9), (13, 6), (100, 64), (64, 128)])
    func roundedCopies(_ shape: (Int, Int)) {
        let (rows, columns) = shape
        var rng = Xoshiro256StarStar(seed: 17)
        var source = Fixtures.random(rows * columns, &rng).map { $0 * 1e3 }
        let straight = source.map { Float($0).bitPattern }
        let transposed = (0..<(rows * columns)).map { k in Float(source[(k % rows) * columns + k / rows]).bitPattern }
        var copies: [(String, (Pointer, UnsafeMutableRawPointer) -> Void, [UInt32])] = [
            ("this process's copy", { FloatStorage($1.assumingMemoryBound(to: Double.self)).assign($0, count: rows * columns) }, straight),
            ("this process's transposed copy", {
                FloatStorage($1.assumingMemoryBound(to: Double.self)).assignTransposed($0, rows: rows, columns: columns)
            }, transposed),
        ]
        if InstructionSet.processorHasHaswellFeatures() {
            copies.append(("AVX2 copy", { SingleProducts.round($0, count: rows * columns, into: $1) }, straight))
            copies.append(("AVX2 transposed copy", {
                SingleProducts.roundTransposed($0, rows: rows, columns: columns, into: $1)
            }, transposed))
        }
        for (name, copy, expected) in copies {
            var target = [Double](repeating: .nan, count: (rows * columns + 1) / 2)
            source.withUnsafeMutableBufferPointer { s in
                target.withUnsafeMutableBytes { copy(s.baseAddress!, $0.baseAddress!) }
            }
            let bits = target.withUnsafeBytes { Array($0.bindMemory(to: UInt32.self).prefix(rows * columns)) }
            #expect(bits == expected, "\(name), \(rows) × \(columns)")
        }
    }
}
