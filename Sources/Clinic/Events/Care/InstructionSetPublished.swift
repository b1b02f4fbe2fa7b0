import Foundation

/// The clinic published a care instruction set: its first version, with its pre-care and aftercare items.
public struct InstructionSetPublished: EventPayload {
    /// `care.instruction-set-published`.
    public static let typeName = "care.instruction-set-published"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The set's name, e.g. "SMP standard care".
    public var name: String
    /// Version 1's items, pre-care and aftercare.
    public var items: [CareItem]

    /// Creates the payload.
    public init(at: Date, name: String, items: [CareItem]) {
        self.at = at
        self.name = name
        self.items = items
    }
}
