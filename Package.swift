// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Stipple",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "stipple", targets: ["stipple"]),
        .library(name: "EventStore", targets: ["EventStore"]),
        .library(name: "Clinic", targets: ["Clinic"]),
        .library(name: "FadeModel", targets: ["FadeModel"]),
        .library(name: "Projections", targets: ["Projections"]),
        .library(name: "ClinicService", targets: ["ClinicService"]),
        .library(name: "StippleServer", targets: ["StippleServer"]),
        .library(name: "Imaging", targets: ["Imaging"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // The console's upload form: `multipart/form-data` framing (RFC 7578).
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        // Spans per request, append and projection batch (no-ops unless a tracer is bootstrapped).
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // Reading an incoming `traceparent` (W3C Trace Context) for events' correlation ids.
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context", from: "1.0.0"),
        // `stipple serve --otel-endpoint`: the spans exported over OTLP/HTTP (not gRPC: the trait keeps
        // grpc-swift out of the build).
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // The C boundary: libpq's header, nothing else.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // The C boundary for images: libvips' header and fixed-argument wrappers for its variadic calls.
        .systemLibrary(
            name: "CVips",
            pkgConfig: "vips",
            providers: [.apt(["libvips-dev"])]
        ),
        // glibc's allocator settings: a rebuilding process fixes its mapping threshold (Projections' RebuildMemory).
        .systemLibrary(name: "CMalloc", providers: [.apt(["libc6-dev"])]),
        // The only module that touches libvips: decode, validate, orient, strip metadata, thumbnail, synthesize.
        .target(name: "Imaging", dependencies: ["CVips"], swiftSettings: strict),
        // Days since 1970-01-01 from a Gregorian date and back: shared by Clinic and EventStore (pure Swift).
        .target(name: "CivilCalendar", swiftSettings: strict),
        // The one scanner of stored JSON (events, the vault's members and envelopes): no dependencies.
        .target(name: "JSONNodes", swiftSettings: strict),
        // Text forms of bytes: hex (hashes, chain links, secrets) and UUID text, both ways (pure Swift).
        .target(name: "TextCodecs", swiftSettings: strict),
        // The only module that touches libpq.
        .target(name: "Postgres", dependencies: ["CLibPQ", "CivilCalendar", "TextCodecs"], swiftSettings: strict),
        // Generic event sourcing over PostgreSQL.
        .target(
            name: "EventStore",
            dependencies: [
                "Postgres", "CivilCalendar", "JSONNodes", "TextCodecs", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strict
        ),
        // The SMP clinic domain: pure Swift, no I/O.
        .target(name: "Clinic", dependencies: ["CivilCalendar", "JSONNodes", "TextCodecs"], swiftSettings: strict),
        // The pigment fade model: pure math.
        .target(name: "FadeModel", swiftSettings: strict),
        // Read models and the checkpointed runner that keeps them in PostgreSQL.
        .target(
            name: "Projections",
            dependencies: [
                "Postgres", "EventStore", "Clinic", "FadeModel", "JSONNodes", "TextCodecs", "CivilCalendar", "CMalloc",
                // The client search index's keyed hashes.
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strict
        ),
        // The clinic's use of the store: the command handler, the history writer, the JSON Lines event
        // format, the privacy policy. The executables and the HTTP module are thin edges over it.
        .target(
            name: "ClinicService",
            dependencies: ["Postgres", "EventStore", "Clinic", "FadeModel", "Projections", "Imaging", "JSONNodes", "TextCodecs",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // The HTTP API for operators, auditors and integrators.
        .target(
            name: "StippleServer",
            dependencies: [
                "Postgres", "EventStore", "Clinic", "FadeModel", "Projections", "ClinicService", "Imaging", "JSONNodes",
                "TextCodecs",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // Webhook deliveries: https with certificate verification.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // The HTTP parts Hummingbird's channel handlers see (an oversized request head's answer).
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                // The operator console's server-rendered pages.
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ],
            resources: [.copy("Console/Resources")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "stipple",
            dependencies: [
                "Postgres", "EventStore", "Clinic", "FadeModel", "Projections", "ClinicService", "StippleServer", "Imaging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                // `serve`, `tail` and `project --follow` run in a ServiceGroup (graceful shutdown on signals).
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strict
        ),
        // Benchmarks against PostgreSQL baselines measured in the same run (Scripts/bench.sh).
        .executableTarget(
            name: "stipple-bench",
            dependencies: [
                "Postgres", "EventStore", "Clinic", "FadeModel", "Projections", "ClinicService",
                // The live-delivery case runs the HTTP app in-process and follows it with SSE clients over TCP.
                "StippleServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/StippleBench",
            swiftSettings: strict
        ),
        // Shared test fixtures: a database per suite.
        .target(
            name: "TestSupport", dependencies: ["Postgres", "EventStore", "ClinicService", "Projections"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(
            name: "ImagingTests", dependencies: ["Imaging", "ClinicService", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "EventStoreTests",
            dependencies: [
                "EventStore", "ClinicService", "TestSupport", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "JSONNodesTests", dependencies: ["JSONNodes"], swiftSettings: strict),
        .testTarget(name: "TextCodecsTests", dependencies: ["TextCodecs"], swiftSettings: strict),
        .testTarget(
            name: "ClinicTests",
            dependencies: ["Clinic", "CivilCalendar", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FadeModelTests",
            dependencies: ["FadeModel", "Clinic", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ClinicServiceTests", dependencies: ["ClinicService", "Imaging", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ProjectionsTests", dependencies: ["Projections", "TestSupport", "CMalloc"], swiftSettings: strict),
        .testTarget(
            name: "StippleServerTests",
            dependencies: [
                "StippleServer", "ClinicService", "TestSupport", "Imaging", "TextCodecs",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StippleCLITests",
            dependencies: ["stipple", "TestSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
    ]
)
