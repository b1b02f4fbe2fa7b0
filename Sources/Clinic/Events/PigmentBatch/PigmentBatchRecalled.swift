import Foundation

/// A pigment batch was recalled.
public struct PigmentBatchRecalled: EventPayload {
    /// `pigment.batch-recalled`.
    public static let typeName = "pigment.batch-recalled"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// Why, e.g. `Contaminated with PAH`.
    public var reason: String

    /// Creates the payload.
    public init(at: Date, reason: String) {
        self.at = at
        self.reason = reason
    }
}
