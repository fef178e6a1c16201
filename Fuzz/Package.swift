// swift-tools-version:6.0
// onionboard's fuzz targets (issue 17): a package of its own, so the main build never sees
// libFuzzer. `onionboard` is a link to the repository root: a path dependency takes its
// identity from the directory name, which is "onionboard" only through the link.
// Built and run by Fuzz/run (`make fuzz`), with -sanitize=fuzzer,address for every module.
// Copyright (C) 2026 the onionboard authors. GPL-3.0-or-later.
import PackageDescription

let package = Package(
    name: "onionboard-fuzz",
    dependencies: [
        .package(path: "onionboard"),
    ],
    targets: [
        // The C entry: libFuzzer's LLVMFuzzerRunDriver, called from the Swift main (SwiftPM
        // renames an executable's main and links it with --defsym, so libFuzzer's own main is unused).
        .target(name: "CFuzzEntry"),
        .executableTarget(
            name: "onionboard-fuzz",
            dependencies: [
                "CFuzzEntry",
                .product(name: "OnionMap", package: "onionboard"),
                .product(name: "XMPPOverTor", package: "onionboard"),
                .product(name: "PurpleConfig", package: "onionboard"),
                .product(name: "Wizard", package: "onionboard"),
                .product(name: "Vocabulary", package: "onionboard"),
            ]
        ),
    ]
)
