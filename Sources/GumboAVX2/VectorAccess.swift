/// Unaligned loads and stores of four doubles, as in the `Gumbo` module's
/// kernels; compiled here for 256-bit registers, one instruction each.
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
}
