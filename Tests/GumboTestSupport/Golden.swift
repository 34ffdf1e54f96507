/// Compares text against a golden value line by line, and on a mismatch
/// returns a message naming the first differing line (so a failing test
/// shows where, not only that, the text changed).
public func goldenMismatch(_ actual: String, _ expected: String) -> String? {
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(a.count, e.count) {
        let actualLine = index < a.count ? String(a[index]) : "<missing>"
        let expectedLine = index < e.count ? String(e[index]) : "<missing>"
        if actualLine != expectedLine {
            return "line \(index + 1) differs:\n  actual:   \(actualLine)\n  expected: \(expectedLine)\n--- actual text ---\n\(actual)"
        }
    }
    return nil
}
