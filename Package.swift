// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ArtifactSearch",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "HybridSearch", targets: ["HybridSearch"]),
        .library(name: "ArtifactSearch", targets: ["ArtifactSearch"]),
        .library(name: "Embedders", targets: ["Embedders"]),
        .executable(name: "artifact-search", targets: ["artifact-search"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        // The official MCP SDK (on Linux it builds MCP, swift-log and swift-system only).
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
        // The SDK's transports log through swift-log; ours (LineStdioTransport) does too.
        .package(url: "https://github.com/apple/swift-log.git", from: "1.5.0"),
        // The HTTP service (`artifact-search serve`, issue 10): Swift 6, graceful shutdown
        // through swift-service-lifecycle, streamed bodies.
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        // NIOCore's TimeAmount for the HTTP server's idle timeout (already in Hummingbird's graph).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // HTTPRequestPart and HTTPResponsePart, the parts Hummingbird's channel pipeline
        // carries (the server's `Expect: 100-continue` handler; already in Hummingbird's graph).
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        // `/metrics` in the Prometheus text format.
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        // The S3 client of the shared store (issue 12): streaming HTTP on the NIO the server
        // already has (Linux URLSession has no async byte streams).
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        // The records of the shared store (issue 12): PostgreSQL's wire protocol on the same NIO.
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
    ],
    targets: [
        .target(
            name: "HybridSearch",
            dependencies: ["CVectorKernels"]
        ),
        // Embedders a user names (`--embedder`: EmbedderChoice) and the OpenAI-compatible HTTP
        // embedder (Foundation's URLSession; no NIO). Its own target: the engine never talks HTTP.
        .target(name: "Embedders", dependencies: ["HybridSearch"]),
        .target(
            name: "ArtifactSearch",
            dependencies: [
                "HybridSearch",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Agents' access (issue 10): the MCP tools over a facade. Its own target, so a user of
        // the libraries never builds the SDK.
        .target(
            name: "ArtifactSearchMCP",
            dependencies: [
                "ArtifactSearch", "HybridSearch", .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The HTTP service over one warm store: the /v1 JSON API, API keys and tenancy, metrics,
        // and the MCP tools over Streamable HTTP. Its own target: only the program builds NIO.
        .target(
            name: "ArtifactSearchHTTP",
            dependencies: [
                "ArtifactSearch", "HybridSearch", "ArtifactSearchMCP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Object storage of the shared store (issue 12): Signature V4 and an S3-compatible
        // client. Its own target: the libraries never build NIO's HTTP client.
        .target(
            name: "ArtifactSearchS3",
            dependencies: [
                "ArtifactSearch",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The records of the shared store in PostgreSQL (issue 12): an ArtifactIndex over
        // postgres-nio. Its own target: the libraries never build a database driver.
        .target(
            name: "ArtifactSearchPostgres",
            dependencies: [
                "ArtifactSearch", "HybridSearch",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "artifact-search",
            dependencies: [
                "HybridSearch", "Embedders",
                "ArtifactSearch",
                "ArtifactSearchMCP",
                "ArtifactSearchHTTP",
                "ArtifactSearchS3", "ArtifactSearchPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Half-precision vector rows: conversion and the dot product with F16C (issue 9, item 8).
        .target(
            name: "CVectorKernels",
            // glibc's vector math (8-wide erff/expf for the sentence encoder's activations).
            linkerSettings: [.linkedLibrary("mvec", .when(platforms: [.linux]))]),
        .executableTarget(
            name: "hybrid-bench",
            dependencies: [
                "HybridSearch", "Embedders", "CVectorKernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/hybrid-bench"
        ),
        .testTarget(
            name: "HybridSearchTests", dependencies: ["HybridSearch", "Embedders", "CVectorKernels"],
            // Reference data read by path (#filePath), not a bundle resource.
            exclude: ["Fixtures"]),
        // The child process the crash tests spawn and kill (built by `swift test` through the
        // dependency below; never installed).
        .executableTarget(
            name: "artifact-search-crash-child",
            dependencies: ["ArtifactSearch", "HybridSearch"],
            path: "Tests/CrashChild"
        ),
        .testTarget(
            name: "ArtifactSearchTests",
            dependencies: [
                "ArtifactSearch", "artifact-search-crash-child", .product(name: "GRDB", package: "GRDB.swift"),
                // The facade suites run against the S3-compatible store (moto_server) and the
                // shared store (PostgreSQL + moto) too.
                "ArtifactSearchS3", "ArtifactSearchPostgres",
            ]),
        // Running the program (and the official MCP client) from the tests: shared by the suites
        // that start child processes.
        .target(name: "ProgramTestSupport", path: "Tests/ProgramTestSupport"),
        // Depends on the program so `swift test` builds it; the tests run the binary itself.
        .testTarget(
            name: "CommandLineTests", dependencies: ["ArtifactSearch", "HybridSearch", "Embedders", "artifact-search", "ProgramTestSupport"]),
        // The OpenAI-compatible embedder against a local server of the tests' own
        // (fake_embedding_server.py, Python's standard library, in its own process), through the
        // library and through the program.
        .testTarget(
            name: "EmbeddersTests",
            dependencies: ["Embedders", "HybridSearch", "ArtifactSearch", "artifact-search", "ProgramTestSupport"],
            exclude: ["fake_embedding_server.py"]),
        .testTarget(
            name: "MCPTests",
            dependencies: [
                "ArtifactSearchMCP", "ArtifactSearch", "artifact-search", "ProgramTestSupport", .product(name: "MCP", package: "swift-sdk"),
            ],
            exclude: ["client"]),  // the Python end-to-end client, run by OfficialClientTests
        .testTarget(
            name: "HTTPTests",
            dependencies: [
                "ArtifactSearchHTTP", "ArtifactSearch", "artifact-search", "ProgramTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Signature V4 against AWS's published examples; the client against moto_server with
        // signature checking on (scripts/test-services starts it).
        // The PostgreSQL index against the throw-away cluster (scripts/test-services).
        .testTarget(
            name: "PostgresTests",
            dependencies: [
                "ArtifactSearchPostgres", "ArtifactSearch", "HybridSearch",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "S3Tests", dependencies: ["ArtifactSearchS3", "ArtifactSearch", "HybridSearch"],
            exclude: ["requirements.txt", "make_moto_user.py"]),
    ],
    swiftLanguageModes: [.v6]
)
