import ArgumentParser
import ArtifactSearch
import ArtifactSearchHTTP
import Foundation
import Logging

/// `artifact-search serve`: the store as a long-running HTTP service.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the store over HTTP: the /v1 JSON API and the MCP tools at /mcp.",
        discussion: """
            Keeps the search index warm for many clients at once. Routes: POST/GET \
            /v1/artifacts, GET/DELETE /v1/artifacts/ID, GET /v1/artifacts/ID/content, \
            PUT/DELETE /v1/artifacts/ID/pin, POST /v1/search, POST /v1/best, GET /healthz, \
            GET /metrics (Prometheus), /mcp (MCP over Streamable HTTP). Errors are JSON: \
            {"error": {"type", "message"}}.

            With --keys FILE (a JSON array of {"key", "org_id", "user_id", "write"}) every \
            request needs "Authorization: Bearer KEY" and sees only its key's organisation; \
            without it the server serves one local tenant and listens on loopback only. \
            SIGTERM or SIGINT finishes the requests in flight, commits the index and exits 0. \
            Logs go to standard error; the first line says where it listens.
            """)

    @OptionGroup(title: "Store")
    var store: StoreOptions

    @OptionGroup
    var embedder: StoreEmbedderOptions

    @Option(help: ArgumentHelp("Address to listen on (without --keys: loopback only).", valueName: "host"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("Port to listen on (0: any free port, printed at start).", valueName: "port"))
    var port = 8080

    @Option(help: ArgumentHelp("API keys: a JSON array of {\"key\", \"org_id\", \"user_id\", \"write\"}.", valueName: "file"))
    var keys: String?

    @Option(
        name: .customLong("max-body-bytes"),
        help: ArgumentHelp("Largest request body accepted, in bytes (32 MiB); larger ones get 413.", valueName: "bytes"))
    var maxBodyBytes = 32 << 20

    @Option(
        name: .customLong("allow-origin"),
        help: ArgumentHelp("A browser origin every route accepts, e.g. https://app.example.com (repeatable).", valueName: "origin"))
    var allowedOrigins: [String] = []

    @Option(
        name: .customLong("commit-interval"),
        help: ArgumentHelp("Seconds after which new documents are committed as a segment (at once at 1,024 documents).", valueName: "seconds"))
    var commitInterval = 30

    @Option(
        name: .customLong("catch-up-interval"),
        help: ArgumentHelp(
            "Seconds between polls of the change log for other processes' and nodes' saves (a shared store's PostgreSQL"
                + " also notifies nodes at each commit).",
            valueName: "seconds"))
    var catchUpInterval = 1

    @Option(
        name: .customLong("shutdown-grace"),
        help: ArgumentHelp("Seconds requests in flight get to finish after SIGTERM before they are cancelled.", valueName: "seconds"))
    var shutdownGrace = 10

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        guard commitInterval >= 1 else { throw CommandLineError("--commit-interval must be at least 1 second (got \(commitInterval))") }
        guard (1...86_400).contains(catchUpInterval) else {
            throw CommandLineError("--catch-up-interval must be between 1 and 86400 seconds (got \(catchUpInterval))")
        }
        guard (0...3_600).contains(shutdownGrace) else { throw CommandLineError("--shutdown-grace must be between 0 and 3600 seconds (got \(shutdownGrace))") }
        let configuration: ArtifactHTTPServer.Configuration
        do {
            let keyring = try keys.map { try APIKeyring.load(from: URL(fileURLWithPath: $0)) }
            var settings = ArtifactHTTPServer.Configuration(
                host: host, port: port, keyring: keyring, maxBodyBytes: maxBodyBytes, allowedOrigins: allowedOrigins,
                commitInterval: .seconds(commitInterval))
            settings.shutdownGracePeriod = .seconds(shutdownGrace)
            settings.catchUpInterval = .seconds(catchUpInterval)
            configuration = settings
            try ArtifactHTTPServer.validate(configuration)
        } catch let error as ServerSetupError {
            throw CommandLineError(error.description)
        }
        // Remote clients never name host paths: the facade reads only the store's own blobs.
        let facade = try await store.openFacade(creating: true, access: .confined(roots: []), embedder: embedder.choice)
        do {
            try await ArtifactHTTPServer.run(facade: facade, configuration: configuration)
        } catch let error as ServerSetupError {
            throw CommandLineError(error.description)
        }
    }
}
