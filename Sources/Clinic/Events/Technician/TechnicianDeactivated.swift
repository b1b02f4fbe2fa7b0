import Foundation

/// A technician left or was suspended.
public struct TechnicianDeactivated: EventPayload {
    /// `technician.deactivated`.
    public static let typeName = "technician.deactivated"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// Why.
    public var reason: String

    /// Creates the payload.
    public init(at: Date, reason: String) {
        self.at = at
        self.reason = reason
    }
}
