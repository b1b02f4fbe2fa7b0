import Foundation

/// A held deposit was forfeited (late cancellation, no-show); the clinic keeps it.
public struct DepositForfeited: EventPayload {
    /// `client.deposit-forfeited`.
    public static let typeName = "client.deposit-forfeited"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The deposit.
    public var depositID: DepositID
    /// Why.
    public var reason: String

    /// Creates the payload.
    public init(at: Date, depositID: DepositID, reason: String) {
        self.at = at
        self.depositID = depositID
        self.reason = reason
    }
}
