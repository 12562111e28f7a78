import Foundation

/// Who and where an artifact is saved from: tenant ids, the run/graph/node of a tool graph,
/// the tool, and a memory level. The facade stamps these on every artifact it records and
/// derives read filters from them (see ``ScopeLevel``).
public struct Scope: Sendable, Hashable, Codable {
    public var orgID: String?
    public var userID: String?
    public var clientID: String?
    public var appID: String?
    public var agentID: String?
    public var sessionID: String?
    public var runID: String?
    public var graphID: String?
    public var nodeID: String?
    public var toolName: String?
    public var toolVersion: String?
    /// The memory level that chooses the scope id (see ``scopeID``); `nil` = first present id.
    public var level: ScopeLevel?
    /// An explicit scope id that wins over the derived one.
    public var scopeIDOverride: String?

    public init(
        orgID: String? = nil, userID: String? = nil, clientID: String? = nil,
        appID: String? = nil, agentID: String? = nil, sessionID: String? = nil,
        runID: String? = nil, graphID: String? = nil, nodeID: String? = nil,
        toolName: String? = nil, toolVersion: String? = nil, level: ScopeLevel? = nil,
        scopeIDOverride: String? = nil
    ) {
        self.orgID = orgID
        self.userID = userID
        self.clientID = clientID
        self.appID = appID
        self.agentID = agentID
        self.sessionID = sessionID
        self.runID = runID
        self.graphID = graphID
        self.nodeID = nodeID
        self.toolName = toolName
        self.toolVersion = toolVersion
        self.level = level
        self.scopeIDOverride = scopeIDOverride
    }

    /// The "memory bucket" of this scope (SPEC §4), decided in this order:
    /// 1. ``scopeIDOverride`` if set (and not empty);
    /// 2. by ``level``: `session` → `session:<id>`; `user` → `org:<org>:user:<user>` when both
    ///    are set, else `user:<user or client>`, else `user:anon`; `run` → `run:<id>`;
    ///    `org` → `org:<id>`; `scope` → `global` (a level whose id is missing falls through);
    /// 3. the first present of session, user, run, org, app as `<kind>:<id>`;
    /// 4. `global`.
    public var scopeID: String {
        if let id = Self.present(scopeIDOverride) { return id }
        switch level {
        case .session?:
            if let id = Self.present(sessionID) { return "session:\(id)" }
        case .user?:
            if let org = Self.present(orgID), let user = Self.present(userID) {
                return "org:\(org):user:\(user)"
            }
            if let user = Self.present(userID) ?? Self.present(clientID) { return "user:\(user)" }
            return "user:anon"
        case .run?:
            if let id = Self.present(runID) { return "run:\(id)" }
        case .org?:
            if let id = Self.present(orgID) { return "org:\(id)" }
        case .scope?:
            return "global"
        case nil:
            break
        }
        let chain: [(String, String?)] = [
            ("session", sessionID), ("user", userID), ("run", runID), ("org", orgID), ("app", appID),
        ]
        for (prefix, value) in chain {
            if let id = Self.present(value) { return "\(prefix):\(id)" }
        }
        return "global"
    }

    /// The same scope in another node of the graph (e.g. for a tool call).
    public func node(_ nodeID: String?, toolName: String? = nil, toolVersion: String? = nil) -> Scope {
        var copy = self
        copy.nodeID = nodeID
        if let toolName { copy.toolName = toolName }
        if let toolVersion { copy.toolVersion = toolVersion }
        return copy
    }

    static func present(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
