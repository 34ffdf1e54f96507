#if arch(x86_64) && canImport(_Builtin_intrinsics)
import _Builtin_intrinsics.intel
#endif

/// The vector width of `Gumbo`'s `VectorKernels` (`VectorKernels.swift`,
/// linked into this folder) in this build: eight lanes, one 512-bit
/// register. Its four-lane builds name the same things in
/// `VectorKernels+Lanes4.swift`; each lane computes the same operations in
/// the same order in every build, so the results are the same bit for bit.
extension VectorKernels {
    @usableFromInline typealias Vector = SIMD8<Double>
    @usableFromInline typealias VectorBits = SIMD8<UInt64>

    /// Elements per vector: the passes' step.
    @usableFromInline static var lanes: Int { 8 }

    /// Whether every lane of a mask is set: halves and'ed down to two words.
    @inlinable @inline(__always)
    static func allTrue(_ mask: SIMDMask<SIMD8<Int64>>) -> Bool {
        let bits = unsafeBitCast(mask, to: SIMD8<Int64>.self)
        let quarter = (bits.lowHalf & bits.highHalf)
        let half = quarter.lowHalf & quarter.highHalf
        return half[0] & half[1] == -1
    }

    /// `(a₀ b₀ … a₃ b₃, a₄ b₄ … a₇ b₇)`: two vectors' lanes alternating.
    @inline(__always)
    static func interleaved(_ a: Vector, _ b: Vector) -> (Vector, Vector) {
        (Vector(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3]),
         Vector(a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7]))
    }

    /// The inverse of ``interleaved(_:_:)``: the even and the odd lanes of
    /// `low` then `high`.
    @inline(__always)
    static func deinterleaved(_ low: Vector, _ high: Vector) -> (Vector, Vector) {
        (Vector(low[0], low[2], low[4], low[6], high[0], high[2], high[4], high[6]),
         Vector(low[1], low[3], low[5], low[7], high[1], high[3], high[5], high[7]))
    }
}

extension SIMD8 where Scalar == Double {
    /// `√x` lane by lane, correctly rounded: one `vsqrtpd` (the generic
    /// `squareRoot()` calls the C library lane by lane on Linux).
    @inline(__always)
    func laneSquareRoot() -> Self {
        #if arch(x86_64) && canImport(_Builtin_intrinsics)
        return _mm512_sqrt_pd(self)
        #else
        return squareRoot()
        #endif
    }
}
