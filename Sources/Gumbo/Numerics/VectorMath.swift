import Foundation
import GumboAVX2
import GumboAVX512
#if arch(x86_64) && canImport(_Builtin_intrinsics)
import _Builtin_intrinsics.intel
#endif

/// Elementwise transcendental functions on four doubles at a time, and
/// loops that apply them over buffers: the kernels under the plan's
/// `exp`, `log`, `softplus`, `sigmoid` and softmax instructions and under
/// the noise generators.
///
/// A scalar `Foundation.exp` costs about 20 cycles and does not vectorize.
/// These functions use only `SIMD4<Double>` arithmetic (no table lookups,
/// no gathers), so the compiler emits straight-line vector code for them on
/// any x86-64 or arm64 target:
///
/// - ``exp(_:)``: Cody–Waite reduction `x = k ln 2 + r`, `|r| ≤ ln 2 / 2`
///   (ln 2 split in two so `k · ln2Hi` is exact), `eʳ = 1 + r + r² P(r)` with
///   a degree-9 near-minimax `P` (Chebyshev fit, error 1.2e-16 on the
///   interval) evaluated by Estrin's scheme (a short dependency chain), and
///   the scale `2ᵏ` built in the exponent bits.
/// - ``log(_:)``: `x = 2ᵏ m` with `m ∈ [√½, √2)`, `f = m − 1`,
///   `s = f / (2 + f)` and the degree-14 odd series of fdlibm's `e_log.c`
///   (`log(1 + f) = f − f²/2 + s (f²/2 + R(s²))`, its coefficients, by
///   Estrin's scheme), `k ln 2` added in two parts.
/// - ``log1p(_:)``: `u = 1 + x`, `log1p(x) = log u + (x − (u − 1)) / u`,
///   the correction recovering what rounding `1 + x` lost (Goldberg 1991,
///   "What every computer scientist should know about floating-point
///   arithmetic", Theorem 4).
///
/// Each has a fast path for the arguments that matter in practice (`exp`
/// on `[−708, 709]`, `log` on the positive normal numbers); a vector with
/// any lane outside it (infinities, NaN, zero, negatives, subnormals,
/// results that overflow or underflow) is computed lane by lane with
/// Foundation instead, so edge cases behave exactly as the C library's.
/// Measured (`gumbo-bench math`, 10⁷ random arguments per function over
/// its range; ``VectorMathTests`` checks fewer): `exp`, `log` and `log1p`
/// within 1 ulp of Foundation; `softplus`, `sigmoid` and `logSigmoid`
/// within 3 ulps of the scalar ``StableMath`` (itself built from
/// Foundation's `exp` and `log1p`, so part of that is its own rounding);
/// `cos 2πu` within 1 ulp of 1, absolutely, on `[0, 1]`.
public enum VectorMath {
    public typealias Vector = SIMD4<Double>

    // MARK: exp

    /// `eˣ`, within 1 ulp.
    @inlinable
    public static func exp(_ x: Vector) -> Vector {
        if _slowPath(!VectorKernels.inExpRange(x)) { return lanes(x, Foundation.exp) }
        return VectorKernels.expCore(x)
    }

    // MARK: log

    /// `log x`, within 1 ulp.
    @inlinable
    public static func log(_ x: Vector) -> Vector {
        if _slowPath(!VectorKernels.inLogRange(x)) { return lanes(x, Foundation.log) }
        return VectorKernels.logCore(x)
    }

    // MARK: Square root

    /// `√x` lane by lane, correctly rounded (IEEE 754; NaN for a negative
    /// lane), the same value as `Double.squareRoot()`. On x86-64 it is two
    /// `sqrtpd` instructions (from the toolchain's Clang intrinsics module):
    /// `SIMD4<Double>.squareRoot()` compiles on Linux to four scalar square
    /// roots, each behind a branch to the C library's `sqrt` (for `errno`),
    /// which made it the costliest part of Adam's update.
    @inlinable @inline(__always)
    public static func squareRoot(_ x: Vector) -> Vector {
        #if arch(x86_64) && canImport(_Builtin_intrinsics)
        return Vector(lowHalf: _mm_sqrt_pd(x.lowHalf), highHalf: _mm_sqrt_pd(x.highHalf))
        #else
        return x.squareRoot()
        #endif
    }

    // MARK: log1p

    /// `log(1 + x)`, within 1 ulp (measured).
    @inlinable
    public static func log1p(_ x: Vector) -> Vector {
        let u = 1 + x
        let fast = (x .> -1) .& (x .< 1e300)
        if _slowPath(!VectorKernels.allTrue(fast)) { return lanes(x, Foundation.log1p) }
        // For x ∈ (−1, −½] the sum u = 1 + x is exact (and at least 2⁻⁵³, a
        // normal number); above, x − (u − 1) is the rounding error of 1 + x
        // (u − 1 is exact by Sterbenz's lemma for u ≤ 2, and nearly so above).
        var result = VectorKernels.logCore(u) + (x - (u - 1)) / u
        // For |x| below half an ulp of 1, u = 1 and the correction is x itself.
        result.replace(with: x, where: u .== 1)
        return result
    }

    // MARK: Logistic functions

    /// `softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^{−|x|})`, within 3 ulps.
    @inlinable
    public static func softplus(_ x: Vector) -> Vector {
        let negativeAbs = VectorKernels.negativeMagnitude(x)
        guard _fastPath(VectorKernels.allTrue(negativeAbs .>= -708.0)) else { return lanes(x, StableMath.softplus) }
        let e = VectorKernels.expCore(negativeAbs)   // in (0, 1]
        return x.replacing(with: 0, where: x .< 0) + VectorKernels.log1pSmall(e)
    }

    /// The logistic sigmoid `σ(x) = 1 / (1 + e^{−x})`, within 3 ulps: with
    /// `e = e^{−|x|}`, `1 / (1 + e)` for `x ≥ 0` and `e / (1 + e)` below.
    @inlinable
    public static func sigmoid(_ x: Vector) -> Vector {
        let negativeAbs = VectorKernels.negativeMagnitude(x)
        guard _fastPath(VectorKernels.allTrue(negativeAbs .>= -708.0)) else { return lanes(x, StableMath.sigmoid) }
        let e = VectorKernels.expCore(negativeAbs)
        let r = 1 / (1 + e)
        return r.replacing(with: e * r, where: x .< 0)
    }

    /// `log σ(x) = −softplus(−x)`, within 3 ulps.
    @inlinable
    public static func logSigmoid(_ x: Vector) -> Vector {
        -softplus(-x)
    }

    // MARK: cos 2πu

    /// `cos(2πu)` for `u ∈ [0, 1]` (a uniform draw), within 1 ulp of 1.
    ///
    /// `u = q/4 + t` with `q = round(4u)` and `|t| ≤ 1/8`, exactly (each
    /// subtraction is within a factor of two, so Sterbenz's lemma applies);
    /// `cos 2πt` and `sin 2πt / t` are degree-7 polynomials in `t²`
    /// (Chebyshev fits, error below 4e-20), and the quadrant `q mod 4`
    /// picks `cos`, `−sin`, `−cos` or `sin`. No `2π · u` is ever rounded.
    @inlinable
    public static func cosTwoPi(_ u: Vector) -> Vector {
        let q = (u * 4 + VectorKernels.shifter) - VectorKernels.shifter
        let t = u - q * 0.25
        let z = t * t
        var c = Vector(repeating: -1.696832013015679328)
        c = c * z + 7.9030908007717028546
        c = c * z + -26.426250891022193653
        c = c * z + 60.244641328695323711
        c = c * z + -85.456817206521857041
        c = c * z + 64.939394022667955523
        c = c * z + -19.739208802178716987
        c = c * z + 1
        var s = Vector(repeating: -0.71162935036787665549)
        s = s * z + 3.8197877920064416439
        s = s * z + -15.094640397380110594
        s = s * z + 42.058693928925160353
        s = s * z + -76.705859752997810245
        s = s * z + 81.605249276074929926
        s = s * z + -41.341702240399760141
        s = s * z + 6.2831853071795864769
        s = s * t
        // The quadrant, q mod 4, from the low bits of q + shifter.
        let quadrant = unsafeBitCast(q + VectorKernels.shifter, to: SIMD4<UInt64>.self) & 3
        var result = c
        result.replace(with: -s, where: quadrant .== 1)
        result.replace(with: -c, where: quadrant .== 2)
        result.replace(with: s, where: quadrant .== 3)
        return result
    }

    /// Whether all `count` values are finite: a sum of `0 · x` is 0 for
    /// finite `x` and NaN for an infinity or a NaN, in one vectorizable pass.
    /// Four independent sums, sixteen values a step, so the additions'
    /// latency does not bound the loop (one sum of four made each step wait
    /// for the last; the check runs over the whole gradient every step).
    static func allFinite(_ values: UnsafePointer<Double>, count: Int) -> Bool {
        func load(_ i: Int) -> Vector { UnsafeRawPointer(values + i).loadUnaligned(as: Vector.self) }
        var (a, b, c, d) = (Vector(repeating: 0), Vector(repeating: 0), Vector(repeating: 0), Vector(repeating: 0))
        var i = 0
        while i + 16 <= count {
            a += load(i) * 0
            b += load(i + 4) * 0
            c += load(i + 8) * 0
            d += load(i + 12) * 0
            i += 16
        }
        var lanes = (a + b) + (c + d)
        while i + 4 <= count {
            lanes += load(i) * 0
            i += 4
        }
        var total = lanes.sum()
        while i < count {
            total += values[i] * 0
            i += 1
        }
        return total == 0
    }

    // MARK: Fallback

    /// `f` applied lane by lane: the path for vectors with edge-case lanes.
    @inlinable
    static func lanes(_ x: Vector, _ f: (Double) -> Double) -> Vector {
        Vector(f(x[0]), f(x[1]), f(x[2]), f(x[3]))
    }
}

// MARK: Buffers

extension VectorMath {
    /// Applies a vector function to `count` doubles from `x` into `y` (which
    /// may be `x`): four at a time, then the tail padded with `padding`, a
    /// value on the function's fast path.
    @inlinable @inline(__always)
    public static func map(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int,
                           padding: Double, _ f: (Vector) -> Vector) {
        var j = 0
        while j + 4 <= count {
            let v = UnsafeRawPointer(x + j).loadUnaligned(as: Vector.self)
            UnsafeMutableRawPointer(y + j).storeBytes(of: f(v), as: Vector.self)
            j += 4
        }
        if j < count {
            var v = Vector(repeating: padding)
            for lane in 0..<(count - j) { v[lane] = x[j + lane] }
            let r = f(v)
            for lane in 0..<(count - j) { y[j + lane] = r[lane] }
        }
    }

    typealias Pass = (UnsafePointer<Double>, UnsafeMutablePointer<Double>, Int) -> Int

    /// A buffer pass of ``VectorKernels`` — `GumboAVX512`'s copy on a
    /// processor with AVX-512, `GumboAVX2`'s with AVX2 (``InstructionSet``),
    /// `Gumbo`'s otherwise — then the checked function `f` from where the
    /// pass stopped (`y` may be `x`).
    @inline(__always)
    static func dispatch(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int,
                         avx512: Pass, avx2: Pass, baseline: Pass, padding: Double, _ f: (Vector) -> Vector) {
        let done = switch InstructionSet.current {
        case .avx512: avx512(x, y, count)
        case .avx2: avx2(x, y, count)
        case .baseline: baseline(x, y, count)
        }
        map(x + done, y + done, count: count - done, padding: padding, f)
    }

    /// `y = eˣ` over `count` elements (`y` may be `x`).
    public static func exp(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        dispatch(x, y, count: count, avx512: WideVectorPasses.exp, avx2: VectorPasses.exp,
                 baseline: VectorKernels.exp, padding: 0) { exp($0) }
    }

    /// `y = log x` over `count` elements (`y` may be `x`).
    public static func log(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        dispatch(x, y, count: count, avx512: WideVectorPasses.log, avx2: VectorPasses.log,
                 baseline: VectorKernels.log, padding: 1) { log($0) }
    }

    /// `y = −log x` over `count` elements (`y` may be `x`).
    static func negativeLog(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        dispatch(x, y, count: count, avx512: WideVectorPasses.negativeLog, avx2: VectorPasses.negativeLog,
                 baseline: VectorKernels.negativeLog,
                 padding: 1) { -log($0) }
    }

    /// `y = log(u / (1 − u))` over `count` elements (`y` may be `x`).
    static func logit(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        dispatch(x, y, count: count, avx512: WideVectorPasses.logit, avx2: VectorPasses.logit,
                 baseline: VectorKernels.logit,
                 padding: 0.5) { u in log(u / (1 - u)) }
    }

    /// `y = log(1 + x)` over `count` elements.
    @inlinable
    public static func log1p(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        map(x, y, count: count, padding: 0) { log1p($0) }
    }

    /// `y = softplus(x)` over `count` elements.
    @inlinable
    public static func softplus(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        map(x, y, count: count, padding: 0) { softplus($0) }
    }

    /// `y = σ(x)` over `count` elements.
    @inlinable
    public static func sigmoid(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        map(x, y, count: count, padding: 0) { sigmoid($0) }
    }

    /// `y = log σ(x)` over `count` elements.
    @inlinable
    public static func logSigmoid(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        map(x, y, count: count, padding: 0) { logSigmoid($0) }
    }
}

// MARK: Measuring

extension VectorMath {
    /// The distance between two doubles in units in the last place: how
    /// many representable doubles lie between them (0 when equal, both NaN,
    /// or `+0` and `−0`; infinite when exactly one is NaN). Used to state
    /// the kernels' accuracy against Foundation.
    public static func ulps(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? 0 : .infinity }
        // Map the bit patterns onto a line that is monotone in the value.
        func ordinal(_ x: Double) -> Int64 {
            let bits = Int64(bitPattern: x.bitPattern)
            return bits < 0 ? Int64.min &- bits : bits
        }
        let distance = ordinal(a).subtractingReportingOverflow(ordinal(b))
        return distance.overflow ? .infinity : Double(distance.partialValue.magnitude)
    }
}

extension SIMD4 where Scalar == Double {
    /// ``VectorMath/squareRoot(_:)``, for ``VectorKernels`` (whose other
    /// build, in `GumboAVX2`, has its own, one 256-bit instruction).
    @inline(__always)
    func laneSquareRoot() -> Self { VectorMath.squareRoot(self) }
}
