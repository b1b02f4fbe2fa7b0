import Foundation

/// `client.refund-issued` version 1: the reason in the clear.
public struct RefundIssuedV1: LegacyEventPayload {
    /// Stored version.
    public static let schemaVersion = 1

    public var at: Date
    public var refundID: RefundID
    public var amount: Money
    public var method: PaymentMethod
    public var reason: String
    public var depositID: DepositID?

    /// The same refund with the reason under `personal` (and no deposit policy: version 1 had none).
    public func upcast() -> RefundIssued {
        RefundIssued(
            at: at, refundID: refundID, amount: amount, method: method, reason: reason, depositID: depositID)
    }
}
