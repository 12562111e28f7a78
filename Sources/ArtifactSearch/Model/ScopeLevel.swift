import Foundation

/// How wide a read looks, relative to the current ``Scope`` (SPEC §4).
///
/// | level | filter added to every read |
/// |---|---|
/// | ``scope`` | `scope_id` = the scope id |
/// | ``session`` | `session_id` |
/// | ``run`` (default) | `run_id` |
/// | ``user`` | `user_id`, falling back to `client_id` |
/// | ``org`` | `org_id` |
///
/// Whenever the scope has an `orgID`, every level also filters on `org_id`. A level whose id
/// the scope lacks adds no filter (single-tenant stores see everything).
public enum ScopeLevel: String, Sendable, Hashable, Codable, CaseIterable {
    case scope
    case session
    case run
    case user
    case org

    /// Parses a level name (case-insensitive).
    /// - Throws: ``ArtifactError/unknownLevel(_:)`` naming the accepted values.
    public init(parsing text: String) throws(ArtifactError) {
        guard let level = ScopeLevel(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased())
        else { throw .unknownLevel(text) }
        self = level
    }
}
