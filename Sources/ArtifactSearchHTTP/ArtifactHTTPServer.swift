import ArtifactSearch
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// `artifact-search serve`: one warm store behind the `/v1` JSON API, `/mcp`, `/healthz` and
/// `/metrics` (see the README's "HTTP API" for every route and its answers).
///
/// - **Tenancy:** with a key file (``APIKeyring``) every request needs `Authorization: Bearer
///   KEY` and acts for the key's organisation and user only; without one the server serves
///   one local tenant (no organisation, as the command line) and refuses any address but
///   loopback.
/// - **Warm index:** the search index is brought up to date before the port opens; saves
///   are searchable at once; the index's in-memory tail is committed as a segment
///   ``Configuration/commitInterval`` after the last commit or at 1,024 documents
///   (``PeriodicCommit``), and at shutdown, so other processes map it.
/// - **Shutdown:** SIGTERM or SIGINT stops accepting connections, lets the requests in
///   flight finish, commits, and returns (the program exits 0).
public enum ArtifactHTTPServer {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 = any free port (see `onRunning`).
        public var port: Int
        public var keyring: APIKeyring?
        /// Largest request body accepted (413 beyond it), in bytes.
        public var maxBodyBytes: Int
        /// Browser origins `/mcp` accepts besides the loopback ones (``OriginPolicy``).
        public var allowedOrigins: [String]
        public var commitInterval: Duration
        /// Reported to MCP clients as the server's version.
        public var version: String
        /// How long requests in flight may take to finish after SIGTERM (then they are cancelled).
        public var shutdownGracePeriod: Duration = .seconds(10)
        /// A connection that sends nothing for this long is closed.
        public var idleTimeout: Duration = .seconds(30)
        /// How often the search index is brought up to the records' change log when nothing
        /// signals a change (other processes', other nodes' saves); a shared store's
        /// PostgreSQL notifies its nodes at each commit besides (``PeriodicCommit``).
        public var catchUpInterval: Duration = .seconds(1)
        /// Whether SIGTERM and SIGINT shut the server down gracefully (a program's server);
        /// `false` leaves signals alone (a server inside tests: cancel its task instead).
        public var handlesSignals: Bool

        public init(
            host: String = "127.0.0.1", port: Int = 8080, keyring: APIKeyring? = nil, maxBodyBytes: Int = 32 << 20,
            allowedOrigins: [String] = [], commitInterval: Duration = .seconds(30), version: String = "0.10.0",
            handlesSignals: Bool = true
        ) {
            self.host = host
            self.port = port
            self.keyring = keyring
            self.maxBodyBytes = maxBodyBytes
            self.allowedOrigins = allowedOrigins
            self.commitInterval = commitInterval
            self.version = version
            self.handlesSignals = handlesSignals
        }
    }

    /// Whether `host` is a loopback address: `localhost`, or an IP literal in 127.0.0.0/8 or
    /// `::1` (written with or without brackets). Any other name is not: it would go through
    /// DNS, and `127.attacker.example` may resolve anywhere.
    public static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased()
        if name == "localhost" { return true }
        let literal = name.hasPrefix("[") && name.hasSuffix("]") ? String(name.dropFirst().dropLast()) : name
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1 }
        }
        return false
    }

    /// Checks what ``run(facade:configuration:logger:onRunning:)`` would refuse.
    public static func validate(_ configuration: Configuration) throws(ServerSetupError) {
        if configuration.keyring == nil, !isLoopback(configuration.host) {
            throw ServerSetupError(
                "without --keys the server serves one tenant with no API keys, so it listens only on loopback"
                    + " (127.0.0.1, ::1, localhost); got --host \(configuration.host): give --keys FILE to serve other hosts")
        }
        guard (0...65_535).contains(configuration.port) else {
            throw ServerSetupError("--port must be between 0 and 65535 (got \(configuration.port))")
        }
        guard configuration.maxBodyBytes >= 1 else {
            throw ServerSetupError("--max-body-bytes must be at least 1 (got \(configuration.maxBodyBytes))")
        }
    }

    /// The router of every route, for `facade`'s store (its scope is replaced per request).
    static func router(
        facade: ArtifactFacade, configuration: Configuration, metrics: ServiceMetrics, origins: OriginPolicy
    ) -> Router<ArtifactRequestContext> {
        let router = Router(context: ArtifactRequestContext.self)
        router.add(middleware: ObservingMiddleware(metrics: metrics))
        router.add(middleware: OriginMiddleware(policy: origins))
        router.add(middleware: TenantMiddleware(keyring: configuration.keyring))
        ArtifactAPI(facade: facade, maxBodyBytes: configuration.maxBodyBytes, metrics: metrics).register(on: router)
        MCPEndpoint(facade: facade, maxBodyBytes: configuration.maxBodyBytes, origins: origins, version: configuration.version)
            .register(on: router)
        return router
    }

    /// Serves until SIGTERM/SIGINT or until the calling task is cancelled (both shut down
    /// gracefully: requests in flight finish), then commits the
    /// search index and returns. `onRunning` gets the bound port once connections are accepted.
    /// - Throws: ``ServerSetupError`` for a configuration ``validate(_:)`` refuses; the
    ///   store's errors while preparing the index; the socket's (address in use).
    public static func run(
        facade: ArtifactFacade, configuration: Configuration, logger: Logger = Logger(label: "artifact-search.serve"),
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        try validate(configuration)
        try await facade.prepareSearchIndex(progressThreshold: 5_000) { done, total in
            logger.info("indexing the store: \(done) of \(total) changes")
        }
        let metrics = ServiceMetrics()
        let origins = OriginPolicy(loopback: isLoopback(configuration.host), allowedOrigins: configuration.allowedOrigins)
        let app = Application(
            responder: HeadResponder(
                base: router(facade: facade, configuration: configuration, metrics: metrics, origins: origins).buildResponder()),
            // A connection that sends nothing for this long is closed (slow or stalled clients).
            server: .http1(
                configuration: HTTP1Channel.Configuration(
                    additionalChannelHandlers: [ExpectContinueHandler(maxBodyBytes: configuration.maxBodyBytes)],
                    idleTimeout: .seconds(Int64(configuration.idleTimeout.components.seconds)))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "artifact-search"),
            services: [
                PeriodicCommit(
                    facade: facade, interval: configuration.commitInterval, catchUpInterval: configuration.catchUpInterval)
            ],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                origins.bound(port: port)
                logger.info("listening on http://\(configuration.host):\(port)")
                await onRunning(port)
            },
            logger: logger)
        var lifecycle = ServiceGroupConfiguration(
            services: [app], gracefulShutdownSignals: configuration.handlesSignals ? [.sigterm, .sigint] : [], logger: logger)
        // Requests in flight get this long to finish; then they are cancelled (a client that
        // never sends the rest of its body must not keep the server from exiting). No
        // maximumCancellationDuration: ServiceLifecycle escalates an overrun to fatalError, a
        // crash; what is left after cancellation ends by itself (PeriodicCommit stops its
        // merge, and its commit writes only the tail and deletes).
        lifecycle.maximumGracefulShutdownDuration = configuration.shutdownGracePeriod
        let group = ServiceGroup(configuration: lifecycle)
        // Cancelling the caller shuts down gracefully, as a signal does: the group runs in a
        // task of its own (cancellation would abort requests in flight), told to stop on cancel.
        let running = Task { try await group.run() }
        // PeriodicCommit stops merges at shutdown; the facade merges again once the last
        // commit is written (a library caller may go on using it).
        defer { facade.resumeSearchIndexMerges() }
        do {
            try await withTaskCancellationHandler {
                try await running.value
            } onCancel: {
                Task { await group.triggerGracefulShutdown() }
            }
        } catch {
            _ = try? await facade.commitSearchIndex()
            if "\(error)".contains("Address already in use") {
                throw ServerSetupError(
                    "port \(configuration.port) on \(configuration.host) is already in use: stop what listens there, or pick another --port (0: any free port)")
            }
            throw error
        }
        let committed = (try? await facade.commitSearchIndex()) ?? false
        logger.info("stopped; search index \(committed ? "committed" : "not committed (another process is committing)")")
    }
}

/// Brings the search index up to the records' change log (what other processes, or a shared
/// store's other nodes, saved and deleted: applied here rather than by the next query) every
/// `catchUpInterval` (1 s) and whenever the records signal a commit
/// (``ArtifactSearch/ArtifactIndex/followChanges(_:)``: PostgreSQL's NOTIFY; signals that come
/// during a catch-up are folded into one more), then commits the tail as a segment —
/// `interval` after the last commit, or as soon as it holds ``tailLimit`` documents — so a
/// process opening the store meanwhile maps segments instead of reading records. Searches
/// encode only what a save added to the tail (``PersistentIndex``'s tail chunks), so the tail
/// may grow: at 64 documents the commits and the merges they set off took 4 % of the server's
/// CPU under a 10 % save mix.
struct PeriodicCommit: Service {
    static let tailLimit = 1_024
    let facade: ArtifactFacade
    let interval: Duration
    let catchUpInterval: Duration

    func run() async throws {
        // A merge in flight would hold up the shutdown for seconds (minutes at nice 19 on a
        // loaded machine): it stops, and the last commits merge nothing.
        try? await withTaskCancellationOrGracefulShutdownHandler {
            try await commitUntilShutdown()
        } onCancelOrGracefulShutdown: { [facade] in
            facade.stopSearchIndexMerges()
        }
    }

    private func commitUntilShutdown() async throws {
        try await cancelWhenGracefulShutdown {
            let (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try? await facade.index.followChanges { signal.yield() } }
                group.addTask {
                    for await _ in signals { try? await facade.catchUpSearchIndex() }
                }
                var last = ContinuousClock.now
                var caughtUp = ContinuousClock.now
                while !Task.isCancelled {
                    try await Task.sleep(for: min(interval, catchUpInterval, .seconds(1)))
                    if ContinuousClock.now - caughtUp >= catchUpInterval {
                        signal.yield()
                        caughtUp = ContinuousClock.now
                    }
                    let waiting = facade.openedSearchIndex?.tailCount ?? 0
                    guard waiting >= Self.tailLimit || waiting > 0 && ContinuousClock.now - last >= interval else { continue }
                    // Off the request threads, a merge at the lowest priority: it can take seconds.
                    _ = try? await facade.commitSearchIndexInBackground()
                    last = ContinuousClock.now
                }
                signal.finish()
                group.cancelAll()
            }
        }
    }
}
