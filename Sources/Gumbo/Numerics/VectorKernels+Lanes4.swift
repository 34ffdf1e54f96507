/// The vector width of ``VectorKernels`` in the builds that use four lanes:
/// `Gumbo`'s (SSE2, each operation two 128-bit instructions) and
/// `GumboAVX2`'s (this file linked into its folder: one 256-bit
/// instruction). `GumboAVX512` has its own, of eight lanes. The passes
/// are written against these names, so each build's lanes are its own and
/// every lane computes the same operations in the same order.
extension VectorKernels {
    @usableFromInline typealias Vector = SIMD4<Double>
    @usableFromInline typealias VectorBits = SIMD4<UInt64>

    /// Elements per vector: the passes' step.
    @usableFromInline static var lanes: Int { 4 }

    /// Whether every lane of a mask is set: the two halves and'ed, then
    /// the two words (the generic `all(_:)` compiles to a longer sequence).
    @inlinable @inline(__always)
    static func allTrue(_ mask: SIMDMask<SIMD4<Int64>>) -> Bool {
        let bits = unsafeBitCast(mask, to: SIMD4<Int64>.self)
        let half = bits.lowHalf & bits.highHalf
        return half[0] & half[1] == -1
    }

    /// `(a₀ b₀ a₁ b₁, a₂ b₂ a₃ b₃)`: two vectors' lanes alternating.
    @inline(__always)
    static func interleaved(_ a: Vector, _ b: Vector) -> (Vector, Vector) {
        (Vector(a[0], b[0], a[1], b[1]), Vector(a[2], b[2], a[3], b[3]))
    }

    /// The inverse of ``interleaved(_:_:)``: the even and the odd lanes of
    /// `low` then `high`.
    @inline(__always)
    static func deinterleaved(_ low: Vector, _ high: Vector) -> (Vector, Vector) {
        (Vector(low[0], low[2], high[0], high[2]), Vector(low[1], low[3], high[1], high[3]))
    }
}
