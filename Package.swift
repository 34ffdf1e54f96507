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

        // MARK: Command-line tools
        .executableTarget(name: "gumbo", dependencies: ["Gumbo"]),
        .executableTarget(name: "gumbo-bench", dependencies: ["Gumbo"]),

        // MARK: Tests
        .target(
            name: "GumboTestSupport",
            dependencies: ["Gumbo"],
            path: "Tests/GumboTestSupport"
        ),
        .testTarget(
            name: "GumboTests",
            dependencies: ["Gumbo", "GumboTestSupport"]
        ),
    ]
)
