import ArtifactSearch
import Logging
import PostgresNIO

extension PostgresConnection {
    /// `query`, refused at once on a connection that is already closed (the server restarted,
    /// or ended this session): postgres-nio 1.33 writes a query to a closed channel without
    /// failing it, and the caller then waits forever — measured: an `ingest` idle for good
    /// after PostgreSQL restarted mid-transaction, in its `ROLLBACK`.
    /// - Throws: ``ConnectionLost`` for a closed connection; otherwise what `query` throws.
    @discardableResult
    func checkedQuery(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        guard !isClosed else { throw ConnectionLost() }
        return try await self.query(query, logger: logger)
    }
}

/// The connection to the server closed under a transaction (reported as
/// ``ArtifactSearch/ArtifactError/remoteStorage(location:reason:)``).
struct ConnectionLost: Error, CustomStringConvertible {
    var description: String { "the connection to the server was lost (the server restarted or ended the session)" }
}
