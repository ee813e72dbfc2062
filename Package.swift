// swift-tools-version:6.0
// Frugal — deep learning for the GPU-poor. See README.md and docs/architecture.md.
import PackageDescription
import Foundation

// oneDNN's sgemm (Gemm's default backend, see Gemm.swift) where its header is installed: on Linux
// scripts/setup installs Debian's libdnnl-dev (x86-64); without it Gemm uses CBLAS alone.
#if os(Linux)
let oneDNN: [Target.Dependency] = FileManager.default.fileExists(atPath: "/usr/include/oneapi/dnnl/dnnl.h")
    ? [.target(name: "CDNNL", condition: .when(platforms: [.linux]))] : []
#else
let oneDNN: [Target.Dependency] = []
#endif

// Hot numeric targets are compiled for AVX2 + FMA on x86-64 (Haswell, 2013, and later; every
// AMD Zen). Without it Swift's SIMD types fall back to one library call per lane (50x slower).
// The flags are unsafeFlags, which SwiftPM accepts for a root package.
#if arch(x86_64)
let simdFlags: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma", "-Xcc", "-mf16c"])]
#else
let simdFlags: [SwiftSetting] = []
#endif
// The project's own targets build with warnings as errors (dependencies are not affected).
let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]
let numeric: [SwiftSetting] = simdFlags + strict + [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
// One small module of kernels is compiled for AVX-512; it only runs where the CPU reports AVX-512F
// (checked at run time), every other machine takes the AVX2 kernels.
#if arch(x86_64)
let avx512Flags: [SwiftSetting] = strict + [.unsafeFlags(["-Xcc", "-mavx512f", "-Xcc", "-mavx512vl", "-Xcc", "-mavx512bw",
                                                 "-Xcc", "-mavx512dq", "-Xcc", "-mfma", "-enforce-exclusivity=unchecked"])]
#else
let avx512Flags: [SwiftSetting] = strict
#endif

let package = Package(
    name: "Frugal",
    platforms: [.macOS(.v14)],
    // MARK: public products
    products: [
        .executable(name: "frugal", targets: ["frugal"]),
        .library(name: "Frugal", targets: ["FrugalRandom", "FrugalCore", "FrugalQuant", "FrugalSpec", "FrugalIO",
                                           "FrugalText", "FrugalEstimate", "FrugalModels", "FrugalTrain", "FrugalServe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // frugal serve: the HTTP server, graceful shutdown, and (tests only) an HTTP client.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    // MARK: internal targets
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .target(name: "FrugalRandom", swiftSettings: strict),
        .target(name: "FrugalCore", dependencies: ["CBLAS", "FrugalAVX512", "FrugalRandom"] + oneDNN, swiftSettings: numeric),
        .target(name: "FrugalAVX512", swiftSettings: avx512Flags),
        .target(name: "FrugalQuant", dependencies: ["FrugalCore", "FrugalAVX512"], swiftSettings: numeric),
        .target(name: "FrugalSpec", swiftSettings: strict),
        .target(name: "FrugalIO", dependencies: ["FrugalCore", "FrugalQuant", "FrugalSpec"],
                swiftSettings: numeric),
        .target(name: "FrugalText", dependencies: ["FrugalRandom"], swiftSettings: strict),
        .target(name: "FrugalModels", dependencies: ["FrugalCore", "FrugalQuant", "FrugalSpec", "FrugalIO", "FrugalText"],
                swiftSettings: numeric),
        .target(name: "FrugalTrain", dependencies: ["FrugalModels", "FrugalEstimate"], swiftSettings: numeric),
        .target(name: "FrugalEstimate", dependencies: ["FrugalSpec", "FrugalRandom"], swiftSettings: strict),
        .target(name: "FrugalServe", dependencies: [
            "FrugalModels", "FrugalTrain", "FrugalText",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .executableTarget(name: "frugal", dependencies: [
            "FrugalCore", "FrugalQuant", "FrugalSpec", "FrugalIO", "FrugalText", "FrugalEstimate",
            "FrugalModels", "FrugalTrain", "FrugalServe",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Yams", package: "Yams"),
        ], swiftSettings: numeric),
        .executableTarget(name: "FrugalBench", dependencies: ["FrugalCore", "FrugalQuant", "FrugalModels", "FrugalTrain", "FrugalIO", "FrugalEstimate", "CBLAS"],
                          path: "Benchmarks/FrugalBench", swiftSettings: numeric),
        // libFuzzer targets for every parser of untrusted input (`make fuzz`); a plain build makes a corpus replayer.
        .executableTarget(name: "FrugalFuzz", dependencies: ["FrugalIO", "FrugalSpec", "FrugalText", "FrugalTrain"],
                          path: "Fuzz/FrugalFuzz", swiftSettings: strict),

        // MARK: tests
        .testTarget(name: "FrugalCoreTests", dependencies: ["FrugalCore"], swiftSettings: numeric),
        .testTarget(name: "FrugalQuantTests", dependencies: ["FrugalQuant", "FrugalRandom"],
                    resources: [.copy("Fixtures")], swiftSettings: numeric),
        .testTarget(name: "FrugalSpecTests", dependencies: ["FrugalSpec"], swiftSettings: strict),
        .testTarget(name: "FrugalIOTests", dependencies: ["FrugalIO", "FrugalRandom"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "FrugalTextTests", dependencies: ["FrugalText", "FrugalRandom"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "FrugalEstimateTests", dependencies: ["FrugalEstimate", "FrugalRandom"], swiftSettings: strict),
        .testTarget(name: "FrugalModelsTests", dependencies: ["FrugalModels", "FrugalTrain", "FrugalEstimate"],
                    resources: [.copy("Fixtures")], swiftSettings: numeric),
        .testTarget(name: "FrugalTrainTests", dependencies: ["FrugalTrain", "FrugalEstimate"], swiftSettings: numeric),
        .testTarget(name: "FrugalServeTests", dependencies: [
            "FrugalServe", "FrugalModels", "FrugalTrain",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v5]
)
