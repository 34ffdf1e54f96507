// swift-tools-version: 6.2
// Gumbo: probabilistic programming with discrete latent variables and
// per-site gradient estimators. No dependencies beyond the toolchain.
import PackageDescription

/// `GumboAVX2` is compiled for the Haswell instruction set (AVX2, fused
/// multiply-add) on x86-64 and `GumboAVX512` for Skylake-SP's (AVX-512),
/// and `Gumbo` calls each only after checking the processor at run time
/// (`InstructionSet`); everything else is compiled for the baseline, so
/// binaries run on any x86-64 machine. (Tools version 6.2 is the first
/// that lets a dependency carry such a flag.)
#if arch(x86_64)
let haswell: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
let skylakeAVX512: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "skylake-avx512"])]
#else
let haswell: [SwiftSetting] = []
let skylakeAVX512: [SwiftSetting] = []
#endif

let package = Package(
    name: "Gumbo",
    products: [
        .library(name: "Gumbo", targets: ["Gumbo"]),
        .executable(name: "gumbo", targets: ["gumbo"]),
        .executable(name: "gumbo-bench", targets: ["gumbo-bench"]),
    ],
    targets: [
        // MARK: Library
        .target(name: "Gumbo", dependencies: ["GumboAVX2", "GumboAVX512"]),
        // Matrix products for processors with AVX2 and FMA, chosen at run time.
        .target(name: "GumboAVX2", swiftSettings: haswell),
        // Dense matrix products for processors with AVX-512, chosen at run time.
        .target(name: "GumboAVX512", swiftSettings: skylakeAVX512),
        // The reference workloads of BENCHMARKS.md, shared by the command,
        // the benchmarks, the examples and the tests.
        .target(name: "GumboWorkloads", dependencies: ["Gumbo"]),
        // The `gumbo` command's subcommands, a library so the tests can run them.
        .target(name: "GumboCommands", dependencies: ["Gumbo", "GumboWorkloads"]),

        // MARK: Command-line tools
        .executableTarget(name: "gumbo", dependencies: ["GumboCommands"]),
        .executableTarget(name: "gumbo-bench", dependencies: ["Gumbo", "GumboWorkloads"]),

        // MARK: Examples
        // Each a tutorial in code: `swift run -c release <name>`.
        .executableTarget(name: "variance8", dependencies: ["Gumbo", "GumboWorkloads"], path: "Examples/variance8"),
        .executableTarget(name: "sprinkler", dependencies: ["Gumbo", "GumboWorkloads"], path: "Examples/sprinkler"),
        .executableTarget(name: "gmm", dependencies: ["Gumbo", "GumboWorkloads"], path: "Examples/gmm"),
        .executableTarget(name: "spikeslab", dependencies: ["Gumbo", "GumboWorkloads"], path: "Examples/spikeslab"),
        .executableTarget(name: "dvae", dependencies: ["Gumbo", "GumboWorkloads"], path: "Examples/dvae"),

        // MARK: Tests
        .target(
            name: "GumboTestSupport",
            dependencies: ["Gumbo"],
            path: "Tests/GumboTestSupport"
        ),
        .testTarget(
            name: "GumboTests",
            dependencies: ["Gumbo", "GumboAVX2", "GumboAVX512", "GumboWorkloads", "GumboCommands",
                           "GumboTestSupport"]
        ),
    ]
)
