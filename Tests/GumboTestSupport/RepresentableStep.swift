/// The finite-difference step that `x + h` actually takes: `(x + h) − x`.
///
/// When `|x|` is much larger than `h`, `x ± h` rounds and the realized step
/// differs from `h` by up to one ulp of `x` (relative error `ulp(x)/h`, 1e-5
/// for `x = 1000`, `h = 1e-8`). Differencing with the realized step removes
/// that error; pass the result as `step:` to ``centralDifference(at:step:_:)``.
public func representableStep(at x: Double, _ h: Double) -> Double {
    (x + h) - x
}
