/// The vector cores of ``VectorMath`` (its polynomials for `eˣ`, `log x`
/// and `log(1 + e)`, without range checks) and the buffer passes built from
/// them that dominate the plan's elementwise work: `eˣ`, `log x`, `−log x`,
/// `log(u / (1 − u))`, the log-sigmoid pairs of a Bernoulli likelihood (and
/// the likelihood itself, weighted by the observed classes), and Adam's
/// update.
///
/// This file is compiled twice: into `Gumbo` for the baseline instruction
/// set (on x86-64, each `SIMD4<Double>` operation is two 128-bit
/// instructions), and into `GumboAVX2` (the same file, linked into its
/// folder) for Haswell, where each is one 256-bit instruction. `Gumbo`
/// calls the second copy through `GumboAVX2`'s `VectorPasses` when the
/// processor has AVX2 (``InstructionSet``). Nothing here asks for a fused
/// multiply-add, and Swift does not contract a multiply and an add into
/// one, so both copies round every operation alike: their results are the
/// same bit for bit (``VectorKernelsTests`` compares them).
///
/// A pass runs four elements at a time while every lane is in its fast
/// range, and returns how many elements it finished (a multiple of four):
/// it stops at the first group with a lane outside the range (an infinity,
/// a NaN, a zero or a negative for `log`, `|x| > 708` for `exp`), or at
/// the last whole group. The caller finishes the rest with ``VectorMath``'s
/// checked functions, which take such lanes to Foundation one by one.
@usableFromInline
enum VectorKernels {
    // MARK: Constants

    @usableFromInline static let ln2Hi = 6.93147180369123816490e-01   // 0x3FE62E42FEE00000: k·ln2Hi exact for |k| < 2¹¹
    @usableFromInline static let ln2Lo = 1.90821492927058770002e-10
    @usableFromInline static let log2e = 1.4426950408889634
    /// `1.5 · 2⁵²`: adding it rounds a double of magnitude below 2⁵¹ to
    /// the nearest integer, which then sits in the low mantissa bits.
    @usableFromInline static let shifter = 6755399441055744.0

    // MARK: Cores

    /// `eˣ` for `x ∈ [−708, 709]` (no checks): Cody–Waite reduction and a
    /// degree-9 polynomial (``VectorMath/exp(_:)-(SIMD4<Double>)``).
    @inlinable @inline(__always)
    static func expCore(_ x: Vector) -> Vector {
        let t = x * log2e + shifter
        let k = t - shifter
        let r = (x - k * ln2Hi) - k * ln2Lo
        // P(r) by Estrin's scheme: pairs, then pairs of pairs, so the
        // dependency chain is four multiply-adds deep instead of ten.
        let r2 = r * r, r4 = r2 * r2, r8 = r4 * r4
        let p01 = 0.5000000000000001128 + 1.6666666666666667534e-1 * r
        let p23 = 4.1666666666620638584e-2 + 8.3333333333297934996e-3 * r
        let p45 = 1.3888888918939167785e-3 + 1.9841269864380513295e-4 * r
        let p67 = 2.4801518641395993583e-5 + 2.7557266418612303703e-6 * r
        let p89 = 2.7621338669142923801e-7 + 2.5101346928350340199e-8 * r
        let p = (p01 + p23 * r2) + (p45 + p67 * r2) * r4 + p89 * r8
        let expR = 1 + (r + r2 * p)
        // The low bits of t hold k (two's complement, mod 2¹²); shifted into
        // the exponent field and added to 1.0's bits they make 2ᵏ.
        let kBits = unsafeBitCast(t, to: VectorBits.self) &<< 52
        let scale = unsafeBitCast(kBits &+ 0x3FF0_0000_0000_0000, to: Vector.self)
        return expR * scale
    }

    /// `log x` for positive normal `x` (no checks): fdlibm's reduction and
    /// series (``VectorMath/log(_:)-(SIMD4<Double>)``).
    @inlinable @inline(__always)
    static func logCore(_ x: Vector) -> Vector {
        let bits = unsafeBitCast(x, to: VectorBits.self)
        // The biased exponent as a double: its bits or'd into 2⁵²'s mantissa.
        let exponentBits = (bits &>> 52) | 0x4330_0000_0000_0000
        var k = unsafeBitCast(exponentBits, to: Vector.self) - (0x1p52 + 1023)
        var m = unsafeBitCast((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000, to: Vector.self)
        let high = m .> 1.4142135623730951
        m.replace(with: m * 0.5, where: high)
        k.replace(with: k + 1, where: high)
        let f = m - 1
        let halfSquare = 0.5 * f * f
        let s = f / (2 + f)
        let z = s * s
        // R(z) = Lg1 z + … + Lg7 z⁷ (fdlibm's even/odd split, written so
        // it compiles to straight vector code).
        let z2 = z * z, z4 = z2 * z2
        let q01 = 6.666666666666735130e-01 + 3.999999999940941908e-01 * z
        let q23 = 2.857142874366239149e-01 + 2.222219843214978396e-01 * z
        let q45 = 1.818357216161805012e-01 + 1.531383769920937332e-01 * z
        let q6 = Vector(repeating: 1.479819860511658591e-01)
        let r = z * ((q01 + q23 * z2) + (q45 + q6 * z2) * z4)
        return k * ln2Hi - ((halfSquare - (s * (halfSquare + r) + k * ln2Lo)) - f)
    }

    /// `log(1 + e)` for `e ∈ [0, 1]` (no checks): ``VectorMath/log1p(_:)-(SIMD4<Double>)``
    /// without the range test; `u = 1 + e ∈ [1, 2]` is always normal.
    @inlinable @inline(__always)
    static func log1pSmall(_ e: Vector) -> Vector {
        let u = 1 + e
        var result = logCore(u) + (e - (u - 1)) / u
        result.replace(with: e, where: u .== 1)
        return result
    }

    /// `−|x|`: the sign bit set.
    @inlinable @inline(__always)
    static func negativeMagnitude(_ x: Vector) -> Vector {
        unsafeBitCast(unsafeBitCast(x, to: VectorBits.self) | 0x8000_0000_0000_0000, to: Vector.self)
    }

    /// Whether `exp`'s core applies to every lane.
    @inlinable @inline(__always)
    static func inExpRange(_ x: Vector) -> Bool {
        allTrue((x .>= -708.0) .& (x .<= 709.0))
    }

    /// Whether `log`'s core applies to every lane (positive normal numbers).
    @inlinable @inline(__always)
    static func inLogRange(_ x: Vector) -> Bool {
        allTrue((x .>= Double.leastNormalMagnitude) .& (x .<= Double.greatestFiniteMagnitude))
    }

    /// The values `(log σ(−x), log σ(x))` and the sigmoids `(σ(x), σ(−x))`
    /// from `e = e^{−|x|}` and `log1p(e)`: `log σ(∓x) = −(max(±x, 0) +
    /// log1p(e))`, and with `r = 1/(1 + e)`, `σ(±x) = r` where `±x ≥ 0`
    /// and `e·r` elsewhere.
    @inline(__always)
    static func logSigmoidPair(_ x: Vector, e: Vector, log1pE shared: Vector)
        -> (values: (Vector, Vector), sigmoids: (Vector, Vector)) {
        let r = 1 / (1 + e)
        let minusX = -x
        return ((-(x.replacing(with: 0, where: x .< 0) + shared),
                 -(minusX.replacing(with: 0, where: minusX .< 0) + shared)),
                (r.replacing(with: e * r, where: x .< 0), r.replacing(with: e * r, where: minusX .< 0)))
    }

    // MARK: Passes

    @inline(__always)
    static func load(_ p: UnsafePointer<Double>, _ i: Int) -> Vector {
        UnsafeRawPointer(p + i).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ x: Vector, _ p: UnsafeMutablePointer<Double>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: x, as: Vector.self)
    }

    /// `y = F(x)` four at a time while `F` is in range for the group;
    /// returns the elements done. (A generic over the function's type, so
    /// each pass is specialized with its function inlined: passed as a
    /// function value, the function was called once per group.)
    @inline(__always)
    static func pass<F: BufferFunction>(_: F.Type, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>,
                                        count: Int) -> Int {
        var j = 0
        while j + lanes <= count {
            let (value, inRange) = F.value(load(x, j))
            guard _fastPath(inRange) else { break }
            store(value, y, j)
            j += lanes
        }
        return j
    }

    /// `y = eˣ` (`y` may be `x`).
    static func exp(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) -> Int {
        pass(Exponential.self, x, y, count: count)
    }

    /// `y = log x` (`y` may be `x`).
    static func log(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) -> Int {
        pass(Logarithm.self, x, y, count: count)
    }

    /// `y = −log x` (`y` may be `x`): Gumbel noise from exponentials.
    static func negativeLog(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) -> Int {
        pass(NegativeLogarithm.self, x, y, count: count)
    }

    /// `y = log(u / (1 − u))` (`y` may be `x`): logistic noise from
    /// uniforms; the range is that of the quotient.
    static func logit(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) -> Int {
        pass(Logit.self, x, y, count: count)
    }

    /// The log-sigmoid pairs of `n` logits and their sigmoids, in three
    /// passes (a single pass's chain of an exponential, a logarithm and
    /// three divisions per group fills the processor's reorder window, so
    /// groups barely overlap; shorter loops let several run at once):
    ///
    /// 1. `e = e^{−|x|}` into `positive`;
    /// 2. `log1p(e)` into `negative`;
    /// 3. `y[2k] = log σ(−x[k])`, `y[2k + 1] = log σ(x[k])`, and `σ(x)` into
    ///    `positive`, `σ(−x)` into `negative` (each read before written).
    ///
    /// Passes 1 and 2 run over every whole group (a lane with `|x| > 708`
    /// gives a meaningless but harmless number); pass 3 stops at the first
    /// group that has one.
    static func logSigmoidPairs(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int,
                                positive: UnsafeMutablePointer<Double>, negative: UnsafeMutablePointer<Double>) -> Int {
        sharedTerms(x, count: n, e: positive, log1pE: negative)
        var j = 0
        while j < n / lanes * lanes {
            let x4 = load(x, j)
            guard _fastPath(allTrue(negativeMagnitude(x4) .>= -708.0)) else { break }
            let (values, sigmoids) = logSigmoidPair(x4, e: load(positive, j), log1pE: load(negative, j))
            store(sigmoids.0, positive, j)
            store(sigmoids.1, negative, j)
            let (first, second) = interleaved(values.0, values.1)
            store(first, y, 2 * j)
            store(second, y, 2 * j + lanes)
            j += lanes
        }
        return j
    }

    /// Passes 1 and 2 of the log-sigmoid loops, over every whole group of
    /// four: `e = e^{−|x|}`, then `log1p(e)` (a lane with `|x| > 708` gives
    /// a meaningless but harmless number; pass 3 stops before it).
    @inline(__always)
    static func sharedTerms(_ x: UnsafePointer<Double>, count n: Int, e: UnsafeMutablePointer<Double>,
                            log1pE: UnsafeMutablePointer<Double>) {
        let groups = n / lanes * lanes
        var j = 0
        while j < groups {
            store(expCore(negativeMagnitude(load(x, j))), e, j)
            j += lanes
        }
        j = 0
        while j < groups {
            store(log1pSmall(load(e, j)), log1pE, j)
            j += lanes
        }
    }

    /// Bernoulli log-likelihoods with class weights: for `n` logits `x` and
    /// their weights `w` (rows of two `[w₀, w₁]`, or with `complement` one
    /// `v` per logit for `[1 − v, v]`),
    ///
    ///     y[k]     = w₀ · log σ(−x[k]) + w₁ · log σ(x[k])
    ///     slope[k] = w₁ · σ(−x[k]) − w₀ · σ(x[k])   (∂y/∂x)
    ///
    /// in the three passes of ``logSigmoidPairs(_:_:count:positive:negative:)``,
    /// `y` and `slope` holding `e^{−|x|}` and `log1p(e)` between them, and
    /// `log σ(±x)`, `σ(±x)` from ``logSigmoidPair(_:e:log1pE:)``, so the
    /// values are the pair's, weighted and summed in a contraction's order.
    static func bernoulliLogLikelihoods(_ x: UnsafePointer<Double>, _ w: UnsafePointer<Double>,
                                        _ y: UnsafeMutablePointer<Double>, count n: Int,
                                        slope: UnsafeMutablePointer<Double>, complement: Bool) -> Int {
        complement
            ? bernoulliLogLikelihoods(x, w, y, count: n, slope: slope, weights: ComplementWeights.self)
            : bernoulliLogLikelihoods(x, w, y, count: n, slope: slope, weights: PairWeights.self)
    }

    @inline(__always)
    static func bernoulliLogLikelihoods<Weights: LikelihoodWeights>(
        _ x: UnsafePointer<Double>, _ w: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int,
        slope: UnsafeMutablePointer<Double>, weights: Weights.Type
    ) -> Int {
        sharedTerms(x, count: n, e: y, log1pE: slope)
        var j = 0
        while j < n / lanes * lanes {
            let x4 = load(x, j)
            guard _fastPath(allTrue(negativeMagnitude(x4) .>= -708.0)) else { break }
            let ((minus, plus), (positive, negative)) = logSigmoidPair(x4, e: load(y, j), log1pE: load(slope, j))
            let (w0, w1) = Weights.load(w, j)
            store(w0 * minus + w1 * plus, y, j)
            store(w1 * negative - w0 * positive, slope, j)
            j += lanes
        }
        return j
    }

    /// Adam's update of `count` parameters (Kingma & Ba 2015, "Adam: a
    /// method for stochastic optimization", Algorithm 1), four at a time
    /// then one by one, the same operations in the same order per element:
    ///
    ///     g ← scale · ∇,   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
    ///     θ ← θ − stepSize · m / (√v · inverseCorrection + ε)
    ///
    /// with `stepSize = lr / (1 − β₁ᵗ)` and `inverseCorrection = 1/√(1 − β₂ᵗ)`
    /// (so `√v̂` costs a multiplication, not a second division).
    static func adam(parameters: UnsafeMutablePointer<Double>, gradients: UnsafePointer<Double>,
                     m: UnsafeMutablePointer<Double>, v: UnsafeMutablePointer<Double>, count n: Int,
                     scale: Double, beta1: Double, beta2: Double, stepSize: Double,
                     inverseCorrection: Double, epsilon: Double) {
        var i = 0
        while i + lanes <= n {
            let g = load(gradients, i) * scale
            let mi = beta1 * load(m, i) + (1 - beta1) * g
            let vi = beta2 * load(v, i) + (1 - beta2) * g * g
            store(mi, m, i)
            store(vi, v, i)
            store(load(parameters, i) - stepSize * mi / (vi.laneSquareRoot() * inverseCorrection + epsilon),
                  parameters, i)
            i += lanes
        }
        while i < n {
            let g = gradients[i] * scale
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            parameters[i] -= stepSize * m[i] / (v[i].squareRoot() * inverseCorrection + epsilon)
            i += 1
        }
    }
}

/// A function of four lanes for ``VectorKernels/pass(_:_:_:count:)``: its
/// value by the unchecked core, and whether every lane was in the core's
/// range (a value outside it is discarded).
protocol BufferFunction {
    static func value(_ x: VectorKernels.Vector) -> (VectorKernels.Vector, inRange: Bool)
}

extension VectorKernels {
    enum Exponential: BufferFunction {
        @inline(__always)
        static func value(_ x: Vector) -> (Vector, inRange: Bool) { (expCore(x), inExpRange(x)) }
    }

    enum Logarithm: BufferFunction {
        @inline(__always)
        static func value(_ x: Vector) -> (Vector, inRange: Bool) { (logCore(x), inLogRange(x)) }
    }

    enum NegativeLogarithm: BufferFunction {
        @inline(__always)
        static func value(_ x: Vector) -> (Vector, inRange: Bool) { (-logCore(x), inLogRange(x)) }
    }

    enum Logit: BufferFunction {
        @inline(__always)
        static func value(_ u: Vector) -> (Vector, inRange: Bool) {
            let ratio = u / (1 - u)
            return (logCore(ratio), inLogRange(ratio))
        }
    }
}

/// Where ``VectorKernels/bernoulliLogLikelihoods(_:_:_:count:slope:complement:)``
/// reads four logits' class weights `(w₀, w₁)` from.
protocol LikelihoodWeights {
    static func load(_ w: UnsafePointer<Double>, _ j: Int) -> (VectorKernels.Vector, VectorKernels.Vector)
}

/// Rows of two, `[w₀, w₁]` per logit.
enum PairWeights: LikelihoodWeights {
    @inline(__always)
    static func load(_ w: UnsafePointer<Double>, _ j: Int) -> (VectorKernels.Vector, VectorKernels.Vector) {
        VectorKernels.deinterleaved(VectorKernels.load(w, 2 * j), VectorKernels.load(w, 2 * j + VectorKernels.lanes))
    }
}

/// One `v` per logit, for the weights `[1 − v, v]`.
enum ComplementWeights: LikelihoodWeights {
    @inline(__always)
    static func load(_ w: UnsafePointer<Double>, _ j: Int) -> (VectorKernels.Vector, VectorKernels.Vector) {
        let v = VectorKernels.load(w, j)
        return (1 - v, v)
    }
}
