import Foundation

/// Money was refunded (positive, never more than net paid and not from a non-refundable deposit).
public struct RefundIssued: EventPayload {
    /// `client.refund-issued`.
    public static let typeName = "client.refund-issued"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The refund.
    public var refundID: RefundID
    /// Amount.
    public var amount: Money
    /// How.
    public var method: PaymentMethod
    /// Why.
    public var reason: String
    /// The deposit refunded, when it is one.
    public var depositID: DepositID?

    /// Creates the payload.
    public init(
        at: Date, refundID: RefundID, amount: Money, method: PaymentMethod, reason: String,
        depositID: DepositID? = nil
    ) {
        self.at = at
        self.refundID = refundID
        self.amount = amount
        self.method = method
        self.reason = reason
        self.depositID = depositID
    }
}
