import Foundation

/// Money was refunded (positive, never more than net paid and not from a non-refundable deposit).
public struct RefundIssued: EventPayload {
    /// `client.refund-issued`.
    public static let typeName = "client.refund-issued"
    /// The current schema version.
    public static let schemaVersion = 2

    /// When it happened, in business time.
    public var at: Date
    /// The refund.
    public var refundID: RefundID
    /// Amount.
    public var amount: Money
    /// How.
    public var method: PaymentMethod
    /// Why (personal: sealed with the client's key). Nil on a refund to a client already forgotten, whose key is
    /// gone: a reason about them could no longer be erased, so none is kept.
    public var personal: PersonalText?
    /// The deposit refunded, when it is one.
    public var depositID: DepositID?
    /// Set when the location's deposit policy refunded a deposit (a cancellation with notice); nil when staff did.
    public var policy: DepositPolicyAction?

    /// Creates the payload.
    public init(
        at: Date, refundID: RefundID, amount: Money, method: PaymentMethod, reason: String,
        depositID: DepositID? = nil, policy: DepositPolicyAction? = nil
    ) {
        self.policy = policy
        self.at = at
        self.refundID = refundID
        self.amount = amount
        self.method = method
        self.personal = PersonalText(reason)
        self.depositID = depositID
    }

    /// Why ("(erased)" once the client was forgotten, "" when none was kept).
    public var reason: String { personal?.text ?? "" }
}
