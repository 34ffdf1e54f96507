#if arch(x86_64) && canImport(_Builtin_intrinsics)
import _Builtin_intrinsics.intel
#endif

/// `Gumbo`'s elementwise buffer passes (`VectorKernels.swift`, linked into
/// this folder) compiled for AVX2: each `SIMD4<Double>` operation one
/// 256-bit instruction instead of two 128-bit ones. No operation is fused,
/// so the results are those of `Gumbo`'s baseline build bit for bit. Same
/// conditions as ``DoubleProducts``: call only after checking the
/// processor.
///
/// Each pass returns the elements it finished, a multiple of four: it stops
/// at the first group with a lane outside its fast range, and the caller
/// finishes the buffer with its checked functions.
public enum VectorPasses {
    public typealias Pointer = UnsafeMutablePointer<Double>

    /// `y = eˣ` (`y` may be `x`) while every lane is in `[−708, 709]`.
    public static func exp(_ x: UnsafePointer<Double>, _ y: Pointer, count: Int) -> Int {
        VectorKernels.exp(x, y, count: count)
    }

    /// `y = log x` (`y` may be `x`) while every lane is a positive normal number.
    public static func log(_ x: UnsafePointer<Double>, _ y: Pointer, count: Int) -> Int {
        VectorKernels.log(x, y, count: count)
    }

    /// `y = −log x` (`y` may be `x`), as ``log(_:_:count:)``.
    public static func negativeLog(_ x: UnsafePointer<Double>, _ y: Pointer, count: Int) -> Int {
        VectorKernels.negativeLog(x, y, count: count)
    }

    /// `y = log(u / (1 − u))` (`y` may be `x`) while every quotient is a
    /// positive normal number.
    public static func logit(_ x: UnsafePointer<Double>, _ y: Pointer, count: Int) -> Int {
        VectorKernels.logit(x, y, count: count)
    }

    /// The log-sigmoid pairs `y[2k] = log σ(−x[k])`, `y[2k + 1] = log σ(x[k])`
    /// of `count` logits, with `σ(x)` into `positive` and `σ(−x)` into
    /// `negative`, while every lane has `|x| ≤ 708`.
    public static func logSigmoidPairs(_ x: UnsafePointer<Double>, _ y: Pointer, count: Int,
                                       positive: Pointer, negative: Pointer) -> Int {
        VectorKernels.logSigmoidPairs(x, y, count: count, positive: positive, negative: negative)
    }

    /// `y[k] = w₀ log σ(−x[k]) + w₁ log σ(x[k])` and its slope `∂y/∂x`
    /// into `slope`, with `[w₀, w₁]` from rows of two in `w` (or, with
    /// `complement`, `[1 − w[k], w[k]]`), while every lane has `|x| ≤ 708`;
    /// see `VectorKernels.bernoulliLogLikelihoods`.
    public static func bernoulliLogLikelihoods(_ x: UnsafePointer<Double>, _ w: UnsafePointer<Double>, _ y: Pointer,
                                               count: Int, slope: Pointer, complement: Bool) -> Int {
        VectorKernels.bernoulliLogLikelihoods(x, w, y, count: count, slope: slope, complement: complement)
    }

    /// `h = max(a + b, 0)` over `rows` rows of `columns`, `b` one row; see
    /// `VectorKernels.biasedRelu`.
    public static func biasedRelu(_ a: UnsafePointer<Double>, bias: UnsafePointer<Double>, _ h: Pointer,
                                  rows: Int, columns: Int) {
        VectorKernels.biasedRelu(a, bias: bias, h, rows: rows, columns: columns)
    }

    /// The biased ReLU's backward pass; see `VectorKernels.biasedReluBackward`.
    public static func biasedReluBackward(_ h: UnsafePointer<Double>, _ g: UnsafePointer<Double>, rows: Int,
                                          columns: Int, inputGradient: Pointer?, accumulate: Bool,
                                          biasGradient: Pointer?) {
        VectorKernels.biasedReluBackward(h, g, rows: rows, columns: columns, inputGradient: inputGradient,
                                         accumulate: accumulate, biasGradient: biasGradient)
    }

    /// Adam's update of `count` parameters with moments `m` and `v`; see
    /// `VectorKernels.adam`.
    public static func adam(parameters: Pointer, gradients: UnsafePointer<Double>, m: Pointer, v: Pointer,
                            count: Int, scale: Double, beta1: Double, beta2: Double, stepSize: Double,
                            inverseCorrection: Double, epsilon: Double) {
        VectorKernels.adam(parameters: parameters, gradients: gradients, m: m, v: v, count: count, scale: scale,
                           beta1: beta1, beta2: beta2, stepSize: stepSize, inverseCorrection: inverseCorrection,
                           epsilon: epsilon)
    }
}

extension SIMD4 where Scalar == Double {
    /// `√x` lane by lane, correctly rounded: one `vsqrtpd` (the generic
    /// `squareRoot()` calls the C library lane by lane on Linux).
    @inline(__always)
    func laneSquareRoot() -> Self {
        #if arch(x86_64) && canImport(_Builtin_intrinsics)
        return _mm256_sqrt_pd(self)
        #else
        return squareRoot()
        #endif
    }
}
