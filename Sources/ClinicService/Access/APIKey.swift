import Foundation

/// A stored API key (never the secret itself, only its hash).
public struct APIKey: Sendable, Hashable, Codable {
    public var id: UUID
    public var name: String
    public var role: Role
    /// For integrators: the categories they may read; nil means all.
    public var categories: [String]?
    public var createdAt: Date
    public var revokedAt: Date?

    /// Whether the key may read events of `category` (nil: every category).
    public func mayRead(category: String?) -> Bool {
        guard let categories else { return true }
        guard let category else { return false }
        return categories.contains(category)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, role, categories
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }
}
