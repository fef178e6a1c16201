// swift-tools-version:6.0
// onionboard — guided, anonymous XMPP account setup for Pidgin over Tor.
// Copyright (C) 2026 the onionboard authors. GPL-3.0-or-later.
import PackageDescription

let package = Package(
    name: "onionboard",
    products: [
        .executable(name: "onionboard", targets: ["onionboard"]),
        .library(name: "Wizard", targets: ["Wizard"]),
        // For the fuzz targets in Fuzz/ (a package of its own that depends on this one).
        .library(name: "OnionMap", targets: ["OnionMap"]),
        .library(name: "XMPPOverTor", targets: ["XMPPOverTor"]),
        .library(name: "PurpleConfig", targets: ["PurpleConfig"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries, each behind a modulemap and a shim for the macros Swift cannot import.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),

        // Library layers, one-way dependencies top to bottom (see README "Architecture").
        .target(name: "Diagnostics"),
        .target(name: "Secrets", dependencies: ["CSodium"]),
        .target(
            name: "OnionMap",
            dependencies: ["COpenSSL", "Diagnostics"],
            resources: [
                .embedInCode("../../Providers/onions-map.lua"),
                .embedInCode("../../Providers/providers.json"),
            ]
        ),
        .target(name: "XMPPOverTor", dependencies: ["CLibXML2", "COpenSSL", "Secrets", "Diagnostics"]),
        .target(name: "PurpleConfig", dependencies: ["CLibXML2", "COpenSSL", "Secrets", "Diagnostics"]),
        // The template parser, the engine and the runner: no network, no Pidgin code, so the
        // build itself keeps them free of that I/O (README "Architecture").
        .target(
            name: "Wizard",
            dependencies: ["Secrets", "Diagnostics"],
            resources: [
                .embedInCode("../../Templates/tails-support.wizard"),
            ]
        ),
        // The real layers behind the Wizard's protocols: provider map, registration over Tor,
        // the Pidgin profile writer, the Tor probe, answers-file I/O.
        .target(
            name: "WizardAdapters",
            dependencies: ["Wizard", "OnionMap", "Secrets", "XMPPOverTor", "PurpleConfig", "Diagnostics"]
        ),
        // The swappable user interfaces of a wizard run: terminal, plain, non-interactive,
        // zenity windows; and the child processes and signals they need.
        .target(name: "Frontends", dependencies: ["Wizard", "Secrets", "Diagnostics"]),
        .executableTarget(
            name: "onionboard",
            dependencies: [
                "Frontends", "Wizard", "WizardAdapters", "OnionMap", "Secrets", "XMPPOverTor", "PurpleConfig", "Diagnostics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Timings of the profile writer for bench/run.py (`make bench`); not part of the tests.
        .executableTarget(name: "onionboard-bench", dependencies: ["PurpleConfig", "Secrets"]),

        // Shared test helpers: temp dirs, running the built binary, the local world's coordinates.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SecretsTests", dependencies: ["Secrets"]),
        .testTarget(name: "OnionMapTests", dependencies: ["OnionMap"]),
        .testTarget(name: "XMPPOverTorTests", dependencies: ["XMPPOverTor", "Secrets", "TestSupport"]),
        .testTarget(name: "PurpleConfigTests", dependencies: ["PurpleConfig", "Secrets", "TestSupport"],
                    exclude: ["Fixtures"]),
        // Writes a profile in a loop so the crash-safety test can SIGKILL it mid-write.
        .executableTarget(name: "purple-crash-writer", dependencies: ["PurpleConfig", "Secrets"],
                          path: "Tests/PurpleCrashWriter"),
        .testTarget(name: "WizardTests", dependencies: ["Wizard", "WizardAdapters", "OnionMap", "Secrets", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["onionboard", "Frontends", "WizardAdapters", "TestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["onionboard", "TestSupport", "XMPPOverTor", "PurpleConfig", "Secrets"]),
    ]
)
