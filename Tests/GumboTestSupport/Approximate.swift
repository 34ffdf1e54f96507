/// Approximate comparison for floating-point test assertions.
///
/// `isClose(a, b, relative: r, absolute: t)` is `|a − b| ≤ t + r·max(|a|, |b|)`,
/// the rule numpy's `isclose` uses (symmetric in a and b). NaN is never close
/// to anything; equal infinities are close.
public func isClose(_ a: Double, _ b: Double, relative: Double = 1e-9, absolute: Double = 1e-12) -> Bool {
    if a == b { return true }
    if a.isNaN || b.isNaN || a.isInfinite || b.isInfinite { return false }
    return abs(a - b) <= absolute + relative * max(abs(a), abs(b))
}

/// Element-wise ``isClose(_:_:relative:absolute:)`` on equal-length arrays.
public func isClose(_ a: [Double], _ b: [Double], relative: Double = 1e-9, absolute: Double = 1e-12) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { isClose($0, $1, relative: relative, absolute: absolute) }
}
