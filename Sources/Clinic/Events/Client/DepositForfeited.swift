import Foundation

/// A held deposit was forfeited (late cancellation, no-show); the clinic keeps it.
public struct DepositForfeited: EventPayload {
    /// `client.deposit-forfeited`.
    public static let typeName = "client.deposit-forfeited"
    /// The current schema version.
    public static let schemaVersion = 2

    /// When it happened, in business time.
    public var at: Date
    /// The deposit.
    public var depositID: DepositID
    /// Why (personal: sealed with the client's key).
    public var personal: PersonalText
    /// Set when the location's deposit policy forfeited it (no-show or late cancellation); nil when staff did.
    public var policy: DepositPolicyAction?

    /// Creates the payload.
    public init(at: Date, depositID: DepositID, reason: String, policy: DepositPolicyAction? = nil) {
        self.at = at
        self.depositID = depositID
        self.personal = PersonalText(reason)
        self.policy = policy
    }

    /// Why ("(erased)" once the client was forgotten).
    public var reason: String { personal.text }
}
