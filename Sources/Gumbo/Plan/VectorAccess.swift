/// Loads and stores of four doubles at a time, for the kernels' vector
/// loops. Arena offsets carry no alignment guarantee, so every access is
/// unaligned (which costs nothing on current x86-64 and arm64 cores when
/// the data happens to be aligned).
///
/// Also compiled into `GumboAVX2` (the same file, linked into its folder),
/// whose loops use the same accessors with 256-bit registers.
typealias Vector4 = SIMD4<Double>

extension UnsafeMutablePointer where Pointee == Double {
    @inline(__always)
    func vector(at offset: Int) -> Vector4 {
        UnsafeRawPointer(self + offset).loadUnaligned(as: Vector4.self)
    }

    @inline(__always)
    func setVector(_ value: Vector4, at offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: value, as: Vector4.self)
    }

    /// Adds `value` to the four doubles from `offset`.
    @inline(__always)
    func addVector(_ value: Vector4, at offset: Int) {
        setVector(vector(at: offset) + value, at: offset)
    }

    /// Stores eight `Float` lanes as the eight doubles from here, or adds
    /// them to those doubles (single-precision products).
    @inline(__always)
    func storeLanes(_ lanes: SIMD8<Float>, adding: Bool) {
        var low = Vector4(lanes.lowHalf), high = Vector4(lanes.highHalf)
        if adding {
            low += vector(at: 0)
            high += vector(at: 4)
        }
        setVector(low, at: 0)
        setVector(high, at: 4)
    }

    /// The first `rows` (1 … 6) of six vectors, one per row `stride` apart
    /// from here, stored or added: the result rows of a register tile
    /// (`rows` is a constant where tiles inline this, so the tests fold).
    @inline(__always)
    func storeRows(_ v0: Vector4, _ v1: Vector4, _ v2: Vector4, _ v3: Vector4, _ v4: Vector4, _ v5: Vector4,
                   rows: Int, stride: Int, adding: Bool) {
        @inline(__always)
        func store(_ v: Vector4, _ row: Int) {
            if adding { addVector(v, at: row * stride) } else { setVector(v, at: row * stride) }
        }
        store(v0, 0)
        if rows > 1 { store(v1, 1) }
        if rows > 2 { store(v2, 2) }
        if rows > 3 { store(v3, 3) }
        if rows > 4 { store(v4, 4) }
        if rows > 5 { store(v5, 5) }
    }

    /// ``storeRows(_:_:_:_:_:_:rows:stride:adding:)`` for eight `Float`
    /// lanes a row (``storeLanes(_:adding:)``).
    @inline(__always)
    func storeLaneRows(_ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, _ v3: SIMD8<Float>,
                       _ v4: SIMD8<Float>, _ v5: SIMD8<Float>, rows: Int, stride: Int, adding: Bool) {
        storeLanes(v0, adding: adding)
        if rows > 1 { (self + stride).storeLanes(v1, adding: adding) }
        if rows > 2 { (self + 2 &* stride).storeLanes(v2, adding: adding) }
        if rows > 3 { (self + 3 &* stride).storeLanes(v3, adding: adding) }
        if rows > 4 { (self + 4 &* stride).storeLanes(v4, adding: adding) }
        if rows > 5 { (self + 5 &* stride).storeLanes(v5, adding: adding) }
    }

    /// The `count < 4` elements from `offset`, the remaining lanes filled
    /// with the first of them (a valid argument for any function).
    @inline(__always)
    func partialVector(at offset: Int, count: Int) -> Vector4 {
        var v = Vector4(repeating: self[offset])
        for lane in 1..<count { v[lane] = self[offset + lane] }
        return v
    }

    /// Stores the first `count < 4` lanes of `value` from `offset`.
    @inline(__always)
    func setPartialVector(_ value: Vector4, at offset: Int, count: Int) {
        for lane in 0..<count { self[offset + lane] = value[lane] }
    }
}

extension SIMD4 where Scalar == Double {
    /// 1 in the lanes where `mask` is set, 0 elsewhere: 1.0's bits and'ed
    /// with the mask. (In the SSE2 build a vector select between constants
    /// can compile to a branch per lane, mispredicted when the lanes are
    /// random, as a sampled or argmax one-hot's are.)
    @inline(__always)
    static func indicator(_ mask: SIMDMask<SIMD4<Int64>>) -> Self {
        unsafeBitCast(unsafeBitCast(mask, to: SIMD4<UInt64>.self) & (1.0).bitPattern, to: Self.self)
    }

    /// `a` in the lanes where `mask` is set, `b` elsewhere, by bit masks
    /// (no branch in any build; see ``indicator(_:)``).
    @inline(__always)
    static func select(_ mask: SIMDMask<SIMD4<Int64>>, _ a: Self, _ b: Self) -> Self {
        let m = unsafeBitCast(mask, to: SIMD4<UInt64>.self)
        return unsafeBitCast((unsafeBitCast(a, to: SIMD4<UInt64>.self) & m) | (unsafeBitCast(b, to: SIMD4<UInt64>.self) & ~m),
                             to: Self.self)
    }
}
