#if canImport(Glibc)
import Glibc
#endif

/// Runs the benchmark on one core when it is compared with peers.
///
/// Pyro's and NumPyro's runtimes start helper threads; with a core to spare
/// they run beside the step and their CPU time counts in the process's
/// (NumPyro's per-call step read up to 60 % more CPU time than wall time on
/// a 2-core machine). The peer scripts pin themselves
/// (`workloads_data.pin_to_one_core`); `gumbo-bench svi --peers` pins
/// itself to the same core, the lowest it may use, so all three systems run
/// alike, and its children start pinned.
enum CorePinning {
    /// `sched_getaffinity` / `sched_setaffinity` (Linux): thread 0 is the
    /// caller, the mask a bit per core. The C library declares them only
    /// with `_GNU_SOURCE`, which Swift's import of it does not set, so they
    /// are looked up by name.
    private typealias AffinityCall = @convention(c) (Int32, Int, UnsafeMutableRawPointer) -> Int32

    /// Bytes of the mask: 1024 cores, the C library's `cpu_set_t`.
    private static let maskBytes = 128

    /// Pins the calling thread (and the processes and threads it starts
    /// later) to the lowest core in its affinity mask; returns that core, or
    /// `nil` where the system has no affinity call or it failed.
    static func pinToLowestCore() -> Int? {
        #if os(Linux)
        guard let get = call("sched_getaffinity"), let set = call("sched_setaffinity") else { return nil }
        var mask = [UInt8](repeating: 0, count: maskBytes)
        let core: Int? = mask.withUnsafeMutableBytes { bytes in
            guard get(0, maskBytes, bytes.baseAddress!) == 0 else { return nil }
            guard let index = bytes.firstIndex(where: { $0 != 0 }) else { return nil }
            let core = index * 8 + bytes[index].trailingZeroBitCount
            for k in bytes.indices { bytes[k] = 0 }
            bytes[core / 8] = UInt8(1) << UInt8(core % 8)
            return set(0, maskBytes, bytes.baseAddress!) == 0 ? core : nil
        }
        return core
        #else
        return nil
        #endif
    }

    #if os(Linux)
    private static func call(_ name: String) -> AffinityCall? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: AffinityCall.self)
    }
    #endif
}
