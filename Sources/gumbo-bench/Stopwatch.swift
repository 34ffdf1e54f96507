import Foundation

/// Timing and the statistics the harness reports.
///
/// Times are the calling thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), not
/// wall-clock time: the benchmark machines are shared, and a thread that is
/// preempted by another tenant's compiler should not be charged for it.
/// Both sides of a comparison are single-threaded, so for an unloaded
/// machine the two clocks agree.
enum Stopwatch {
    /// CPU seconds this thread has used.
    @inline(__always)
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Seconds per call of `body`, over a batch of `calls` calls.
    @inline(__always)
    static func secondsPerCall(_ calls: Int, _ body: () -> Void) -> Double {
        let start = now()
        for _ in 0..<calls { body() }
        return (now() - start) / Double(calls)
    }

    /// Wall-clock seconds per call of `body` (for multi-threaded runs,
    /// whose work is not all on the calling thread).
    static func wallSecondsPerCall(_ calls: Int, _ body: () -> Void) -> Double {
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        for _ in 0..<calls { body() }
        clock_gettime(CLOCK_MONOTONIC, &end)
        return (Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) * 1e-9) / Double(calls)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
