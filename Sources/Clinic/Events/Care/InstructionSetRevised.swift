import Foundation

/// The clinic revised a care instruction set: a new version, in force from `at`, replacing every item.
public struct InstructionSetRevised: EventPayload {
    /// `care.instruction-set-revised`.
    public static let typeName = "care.instruction-set-revised"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time; the new version is what clients are given from then on.
    public var at: Date
    /// The new version number: the latest plus one.
    public var version: Int
    /// The new version's items.
    public var items: [CareItem]
    /// Why it was revised.
    public var reason: String

    /// Creates the payload.
    public init(at: Date, version: Int, items: [CareItem], reason: String) {
        self.at = at
        self.version = version
        self.items = items
        self.reason = reason
    }
}
