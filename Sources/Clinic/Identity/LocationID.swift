import Foundation

/// A location's id: a short string (e.g. `nyc-soho`) or a UUID, restricted to `[A-Za-z0-9._-]`.
public struct LocationID: ShortIdentifier {
    public let rawValue: String

    public init?(_ rawValue: String) {
        guard IdentifierRules.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public static let kind = "location id"
}
