/// `Gumbo`'s elementwise buffer passes (`VectorKernels.swift`, linked into
/// this folder) compiled for AVX-512, eight lanes at a time: the same
/// operations per element as `GumboAVX2`'s `VectorPasses` and `Gumbo`'s
/// baseline build, nothing fused, so the same results bit for bit. Only
/// the passes that gain: the polynomial ones (`eˣ`, `log`). A Zen 4 core
/// runs a 512-bit operation as two 256-bit halves, but with half the
/// instructions the loops overlap more (`eˣ` over 6 400 values: 7.4 → 5.0
/// µs standalone; in W5's profile `eˣ` 3.5 → 2.3 % and `−log` 2.2 → 1.3 %
/// of the step). The passes bound by divisions and square roots do not:
/// Adam took the same time, and the Bernoulli likelihood's three passes
/// rose from 5.6 to 6.3 % of W5's step, so they stay in `VectorPasses`.
/// Same conditions as ``WideDoubleProducts``: call only after checking the
/// processor.
///
/// Each pass returns the elements it finished, a multiple of eight: it
/// stops at the first group with a lane outside its fast range, and the
/// caller finishes the buffer with its checked functions.
public enum WideVectorPasses {
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
}
