import Foundation
import Testing
@testable import Gumbo
import GumboAVX2
import GumboAVX512

/// The buffer passes of `VectorKernels.swift` in every build: `Gumbo`'s
/// baseline copy, `GumboAVX2`'s (``VectorPasses``) and, for the unary
/// passes, `GumboAVX512`'s eight-lane one (``WideVectorPasses``), called
/// directly. None fuses an operation, so on a processor with AVX2 (AVX-512)
/// they must agree bit for bit, element for element, and stop at the same
/// group (the eight-lane build at the start of the group of eight that
/// holds it).
/// Each pass must also equal the checked ``VectorMath`` function (or the
/// scalar formula) on the groups it finishes, and the buffer functions that
/// dispatch to them must equal the checked function everywhere, edge
/// cases included.
@Suite("Vector kernels, baseline, AVX2 and AVX-512")
struct VectorKernelsTests {
    typealias Pointer = UnsafeMutablePointer<Double>
    typealias Pass = (UnsafePointer<Double>, Pointer, Int) -> Int

    /// 1003 values (not a multiple of four) uniform on `range`, with
    /// `edge` (if any) at element 501, in the group that starts at 500.
    static func values(_ range: ClosedRange<Double>, edge: Double?, seed: UInt64) -> [Double] {
        var rng = Xoshiro256StarStar(seed: seed)
        var x = (0..<1003).map { _ in range.lowerBound + (range.upperBound - range.lowerBound) * rng.nextOpenUniform() }
        if let edge { x[501] = edge }
        return x
    }

    /// Runs `pass` over `x` into a fresh buffer: (elements done, output).
    static func run(_ pass: Pass, _ x: [Double]) -> (Int, [Double]) {
        var y = [Double](repeating: .nan, count: x.count)
        let done = x.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { pass(x.baseAddress!, $0.baseAddress!, x.count) }
        }
        return (done, y)
    }

    static func bits(_ values: ArraySlice<Double>) -> [UInt64] { values.map(\.bitPattern) }

    static var avx2: Bool { InstructionSet.processorHasHaswellFeatures() }
    static var avx512: Bool { InstructionSet.processorHasSkylakeAVX512Features() }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let range: ClosedRange<Double>
        let edge: Double
        let baseline: @Sendable (UnsafePointer<Double>, Pointer, Int) -> Int
        let avx2: @Sendable (UnsafePointer<Double>, Pointer, Int) -> Int
        let avx512: @Sendable (UnsafePointer<Double>, Pointer, Int) -> Int
        /// The checked function on one group.
        let checked: @Sendable (SIMD4<Double>) -> SIMD4<Double>
        /// The dispatching buffer function.
        let buffer: @Sendable (UnsafePointer<Double>, Pointer, Int) -> Void
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "exp", range: -700...700, edge: -800,
             baseline: { VectorKernels.exp($0, $1, count: $2) }, avx2: { VectorPasses.exp($0, $1, count: $2) },
             avx512: { WideVectorPasses.exp($0, $1, count: $2) },
             checked: { VectorMath.exp($0) }, buffer: { VectorMath.exp($0, $1, count: $2) }),
        Case(name: "log", range: 1e-300...1e300, edge: 0,
             baseline: { VectorKernels.log($0, $1, count: $2) }, avx2: { VectorPasses.log($0, $1, count: $2) },
             avx512: { WideVectorPasses.log($0, $1, count: $2) },
             checked: { VectorMath.log($0) }, buffer: { VectorMath.log($0, $1, count: $2) }),
        Case(name: "−log", range: 1e-6...30, edge: -1,
             baseline: { VectorKernels.negativeLog($0, $1, count: $2) },
             avx2: { VectorPasses.negativeLog($0, $1, count: $2) },
             avx512: { WideVectorPasses.negativeLog($0, $1, count: $2) },
             checked: { -VectorMath.log($0) }, buffer: { VectorMath.negativeLog($0, $1, count: $2) }),
        Case(name: "logit", range: 0...1, edge: 1,
             baseline: { VectorKernels.logit($0, $1, count: $2) }, avx2: { VectorPasses.logit($0, $1, count: $2) },
             avx512: { WideVectorPasses.logit($0, $1, count: $2) },
             checked: { VectorMath.log($0 / (1 - $0)) }, buffer: { VectorMath.logit($0, $1, count: $2) }),
    ]

    @Test("The builds agree bit for bit and stop at the first group outside the range", arguments: cases)
    func buildsAgree(_ c: Case) {
        for edge in [nil, c.edge] {
            let x = Self.values(c.range, edge: edge, seed: 11)
            let (done, y) = Self.run(c.baseline, x)
            #expect(done == (edge == nil ? 1000 : 500), "\(c.name), edge \(String(describing: edge))")
            for j in stride(from: 0, to: done, by: 4) {
                let group = SIMD4(x[j], x[j + 1], x[j + 2], x[j + 3])
                let expected = c.checked(group)
                #expect(Self.bits(y[j..<j + 4]) == (0..<4).map { expected[$0].bitPattern }, "\(c.name) at \(j)")
            }
            guard Self.avx2 else { continue }
            let (doneAVX2, yAVX2) = Self.run(c.avx2, x)
            #expect(doneAVX2 == done)
            #expect(Self.bits(yAVX2[..<done]) == Self.bits(y[..<done]), "\(c.name)")
            guard Self.avx512 else { continue }
            let (doneWide, yWide) = Self.run(c.avx512, x)
            #expect(doneWide == done / 8 * 8)
            #expect(Self.bits(yWide[..<doneWide]) == Self.bits(y[..<doneWide]), "\(c.name), eight lanes")
        }
    }

    @Test("The buffer functions equal the checked function everywhere, edge lanes included", arguments: cases)
    func bufferFunctions(_ c: Case) {
        var x = Self.values(c.range, edge: c.edge, seed: 12)
        x[1001] = c.edge   // in the tail as well
        var y = [Double](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { c.buffer(x.baseAddress!, $0.baseAddress!, x.count) } }
        for j in stride(from: 0, to: x.count, by: 4) {
            let n = min(4, x.count - j)
            var group = SIMD4<Double>(repeating: 0)
            for lane in 0..<n { group[lane] = x[j + lane] }
            let expected = c.checked(group)
            for lane in 0..<n {
                #expect(y[j + lane].bitPattern == expected[lane].bitPattern || (y[j + lane].isNaN && expected[lane].isNaN),
                        "\(c.name) at \(j + lane): \(y[j + lane]) against \(expected[lane])")
            }
        }
    }

    @Test("Log-sigmoid pairs: both builds agree, and equal the one-group functions")
    func logSigmoidPairs() {
        for edge in [nil, 750.0] {
            let x = Self.values(-40...40, edge: edge, seed: 13)
            let n = x.count
            func run(_ pass: (UnsafePointer<Double>, Pointer, Int, Pointer, Pointer) -> Int) -> (Int, [Double], [Double]) {
                var y = [Double](repeating: .nan, count: 2 * n), saved = [Double](repeating: .nan, count: 2 * n)
                let done = x.withUnsafeBufferPointer { x in
                    y.withUnsafeMutableBufferPointer { y in
                        saved.withUnsafeMutableBufferPointer { s in
                            pass(x.baseAddress!, y.baseAddress!, n, s.baseAddress!, s.baseAddress! + n)
                        }
                    }
                }
                return (done, y, saved)
            }
            let (done, y, saved) = run { VectorKernels.logSigmoidPairs($0, $1, count: $2, positive: $3, negative: $4) }
            #expect(done == (edge == nil ? 1000 : 500))
            for j in stride(from: 0, to: done, by: 4) {
                let group = SIMD4(x[j], x[j + 1], x[j + 2], x[j + 3])
                let (minus, plus) = LogSigmoidPairKernels.logSigmoids(group)
                let (positive, negative) = LogSigmoidPairKernels.sigmoids(group)
                for lane in 0..<4 {
                    let k = j + lane
                    #expect(y[2 * k].bitPattern == minus[lane].bitPattern && y[2 * k + 1].bitPattern == plus[lane].bitPattern)
                    #expect(saved[k].bitPattern == positive[lane].bitPattern
                            && saved[n + k].bitPattern == negative[lane].bitPattern)
                }
            }
            guard Self.avx2 else { continue }
            let (doneAVX2, yAVX2, savedAVX2) = run {
                VectorPasses.logSigmoidPairs($0, $1, count: $2, positive: $3, negative: $4)
            }
            #expect(doneAVX2 == done)
            #expect(Self.bits(yAVX2[..<(2 * done)]) == Self.bits(y[..<(2 * done)]))
            #expect(Self.bits(savedAVX2[..<done]) == Self.bits(saved[..<done]))
            #expect(Self.bits(savedAVX2[n..<(n + done)]) == Self.bits(saved[n..<(n + done)]))
        }
    }

    @Test("Bernoulli log-likelihoods: both builds agree, and equal the pair's functions weighted",
          arguments: [false, true])
    func bernoulliLogLikelihoods(complement: Bool) {
        for edge in [nil, 750.0] {
            let x = Self.values(-40...40, edge: edge, seed: 15)
            let n = x.count
            var rng = Xoshiro256StarStar(seed: 16)
            let w = (0..<(2 * n)).map { _ in rng.nextOpenUniform() }
            func run(_ pass: (UnsafePointer<Double>, UnsafePointer<Double>, Pointer, Int, Pointer) -> Int)
                -> (Int, [Double], [Double]) {
                var y = [Double](repeating: .nan, count: n), slope = [Double](repeating: .nan, count: n)
                let done = x.withUnsafeBufferPointer { x in
                    w.withUnsafeBufferPointer { w in
                        y.withUnsafeMutableBufferPointer { y in
                            slope.withUnsafeMutableBufferPointer { s in
                                pass(x.baseAddress!, w.baseAddress!, y.baseAddress!, n, s.baseAddress!)
                            }
                        }
                    }
                }
                return (done, y, slope)
            }
            let (done, y, slope) = run {
                VectorKernels.bernoulliLogLikelihoods($0, $1, $2, count: $3, slope: $4, complement: complement)
            }
            // The weights of logit k: a row of two, or [1 − v, v] from one v.
            func weights(_ k: Int) -> (Double, Double) { complement ? (1 - w[k], w[k]) : (w[2 * k], w[2 * k + 1]) }
            #expect(done == (edge == nil ? 1000 : 500))
            for j in stride(from: 0, to: done, by: 4) {
                let group = SIMD4(x[j], x[j + 1], x[j + 2], x[j + 3])
                let (minus, plus) = LogSigmoidPairKernels.logSigmoids(group)
                let (positive, negative) = LogSigmoidPairKernels.sigmoids(group)
                for lane in 0..<4 {
                    let k = j + lane
                    let (w0, w1) = weights(k)
                    #expect(y[k].bitPattern == (w0 * minus[lane] + w1 * plus[lane]).bitPattern)
                    #expect(slope[k].bitPattern == (w1 * negative[lane] - w0 * positive[lane]).bitPattern)
                }
            }
            guard Self.avx2 else { continue }
            let (doneAVX2, yAVX2, slopeAVX2) = run {
                VectorPasses.bernoulliLogLikelihoods($0, $1, $2, count: $3, slope: $4, complement: complement)
            }
            #expect(doneAVX2 == done)
            #expect(Self.bits(yAVX2[..<done]) == Self.bits(y[..<done]))
            #expect(Self.bits(slopeAVX2[..<done]) == Self.bits(slope[..<done]))
        }
    }

    @Test("Adam: both builds equal the scalar update bit for bit")
    func adam() {
        let n = 1003
        var rng = Xoshiro256StarStar(seed: 14)
        func draw(_ scale: Double) -> [Double] { (0..<n).map { _ in scale * (2 * rng.nextOpenUniform() - 1) } }
        let parameters = draw(3), gradients = draw(10), m0 = draw(1), v0 = draw(1).map { $0 * $0 }
        let (scale, beta1, beta2, stepSize, inverseCorrection, epsilon) = (0.7, 0.9, 0.999, 0.01, 1.3, 1e-8)
        // The update of Kingma & Ba (2015), one element at a time.
        var expected = parameters, expectedM = m0, expectedV = v0
        for i in 0..<n {
            let g = gradients[i] * scale
            expectedM[i] = beta1 * m0[i] + (1 - beta1) * g
            expectedV[i] = beta2 * v0[i] + (1 - beta2) * g * g
            expected[i] -= stepSize * expectedM[i] / (expectedV[i].squareRoot() * inverseCorrection + epsilon)
        }
        typealias Update = (Pointer, UnsafePointer<Double>, Pointer, Pointer) -> Void
        func run(_ update: Update) -> ([Double], [Double], [Double]) {
            var p = parameters, m = m0, v = v0
            p.withUnsafeMutableBufferPointer { p in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        gradients.withUnsafeBufferPointer { update(p.baseAddress!, $0.baseAddress!, m.baseAddress!, v.baseAddress!) }
                    }
                }
            }
            return (p, m, v)
        }
        var updates: [Update] = [{
            VectorKernels.adam(parameters: $0, gradients: $1, m: $2, v: $3, count: n, scale: scale, beta1: beta1,
                               beta2: beta2, stepSize: stepSize, inverseCorrection: inverseCorrection, epsilon: epsilon)
        }]
        if Self.avx2 {
            updates.append {
                VectorPasses.adam(parameters: $0, gradients: $1, m: $2, v: $3, count: n, scale: scale, beta1: beta1,
                                  beta2: beta2, stepSize: stepSize, inverseCorrection: inverseCorrection, epsilon: epsilon)
            }
        }
        for update in updates {
            let (p, m, v) = run(update)
            #expect(Self.bits(p[...]) == Self.bits(expected[...]))
            #expect(Self.bits(m[...]) == Self.bits(expectedM[...]))
            #expect(Self.bits(v[...]) == Self.bits(expectedV[...]))
        }
    }
}
