// swift-tools-version:6.0
// onionboard — guided, anonymous XMPP account setup for Pidgin over Tor.
// Copyright (C) 2026 the onionboard authors. GPL-3.0-or-later.
import PackageDescription

let package = Package(
    name: "onionboard",
    products: [
        .executable(name: "onionboard", targets: ["OnionboardMain"]),
        .executable(name: "onionboard-gtk", targets: ["onionboard-gtk"]),
        .library(name: "Wizard", targets: ["Wizard"]),
        // For the fuzz targets in Fuzz/ (a package of its own that depends on this one).
        .library(name: "OnionMap", targets: ["OnionMap"]),
        .library(name: "XMPPOverTor", targets: ["XMPPOverTor"]),
        .library(name: "PurpleConfig", targets: ["PurpleConfig"]),
        .library(name: "Vocabulary", targets: ["Vocabulary"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries, each behind a modulemap and a shim for the macros Swift cannot import.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        // prctl(2) behind fixed-argument wrappers (it is variadic).
        .systemLibrary(name: "CProcessControl"),
        .systemLibrary(name: "CGtk", pkgConfig: "gtk+-3.0", providers: [.apt(["libgtk-3-dev"])]),
        // C for Platform: the argument vector taken from the C library at start, so that
        // CommandLine.arguments does not depend on /proc (process_arguments.c); thread names and ids.
        .target(name: "CPlatform"),

        // Library layers, one-way dependencies top to bottom (see README "Architecture").
        .target(name: "Diagnostics"),
        // What full Foundation had and FoundationEssentials leaves out, in small owner types:
        // locks, a condition, threads, the standard streams, the command line without /proc.
        .target(name: "Platform", dependencies: ["CPlatform"]),
        // The person's language: gettext catalogs (po/, docs/translations.md), `translated(…)`,
        // Pidgin's own labels. Every layer that says something to a person uses it.
        .target(name: "Localization", dependencies: ["Platform"]),
        .target(name: "Secrets", dependencies: ["CSodium", "CProcessControl", "Diagnostics", "Platform", "Localization"]),
        // The words every layer shares, as plain values: TLS mode, room bookmark, host:port,
        // what a profile write did, an account awaiting its profile (its password as a
        // SecretBytes). No network, no Pidgin code.
        .target(name: "Vocabulary", dependencies: ["Secrets", "Localization"]),
        // The one owner type of an OpenSSL X509, for the TLS layer and the Pidgin pin.
        .target(name: "X509", dependencies: ["COpenSSL", "Vocabulary"]),
        .target(
            name: "OnionMap",
            dependencies: ["COpenSSL", "Vocabulary", "Diagnostics", "Platform"],
            resources: [
                .embedInCode("../../Providers/onions-map.lua"),
                .embedInCode("../../Providers/providers.json"),
            ]
        ),
        .target(name: "XMPPOverTor", dependencies: ["CLibXML2", "COpenSSL", "X509", "Secrets", "Vocabulary", "Diagnostics", "Localization"]),
        .target(name: "PurpleConfig", dependencies: ["CLibXML2", "X509", "Secrets", "Vocabulary", "Diagnostics", "Platform", "Localization"]),
        // The template parser, the engine and the runner: no network, no Pidgin code, so the
        // build itself keeps them free of that I/O (README "Architecture").
        .target(
            name: "Wizard",
            dependencies: ["Secrets", "Vocabulary", "Diagnostics", "Platform", "Localization"],
            resources: [
                .embedInCode("../../Templates/tails-support.wizard"),
            ]
        ),
        // The real layers behind the Wizard's protocols: provider map, registration over Tor,
        // the Pidgin profile writer, the Tor probe, answers-file I/O.
        .target(
            name: "WizardAdapters",
            dependencies: ["Wizard", "OnionMap", "Secrets", "Vocabulary", "XMPPOverTor", "PurpleConfig", "Diagnostics", "Platform", "Localization"]
        ),
        // onionboard in Tails' Persistent Storage: the persistence configuration read as Tails
        // writes it, the programs and desktop entries kept by the Dotfiles feature (docs/tails.md).
        .target(
            name: "TailsPersistence",
            dependencies: ["Vocabulary", "Diagnostics", "Platform", "Localization"],
            resources: [
                .embedInCode("../../Templates/onionboard-bootstrap.desktop"),
                .embedInCode("../../Templates/onionboard.desktop"),
            ]
        ),
        // The swappable user interfaces of a wizard run: terminal, plain, non-interactive, and
        // the hand-over to the desktop window; the child processes and signals they need.
        .target(name: "Frontends", dependencies: ["Wizard", "Secrets", "Vocabulary", "Diagnostics", "Platform", "Localization"]),
        // The commands and their flags (a library, so that the desktop window runs the same
        // commands); the `onionboard` executable is only its entry point.
        .target(
            name: "onionboard",
            dependencies: [
                "Frontends", "Wizard", "WizardAdapters", "OnionMap", "Secrets", "Vocabulary", "XMPPOverTor", "PurpleConfig",
                "Diagnostics", "Platform", "TailsPersistence", "Localization",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "OnionboardMain", dependencies: ["onionboard"]),
        // The desktop window (GTK 3): one more Frontend, in a target of its own so that the
        // command-line tool keeps no GTK dependency. No GTK type leaves it.
        .target(name: "GtkFrontend", dependencies: ["CGtk", "Frontends", "Wizard", "Secrets", "Vocabulary", "Diagnostics", "Platform", "Localization"]),
        // `onionboard-gtk`: the same commands with the GTK frontend; the GTK main loop on the
        // main thread, the wizard on a worker (docs/gui.md).
        .executableTarget(name: "onionboard-gtk", dependencies: [
            "GtkFrontend", "onionboard", "Frontends", "PurpleConfig", "Secrets", "Platform", "Localization",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Timings of the profile writer and the stream parser for bench/run.py (`make bench`); not part of the tests.
        .executableTarget(name: "onionboard-bench", dependencies: ["PurpleConfig", "XMPPOverTor", "Secrets", "Vocabulary"]),

        // Shared test helpers: temp dirs, running the built binary, the local world's coordinates.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "PlatformTests", dependencies: ["Platform"]),
        .testTarget(name: "TailsPersistenceTests", dependencies: ["TailsPersistence", "TestSupport"]),
        .testTarget(name: "SecretsTests", dependencies: ["Secrets"]),
        .testTarget(name: "LocalizationTests", dependencies: ["Localization", "TestSupport", "localization-probe"]),
        .testTarget(name: "OnionMapTests", dependencies: ["OnionMap"]),
        .testTarget(name: "VocabularyTests", dependencies: ["Vocabulary", "X509", "TestSupport"]),
        .testTarget(name: "XMPPOverTorTests", dependencies: ["XMPPOverTor", "X509", "Secrets", "Vocabulary", "TestSupport"]),
        .testTarget(name: "PurpleConfigTests", dependencies: ["PurpleConfig", "Secrets", "Vocabulary", "TestSupport"],
                    exclude: ["Fixtures"]),
        // Writes a profile in a loop so the crash-safety test can SIGKILL it mid-write.
        .executableTarget(name: "purple-crash-writer", dependencies: ["PurpleConfig", "Secrets", "Vocabulary"],
                          path: "Tests/PurpleCrashWriter"),
        // Prints what Localization says for a language (the environment's): the tests run it,
        // since a test process must not change its own language under the other tests.
        .executableTarget(name: "localization-probe", dependencies: ["Localization"], path: "Tests/LocalizationProbe"),
        // The guide (templates guide) from ManualGuideTests' fixed data, in a language: for the golden files.
        .executableTarget(name: "guide-probe", dependencies: ["Wizard", "Vocabulary", "Localization"], path: "Tests/GuideProbe"),
        .testTarget(name: "WizardTests", dependencies: ["Wizard", "WizardAdapters", "OnionMap", "Secrets", "Vocabulary", "TestSupport"],
                    exclude: ["Golden"]),
        .testTarget(name: "CLITests", dependencies: ["onionboard", "OnionboardMain", "onionboard-gtk", "Frontends", "WizardAdapters", "Vocabulary", "TestSupport",
                                                   "localization-probe", "guide-probe", "Localization"]),
        .testTarget(name: "IntegrationTests", dependencies: ["onionboard", "OnionboardMain", "TestSupport", "XMPPOverTor", "PurpleConfig", "Secrets"]),
    ]
)
