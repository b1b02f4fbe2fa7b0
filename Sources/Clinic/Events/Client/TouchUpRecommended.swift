import Foundation

/// A touch-up was recommended.
public struct TouchUpRecommended: EventPayload {
    /// `client.touch-up-recommended`.
    public static let typeName = "client.touch-up-recommended"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// Why.
    public var reason: String
    /// Who recommended it.
    public var recommendedBy: TechnicianID?

    /// Creates the payload.
    public init(at: Date, reason: String, recommendedBy: TechnicianID? = nil) {
        self.at = at
        self.reason = reason
        self.recommendedBy = recommendedBy
    }
}
