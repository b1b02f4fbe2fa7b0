import Foundation

/// A deposit was taken. It counts as money received.
public struct DepositTaken: EventPayload {
    /// `client.deposit-taken`.
    public static let typeName = "client.deposit-taken"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The deposit.
    public var depositID: DepositID
    /// Amount.
    public var amount: Money
    /// False: it can only be applied or forfeited.
    public var refundable: Bool
    /// How it was paid.
    public var method: PaymentMethod

    /// Creates the payload.
    public init(at: Date, depositID: DepositID, amount: Money, refundable: Bool, method: PaymentMethod) {
        self.at = at
        self.depositID = depositID
        self.amount = amount
        self.refundable = refundable
        self.method = method
    }
}
