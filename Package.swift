// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "counterd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "counterd", targets: ["counterd"]),
        .executable(name: "counterctl", targets: ["counterctl"]),
        .executable(name: "counter-hub", targets: ["counter-hub"]),
        .executable(name: "counter-bench", targets: ["counter-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // Domain values and rules. No I/O.
        .target(name: "CounterCore", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
        ]),
        // The SQLite ledger: schema, migrations, the atomic redeem and void transactions, the outbox.
        .target(name: "CounterLedger", dependencies: [
            "CounterCore",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The only module that calls libusb: enumeration and hotplug; sysfs maps devices to their nodes.
        .target(name: "CounterUSB", dependencies: ["CounterCore", "CLibUSB"]),
        // Scanner transports (keyboard wedge, HID POS, serial, terminal), framing, profiles, device matching.
        .target(name: "CounterScan", dependencies: [
            "CounterCore", "CounterProfiles", "CounterUSB", "CXKBCommon",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // The JSON shapes of the local API, shared by the server and counterctl.
        .target(name: "CounterAPIModels", dependencies: ["CounterCore", "CounterSyncModels"]),
        // C libraries, each called from one module only (see docs/architecture.md, "C libraries").
        .systemLibrary(name: "CCUPS", path: "Sources/CCUPS"),
        .systemLibrary(name: "CQREncode", path: "Sources/CQREncode"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CLibUSB", path: "Sources/CLibUSB"),
        .systemLibrary(name: "CXKBCommon", path: "Sources/CXKBCommon"),
        // Driver data: the one loader of printer and scanner profiles (DIRECTORY/FAMILY/*.json) and their provenance.
        .target(name: "CounterProfiles"),
        // Receipts: printer profiles, the ESC/POS encoder and decoder, bitmap text and QR, the preview.
        .target(name: "CounterPrint", dependencies: ["CounterProfiles", "CQREncode", "CZlib"]),
        // The only module that calls libcups: destinations, raw jobs, job state.
        .target(name: "CounterCUPS", dependencies: ["CCUPS"]),
        // The HTTP plumbing counterd's local API and counter-hub share: the request context, JSON responses,
        // the error type and its body, body decoding, the controller protocol, 404/405 for unmatched routes.
        .target(name: "CounterHTTP", dependencies: [
            "CounterCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // counterd's local API server: its listeners, the browser guard, the cashier's page (controllers: CounterDaemon).
        .target(name: "CounterAPI", dependencies: [
            "CounterCore", "CounterAPIModels", "CounterHTTP",
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The client of the local API, used by counterctl and the tests.
        .target(name: "CounterClient", dependencies: [
            "CounterAPIModels", "CounterCore", "CounterSyncModels",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // counterctl doctor: the rules that judge the daemon's facts, the checks counterctl makes itself, the report.
        .target(name: "CounterDoctor", dependencies: ["CounterAPIModels", "CounterCore"]),
        // The JSON shapes of the sync protocol (docs/protocol.md), shared by counterd and counter-hub.
        .target(name: "CounterSyncModels", dependencies: ["CounterCore"]),
        // counterd's side of the sync protocol: hub client, feed download, event upload.
        .target(name: "CounterSync", dependencies: [
            "CounterCore", "CounterLedger", "CounterSyncModels",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The reference central engine: store, feed, event intake, admin operations, HTTP router.
        .target(name: "CounterHub", dependencies: [
            "CounterCore", "CounterHTTP", "CounterSyncModels",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Receipts: the printer section, profile lookup, the composer, the test page, and the service that prints through CUPS.
        .target(name: "CounterReceipts", dependencies: [
            "CounterCore", "CounterLedger", "CounterPrint", "CounterProfiles", "CounterCUPS", "CounterAPIModels",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Composition root: configuration, the redeemer and void desk, the local API's controllers, buildDaemon(config).
        .target(name: "CounterDaemon", dependencies: [
            "CounterCore", "CounterLedger", "CounterScan", "CounterAPI", "CounterAPIModels", "CounterSync", "CounterSyncModels",
            "CounterPrint", "CounterCUPS", "CounterUSB", "CounterReceipts", "CounterHTTP", "CounterDoctor",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "counterd", dependencies: [
            "CounterDaemon", "CounterLedger", "CounterAPI", "CounterSync", "CounterSyncModels", "CounterCore", "CounterScan",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "counterctl", dependencies: [
            "CounterClient", "CounterAPIModels", "CounterCore", "CounterSyncModels", "CounterPrint", "CounterDoctor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "counter-hub", dependencies: [
            "CounterHub", "CounterCore", "CounterSyncModels",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "counter-bench", dependencies: [
            "CounterDaemon", "CounterClient", "CounterLedger", "CounterAPI", "CounterAPIModels", "CounterCore",
            "CounterHub", "CounterSync", "CounterSyncModels", "CounterPrint", "CounterCUPS", "CounterTestSupport", "CounterReceipts",
            "CounterScan", "CounterUSB",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], path: "Benchmarks/counter-bench"),

        .testTarget(name: "CounterCoreTests", dependencies: [
            "CounterCore", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "CounterLedgerTests", dependencies: [
            "CounterLedger", "CounterCore", "CounterTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Helpers shared by test targets: a real pty pair, a private cupsd, a sysfs tree, temporary directories.
        .target(name: "CounterTestSupport", path: "Tests/CounterTestSupport"),
        .testTarget(name: "CounterScanTests", dependencies: [
            "CounterScan", "CounterProfiles", "CounterUSB", "CounterTestSupport", .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], resources: [.copy("Fixtures")]),
        .testTarget(name: "CounterDaemonTests", dependencies: [
            "CounterDaemon", "CounterDoctor", "CounterAPI", "CounterAPIModels", "CounterCore", "CounterLedger", "CounterScan", "CounterPrint",
            "CounterReceipts", "CounterProfiles", "CounterTestSupport",
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The local API over a real ledger, through its router (no sockets).
        .testTarget(name: "CounterAPITests", dependencies: [
            "CounterAPI", "CounterAPIModels", "CounterCore", "CounterDaemon", "CounterDoctor", "CounterHTTP", "CounterLedger", "CounterPrint",
            "CounterReceipts",
            "CounterTestSupport",
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "CounterPrintTests", dependencies: ["CounterPrint", "CounterProfiles"]),
        .testTarget(name: "CounterDoctorTests", dependencies: ["CounterDoctor", "CounterAPIModels", "CounterCore"]),
        .testTarget(name: "CounterCUPSTests", dependencies: ["CounterCUPS", "CounterTestSupport"]),
        .testTarget(name: "CounterSyncTests", dependencies: [
            "CounterSync", "CounterSyncModels", "CounterLedger", "CounterCore", "CounterTestSupport",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "CounterHubTests", dependencies: [
            "CounterHub", "CounterCore", "CounterHTTP", "CounterSyncModels", "CounterTestSupport",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "CounterClient", "CounterAPIModels", "CounterCore", "CounterTestSupport", "CounterPrint", "CounterCUPS",
        ]),
    ]
)

// libFuzzer targets (Fuzz/, scripts/fuzz.sh, docs/testing.md). Declared only for the fuzz build, which
// scripts/fuzz.sh builds with COUNTERD_FUZZ=1, so the normal build never sees them.
if Context.environment["COUNTERD_FUZZ"] == "1" {
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("SignedCode", ["CounterCore", .product(name: "Crypto", package: "swift-crypto")]),
        ("FeedPage", ["CounterCore", "CounterLedger", "CounterSync", "CounterSyncModels",
                      .product(name: "Crypto", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift")]),
        ("ScanFraming", ["CounterCore", "CounterScan"]),
        ("Keyboard", ["CounterCore", "CounterScan"]),
        ("EscPos", ["CounterPrint"]),
        ("HubEvents", ["CounterCore", "CounterHub", "CounterSyncModels", .product(name: "GRDB", package: "GRDB.swift")]),
        ("Profiles", ["CounterPrint", "CounterScan"]),
        ("Config", ["CounterDaemon"]),
        ("HostNames", ["CounterAPI", "CounterCore", "CounterDaemon", "CounterHTTP", "CounterSync",
                       .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOHTTP1", package: "swift-nio")]),
    ]
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/Support"))
    for (name, dependencies) in fuzzTargets {
        package.targets.append(.executableTarget(name: "Fuzz\(name)", dependencies: dependencies + ["FuzzSupport"],
                                                 path: "Fuzz/\(name)"))
    }
}

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .swiftLanguageMode(.v6),
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
    ]
    // Fuzzing instruments this package's own code only: the dependencies' objects of the ordinary debug build are
    // reused as they are, so the fuzz build compiles the project's modules and nothing else (scripts/fuzz.sh).
    if Context.environment["COUNTERD_FUZZ"] == "1" {
        target.swiftSettings! += [.unsafeFlags(["-sanitize=fuzzer"])]
        if target.type == .executable { target.linkerSettings = (target.linkerSettings ?? []) + [.unsafeFlags(["-sanitize=fuzzer"])] }
    }
}
