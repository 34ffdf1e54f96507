// swift-tools-version: 6.2
// Gumbo: probabilistic programming with discrete latent variables and
// per-site gradient estimators. No dependencies beyond the toolchain.
import PackageDescription

/// Code for the processor that builds the package. On x86-64 the compiler's
/// baseline is SSE2: 128-bit vectors and no fused multiply-add, half of what
/// the machines that run Gumbo can do (XLA compiles NumPyro's steps for the
/// host's processor in the same way). `GUMBO_PORTABLE=1 swift build …`
/// builds for the baseline instead: a binary to copy to other machines.
/// (Since tools version 6.2 a dependency may carry such flags.)
#if arch(x86_64)
let hostProcessor: [SwiftSetting] =
    Context.environment["GUMBO_PORTABLE"] == "1" ? [] : [.unsafeFlags(["-target-cpu", "native"])]
#else
let hostProcessor: [SwiftSetting] = []
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
        .target(name: "Gumbo", swiftSettings: hostProcessor),
        // The reference workloads of BENCHMARKS.md, shared by the command,
        // the benchmarks, the examples and the tests.
        .target(name: "GumboWorkloads", dependencies: ["Gumbo"], swiftSettings: hostProcessor),
        // The `gumbo` command's subcommands, a library so the tests can run them.
        .target(name: "GumboCommands", dependencies: ["Gumbo", "GumboWorkloads"], swiftSettings: hostProcessor),

        // MARK: Command-line tools
        .executableTarget(name: "gumbo", dependencies: ["GumboCommands"], swiftSettings: hostProcessor),
        .executableTarget(name: "gumbo-bench", dependencies: ["Gumbo", "GumboWorkloads"], swiftSettings: hostProcessor),

        // MARK: Examples
        // Each a tutorial in code: `swift run -c release <name>`.
        .executableTarget(name: "variance8", dependencies: ["Gumbo", "GumboWorkloads"], path: "Examples/variance8", swiftSettings: hostProcessor),
        .executableTarget(name: "sprinkler", dependencies: ["Gumbo", "GumboWorkloads"], path: "Examples/sprinkler", swiftSettings: hostProcessor),
        .executableTarget(name: "gmm", dependencies: ["Gumbo", "GumboWorkloads"], path: "Examples/gmm", swiftSettings: hostProcessor),
        .executableTarget(name: "spikeslab", dependencies: ["Gumbo", "GumboWorkloads"], path: "Examples/spikeslab", swiftSettings: hostProcessor),
        .executableTarget(name: "dvae", dependencies: ["Gumbo", "GumboWorkloads"], path: "Examples/dvae", swiftSettings: hostProcessor),

        // MARK: Tests
        .target(
            name: "GumboTestSupport",
            dependencies: ["Gumbo"],
            path: "Tests/GumboTestSupport",
            swiftSettings: hostProcessor
        ),
        .testTarget(
            name: "GumboTests",
            dependencies: ["Gumbo", "GumboWorkloads", "GumboCommands", "GumboTestSupport"],
            swiftSettings: hostProcessor
        ),
    ]
)
