// swift-tools-version: 6.0
// Gumbo: probabilistic programming with discrete latent variables and
// per-site gradient estimators. No dependencies beyond the toolchain.
import PackageDescription

let package = Package(
    name: "Gumbo",
    products: [
        .library(name: "Gumbo", targets: ["Gumbo"]),
        .executable(name: "gumbo", targets: ["gumbo"]),
        .executable(name: "gumbo-bench", targets: ["gumbo-bench"]),
    ],
    targets: [
        // MARK: Library
        .target(name: "Gumbo"),
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
            dependencies: ["Gumbo", "GumboWorkloads", "GumboCommands", "GumboTestSupport"]
        ),
    ]
)
