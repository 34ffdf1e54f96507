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
