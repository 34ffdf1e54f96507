/// Central finite differences, the reference every analytic gradient in
/// Gumbo is checked against.
///
/// `f'(x) ≈ (f(x + h) − f(x − h)) / 2h` has error `O(h²)`; with the default
/// step `h = 1e-5 · max(1, |x|)` and double precision the total error
/// (truncation plus rounding, about `ε/h`) is near 1e-10 relative for smooth
/// functions of moderate curvature.
public func centralDifference(at x: Double, step: Double? = nil, _ f: (Double) -> Double) -> Double {
    let h = step ?? 1e-5 * max(1, abs(x))
    return (f(x + h) - f(x - h)) / (2 * h)
}

/// The gradient of `f: ℝⁿ → ℝ` at `x` by central differences, one coordinate
/// at a time.
public func centralDifferenceGradient(at x: [Double], step: Double? = nil, _ f: ([Double]) -> Double) -> [Double] {
    var gradient = [Double](repeating: 0, count: x.count)
    var probe = x
    for i in x.indices {
        let h = step ?? 1e-5 * max(1, abs(x[i]))
        probe[i] = x[i] + h
        let up = f(probe)
        probe[i] = x[i] - h
        let down = f(probe)
        probe[i] = x[i]
        gradient[i] = (up - down) / (2 * h)
    }
    return gradient
}
