import Foundation

/// Monotonic timing and the statistics the harness reports.
enum Stopwatch {
    /// Seconds since an arbitrary fixed point (the monotonic clock).
    @inline(__always)
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Seconds per call of `body`, over a batch of `calls` calls.
    @inline(__always)
    static func secondsPerCall(_ calls: Int, _ body: () -> Void) -> Double {
        let start = now()
        for _ in 0..<calls { body() }
        return (now() - start) / Double(calls)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
