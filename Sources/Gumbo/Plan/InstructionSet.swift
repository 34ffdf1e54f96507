import Foundation

/// The vector instructions the plan's kernels use on this processor,
/// decided once per process.
///
/// Gumbo is compiled for the compiler's baseline (on x86-64: SSE2, 128-bit
/// vectors, no fused multiply-add), so a binary runs on any machine of its
/// architecture. Matrix products, which dominate models with dense layers
/// (W5), also exist compiled for the Haswell instruction set in the
/// `GumboAVX2` module: 256-bit vectors and fused multiply-adds, about three
/// times the baseline's rate at W5's sizes. They are used when the
/// processor has every feature that module was compiled with — a run-time
/// choice, as XLA makes for NumPyro's compiled steps.
///
/// `GUMBO_INSTRUCTION_SET=baseline` in the environment keeps the baseline
/// kernels, for results that are the same bit for bit on every x86-64
/// machine (the two differ by rounding: a fused multiply-add rounds once).
enum InstructionSet: String, Sendable {
    /// SSE2 on x86-64; the only choice on other architectures.
    case baseline
    /// AVX2, FMA and the rest of Haswell's additions.
    case avx2

    /// This process's choice.
    static let current: InstructionSet = {
        if ProcessInfo.processInfo.environment["GUMBO_INSTRUCTION_SET"] == InstructionSet.baseline.rawValue {
            return .baseline
        }
        return processorHasHaswellFeatures() ? .avx2 : .baseline
    }()

    /// The features `-target-cpu haswell` lets the compiler use, by their
    /// names in Linux's `/proc/cpuinfo` (`abm` is LZCNT).
    static let haswellFeatures: Set<String> = [
        "avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm", "popcnt", "sse4_2",
    ]

    /// Whether every Haswell feature is present and enabled by the system.
    /// Linux lists a feature in `/proc/cpuinfo` only if the kernel saves its
    /// registers; on macOS `sysctl` reports each (a name the system does
    /// not know reads as absent, so any doubt keeps the baseline). Elsewhere
    /// (and on other architectures) the answer is no.
    static func processorHasHaswellFeatures() -> Bool {
        #if arch(x86_64) && os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return false }
        let flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        return haswellFeatures.isSubset(of: flags)
        #elseif arch(x86_64) && canImport(Darwin)
        return ["hw.optional.avx2_0", "hw.optional.fma", "hw.optional.bmi1", "hw.optional.bmi2",
                "hw.optional.f16c", "hw.optional.movbe", "hw.optional.lzcnt"].allSatisfy { name in
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            return sysctlbyname(name, &value, &size, nil, 0) == 0 && value != 0
        }
        #else
        return false
        #endif
    }
}
