import Foundation

/// A pigment batch id: the manufacturer's batch/lot number (e.g. `DB-91024110`), restricted to `[A-Za-z0-9._-]`.
public struct PigmentBatchNumber: ShortIdentifier {
    public let rawValue: String

    public init?(_ rawValue: String) {
        guard IdentifierRules.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public static let kind = "pigment batch id"
}
