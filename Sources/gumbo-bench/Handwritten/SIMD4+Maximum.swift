/// The lane-wise maximum as one compare and one blend. (The standard
/// library's generic `pointwiseMax` is not inlined across modules and
/// loops over the lanes.)
@inline(__always)
func maximum(_ a: SIMD4<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> {
    a.replacing(with: b, where: a .< b)
}

@inline(__always)
func maximum(_ a: SIMD4<Double>, _ b: SIMD4<Double>, _ c: SIMD4<Double>) -> SIMD4<Double> {
    maximum(maximum(a, b), c)
}
