import Foundation

/// A held deposit was applied to the treatment price.
public struct DepositApplied: EventPayload {
    /// `client.deposit-applied`.
    public static let typeName = "client.deposit-applied"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The deposit.
    public var depositID: DepositID

    /// Creates the payload.
    public init(at: Date, depositID: DepositID) {
        self.at = at
        self.depositID = depositID
    }
}
