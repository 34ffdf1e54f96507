import Foundation

/// The clock the lab times gradient estimates and training with.
public enum LabClock: String, Sendable, Equatable {
    /// Wall-clock time, `CLOCK_MONOTONIC` (no clock adjustment moves it).
    /// What a user waits; on a busy machine it includes time the thread
    /// spent preempted.
    case wall
    /// The calling thread's CPU time, `CLOCK_THREAD_CPUTIME_ID`: steadier
    /// on a shared machine; the same as wall time for single-threaded work
    /// that is not preempted.
    case threadCPU = "thread_cpu"

    /// The current reading in seconds (from an arbitrary origin).
    public func now() -> Double {
        var time = timespec()
        clock_gettime(self == .wall ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// The median of `values` (the mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
