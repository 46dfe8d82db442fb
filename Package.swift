// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// The build machine's CPU flags from /proc/cpuinfo (x86-64 Linux; empty elsewhere: macOS, arm64).
let hostCPUFlags: Set<String> = {
    #if arch(x86_64)
    guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
    return Set(flags.split(separator: " ").map(String.init))
    #else
    return []
    #endif
}()

/// The Haswell feature set (AVX2, FMA, BMI2, ...): sixteen 256-bit vector registers.
let haswellFeatures = ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm"]
/// AVX-512 (F, CD, BW, DQ, VL) on top of it: thirty-two vector registers, which the kernels' larger
/// register blocks need (`WIDE_VECTOR_REGISTER_FILE`).
let avx512Features = haswellFeatures + ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
/// AMD Zen 4's further features (its scheduling model runs the kernels about 8% faster than Skylake's).
let zen4Features = avx512Features + ["avx512_bf16", "avx512_vnni", "gfni", "vaes", "vpclmulqdq", "avx512_vbmi2",
                                     "avx512_bitalg", "avx512_vpopcntdq", "avx512ifma", "avx512vbmi"]

/// The numeric kernels are compiled with -Ounchecked even in debug builds, so that
/// `swift run make-report` (debug) trains at release speed (SwiftPM honours unsafe flags in a
/// root package), and for the build machine's CPU: Zen 4 or another AVX-512 CPU (with
/// `WIDE_VECTOR_REGISTER_FILE`, so that the kernels use their larger register blocks), else Haswell
/// when present. Swift never fuses a multiply and an add on its own, and register blocks change only
/// which sums run side by side, so every lane computes the same IEEE result on any of these targets:
/// results are bit-identical between debug and release, and with or without AVX2 or AVX-512.
let numericSettings: [SwiftSetting] = {
    let has = { (features: [String]) in features.allSatisfy(hostCPUFlags.contains) }
    let target = has(zen4Features) ? ["-target-cpu", "znver4"] : has(avx512Features) ? ["-target-cpu", "skylake-avx512"]
        : has(haswellFeatures) ? ["-target-cpu", "haswell"] : []
    return [.unsafeFlags(["-Ounchecked"] + target)] + (has(avx512Features) ? [.define("WIDE_VECTOR_REGISTER_FILE")] : [])
}()

/// The report templates shipped in Sources/PoisoningReport/templates/: every `*.mustache` file there,
/// each embedded in the binary (each report format names its own bytes), so that a new template needs
/// no line here.
let shippedTemplateFiles: [String] = ((try? FileManager.default.contentsOfDirectory(
    atPath: Context.packageDirectory + "/Sources/PoisoningReport/templates")) ?? [])
    .filter { $0.hasSuffix(".mustache") }.sorted()

let package = Package(
    name: "PoisoningStudy",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "make-report", targets: ["MakeReport"]),
        .executable(name: "make-report-fuzz", targets: ["MakeReportFuzz"]),
        .library(name: "PoisoningUtilities", targets: ["PoisoningUtilities"]),
        .library(name: "PoisoningData", targets: ["PoisoningData"]),
        .library(name: "PoisoningModels", targets: ["PoisoningModels"]),
        .library(name: "PoisoningTheory", targets: ["PoisoningTheory"]),
        .library(name: "PoisoningAttacks", targets: ["PoisoningAttacks"]),
        .library(name: "PoisoningDefenses", targets: ["PoisoningDefenses"]),
        .library(name: "PoisoningEngine", targets: ["PoisoningEngine"]),
        .library(name: "PoisoningAnalysis", targets: ["PoisoningAnalysis"]),
        .library(name: "Plotting", targets: ["Plotting"]),
        .library(name: "PoisoningFigures", targets: ["PoisoningFigures"]),
        .library(name: "PoisoningReport", targets: ["PoisoningReport"]),
        .library(name: "StudyPipeline", targets: ["StudyPipeline"]),
        .library(name: "RunStore", targets: ["RunStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // Random generators, SHA-256, the study-file parameter reader, user files, memory budgets and
        // what every study component declares (StudyComponent, MetricInfo, MemoryNeed).
        .target(name: "PoisoningUtilities", exclude: ["README.md"], swiftSettings: numericSettings),
        // Data sets: Dataset, splits, the DatasetSource protocol, Gaussian clusters and CSV files.
        .target(name: "PoisoningData", dependencies: ["PoisoningUtilities"], exclude: ["README.md"], swiftSettings: numericSettings),
        // Models: the model protocol and capabilities, the network kernels and training, kernel ridge,
        // linear SVMs, the privacy accountant and the poisoned training set attacks hand to defenses.
        .target(name: "PoisoningModels", dependencies: ["PoisoningData", "PoisoningUtilities"], exclude: ["README.md"],
                swiftSettings: numericSettings),
        // What theory predicts: Lambert W, the poisonability threshold and the target models of attacks.
        .target(name: "PoisoningTheory", dependencies: ["PoisoningData", "PoisoningModels", "PoisoningUtilities"],
                exclude: ["README.md"], swiftSettings: numericSettings),
        // The poisoning attacks.
        .target(name: "PoisoningAttacks", dependencies: ["PoisoningData", "PoisoningModels", "PoisoningTheory", "PoisoningUtilities"],
                exclude: ["README.md"], swiftSettings: numericSettings),
        // The training-set defenses and their detection metrics.
        .target(name: "PoisoningDefenses", dependencies: ["PoisoningData", "PoisoningModels", "PoisoningUtilities"],
                exclude: ["README.md"], swiftSettings: numericSettings),
        // The study layer: the study's design, the registry of every kind, the runs and the parallel sweep
        // runner; re-exports the modules above.
        .target(name: "PoisoningEngine", dependencies: [
            "PoisoningAttacks", "PoisoningData", "PoisoningDefenses", "PoisoningModels", "PoisoningTheory", "PoisoningUtilities",
        ], exclude: ["README.md"], swiftSettings: numericSettings),
        // YAML study files: reading them with file positions for errors, and writing them with comments.
        .target(name: "StudyFile", dependencies: ["PoisoningEngine", .product(name: "Yams", package: "Yams")], exclude: ["README.md"]),
        // Aggregation over seeds, sigmoid fits, thresholds and findings.
        .target(name: "PoisoningAnalysis", dependencies: ["PoisoningEngine"], exclude: ["README.md"], swiftSettings: numericSettings),
        // Finished runs in SQLite, keyed by everything that determines them, so that reruns resume.
        .target(name: "RunStore", dependencies: ["PoisoningEngine", .product(name: "GRDB", package: "GRDB.swift")],
                exclude: ["README.md"]),
        // C interop: Cairo (drawing, with its FreeType font backend) and fontconfig.
        .systemLibrary(name: "CCairo", pkgConfig: "cairo-ft",
                       providers: [.apt(["libcairo2-dev", "libfontconfig-dev", "fonts-dejavu-core"])]),
        // C interop: HarfBuzz (text shaping).
        .systemLibrary(name: "CHarfBuzz", pkgConfig: "harfbuzz", providers: [.apt(["libharfbuzz-dev"])]),
        // C interop: zlib (deflate and CRC-32 for PNG files).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // A small plotting layer over Cairo, HarfBuzz and zlib that hides every C pointer.
        .target(name: "Plotting", dependencies: ["CCairo", "CHarfBuzz", "CZlib"], exclude: ["README.md"]),
        // The study's figures (one file each, registered in StudyFigures.swift), drawn with Plotting from the analysed results.
        .target(name: "PoisoningFigures", dependencies: ["Plotting", "PoisoningAnalysis"], exclude: ["README.md"]),
        // The reports (Markdown, LaTeX, HTML): the typed report model, each format's template context and
        // escaping, rendering and template checks, and the shipped templates (templates/), embedded in
        // the binary at build time (so that an installed binary needs no resource folder beside it).
        .target(name: "PoisoningReport", dependencies: [
            "PoisoningAnalysis", "PoisoningFigures", "Plotting", .product(name: "Mustache", package: "swift-mustache"),
        ], exclude: ["README.md", "templates/README.md"], resources: shippedTemplateFiles.map { .embedInCode("templates/" + $0) }),
        // C: the atomic exchange of two directory entries (renameat2 / renamex_np).
        .target(name: "CFileExchange", exclude: ["README.md"]),
        // The pipeline: write a study's outputs atomically (study file, results, figures, reports),
        // compare regenerated artifacts with committed ones, validate an output folder.
        .target(name: "StudyPipeline", dependencies: [
            "PoisoningEngine", "PoisoningAnalysis", "PoisoningFigures", "PoisoningReport", "StudyFile", "CFileExchange",
        ], exclude: ["README.md"]),
        // The `make-report` command line: parses options and calls the libraries.
        .executableTarget(
            name: "MakeReport",
            dependencies: [
                "PoisoningEngine", "PoisoningAnalysis", "PoisoningFigures", "PoisoningReport", "RunStore", "StudyFile", "StudyPipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]
        ),
        // The parsers of user files as fuzz targets, and the libFuzzer driver / corpus replayer.
        .target(name: "FuzzTargets", dependencies: ["PoisoningAnalysis", "PoisoningEngine", "PoisoningReport", "RunStore", "StudyFile"],
                exclude: ["README.md"]),
        .executableTarget(name: "MakeReportFuzz", dependencies: ["FuzzTargets"], exclude: ["README.md"]),
        // Fixtures shared by the test targets.
        .target(name: "TestSupport", dependencies: ["PoisoningEngine"], path: "Tests/TestSupport"),
        .testTarget(name: "PoisoningEngineTests", dependencies: [
            "PoisoningAttacks", "PoisoningData", "PoisoningDefenses", "PoisoningEngine", "PoisoningModels", "PoisoningTheory",
            "PoisoningUtilities", "TestSupport",
        ], resources: [.copy("Fixtures")]),
        .testTarget(name: "PoisoningAnalysisTests", dependencies: ["PoisoningAnalysis", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting", "CZlib"]),
        .testTarget(name: "PoisoningFiguresTests", dependencies: ["PoisoningFigures", "TestSupport"]),
        .testTarget(name: "PoisoningReportTests", dependencies: ["PoisoningReport", "TestSupport", .product(name: "Mustache", package: "swift-mustache")], resources: [.copy("Golden")]),
        .testTarget(name: "MakeReportTests", dependencies: ["MakeReport", "PoisoningAnalysis", "PoisoningEngine", "RunStore", "StudyPipeline",
                                                     .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "StudyFileTests", dependencies: ["StudyFile", "TestSupport"]),
        .testTarget(name: "RunStoreTests", dependencies: ["RunStore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets"]),
        .testTarget(name: "StudyPipelineTests", dependencies: ["StudyPipeline", "Plotting", "PoisoningFigures", "TestSupport"],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
