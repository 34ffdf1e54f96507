import Foundation

/// The vector instructions the plan's kernels use on this processor,
/// decided once per process.
///
/// Gumbo is compiled for the compiler's baseline (on x86-64: SSE2, 128-bit
/// vectors, no fused multiply-add), so a binary runs on any machine of its
/// architecture. Matrix products, which dominate models with dense layers
/// (W5), and the elementwise passes also exist compiled for the Haswell
/// instruction set in the `GumboAVX2` module: 256-bit vectors and fused
/// multiply-adds, about three times the baseline's rate at W5's sizes. The
/// dense products exist a third time, compiled for Skylake-SP's AVX-512 in
/// `GumboAVX512`: 512-bit vectors, thirty-two registers. Each is used when
/// the processor has every feature its module was compiled with — a
/// run-time choice, as XLA makes for NumPyro's compiled steps.
///
/// The AVX-512 products sum every result in the order the AVX2 ones do,
/// so `avx512` and `avx2` give the same results bit for bit.
/// `GUMBO_INSTRUCTION_SET=baseline` (or `avx2`) in the environment caps the
/// choice: `baseline` for results that are the same bit for bit on every
/// x86-64 machine (the baseline and AVX2 kernels differ by rounding: a
/// fused multiply-add rounds once). Any other value is ignored.
enum InstructionSet: String, Sendable, Comparable {
    /// SSE2 on x86-64; the only choice on other architectures.
    case baseline
    /// AVX2, FMA and the rest of Haswell's additions.
    case avx2
    /// AVX2's set and AVX-512 (F, CD, DQ, BW, VL): `GumboAVX2`'s kernels,
    /// and `GumboAVX512`'s dense products in place of `GumboAVX2`'s.
    case avx512

    /// This process's choice: the processor's best, capped by
    /// `GUMBO_INSTRUCTION_SET`.
    static let current: InstructionSet = {
        let available = processorBest()
        guard let cap = ProcessInfo.processInfo.environment["GUMBO_INSTRUCTION_SET"]
            .flatMap(InstructionSet.init(rawValue:)) else { return available }
        return min(cap, available)
    }()

    /// Whether `GumboAVX2`'s kernels may run (on AVX-512 processors too).
    var hasAVX2: Bool { self >= .avx2 }

    static func < (lhs: InstructionSet, rhs: InstructionSet) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .baseline: 0
        case .avx2: 1
        case .avx512: 2
        }
    }

    /// The best set this processor runs.
    static func processorBest() -> InstructionSet {
        guard processorHasHaswellFeatures() else { return .baseline }
        return processorHasSkylakeAVX512Features() ? .avx512 : .avx2
    }

    /// The features `-target-cpu haswell` lets the compiler use, by their
    /// names in Linux's `/proc/cpuinfo` (`abm` is LZCNT).
    static let haswellFeatures: Set<String> = [
        "avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm", "popcnt", "sse4_2",
    ]

    /// The features `-target-cpu skylake-avx512` adds to Haswell's that
    /// compiled code may use (the rest, such as `clwb` or `xsavec`, only
    /// through intrinsics, which `GumboAVX512` does not call).
    static let skylakeAVX512Features: Set<String> = [
        "avx512f", "avx512cd", "avx512dq", "avx512bw", "avx512vl", "adx",
    ]

    /// Whether every Haswell feature is present and enabled by the system.
    static func processorHasHaswellFeatures() -> Bool {
        #if arch(x86_64) && canImport(Darwin)
        return processorHas(["avx2_0", "fma", "bmi1", "bmi2", "f16c", "movbe", "lzcnt"])
        #else
        return processorHas(haswellFeatures)
        #endif
    }

    /// Whether every Haswell and Skylake-SP feature is present and enabled
    /// (the operating system saves the 512-bit registers).
    static func processorHasSkylakeAVX512Features() -> Bool {
        processorHasHaswellFeatures() && processorHas(skylakeAVX512Features)
    }

    /// Whether the processor has every named feature. Linux lists a feature
    /// in `/proc/cpuinfo` only if the kernel saves its registers; on macOS
    /// `sysctl` reports each as `hw.optional.<name>` (a name the system does
    /// not know reads as absent, so any doubt keeps the lesser set).
    /// Elsewhere (and on other architectures) the answer is no.
    static func processorHas(_ features: Set<String>) -> Bool {
        #if arch(x86_64) && os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return false }
        let flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        return features.isSubset(of: flags)
        #elseif arch(x86_64) && canImport(Darwin)
        return features.allSatisfy { name in
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            return sysctlbyname("hw.optional.\(name)", &value, &size, nil, 0) == 0 && value != 0
        }
        #else
        return false
        #endif
    }
}
