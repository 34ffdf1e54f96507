import Testing
@testable import Gumbo

/// ``VectorMath/allFinite(_:count:)``: four sums of sixteen values a step,
/// then fours, then single values; an infinity or a NaN anywhere is found.
@Suite("allFinite")
struct AllFiniteTests {
    @Test("finite buffers of every length from 1 to 40, and one bad value at every position", arguments: 1...40)
    func everyPosition(count: Int) {
        var values = (0..<count).map { Double($0) * 1e300 - 3e301 }
        #expect(values.withUnsafeBufferPointer { VectorMath.allFinite($0.baseAddress!, count: count) })
        for position in 0..<count {
            for bad in [Double.nan, .infinity, -.infinity] {
                let saved = values[position]
                values[position] = bad
                #expect(!values.withUnsafeBufferPointer { VectorMath.allFinite($0.baseAddress!, count: count) },
                        "\(bad) at \(position) of \(count)")
                values[position] = saved
            }
        }
    }
}
