/// What an API key may do.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// Runs the clinic: commands and projection queries.
    case `operator`
    /// Reads everything (queries, raw feed, as-of reports); changes nothing.
    case auditor
    /// Follows the event feed, subscriptions and webhooks, optionally limited to categories.
    case integrator
    /// Manages API keys (and sees and deletes every webhook).
    case admin

    /// Whether this role may do `permission`.
    public func allows(_ permission: Permission) -> Bool {
        switch (self, permission) {
        case (_, .public): true
        case (.operator, .command), (.operator, .query): true
        case (.auditor, .query), (.auditor, .readFeed): true
        case (.integrator, .readFeed): true
        case (.admin, .manageKeys): true
        case (.integrator, .manageWebhooks), (.admin, .manageWebhooks): true
        default: false
        }
    }
}

/// What a route needs.
public enum Permission: String, Sendable, CaseIterable {
    /// No key needed (health, metrics, the OpenAPI document).
    case `public`
    /// Append events through a command.
    case command
    /// Read a projection.
    case query
    /// Read the raw event feed, streams and subscriptions.
    case readFeed
    /// Create, list and revoke API keys.
    case manageKeys
    /// Register, list and delete webhooks (an integrator its own, within its categories).
    case manageWebhooks

    /// What the permission lets a caller do, as a sentence fragment ("run commands").
    public var description: String {
        switch self {
        case .public: "call public routes"
        case .command: "run commands"
        case .query: "read projections"
        case .readFeed: "read the event feed"
        case .manageKeys: "manage API keys"
        case .manageWebhooks: "manage webhooks"
        }
    }
}
