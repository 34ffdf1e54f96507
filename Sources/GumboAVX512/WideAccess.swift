/// Loads and stores of eight doubles at a time (one 512-bit register),
/// unaligned like ``Vector4``'s (arena offsets carry no alignment).
typealias Vector8 = SIMD8<Double>

extension UnsafeMutablePointer where Pointee == Double {
    @inline(__always)
    func wideVector(at offset: Int) -> Vector8 {
        UnsafeRawPointer(self + offset).loadUnaligned(as: Vector8.self)
    }

    @inline(__always)
    func setWideVector(_ value: Vector8, at offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: value, as: Vector8.self)
    }

    /// The first `rows` (1 … 8) of eight vectors, one per row `stride`
    /// apart from here, stored or added to what is there: the result rows
    /// of a register tile (`rows` is a constant where tiles inline this).
    @inline(__always)
    func storeWideRows(_ v0: Vector8, _ v1: Vector8, _ v2: Vector8, _ v3: Vector8, _ v4: Vector8, _ v5: Vector8,
                       _ v6: Vector8, _ v7: Vector8, rows: Int, stride: Int, adding: Bool) {
        @inline(__always)
        func store(_ v: Vector8, _ row: Int) {
            let offset = row * stride
            setWideVector(adding ? wideVector(at: offset) + v : v, at: offset)
        }
        store(v0, 0)
        if rows > 1 { store(v1, 1) }
        if rows > 2 { store(v2, 2) }
        if rows > 3 { store(v3, 3) }
        if rows > 4 { store(v4, 4) }
        if rows > 5 { store(v5, 5) }
        if rows > 6 { store(v6, 6) }
        if rows > 7 { store(v7, 7) }
    }
}
