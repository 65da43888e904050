// swift-tools-version:6.1
import PackageDescription

// Baselines for `scripts/bench`: the raw HTTP ceiling (a trivial Hummingbird 2 route) and the raw SQLite ceiling
// (GRDB batched inserts and point reads with Machi's pragmas and schema). A separate package, so the main
// package's dependency graph and build stay untouched. Built with the same flags as the main package: release
// configuration and the same upcoming features.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "machi-benchmarks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "machi-baseline", targets: ["MachiBaseline"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "MachiBaseline",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        )
    ]
)

for target in package.targets {
    target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
}
