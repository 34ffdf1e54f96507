import Foundation
import Testing
import Gumbo

/// The vector kernels against Foundation (glibc's libm) and the scalar
/// ``StableMath``, in ulps, over random arguments across each function's
/// range and the edge cases: ±0, ±∞, NaN, subnormals, the largest and
/// smallest doubles, and the borders of each fast path. `gumbo-bench math`
/// runs the same measurement over 10⁷ arguments per function in a release
/// build; these tests use fewer, as a debug build is slow.
@Suite("Vector math")
struct VectorMathTests {
    typealias Vector = VectorMath.Vector

    /// The largest ulp distance between `vector` and `scalar` over `arguments`,
    /// evaluated four at a time, with a tail that exercises the padded path.
    static func worstUlps(_ arguments: [Double], _ vector: (UnsafePointer<Double>, UnsafeMutablePointer<Double>, Int) -> Void,
                          _ scalar: (Double) -> Double) -> (ulps: Double, at: Double) {
        var results = [Double](repeating: 0, count: arguments.count)
        arguments.withUnsafeBufferPointer { x in
            results.withUnsafeMutableBufferPointer { y in vector(x.baseAddress!, y.baseAddress!, x.count) }
        }
        var worst = (ulps: 0.0, at: 0.0)
        for (x, y) in zip(arguments, results) {
            let distance = VectorMath.ulps(y, scalar(x))
            if distance > worst.ulps { worst = (distance, x) }
        }
        return worst
    }

    static let edges: [Double] = [
        0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
        .leastNormalMagnitude, .leastNormalMagnitude / 3, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
        1, -1, 0.5, 2, 1e-300, -1e-300, 1e-20, -1e-20, 1e300, -1e300,
        -708, -708.0000001, 709, 709.0000001, 709.78, 709.79, -745.1, -745.2, -800, 800,
        1.4142135623730951, 1.4142135623730950, 0.7071067811865476, 1 + 0x1p-52, 1 - 0x1p-53,
        -0.5, -0.4999999999999999, 0x1p-53, -0x1p-54, 1e299, 1e301,
    ]

    /// `count` uniform draws on `range`, from a fixed seed, then the edges.
    static func arguments(_ ranges: [ClosedRange<Double>], count: Int, seed: UInt64) -> [Double] {
        var rng = Xoshiro256StarStar(seed: seed)
        var xs: [Double] = []
        for range in ranges {
            for _ in 0..<count { xs.append(range.lowerBound + (range.upperBound - range.lowerBound) * rng.nextOpenUniform()) }
        }
        return xs + edges + [3.5, -2.25, 0.1]   // a tail of 3 after a multiple of 4 or not
    }

    /// Arguments spread over the exponent range: `±2^e · m`.
    static func logarithmicArguments(count: Int, seed: UInt64, exponents: ClosedRange<Double>) -> [Double] {
        var rng = Xoshiro256StarStar(seed: seed)
        return (0..<count).map { _ in Foundation.exp2(exponents.lowerBound + (exponents.upperBound - exponents.lowerBound) * rng.nextOpenUniform()) }
    }

    @Test("squareRoot is bit for bit Double.squareRoot, NaN for negative lanes")
    func squareRoot() {
        var xs = Self.logarithmicArguments(count: 4000, seed: 7, exponents: -1070...1020)
        xs += Self.edges.filter { $0 >= 0 || $0.isNaN } + [0.25, 2, Double.leastNormalMagnitude / 8]
        while xs.count % 4 != 0 { xs.append(3) }
        for start in stride(from: 0, to: xs.count, by: 4) {
            let v = Vector(xs[start], xs[start + 1], xs[start + 2], xs[start + 3])
            let root = VectorMath.squareRoot(v)
            for lane in 0..<4 {
                let expected = xs[start + lane].squareRoot()
                #expect(root[lane].bitPattern == expected.bitPattern || (root[lane].isNaN && expected.isNaN),
                        "√\(xs[start + lane]): \(root[lane]) against \(expected)")
            }
        }
        let negative = VectorMath.squareRoot(Vector(-1, -0.0, -.infinity, 4))
        #expect(negative[0].isNaN && negative[2].isNaN)
        #expect(negative[1] == 0 && negative[1].sign == .minus && negative[3] == 2)
    }

    @Test("exp is within 1 ulp of Foundation, and exact at the edges")
    func exp() {
        let xs = Self.arguments([-745...710, -5...5, -1e-6...1e-6], count: 4000, seed: 1)
        let worst = Self.worstUlps(xs, { VectorMath.exp($0, $1, count: $2) }, Foundation.exp)
        #expect(worst.ulps <= 1, "worst \(worst)")
    }

    @Test("log is within 1 ulp of Foundation over the whole positive range, and exact at the edges")
    func log() {
        let xs = Self.logarithmicArguments(count: 8000, seed: 2, exponents: -1074...1023.9)
            + Self.arguments([0.5...2, 1 - 1e-6...1 + 1e-6, -1...0], count: 3000, seed: 3)
        let worst = Self.worstUlps(xs, { VectorMath.log($0, $1, count: $2) }, Foundation.log)
        #expect(worst.ulps <= 1, "worst \(worst)")
    }

    @Test("log1p is within 2 ulps of Foundation (1 measured)")
    func log1p() {
        let xs = Self.arguments([-1...0, -0.5...0.5, -1e-8...1e-8, 0...1e6], count: 3000, seed: 4)
            + Self.logarithmicArguments(count: 4000, seed: 5, exponents: -1074...1023.9)
        let worst = Self.worstUlps(xs, { VectorMath.log1p($0, $1, count: $2) }, Foundation.log1p)
        #expect(worst.ulps <= 2, "worst \(worst)")
    }

    @Test("softplus, sigmoid and logSigmoid are within 3 ulps of StableMath")
    func logistic() {
        let xs = Self.arguments([-800...800, -40...40, -1...1, -1e-10...1e-10], count: 3000, seed: 6)
        let softplus = Self.worstUlps(xs, { VectorMath.softplus($0, $1, count: $2) }, StableMath.softplus)
        let sigmoid = Self.worstUlps(xs, { VectorMath.sigmoid($0, $1, count: $2) }, StableMath.sigmoid)
        let logSigmoid = Self.worstUlps(xs, { VectorMath.logSigmoid($0, $1, count: $2) }, StableMath.logSigmoid)
        #expect(softplus.ulps <= 3, "softplus worst \(softplus)")
        #expect(sigmoid.ulps <= 3, "sigmoid worst \(sigmoid)")
        #expect(logSigmoid.ulps <= 3, "logSigmoid worst \(logSigmoid)")
    }

    @Test("cos 2πu is within 1 ulp of 1 from Foundation on [0, 1]")
    func cosTwoPi() {
        var rng = Xoshiro256StarStar(seed: 7)
        var worst = 0.0
        var us = (0..<8000).map { _ in rng.nextOpenUniform() } + [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1,
                                                                  0x1p-54, 1 - 0x1p-54, 0.25 + 0x1p-53]
        while us.count % 4 != 0 { us.append(0.3) }
        for start in stride(from: 0, to: us.count, by: 4) {
            let u = Vector(us[start], us[start + 1], us[start + 2], us[start + 3])
            let c = VectorMath.cosTwoPi(u)
            for lane in 0..<4 {
                worst = max(worst, abs(c[lane] - Self.referenceCosTwoPi(u[lane])) / 0x1p-53)
            }
        }
        #expect(worst <= 2, "worst \(worst) ulps of 1")
    }

    /// `cos 2πu` from Foundation after the exact reduction `u = q/4 + t`:
    /// `cos(2π·u)` directly would round `2πu` (an error of up to 8 ulps of
    /// 1 near u = 1) and measure Foundation's rounding, not ours. Errors are
    /// absolute, in units of 2⁻⁵³, since relative ulps near a zero of cos
    /// measure nothing useful.
    static func referenceCosTwoPi(_ u: Double) -> Double {
        let q = (4 * u).rounded()
        let angle = 2 * Double.pi * (u - q / 4)
        switch Int(q) % 4 {
        case 0: return Foundation.cos(angle)
        case 1: return -Foundation.sin(angle)
        case 2: return -Foundation.cos(angle)
        default: return Foundation.sin(angle)
        }
    }

    @Test("ulps counts representable doubles between two values")
    func ulpDistance() {
        #expect(VectorMath.ulps(1, 1) == 0)
        #expect(VectorMath.ulps(1, 1 + 0x1p-52) == 1)
        #expect(VectorMath.ulps(0, -0.0) == 0)
        #expect(VectorMath.ulps(.leastNonzeroMagnitude, -.leastNonzeroMagnitude) == 2)
        #expect(VectorMath.ulps(.nan, .nan) == 0)
        #expect(VectorMath.ulps(.nan, 1) == .infinity)
        #expect(VectorMath.ulps(.infinity, .greatestFiniteMagnitude) == 1)
    }
}
