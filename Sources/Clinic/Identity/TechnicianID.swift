import Foundation

/// A technician's id: a short string (e.g. `T-07`) or a UUID, restricted to `[A-Za-z0-9._-]`.
public struct TechnicianID: ShortIdentifier {
    public let rawValue: String

    public init?(_ rawValue: String) {
        guard IdentifierRules.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public static let kind = "technician id"
}
